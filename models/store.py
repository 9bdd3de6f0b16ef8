"""Reading and changing an assessment: one short transaction per user action, every change
audited (who, when, what, old -> new, batch) so that any batch can be undone exactly.

Batch writes are set-based (``UPDATE … WHERE person_id IN (…)`` in chunks, ``executemany``
inserts), never a loop of ORM objects. Aggregates for the meters are one ``GROUP BY``.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from operator import itemgetter
from typing import Iterable, Protocol, Sequence

from sqlalchemy import case, delete, func, insert, select, update
from sqlmodel import Session

from hoctap.models.catalog import Catalogs, LearningUnitCatalog
from hoctap.models.db import Database
from hoctap.models.evaluate import LevelResult, ShareCounts, evaluate
from hoctap.models.fields import PERSON_FIELDS, InputError, parse_unit_value
from hoctap.models.i18n import tr
from hoctap.models.tables import (Assessment, AuditBatch, AuditChange, Person, PersonFact, RosterEntry,
                           Unit, UnitEntryValue, utcnow)
from hoctap.models.text import nfc, search_key

CHUNK = 500  # ids per IN (...) list: well under every backend's parameter limit
BULK_READ = 5000  # people beyond which a fact is read whole rather than by IN lists
POPULATION_OF_KIND = {"staff": "members", "learner": "learners"}

PF = PersonFact.__table__
RE = RosterEntry.__table__
PT = Person.__table__
AC = AuditChange.__table__


class HoctapError(Exception):
    """A user-facing failure (bad reference, conflict); the message is already translated."""


class StaleEdit(HoctapError):
    pass


class UndoConflict(HoctapError):
    pass


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return "unknown"


def chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def sort_key(full_name: str) -> str:
    """Vietnamese lists are ordered by given name (the last word), then the whole name."""
    words = search_key(full_name).split()
    return " ".join(words[-1:] + words[:-1])


# ---- units and assessments ---------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """A unit and one of its assessments, detached from any session."""

    unit: Unit
    assessment: Assessment

    @property
    def types(self) -> list[str]:
        return self.unit.type_list


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
    code, name = nfc(code).strip(), " ".join(nfc(name).split())
    if not code:
        raise InputError(tr("err.required", name="code"))
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
        batch = _batch(s, source, "unit", None, batch_summary("unit", code=code))
        _changes(s, batch, [dict(entity="unit", entity_id=unit.id, field="*", old=None,
                                 new=json.dumps({"code": code, "tier": tier, "types": tags}))])
    return unit


def list_units(db: Database) -> list[Unit]:
    with db.read() as s:
        return list(s.exec(select(Unit).order_by(Unit.code)).scalars())


def get_unit(s: Session, code: str) -> Unit:
    unit = s.exec(select(Unit).where(Unit.code == nfc(code).strip())).scalars().first()
    if unit is None:
        raise HoctapError(tr("err.unknown_unit", code=code))
    return unit


def list_assessments(db: Database, unit_id: int) -> list[Assessment]:
    with db.read() as s:
        return list(s.exec(select(Assessment).where(Assessment.unit_id == unit_id).order_by(Assessment.year.desc())).scalars())


def find_context(db: Database, unit_code: str, year: int) -> Context:
    with db.read() as s:
        unit = get_unit(s, unit_code)
        a = s.exec(select(Assessment).where(Assessment.unit_id == unit.id, Assessment.year == year)).scalars().first()
        if a is None:
            raise HoctapError(tr("err.no_assessment", code=unit.code, year=year))
        return Context(unit, a)


def ensure_assessment(s: Session, unit_code: str, year: int, level: int | None = None, *,
                      source: str = "cli") -> Context:
    """The unit's assessment for ``year``, created when missing (inside the caller's transaction)."""
    unit = get_unit(s, unit_code)
    a = s.exec(select(Assessment).where(Assessment.unit_id == unit.id, Assessment.year == year)).scalars().first()
    if a is None:
        a = Assessment(unit_id=unit.id, year=year, level=level or 1)
        s.add(a)
        s.flush()
        batch = _batch(s, source, "assessment", a.id, batch_summary("assessment", code=unit.code, year=year))
        _changes(s, batch, [dict(entity="assessment", entity_id=a.id, field="*", old=None, new=str(year))])
    elif level is not None and a.level != level:
        a.level = level
        a.version += 1
        s.flush()
    return Context(unit, a)


def ensure_context(db: Database, unit_code: str, year: int, level: int | None = None, *,
                   source: str = "cli") -> Context:
    with db.write() as s:
        return ensure_assessment(s, unit_code, year, level, source=source)


def start_year_from(db: Database, unit_code: str, year: int, from_year: int, *, copy_facts: bool = False,
                    source: str = "tui") -> Context:
    """A new year's assessment with last year's roster (and, if asked, its facts)."""
    prev = find_context(db, unit_code, from_year)
    with db.write() as s:  # one transaction: never a new year with half a roster
        ctx = ensure_assessment(s, unit_code, year, prev.assessment.level, source=source)
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
        _batch(s, source, "assessment", new_id, batch_summary("roster_copied", year=from_year))
    return ctx


def catalog_for(catalogs: Catalogs, unit: Unit, level: int) -> LearningUnitCatalog:
    try:
        return catalogs.for_level(unit.tier, level)
    except KeyError:
        raise HoctapError(tr("err.no_catalog", tier=unit.tier, level=level)) from None


# ---- aggregates ------------------------------------------------------------------------------

def share_counts(db: Database, assessment_id: int, fact_names: Iterable[str]) -> ShareCounts:
    """People per population, and per (population, fact, value): two aggregates.

    Grouping by (name, value) alone, in the order of the covering index ix_person_fact_cover,
    with one conditional count per kind, spares the sort a GROUP BY on the joined person's
    kind would need; the join itself only reads each person's kind."""
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


