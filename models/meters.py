"""The meters: what the assessment's data adds up to. Aggregates are one ``GROUP BY`` each."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import case, func, select

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.evaluate import LevelResult, ShareCounts, evaluate
from hoctap.models.qualify import POPULATION_OF_KIND
from hoctap.models.sql import PF, PT, RE
from hoctap.models.tables import Assessment, AuditBatch, UnitEntryValue
from hoctap.models.units import Context, catalog_for

def share_counts(db: Database, ctx: Context, fact_names: Iterable[str]) -> ShareCounts:
    """People per population, and per (population, fact, value): two aggregates.

    Grouping by (name, value) alone, in the order of the covering index ix_person_fact_cover,
    with one conditional count per kind, spares the sort a GROUP BY on the joined person's
    kind would need; the join itself only reads each person's kind."""
    assessment_id = ctx.assessment.id
    names = sorted(set(fact_names))
    kinds = list(POPULATION_OF_KIND)
    per_kind = [func.count(case((PT.c.kind == kind, 1))) for kind in kinds]
    with db.read() as s:
        pops = s.execute(select(*per_kind).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
                         .where(RE.c.assessment_id == assessment_id)).one()
        rows = s.execute(
            select(PF.c.name, PF.c.value, *per_kind)
            .select_from(PF.join(PT, PT.c.id == PF.c.person_id))
            .where(PF.c.assessment_id == assessment_id, PF.c.name.in_(names))
            .group_by(PF.c.name, PF.c.value)).all() if names else []
    population = {POPULATION_OF_KIND[kind]: n for kind, n in zip(kinds, pops) if n}
    values = {(POPULATION_OF_KIND[kind], name, value): n
              for name, value, *counts in rows for kind, n in zip(kinds, counts) if n}
    return ShareCounts(population, values)


def unit_entry_rows(db: Database, ctx: Context) -> dict[str, UnitEntryValue]:
    with db.read() as s:
        rows = s.exec(select(UnitEntryValue).where(UnitEntryValue.assessment_id == ctx.assessment.id)).scalars()
        return {r.entry_id: r for r in rows}


def evaluate_context(db: Database, catalogs: Catalogs, ctx: Context, level: int | None = None) -> LevelResult:
    catalog = catalog_for(catalogs, ctx.unit, ctx.level_or(level))
    facts = {e.fact for e in catalog.entries() if e.kind == "share"}
    counts = share_counts(db, ctx, facts)
    values = {k: r.value for k, r in unit_entry_rows(db, ctx).items()}
    return evaluate(catalogs, catalog, ctx.types, counts, values)


def data_version(db: Database, ctx: Context) -> tuple:
    """Changes whenever anyone changes this assessment: cheap to poll for other users' edits."""
    assessment_id = ctx.assessment.id
    with db.read() as s:
        last = s.execute(select(func.max(AuditBatch.id)).where(AuditBatch.assessment_id == assessment_id)).scalar()
        level = s.execute(select(Assessment.version).where(Assessment.id == assessment_id)).scalar()
    return (last, level)
