"""The new year: start next year's assessments of many units at once, each with last year's
roster and the facts the user chooses to carry over (a language certificate lasts; a yearly
emulation title does not)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from hoctap.models.audit import batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.facts import lc_inputs, refresh_lc_title
from hoctap.models.fields import parse_year
from hoctap.models.i18n import tr
from hoctap.models.sql import PF, RE, chunks, insert_many
from hoctap.models.tables import Assessment, Unit
from hoctap.models.units import ensure_assessment, get_unit


@dataclass
class Rollover:
    """What a rollover did: per unit started, its people and carried facts; the units left
    alone and why; the audit batches (one per new assessment, so each undoes on its own)."""

    started: list[tuple[str, int, int]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)


def check_carry(catalogs: Catalogs, names: list[str]) -> list[str]:
    """The facts to carry, by id; a computed fact (the title) is recomputed, never carried."""
    for name in names:
        fact = catalogs.facts.get(name)
        if fact is None or fact.computed:
            raise HoctapError(tr("rollover.unknown_fact", name=name, known=", ".join(
                sorted(n for n, f in catalogs.facts.items() if not f.computed))))
    return list(dict.fromkeys(names))


def rollover(db: Database, catalogs: Catalogs, from_year: int, to_year: int, units: list[str] | None,
             carry: list[str], *, source: str = "cli") -> Rollover:
    """Start ``to_year`` for ``units`` (None: every unit assessed in ``from_year``) in one
    transaction. A unit without a ``from_year`` assessment, or whose ``to_year`` roster is
    already started, is left alone and listed."""
    from_year, to_year = parse_year(from_year), parse_year(to_year)
    if to_year <= from_year:
        raise HoctapError(tr("rollover.backwards", src=from_year, to=to_year))
    carry = check_carry(catalogs, carry)
    out = Rollover()
    with db.write() as s:
        if units is None:
            units = list(s.exec(select(Unit.code).join(Assessment, Assessment.unit_id == Unit.id)
                                .where(Assessment.year == from_year).order_by(Unit.code)).scalars())
        for code in dict.fromkeys(units):
            unit = get_unit(s, code)
            prev = s.exec(select(Assessment).where(Assessment.unit_id == unit.id, Assessment.year == from_year)).scalars().first()
            if prev is None:
                out.skipped.append((unit.code, tr("rollover.no_source", year=from_year)))
                continue
            ctx = ensure_assessment(s, unit.code, to_year, prev.level, source=source)
            new = ctx.assessment.id
            if s.execute(select(RE.c.person_id).where(RE.c.assessment_id == new).limit(1)).first():
                out.skipped.append((unit.code, tr("rollover.started", year=to_year)))
                continue
            pids = list(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == prev.id)
                                  .order_by(RE.c.person_id)).scalars())
            facts = list(s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(
                PF.c.assessment_id == prev.id, PF.c.name.in_(carry)))) if carry else []
            insert_many(s, RE, [dict(assessment_id=new, person_id=p, version=1) for p in pids])
            insert_many(s, PF, [dict(assessment_id=new, person_id=p, name=n, value=v) for p, n, v in facts])
            audit = [dict(entity="roster", entity_id=p, field="*", old=None, new="{}") for p in pids]
            audit += [dict(entity="fact", entity_id=p, field=n, old=None, new=v) for p, n, v in facts]
            if lc_inputs(catalogs) & set(carry):
                for chunk in chunks(sorted({p for p, _n, _v in facts})):
                    audit += refresh_lc_title(s, catalogs, new, chunk)
            batch = record_batch(s, source, "rollover", new, batch_summary(
                "rollover", code=unit.code, src=from_year, to=to_year, n=len(pids)))
            record_changes(s, batch, audit)
            out.started.append((unit.code, len(pids), len(facts)))
            out.batches.append(batch)
    return out
