"""Undo: restore exactly the old values of one audit batch, in a new batch, refused when any
record it touched has changed since."""

from __future__ import annotations

import json
from typing import Iterable

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from hoctap.models import dossier
from hoctap.models.audit import batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError, UndoConflict
from hoctap.models.facts import among, write_fact_values
from hoctap.models.i18n import tr
from hoctap.models import search_index
from hoctap.models.people import PERSON_COLUMNS, as_text, search_columns
from hoctap.models.sql import AC, PF, PT, RE
from hoctap.models.office import audit_text, column_value
from hoctap.models.recognition import current_json, from_json
from hoctap.models.tables import Assessment, AuditBatch, Intake, Recognition, ReviewFinding, UnitEntryValue, utcnow


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
        for _ids, where in among(s, PF.c.person_id, pids):
            found.update(s.execute(select(PF.c.person_id, PF.c.value).where(
                PF.c.assessment_id == aid, PF.c.name == name, where)).all())
        out.update({("fact", pid, name): found.get(pid) for pid in pids})
    roster = [k[1] for k in by_entity.get("roster", [])]
    present: set[int] = set()
    for _ids, where in among(s, RE.c.person_id, roster):
        present |= set(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == aid, where)).scalars())
    out.update({("roster", pid, "*"): "{}" if pid in present else None for pid in roster})
    people_keys = by_entity.get("person", [])
    rows: dict[int, dict] = {}
    for _ids, where in among(s, PT.c.id, sorted({k[1] for k in people_keys})):
        rows.update({r["id"]: dict(r) for r in s.execute(select(PT).where(where)).mappings()})
    for k in people_keys:
        row = rows.get(k[1])
        if k[2] == "*":
            out[k] = None if row is None else json.dumps({c: row[c] for c in PERSON_COLUMNS}, ensure_ascii=False)
        else:
            out[k] = None if row is None else as_text(row[k[2]])
    entries = {r.entry_id: r for r in s.exec(select(UnitEntryValue).where(UnitEntryValue.assessment_id == aid)).scalars()} \
        if "unit_entry" in by_entity else {}
    for k in by_entity.get("unit_entry", []):
        entry_id, column = k[2].rsplit("/", 1)
        row = entries.get(entry_id)
        out[k] = (None if column == "value" else "") if row is None else getattr(row, column)
    out.update(_office_values(s, by_entity))
    out.update(dossier.current_values(s, aid, [k for e in dossier.ENTITIES for k in by_entity.get(e, [])]))
    recognitions = [k[1] for k in by_entity.get("recognition", [])]
    if recognitions:
        held = current_json(s, recognitions)
        out.update({("recognition", rid, "*"): held.get(rid) for rid in recognitions})
    unknown = set(by_entity) - {"fact", "roster", "person", "unit_entry", "recognition", *OFFICE_ROWS, *dossier.ENTITIES}
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
        new_batch = record_batch(s, source, "undo", aid, batch_summary("undo", batch=batch_id))
        record_changes(s, new_batch, [dict(entity=k[0], entity_id=k[1], field=k[2], old=final[k], new=v)
                                for k, v in plan.items()])
        batch.undone_by = new_batch
        s.add(batch)
    if any(k[0] == "person" for k in plan):  # people restored or renamed: index them again
        search_index.after_commit(db)
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
                                    **search_columns(vals["code"], vals["full_name"])) for pid, vals in people_back])
    roster_back = [k[1] for k, v in keys("roster") if v is not None]
    if roster_back:
        s.execute(insert(RE), [dict(assessment_id=aid, person_id=pid, version=1) for pid in roster_back])
    fact_groups: dict[tuple[str, str | None], list[int]] = {}
    for k, v in keys("fact"):
        fact_groups.setdefault((k[2], v), []).append(k[1])
    for (name, value), pids in fact_groups.items():
        write_fact_values(s, aid, name, value, pids)
    for (_e, pid, column), value in keys("person", "field"):
        if column == "birth_year" and value is not None:
            value = int(value)
        extra = {}
        if column in ("code", "full_name"):  # keep the search and sort keys in step
            row = s.execute(select(PT.c.code, PT.c.full_name).where(PT.c.id == pid)).mappings().first()
            names = {**row, column: value}
            extra = search_columns(names["code"], names["full_name"])
        s.execute(update(PT).where(PT.c.id == pid).values({column: value, "version": PT.c.version + 1, **extra}))
    roster_gone = [k[1] for k, v in keys("roster") if v is None]
    for _ids, where in among(s, PF.c.person_id, roster_gone):
        s.execute(delete(PF).where(PF.c.assessment_id == aid, where))
    for _ids, where in among(s, RE.c.person_id, roster_gone):
        s.execute(delete(RE).where(RE.c.assessment_id == aid, where))
    # a person this batch created may since be on another year's roster: the person record
    # persists across years, so only the ones nobody else uses are removed
    for _ids, where in among(s, PT.c.id, [k[1] for k, v in keys("person", "*") if v is None]):
        s.execute(delete(PT).where(where, ~PT.c.id.in_(select(RE.c.person_id))))
    for (_e, entry_aid, field), value in keys("unit_entry"):
        entry_id, column = field.rsplit("/", 1)
        row = s.get(UnitEntryValue, (entry_aid, entry_id))
        if row is None:
            row = UnitEntryValue(assessment_id=entry_aid, entry_id=entry_id, version=0)
            s.add(row)
        setattr(row, column, value if column == "value" else (value or ""))
        row.version += 1
        row.updated_at = utcnow()
    _restore_office(s, {k: v for k, v in plan.items() if k[0] in OFFICE_ROWS})
    dossier.restore(s, aid, {k: v for k, v in plan.items() if k[0] in dossier.ENTITIES})
    for (_e, rid, _f), value in keys("recognition"):
        if value is None:
            s.execute(delete(Recognition).where(Recognition.id == rid))
        else:
            s.execute(insert(Recognition).values(id=rid, **from_json(value)))
    s.flush()


# the receiving office's rows: per assessment (entity_id) a column, or "entry/column" for a finding
OFFICE_ROWS = {"intake": Intake, "review": ReviewFinding}


def _office_row(s: Session, key: Key, create: bool = False):
    entity, aid, field = key
    if entity == "intake":
        row, column, new = s.get(Intake, aid), field, lambda: Intake(assessment_id=aid, version=0)
    else:
        entry_id, column = field.rsplit("/", 1)
        row, new = s.get(ReviewFinding, (aid, entry_id)), lambda: ReviewFinding(assessment_id=aid, entry_id=entry_id, version=0)
    if row is None and create:
        row = new()
        s.add(row)
    return row, column


def _office_values(s: Session, by_entity: dict[str, list[Key]]) -> dict[Key, str | None]:
    out = {}
    for entity in OFFICE_ROWS:
        for k in by_entity.get(entity, []):
            row, column = _office_row(s, k)
            out[k] = audit_text(getattr(row, column) if row is not None else column_value(entity, column, None))
    return out


def _restore_office(s: Session, plan: dict[Key, str | None]) -> None:
    for k, v in plan.items():
        row, column = _office_row(s, k, create=True)
        setattr(row, column, column_value(k[0], column, v))
    for row in {id(r): r for r in (_office_row(s, k)[0] for k in plan)}.values():
        row.version += 1


def _unit_of(s: Session, aid: int) -> int:
    return s.execute(select(Assessment.unit_id).where(Assessment.id == aid)).scalar()