def unit_entry_rows(db: Database, assessment_id: int) -> dict[str, UnitEntryValue]:
    with db.read() as s:
        rows = s.exec(select(UnitEntryValue).where(UnitEntryValue.assessment_id == assessment_id)).scalars()
        return {r.entry_id: r for r in rows}


def evaluate_context(db: Database, catalogs: Catalogs, ctx: Context, level: int | None = None) -> LevelResult:
    catalog = catalog_for(catalogs, ctx.unit, level or ctx.assessment.level)
    facts = {e.fact for e in catalog.entries() if e.kind == "share"}
    counts = share_counts(db, ctx.assessment.id, facts)
    values = {k: r.value for k, r in unit_entry_rows(db, ctx.assessment.id).items()}
    return evaluate(catalogs, catalog, ctx.types, counts, values)


def data_version(db: Database, assessment_id: int) -> tuple:
    """Changes whenever anyone changes this assessment: cheap to poll for other users' edits."""
    with db.read() as s:
        last = s.execute(select(func.max(AuditBatch.id)).where(AuditBatch.assessment_id == assessment_id)).scalar()
        level = s.execute(select(Assessment.version).where(Assessment.id == assessment_id)).scalar()
    return (last, level)


# ---- audit -------------------------------------------------------------------------------------

def batch_summary(key: str, **params) -> str:
    """A batch summary stored without language: ``models.audit.summary_text`` words it in the
    reader's (free text, such as a set's values or a check's entries, is stored as it is)."""
    return "§" + json.dumps([key, params], ensure_ascii=False)


def _batch(s: Session, source: str, action: str, assessment_id: int | None, summary: str) -> int:
    batch = AuditBatch(user=current_user(), source=source, action=action, assessment_id=assessment_id,
                       summary=summary, at=utcnow())
    s.add(batch)
    s.flush()
    return batch.id


AUDIT_CHUNK = 50_000  # audit rows per executemany: bounds the parameter lists held at once
AUDIT_KEYS = ("batch_id", "entity", "entity_id", "field", "old", "new")


def _changes(s: Session, batch_id: int, rows: list[dict]) -> None:
    """Write the audit rows of one batch (an import writes one per person, entry and fact:
    hundreds of thousands, so through the driver's executemany, in chunks)."""
    for start in range(0, len(rows), AUDIT_CHUNK):
        _insert_tuples(s, AC, AUDIT_KEYS, [(batch_id, r["entity"], r.get("entity_id"), r["field"], r.get("old"), r.get("new"))
                                           for r in rows[start:start + AUDIT_CHUNK]])


# ---- facts -------------------------------------------------------------------------------------

