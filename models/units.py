"""Units and their yearly assessments.

How the core addresses an assessment: by a ``Context`` (the unit and one assessment of it,
detached from any session). A face resolves it once from a unit code and a year with
``find_context`` (or ``ensure_context``, which creates the assessment) and passes it to the
readers and writers that open their own transaction. The writers that may create the
assessment in their own transaction (``ensure_assessment``, ``import_roster``,
``import_bundle``) take the unit code and year instead; helpers that run inside the caller's
session (``(s, assessment_id, …)``) and ``roster.RosterQuery`` (a value naming its
assessment) use the id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlmodel import Session

from hoctap.models.audit import batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs, LearningUnitCatalog
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.fields import InputError, parse_code, parse_name, parse_year
from hoctap.models.i18n import tr
from hoctap.models.sql import PF, RE
from hoctap.models.tables import Assessment, Unit
from hoctap.models.text import code_key


@dataclass(frozen=True)
class Context:
    """A unit and one of its assessments, detached from any session."""

    unit: Unit
    assessment: Assessment

    @property
    def types(self) -> list[str]:
        return self.unit.type_list

    def level_or(self, level: int | None) -> int:
        """``level`` when given, else the level the assessment seeks: the one default for every
        meter, checklist and report."""
        return level or self.assessment.level


def parse_unit_types(catalogs: Catalogs, raw: Iterable[str]) -> list[str]:
    tags = []
    for item in raw:
        for part in str(item).split(","):
            if not part.strip():
                continue
            tag = catalogs.match_unit_type(part)
            if tag is None:
                raise InputError(tr("err.bad_type", value=part.strip(), choices=", ".join(catalogs.unit_types)))
            if tag not in tags:
                tags.append(tag)
    return tags


def add_unit(db: Database, catalogs: Catalogs, code: str, name: str, tier: str, types: Iterable[str],
             *, source: str = "cli") -> Unit:
    code, name = parse_code(code, "code"), parse_name(name, "name")
    if not name:
        raise InputError(tr("err.required", name="name"))
    if tier not in ("district", "provincial"):
        raise InputError(tr("err.bad_tier", value=tier))
    tags = parse_unit_types(catalogs, types)
    if not tags:
        raise InputError(tr("err.required", name="--type"))
    with db.write() as s:
        if s.exec(select(Unit).where(Unit.code == code)).first():
            raise HoctapError(tr("err.unit_exists", code=code))
        unit = Unit(code=code, name=name, tier=tier, types=",".join(tags))
        s.add(unit)
        s.flush()
        batch = record_batch(s, source, "unit", None, batch_summary("unit", code=code))
        record_changes(s, batch, [dict(entity="unit", entity_id=unit.id, field="*", old=None,
                                 new=json.dumps({"code": code, "tier": tier, "types": tags}))])
    return unit


def list_units(db: Database) -> list[Unit]:
    with db.read() as s:
        return list(s.exec(select(Unit).order_by(Unit.code)).scalars())


def get_unit(s: Session, code: str) -> Unit:
    """The unit of ``code``, compared as stored (upper-case: ``thcs-lqd`` finds THCS-LQD)."""
    unit = s.exec(select(Unit).where(Unit.code == code_key(code))).scalars().first()
    if unit is None:
        raise HoctapError(tr("err.unknown_unit", code=code))
    return unit


def list_assessments(db: Database, unit_id: int) -> list[Assessment]:
    with db.read() as s:
        return list(s.exec(select(Assessment).where(Assessment.unit_id == unit_id).order_by(Assessment.year.desc())).scalars())


def find_context(db: Database, unit_code: str, year: int) -> Context:
    year = parse_year(year)  # also keeps a year beyond PostgreSQL's integer out of the query
    with db.read() as s:
        unit = get_unit(s, unit_code)
        a = s.exec(select(Assessment).where(Assessment.unit_id == unit.id, Assessment.year == year)).scalars().first()
        if a is None:
            raise HoctapError(tr("err.no_assessment", code=unit.code, year=year))
        return Context(unit, a)


def ensure_assessment(s: Session, unit_code: str, year: int, level: int | None = None, *,
                      source: str = "cli") -> Context:
    """The unit's assessment for ``year``, created when missing (inside the caller's transaction)."""
    year = parse_year(year)
    unit = get_unit(s, unit_code)
    a = s.exec(select(Assessment).where(Assessment.unit_id == unit.id, Assessment.year == year)).scalars().first()
    if a is None:
        a = Assessment(unit_id=unit.id, year=year, level=level or 1)
        s.add(a)
        s.flush()
        batch = record_batch(s, source, "assessment", a.id, batch_summary("assessment", code=unit.code, year=year))
        record_changes(s, batch, [dict(entity="assessment", entity_id=a.id, field="*", old=None, new=str(year))])
    elif level is not None and a.level != level:
        a.level = level
        a.version += 1
        s.flush()
    return Context(unit, a)


def ensure_context(db: Database, unit_code: str, year: int, level: int | None = None, *,
                   source: str = "cli") -> Context:
    with db.write() as s:
        return ensure_assessment(s, unit_code, year, level, source=source)


def start_year_from(db: Database, prev: Context, year: int, *, copy_facts: bool = False,
                    source: str = "tui") -> Context:
    """A new year's assessment of ``prev``'s unit with ``prev``'s roster (and, if asked, its facts)."""
    with db.write() as s:  # one transaction: never a new year with half a roster
        ctx = ensure_assessment(s, prev.unit.code, year, prev.assessment.level, source=source)
        new_id, old_id = ctx.assessment.id, prev.assessment.id
        s.execute(RE.insert().from_select(
            ["assessment_id", "person_id", "version"],
            select(new_id, RE.c.person_id, 1).where(RE.c.assessment_id == old_id,
                                                    ~RE.c.person_id.in_(select(RE.c.person_id).where(RE.c.assessment_id == new_id)))))
        if copy_facts:
            s.execute(PF.insert().from_select(
                ["assessment_id", "person_id", "name", "value"],
                select(new_id, PF.c.person_id, PF.c.name, PF.c.value).where(
                    PF.c.assessment_id == old_id,
                    ~PF.c.person_id.in_(select(PF.c.person_id).where(PF.c.assessment_id == new_id)))))
        record_batch(s, source, "assessment", new_id, batch_summary("roster_copied", year=prev.assessment.year))
    return ctx


def catalog_for(catalogs: Catalogs, unit: Unit, level: int) -> LearningUnitCatalog:
    try:
        return catalogs.for_level(unit.tier, level)
    except KeyError:
        raise HoctapError(tr("err.no_catalog", tier=unit.tier, level=level)) from None
