"""Reading the audit trail for display: a batch's changes with people named by their code.

A person's own fields (name, birth year, ...) are personal data: their values are withheld,
as ``hoctap log`` does; facts and unit entries show old → new."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from hoctap.models import i18n
from hoctap.models.db import Database
from hoctap.models.i18n import tr
from hoctap.models.store import batch_changes, chunks, current_user
from hoctap.models.tables import AuditBatch, Person

PERSON_ENTITIES = ("person", "fact", "roster")

i18n.add({
    "log.withheld": ("(thông tin cá nhân, không hiển thị)", "(personal data, not shown)"),
    # batch summaries (models.store.batch_summary), worded when shown
    "summary.unit": ("đơn vị {code}", "unit {code}"),
    "summary.assessment": ("đợt đánh giá {code} {year}", "assessment {code} {year}"),
    "summary.roster_copied": ("chép danh sách từ năm {year}", "roster copied from {year}"),
    "summary.edit": ("sửa", "edit"),
    "summary.add": ("thêm", "add"),
    "summary.removed": ("bỏ {n} người", "removed {n}"),
    "summary.undo": ("hoàn tác #{batch}", "undo #{batch}"),
    "summary.import": ("{file} ({rows} dòng)", "{file} ({rows} rows)"),
    "summary.bundle": ("{file} ({n} người)", "{file} ({n} people)"),
    "summary.bundle_unit": ("đơn vị {code} ({file})", "unit {code} ({file})"),
})


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


UNDOABLE = ("set", "check", "import", "person", "delete")


def newest_batch_id(db: Database) -> int:
    """The newest audit batch's id (0 when none): a mark to find the batches written after it."""
    with db.read() as s:
        return s.execute(select(func.max(AuditBatch.id))).scalar() or 0


def own_batches_since(db: Database, assessment_id: int, after: int, source: str) -> list[int]:
    """Undoable batches of this assessment by this user and ``source`` newer than ``after``:
    how a face learns the batch of a write whose store function does not return it."""
    with db.read() as s:
        return list(s.execute(select(AuditBatch.id).where(
            AuditBatch.id > after, AuditBatch.assessment_id == assessment_id, AuditBatch.source == source,
            AuditBatch.user == current_user(), AuditBatch.action.in_(UNDOABLE)).order_by(AuditBatch.id)).scalars())


def newest_not_undone(db: Database, assessment_id: int, batch_ids: list[int]) -> int | None:
    """Of the given batches, the newest of this assessment that is not undone yet."""
    with db.read() as s:
        return s.execute(select(func.max(AuditBatch.id)).where(
            AuditBatch.id.in_(batch_ids), AuditBatch.assessment_id == assessment_id,
            AuditBatch.undone_by.is_(None))).scalar() if batch_ids else None