def _write_fact_values(s: Session, assessment_id: int, name: str, new: str | None,
                       person_ids: Sequence[int]) -> list[dict]:
    """Set one fact to one value for many people; returns the audit rows of what changed."""
    audit: list[dict] = []
    person_ids = list(person_ids)
    # for many people one scan of the fact (index-only, ix_person_fact_cover) beats IN lists
    everyone = dict(s.execute(select(PF.c.person_id, PF.c.value).where(
        PF.c.assessment_id == assessment_id, PF.c.name == name)).all()) if len(person_ids) > BULK_READ else None
    for chunk in chunks(person_ids):
        old = everyone if everyone is not None else dict(s.execute(select(PF.c.person_id, PF.c.value).where(
            PF.c.assessment_id == assessment_id, PF.c.name == name, PF.c.person_id.in_(chunk))).all())
        changed = [pid for pid in chunk if old.get(pid) != new]
        if not changed:
            continue
        existing = [pid for pid in changed if pid in old]
        missing = [pid for pid in changed if pid not in old]
        if new is None:
            s.execute(delete(PF).where(PF.c.assessment_id == assessment_id, PF.c.name == name, PF.c.person_id.in_(existing)))
        else:
            if existing:
                s.execute(update(PF).where(PF.c.assessment_id == assessment_id, PF.c.name == name,
                                           PF.c.person_id.in_(existing)).values(value=new))
            if missing:
                s.execute(insert(PF), [dict(assessment_id=assessment_id, person_id=pid, name=name, value=new) for pid in missing])
        s.execute(update(RE).where(RE.c.assessment_id == assessment_id, RE.c.person_id.in_(changed))
                  .values(version=RE.c.version + 1))
        audit += [dict(entity="fact", entity_id=pid, field=name, old=old.get(pid), new=new) for pid in changed]
    return audit


def _write_fact_map(s: Session, assessment_id: int, name: str, values: dict[int, str | None]) -> list[dict]:
    """Set one fact to a value per person (grouped by value, so still set-based)."""
    by_value: dict[str | None, list[int]] = {}
    for pid, v in values.items():
        by_value.setdefault(v, []).append(pid)
    audit = []
    for v, pids in by_value.items():
        audit += _write_fact_values(s, assessment_id, name, v, pids)
    return audit


def _lc_title(catalogs: Catalogs, facts: dict[str, str], score_facts: Sequence[str] | None = None) -> str | None:
    """The stored Learning Citizen title of one person's facts (scores first, else the record).
    ``score_facts``: ``catalogs.citizen.score_facts`` computed once by a caller with many people."""
    lc = catalogs.citizen
    scores = [int(facts[f]) if f in facts else None for f in score_facts or lc.score_facts]
    recorded = facts.get(lc.status_fact)
    title = lc.title(scores, None if recorded is None else recorded == "1")
    return None if title is None else ("1" if title else "0")


def _refresh_lc_title(s: Session, catalogs: Catalogs, assessment_id: int, person_ids: Sequence[int]) -> list[dict]:
    """Recompute the Learning Citizen title (scores first, else the recorded status)."""
    lc = catalogs.citizen
    inputs = [*lc.score_facts, lc.status_fact]
    titles: dict[int, str | None] = {}
    for chunk in chunks(list(person_ids)):
        got: dict[int, dict[str, str]] = {pid: {} for pid in chunk}
        for pid, name, value in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(
                PF.c.assessment_id == assessment_id, PF.c.person_id.in_(chunk), PF.c.name.in_(inputs))):
            got[pid][name] = value
        for pid, facts in got.items():
            titles[pid] = _lc_title(catalogs, facts)
    return _write_fact_map(s, assessment_id, lc.result_fact, titles)


def _lc_inputs(catalogs: Catalogs) -> set[str]:
    lc = catalogs.citizen
    return {*lc.score_facts, lc.status_fact}


class Selection(Protocol):
    """People chosen by a condition: resolved inside the write transaction that changes them,
    so a colleague's commit between choosing and writing is never overwritten or missed."""

    def resolve(self, s: Session) -> Sequence[int]: ...


def set_facts(db: Database, catalogs: Catalogs, assessment_id: int, people: Sequence[int] | Selection,
              changes: dict[str, str | None], *, source: str = "cli", summary: str = "") -> tuple[int | None, int]:
    """Set facts (already parsed) for the given people in one transaction and one audit batch.
    ``people`` is a list of ids, or a ``Selection`` decided under the write lock.

    Returns (batch id, number of fact values changed); no batch is recorded when nothing
    changed."""
    with db.write() as s:
        by_condition = hasattr(people, "resolve")
        person_ids = list(dict.fromkeys(people.resolve(s) if by_condition else people))
        if by_condition and not person_ids:
            return None, 0
        # someone may have taken people off the roster since they were selected
        enrolled: set[int] = set()
        for chunk in chunks(person_ids):
            enrolled.update(s.execute(select(RE.c.person_id).where(
                RE.c.assessment_id == assessment_id, RE.c.person_id.in_(chunk))).scalars())
        if person_ids and not enrolled:
            raise StaleEdit(tr("err.stale"))
        person_ids = [pid for pid in person_ids if pid in enrolled]
        audit: list[dict] = []
        for name, value in changes.items():
            audit += _write_fact_values(s, assessment_id, name, value, person_ids)
        if _lc_inputs(catalogs) & set(changes):
            touched = sorted({r["entity_id"] for r in audit})
            audit += _refresh_lc_title(s, catalogs, assessment_id, touched)
        if not audit:
            return None, 0
        text = summary or ", ".join(f"{k}={v if v is not None else ''}" for k, v in changes.items())
        batch = _batch(s, source, "set", assessment_id, f"{text} ({len(person_ids)})")
        _changes(s, batch, audit)
        return batch, sum(1 for r in audit if r["field"] in changes)


