"""The audit trail: recording each write as one batch of changes (who, when, what, old -> new),
and reading it back for display.

A person's own fields (name, birth year, ...) are personal data: their values are withheld
when shown, as ``hoctap log`` does; facts and unit entries show old -> new."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Sequence

from sqlalchemy import func, select
from sqlmodel import Session

from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.i18n import tr
from hoctap.models.sql import AC, chunks, insert_tuples
from hoctap.models.tables import AuditBatch, AuditChange, Person, utcnow

if TYPE_CHECKING:  # units records its writes here: a runtime import would be circular
    from hoctap.models.units import Context


UNDOABLE = ("set", "check", "import", "person", "delete", "intake", "review", "dossier", "recognition", "rollover")


class Written(NamedTuple):
    """What a write did: its audit batch (None when nothing changed) and how many records
    (people, facts or entries, as the writer says) it changed."""

    batch: int | None
    n: int


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return "unknown"


# ---- recording ---------------------------------------------------------------------------------

def batch_summary(key: str, **params) -> str:
    """A batch summary stored without language: ``models.audit.summary_text`` words it in the
    reader's (free text, such as a set's values or a check's entries, is stored as it is)."""
    return "§" + json.dumps([key, params], ensure_ascii=False)


def record_batch(s: Session, source: str, action: str, assessment_id: int | None, summary: str) -> int:
    batch = AuditBatch(user=current_user(), source=source, action=action, assessment_id=assessment_id,
                       summary=summary, at=utcnow())
    s.add(batch)
    s.flush()
    return batch.id


AUDIT_CHUNK = 50_000  # audit rows per executemany: bounds the parameter lists held at once
AUDIT_KEYS = ("batch_id", "entity", "entity_id", "field", "old", "new")


def record_changes(s: Session, batch_id: int, rows: list[dict]) -> None:
    """Write the audit rows of one batch (an import writes one per person, entry and fact:
    hundreds of thousands, so through the driver's executemany, in chunks)."""
    for start in range(0, len(rows), AUDIT_CHUNK):
        insert_tuples(s, AC, AUDIT_KEYS, [(batch_id, r["entity"], r.get("entity_id"), r["field"], r.get("old"), r.get("new"))
                                           for r in rows[start:start + AUDIT_CHUNK]])


# ---- reading -----------------------------------------------------------------------------------

def history(db: Database, ctx: Context | None = None, limit: int = 50) -> list[AuditBatch]:
    """The newest batches, of one assessment or (ctx None) of the whole database."""
    with db.read() as s:
        q = select(AuditBatch).order_by(AuditBatch.id.desc()).limit(limit)
        if ctx is not None:
            q = q.where(AuditBatch.assessment_id == ctx.assessment.id)
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


def last_undoable(db: Database, ctx: Context, source: str | None = None) -> int | None:
    with db.read() as s:
        q = select(AuditBatch.id).where(AuditBatch.assessment_id == ctx.assessment.id, AuditBatch.undone_by.is_(None),
                                        AuditBatch.action.in_(UNDOABLE))
        if source:
            q = q.where(AuditBatch.source == source)
        return s.execute(q.order_by(AuditBatch.id.desc()).limit(1)).scalar()


PERSON_ENTITIES = ("person", "fact", "roster")


def summary_text(summary: str) -> str:
    """A batch summary in the reader's language (free text and older batches as stored)."""
    if summary.startswith("§"):
        try:
            key, params = json.loads(summary[1:])
            return tr(f"summary.{key}", **params)
        except (ValueError, KeyError, TypeError):
            pass
    return summary


@dataclass(frozen=True)
class ChangeLine:
    entity: str
    record: str  # a person's code, or the entity and its row id
    field: str
    old: str | None
    new: str | None
    withheld: bool = False  # personal data: the values are not shown

    def shown(self) -> tuple[str, str]:
        """Old and new as displayed: withheld values say so; on the roster or not is a ✓."""
        if self.withheld:
            return "", tr("log.withheld")
        if self.entity == "roster":
            return ("✓" if self.old is not None else ""), ("✓" if self.new is not None else "")
        return self.old or "", self.new or ""


def change_lines(db: Database, batch_id: int) -> list[ChangeLine]:
    changes = batch_changes(db, batch_id)
    ids = sorted({c.entity_id for c in changes if c.entity in PERSON_ENTITIES and c.entity_id is not None})
    codes: dict[int, str] = {}
    with db.read() as s:
        for chunk in chunks(ids):
            codes.update(s.execute(select(Person.id, Person.code).where(Person.id.in_(chunk))).all())
    out = []
    for c in changes:
        if c.entity in PERSON_ENTITIES:
            record = codes.get(c.entity_id, f"#{c.entity_id}")
        else:
            record = f"{c.entity} {c.entity_id}" if c.entity_id is not None else c.entity
        withheld = c.entity == "person"
        out.append(ChangeLine(c.entity, record, c.field, None if withheld else c.old, None if withheld else c.new,
                              withheld))
    return out


def newest_not_undone(db: Database, ctx: Context, batch_ids: list[int]) -> int | None:
    """Of the given batches, the newest of this assessment that is not undone yet."""
    with db.read() as s:
        return s.execute(select(func.max(AuditBatch.id)).where(
            AuditBatch.id.in_(batch_ids), AuditBatch.assessment_id == ctx.assessment.id,
            AuditBatch.undone_by.is_(None))).scalar() if batch_ids else None
