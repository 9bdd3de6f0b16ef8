"""Reading the audit trail for display: a batch's changes with people named by their code.

A person's own fields (name, birth year, ...) are personal data: their values are withheld,
as ``hoctap log`` does; facts and unit entries show old → new."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import i18n
from models.db import Database
from models.i18n import tr
from models.store import batch_changes, chunks
from models.tables import Person

PERSON_ENTITIES = ("person", "fact", "roster")

i18n.add({"log.withheld": ("(thông tin cá nhân, không hiển thị)", "(personal data, not shown)")})


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