def person_facts(db: Database, assessment_id: int, person_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {pid: {} for pid in person_ids}
    with db.read() as s:
        for chunk in chunks(list(person_ids)):
            # ORDER BY the primary key: SQLite then reads it by (assessment_id, person_id) rather
            # than scanning the whole assessment in ix_person_fact_cover (30 ms -> 1 ms a page)
            for pid, name, value in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(
                    PF.c.assessment_id == assessment_id, PF.c.person_id.in_(chunk))
                    .order_by(PF.c.person_id, PF.c.name)):
                out[pid][name] = value
    return out


# ---- people ------------------------------------------------------------------------------------

PERSON_COLUMNS = list(PERSON_FIELDS)


def _search_columns(code: str, full_name: str) -> dict:
    return {"search": search_key(f"{code} {full_name}"), "sort_key": sort_key(full_name)}


def _insert_many(s: Session, table, rows: list[dict]) -> None:
    """INSERT rows of plain text and integer columns through the driver's ``executemany``:
    SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself."""
    if not rows:
        return
    keys = list(rows[0])
    if len(keys) > 1:
        pick = itemgetter(*keys)
        _insert_tuples(s, table, keys, [pick(r) for r in rows])
    else:
        _insert_tuples(s, table, keys, [(r[keys[0]],) for r in rows])


def _insert_tuples(s: Session, table, keys: Sequence[str], rows: list[tuple]) -> None:
    """Like ``_insert_many`` for rows given as tuples in the order of ``keys``."""
    if not rows:
        return
    conn = s.connection()
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(keys))
    if not compiled.positional:  # named parameters (psycopg): dicts
        params = [dict(zip(keys, r)) for r in rows]
    elif list(compiled.positiontup) == list(keys):
        params = rows
    else:
        pick = itemgetter(*(list(keys).index(k) for k in compiled.positiontup))
        params = [pick(r) if len(keys) > 1 else r for r in rows]
    conn.exec_driver_sql(compiled.string, params)


def upsert_people(s: Session, catalogs: Catalogs, unit_id: int, assessment_id: int,
                  rows: list[tuple[dict, dict[str, str | None]]]) -> tuple[list[dict], dict]:
    """Insert or update people by code, enrol them in the assessment and set their facts.

    ``rows`` holds (person fields, facts) already parsed; a field or fact missing from a row
    is left as it is. Returns audit rows and counts. Runs inside the caller's transaction.

    People new to the unit have no roster entry and no facts yet, so theirs are written in one
    ``executemany`` with nothing to compare (the bulk of a first import); people already
    there go through the compare-and-update path."""
    audit: list[dict] = []
    stats = {"added": 0, "updated": 0, "enrolled": 0, "facts": 0}
    codes = [r[0]["code"] for r in rows]
    existing: dict[str, dict] = {}
    for chunk in chunks(codes):
        for row in s.execute(select(PT).where(PT.c.unit_id == unit_id, PT.c.code.in_(chunk))).mappings():
            existing[row["code"]] = dict(row)
    new_people = []
    name_keys: dict[str, tuple[str, str]] = {}  # names repeat: fold each once
    for fields, _facts in rows:
        cur = existing.get(fields["code"])
        if cur is None:
            values = {k: fields.get(k) for k in PERSON_COLUMNS}
            values["kind"] = values["kind"] or "staff"
            full_name = values["full_name"]
            if full_name not in name_keys:
                name_keys[full_name] = (search_key(full_name), sort_key(full_name))
            name_key, sort = name_keys[full_name]
            # the same as _search_columns: folding works word by word
            new_people.append(dict(unit_id=unit_id, version=1, **values,
                                   search=f"{search_key(values['code'])} {name_key}", sort_key=sort))
            continue
        diff = {k: v for k, v in fields.items() if k in PERSON_COLUMNS and cur.get(k) != v}
        if diff:
            if "full_name" in diff:
                diff.update(_search_columns(cur["code"], diff["full_name"]))
            s.execute(update(PT).where(PT.c.id == cur["id"]).values(**diff, version=PT.c.version + 1))
            audit += [dict(entity="person", entity_id=cur["id"], field=k, old=_text(cur.get(k)), new=_text(v))
                      for k, v in diff.items() if k in PERSON_COLUMNS]
            stats["updated"] += 1
    new_ids: set[int] = set()
    if new_people:
        _insert_many(s, PT, new_people)
        for chunk in chunks([p["code"] for p in new_people]):
            for pid, code in s.execute(select(PT.c.id, PT.c.code).where(PT.c.unit_id == unit_id, PT.c.code.in_(chunk))):
                existing[code] = {"id": pid}
                new_ids.add(pid)
        for person in new_people:
            audit.append(dict(entity="person", entity_id=existing[person["code"]]["id"], field="*", old=None,
                              new=json.dumps({k: person[k] for k in PERSON_COLUMNS}, ensure_ascii=False)))
        stats["added"] = len(new_people)
    ids = [existing[c]["id"] for c in codes]
    enrolled: set[int] = set()
    for chunk in chunks([pid for pid in ids if pid not in new_ids]):
        enrolled |= set(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == assessment_id,
                                                               RE.c.person_id.in_(chunk))).scalars())
    names = {name for _fields, facts in rows for name in facts}
    lc_changes = bool(_lc_inputs(catalogs) & names)
    per_fact: dict[str, dict[int, str | None]] = {}
    fresh: dict[int, dict[str, str]] = {}  # new people's facts, lc_title included
    score_facts = catalogs.citizen.score_facts
    for (fields, facts), pid in zip(rows, ids):
        if pid in new_ids:
            given = {name: value for name, value in facts.items() if value is not None}
            if given and lc_changes and (title := _lc_title(catalogs, given, score_facts)) is not None:
                given[catalogs.citizen.result_fact] = title
            fresh[pid] = given
            continue
        for name, value in facts.items():
            per_fact.setdefault(name, {})[pid] = value
    to_enrol = [pid for pid in dict.fromkeys(ids) if pid not in enrolled]
    if to_enrol:
        # a roster entry's version counts the changes of its facts, as if set one by one
        _insert_many(s, RE, [dict(assessment_id=assessment_id, person_id=pid, version=1 + len(fresh.get(pid, ())))
                             for pid in to_enrol])
        audit += [dict(entity="roster", entity_id=pid, field="*", old=None, new="{}") for pid in to_enrol]
        stats["enrolled"] = len(to_enrol)
    fact_audit = []
    for name, values in per_fact.items():
        fact_audit += _write_fact_map(s, assessment_id, name, values)
    fresh_rows = [dict(assessment_id=assessment_id, person_id=pid, name=name, value=value)
                  for pid, facts in fresh.items() for name, value in facts.items()]
    _insert_many(s, PF, fresh_rows)
    title_fact = catalogs.citizen.result_fact
    fact_audit += [dict(entity="fact", entity_id=r["person_id"], field=r["name"], old=None, new=r["value"])
                   for r in fresh_rows if r["name"] != title_fact]
    stats["facts"] = len(fact_audit)
    fact_audit += [dict(entity="fact", entity_id=r["person_id"], field=r["name"], old=None, new=r["value"])
                   for r in fresh_rows if r["name"] == title_fact]
    if lc_changes and per_fact:
        fact_audit += _refresh_lc_title(s, catalogs, assessment_id,
                                        sorted({r["entity_id"] for r in fact_audit if r["entity_id"] not in new_ids}))
    return audit + fact_audit, stats


def _text(v) -> str | None:
    return None if v is None else str(v)


def save_person(db: Database, catalogs: Catalogs, ctx: Context, person_id: int | None, fields: dict,
                facts: dict[str, str | None], *, expected_version: int | None = None,
                expected_roster_version: int | None = None, source: str = "tui") -> int:
    """Add (person_id None) or edit one person and their facts. With expected versions, a
    record changed by someone else since it was loaded raises StaleEdit."""
    with db.write() as s:
        if person_id is not None:
            cur = s.execute(select(PT).where(PT.c.id == person_id)).mappings().first()
            if cur is None or (expected_version is not None and cur["version"] != expected_version):
                raise StaleEdit(tr("err.stale"))
            if expected_roster_version is not None:
                rv = s.execute(select(RE.c.version).where(RE.c.assessment_id == ctx.assessment.id,
                                                          RE.c.person_id == person_id)).scalar()
                if rv != expected_roster_version:
                    raise StaleEdit(tr("err.stale"))
            if "code" in fields and fields["code"] != cur["code"]:
                clash = s.execute(select(PT.c.id).where(PT.c.unit_id == ctx.unit.id, PT.c.code == fields["code"])).first()
                if clash:
                    raise InputError(tr("err.code_taken", code=fields["code"]))
                s.execute(update(PT).where(PT.c.id == person_id).values(
                    code=fields["code"], version=PT.c.version + 1, **_search_columns(fields["code"], cur["full_name"])))
                recode = [dict(entity="person", entity_id=person_id, field="code", old=cur["code"], new=fields["code"])]
                cur = {**cur, "code": fields["code"]}
            else:
                recode = []
            rows = [({**{k: cur[k] for k in PERSON_COLUMNS}, **fields}, facts)]
            audit, _ = upsert_people(s, catalogs, ctx.unit.id, ctx.assessment.id, rows)
            audit = recode + audit
        else:
            clash = s.execute(select(PT.c.id).where(PT.c.unit_id == ctx.unit.id, PT.c.code == fields["code"])).first()
            if clash:
                raise InputError(tr("err.code_taken", code=fields["code"]))
            audit, _ = upsert_people(s, catalogs, ctx.unit.id, ctx.assessment.id, [(fields, facts)])
        pid = s.execute(select(PT.c.id).where(PT.c.unit_id == ctx.unit.id, PT.c.code == fields.get("code", ""))).scalar() \
            if person_id is None else person_id
        if audit:
            batch = _batch(s, source, "person", ctx.assessment.id, batch_summary("edit" if person_id else "add"))
            _changes(s, batch, audit)
        return pid


def remove_from_roster(db: Database, ctx: Context, person_ids: Sequence[int], *, source: str = "tui") -> int:
    """Take people off this assessment's roster (their facts of this year go with them; the
    person record stays for other years). One audit batch; undo puts everything back."""
    person_ids = list(dict.fromkeys(person_ids))
    aid = ctx.assessment.id
    with db.write() as s:
        audit: list[dict] = []
        for chunk in chunks(person_ids):
            audit += [dict(entity="fact", entity_id=pid, field=name, old=value, new=None)
                      for pid, name, value in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(
                          PF.c.assessment_id == aid, PF.c.person_id.in_(chunk)))]
            present = list(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == aid, RE.c.person_id.in_(chunk))).scalars())
            audit += [dict(entity="roster", entity_id=pid, field="*", old="{}", new=None) for pid in present]
            s.execute(delete(PF).where(PF.c.assessment_id == aid, PF.c.person_id.in_(chunk)))
            s.execute(delete(RE).where(RE.c.assessment_id == aid, RE.c.person_id.in_(chunk)))
        removed = sum(1 for r in audit if r["entity"] == "roster")
        if removed:
            batch = _batch(s, source, "delete", aid, batch_summary("removed", n=removed))
            _changes(s, batch, audit)
        return removed


# ---- unit entries ------------------------------------------------------------------------------

def check_entries(db: Database, catalogs: Catalogs, ctx: Context, values: dict[str, str],
                  evidence: str | None = None, documents: str | None = None, *, level: int | None = None,
                  expected_versions: dict[str, int] | None = None, source: str = "cli") -> int:
    """Tick unit-level entries: ``values`` maps entry id to raw text (parsed here). Evidence and
    documents, when given, are stored on each of those entries."""
    catalog = catalog_for(catalogs, ctx.unit, level or ctx.assessment.level)
    parsed: dict[str, str | None] = {}
    for entry_id, raw in values.items():
        try:
            entry = catalog.entry(entry_id.strip())
        except KeyError:
            raise InputError(tr("err.unknown_entry", entry=entry_id)) from None
        if entry.kind != "unit":
            raise InputError(tr("err.not_unit_entry", entry=entry.id))
        parsed[entry.id] = parse_unit_value(catalogs, entry.value, entry.id, raw)
    aid = ctx.assessment.id
    with db.write() as s:
        audit = []
        for entry_id, value in parsed.items():
            row = s.get(UnitEntryValue, (aid, entry_id))
            if expected_versions and entry_id in expected_versions:
                if (row.version if row else 0) != expected_versions[entry_id]:
                    raise StaleEdit(tr("err.stale"))
            if row is None:
                row = UnitEntryValue(assessment_id=aid, entry_id=entry_id, version=0)
                s.add(row)
                old = {"value": None, "evidence": "", "documents": ""}
            else:
                old = {"value": row.value, "evidence": row.evidence, "documents": row.documents}
            new = {"value": value,
                   "evidence": old["evidence"] if evidence is None else nfc(evidence),
                   "documents": old["documents"] if documents is None else nfc(documents)}
            diff = {k: v for k, v in new.items() if v != old[k]}
            if not diff:
                continue
            for k, v in diff.items():
                setattr(row, k, v)
            row.version += 1
            row.updated_at = utcnow()
            audit += [dict(entity="unit_entry", entity_id=aid, field=f"{entry_id}/{k}", old=old[k], new=v)
                      for k, v in diff.items()]
        if audit:
            s.flush()
            batch = _batch(s, source, "check", aid, ", ".join(f"{k}={v}" for k, v in values.items()))
            _changes(s, batch, audit)
        return len(audit)


# ---- history and undo --------------------------------------------------------------------------

def history(db: Database, assessment_id: int | None = None, limit: int = 50) -> list[AuditBatch]:
    with db.read() as s:
        q = select(AuditBatch).order_by(AuditBatch.id.desc()).limit(limit)
        if assessment_id is not None:
            q = q.where(AuditBatch.assessment_id == assessment_id)
        return list(s.exec(q).scalars())


def change_counts(db: Database, batch_ids: Sequence[int]) -> dict[int, int]:
    """How many records each batch changed (one GROUP BY)."""
    out: dict[int, int] = {}
    with db.read() as s:
        for chunk in chunks(list(batch_ids)):
            out.update(s.execute(select(AC.c.batch_id, func.count()).where(AC.c.batch_id.in_(chunk))
                                 .group_by(AC.c.batch_id)).all())
    return out


def get_batch(db: Database, batch_id: int) -> AuditBatch:
    with db.read() as s:
        batch = s.get(AuditBatch, batch_id)
    if batch is None:
        raise HoctapError(tr("err.no_batch", batch=batch_id))
    return batch


def batch_changes(db: Database, batch_id: int) -> list[AuditChange]:
    with db.read() as s:
        return list(s.exec(select(AuditChange).where(AuditChange.batch_id == batch_id).order_by(AuditChange.id)).scalars())


def last_undoable(db: Database, assessment_id: int, source: str | None = None) -> int | None:
    with db.read() as s:
        q = select(AuditBatch.id).where(AuditBatch.assessment_id == assessment_id, AuditBatch.undone_by.is_(None),
                                        AuditBatch.action.in_(("set", "check", "import", "person", "delete")))
        if source:
            q = q.where(AuditBatch.source == source)
        return s.execute(q.order_by(AuditBatch.id.desc()).limit(1)).scalar()


Key = tuple  # (entity, entity_id, field) of an audit change


def _current_values(s: Session, aid: int, keys: Iterable[Key]) -> dict[Key, str | None]:
    """What each audited record holds now, read set-based (a query per chunk, not per row)."""
    by_entity: dict[str, list[Key]] = {}
    for k in keys:
        by_entity.setdefault(k[0], []).append(k)
    out: dict[Key, str | None] = {}
    facts: dict[str, list[int]] = {}
    for k in by_entity.get("fact", []):
        facts.setdefault(k[2], []).append(k[1])
    for name, pids in facts.items():
        found: dict[int, str] = {}
        for chunk in chunks(pids):
            found.update(s.execute(select(PF.c.person_id, PF.c.value).where(
                PF.c.assessment_id == aid, PF.c.name == name, PF.c.person_id.in_(chunk))).all())
        out.update({("fact", pid, name): found.get(pid) for pid in pids})
    roster = [k[1] for k in by_entity.get("roster", [])]
    present: set[int] = set()
    for chunk in chunks(roster):
        present |= set(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == aid, RE.c.person_id.in_(chunk))).scalars())
    out.update({("roster", pid, "*"): "{}" if pid in present else None for pid in roster})
    people_keys = by_entity.get("person", [])
    rows: dict[int, dict] = {}
    for chunk in chunks(sorted({k[1] for k in people_keys})):
        rows.update({r["id"]: dict(r) for r in s.execute(select(PT).where(PT.c.id.in_(chunk))).mappings()})
    for k in people_keys:
        row = rows.get(k[1])
        if k[2] == "*":
            out[k] = None if row is None else json.dumps({c: row[c] for c in PERSON_COLUMNS}, ensure_ascii=False)
        else:
            out[k] = None if row is None else _text(row[k[2]])
    entries = {r.entry_id: r for r in s.exec(select(UnitEntryValue).where(UnitEntryValue.assessment_id == aid)).scalars()} \
        if "unit_entry" in by_entity else {}
    for k in by_entity.get("unit_entry", []):
        entry_id, column = k[2].rsplit("/", 1)
        row = entries.get(entry_id)
        out[k] = (None if column == "value" else "") if row is None else getattr(row, column)
    unknown = set(by_entity) - {"fact", "roster", "person", "unit_entry"}
    if unknown:
        raise HoctapError(tr("err.nothing_to_undo"))
    return out


def undo(db: Database, catalogs: Catalogs, batch_id: int, *, source: str = "cli") -> int:
    """Restore exactly the old values of one batch, in a new batch. Refused (nothing written)
    when any record the batch touched has changed since. Set-based: an import of 100,000
    people is undone in bulk statements, not row by row."""
    with db.write() as s:
        batch = s.get(AuditBatch, batch_id)
        if batch is None:
            raise HoctapError(tr("err.no_batch", batch=batch_id))
        if batch.undone_by is not None:
            raise HoctapError(tr("err.already_undone", batch=batch_id))
        rows = s.execute(select(AC.c.entity, AC.c.entity_id, AC.c.field, AC.c.old, AC.c.new)
                         .where(AC.c.batch_id == batch_id).order_by(AC.c.id)).all()
        if not rows or any(r.entity in ("unit", "assessment") for r in rows):
            raise HoctapError(tr("err.nothing_to_undo"))
        # a record may change several times in one batch: it must still hold the last value,
        # and gets back the value it had before the first
        first: dict[Key, str | None] = {}
        final: dict[Key, str | None] = {}
        for r in rows:
            key = (r.entity, r.entity_id, r.field)
            first.setdefault(key, r.old)
            final[key] = r.new
        aid = batch.assessment_id
        current = _current_values(s, aid, final)
        conflicts = [k for k in final if current[k] != final[k]]
        if conflicts:
            raise UndoConflict(tr("err.undo_conflict", batch=batch_id, n=len(conflicts)))
        plan = {k: v for k, v in first.items() if v != final[k]}
        _restore(s, aid, plan)
        new_batch = _batch(s, source, "undo", aid, batch_summary("undo", batch=batch_id))
        _changes(s, new_batch, [dict(entity=k[0], entity_id=k[1], field=k[2], old=final[k], new=v)
                                for k, v in plan.items()])
        batch.undone_by = new_batch
        s.add(batch)
        return new_batch


def _restore(s: Session, aid: int, plan: dict[Key, str | None]) -> None:
    """Write the planned values back, parents before children when adding, children first
    when removing (people -> roster -> facts)."""
    def keys(entity: str, field: str | None = None):
        return [(k, v) for k, v in plan.items() if k[0] == entity and (field is None or (k[2] == "*") == (field == "*"))]

    people_back = [(k[1], json.loads(v)) for k, v in keys("person", "*") if v is not None]
    if people_back:
        unit_id = _unit_of(s, aid)
        s.execute(insert(PT), [dict(id=pid, unit_id=unit_id, version=1, **vals,
                                    **_search_columns(vals["code"], vals["full_name"])) for pid, vals in people_back])
    roster_back = [k[1] for k, v in keys("roster") if v is not None]
    if roster_back:
        s.execute(insert(RE), [dict(assessment_id=aid, person_id=pid, version=1) for pid in roster_back])
    fact_groups: dict[tuple[str, str | None], list[int]] = {}
    for k, v in keys("fact"):
        fact_groups.setdefault((k[2], v), []).append(k[1])
    for (name, value), pids in fact_groups.items():
        _write_fact_values(s, aid, name, value, pids)
    for (_e, pid, column), value in keys("person", "field"):
        if column == "birth_year" and value is not None:
            value = int(value)
        extra = {}
        if column in ("code", "full_name"):  # keep the search and sort keys in step
            row = s.execute(select(PT.c.code, PT.c.full_name).where(PT.c.id == pid)).mappings().first()
            names = {**row, column: value}
            extra = _search_columns(names["code"], names["full_name"])
        s.execute(update(PT).where(PT.c.id == pid).values({column: value, "version": PT.c.version + 1, **extra}))
    roster_gone = [k[1] for k, v in keys("roster") if v is None]
    for chunk in chunks(roster_gone):
        s.execute(delete(PF).where(PF.c.assessment_id == aid, PF.c.person_id.in_(chunk)))
        s.execute(delete(RE).where(RE.c.assessment_id == aid, RE.c.person_id.in_(chunk)))
    # a person this batch created may since be on another year's roster: the person record
    # persists across years, so only the ones nobody else uses are removed
    for chunk in chunks([k[1] for k, v in keys("person", "*") if v is None]):
        s.execute(delete(PT).where(PT.c.id.in_(chunk), ~PT.c.id.in_(select(RE.c.person_id))))
    for (_e, entry_aid, field), value in keys("unit_entry"):
        entry_id, column = field.rsplit("/", 1)
        row = s.get(UnitEntryValue, (entry_aid, entry_id))
        if row is None:
            row = UnitEntryValue(assessment_id=entry_aid, entry_id=entry_id, version=0)
            s.add(row)
        setattr(row, column, value if column == "value" else (value or ""))
        row.version += 1
        row.updated_at = utcnow()
    s.flush()


def _unit_of(s: Session, aid: int) -> int:
    return s.execute(select(Assessment.unit_id).where(Assessment.id == aid)).scalar()

