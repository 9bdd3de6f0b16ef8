"""The audit trail: recording each write as one batch of changes (who, when, what, old -> new),
and reading it back for display.

A person's own fields (name, birth year, ...) are personal data: their values are withheld
when shown, as ``hoctap log`` does; facts and unit entries show old -> new."""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import timezone
from typing import TYPE_CHECKING, NamedTuple, Sequence

from sqlalchemy import func, select
from sqlmodel import Session

from hoctap.models import i18n
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.fields import display_entry_value, display_fact
from hoctap.models.i18n import has, tr
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
ASSESSMENT_ENTITIES = ("unit_entry", "dossier", "narrative", "intake", "review")  # entity_id: the assessment
ENTRY_ENTITIES = ("unit_entry", "review", "narrative")  # field: "<entry or criterion id>/<column or section>"
INTAKE_KEYS = {"received_on": "office.received_on", "channel": "log.intake.channel",
               "received_by": "log.intake.received_by", "complete": "office.complete",
               "missing": "log.intake.missing", "note": "log.intake.note"}
PART_KEYS = ("log.part.", "narrative.")  # how a column or a narrative section is worded
SUMMARY_PARTS = 4  # changes named in a one-line summary; the rest are counted
# set and check batches are worded from their change rows: their stored summary is a sentence in
# the writer's language (and ids), so the reader's language and labels come from the rows
FROM_CHANGES = ("set", "check")


def summary_text(summary: str) -> str:
    """A stored batch summary in the reader's language (free text and older batches as stored)."""
    if summary.startswith("§"):
        try:
            key, params = json.loads(summary[1:])
            if key == "import" and "n" not in params:  # stored before the count was named n
                params["n"] = params.get("rows")
            return tr(f"summary.{key}", **params)
        except (ValueError, KeyError, TypeError):
            pass
    return summary


def _entries(catalogs: Catalogs) -> dict:
    """Every unit entry by its id (the code users know: C3.4), whichever catalog defines it."""
    out: dict = {}
    for cat in catalogs.units.values():
        for e in cat.entries():
            out.setdefault(e.id, e)
    return out


def field_label(catalogs: Catalogs, entity: str, name: str) -> str:
    """A changed field as the reader knows it, in the process's language: a fact or a person
    column by its label, a unit entry's column as "C3.4 · evidence"."""
    lang = i18n.lang()
    if entity == "fact":
        fact = catalogs.facts.get(name)
        # a label's head before its colon names it ("Indicator 1: Reads and keeps up with ...")
        return fact.label(lang).split(": ", 1)[0] if fact else name
    if name == "*":
        key = f"log.field.{entity}"
        return tr(key) if has(key) else tr("log.field.record")
    if entity == "person" and has(f"field.{name}"):
        return tr(f"field.{name}")
    if entity == "dossier" and has(f"dossier.{name}"):
        return tr(f"dossier.{name}")
    if entity == "intake" and name in INTAKE_KEYS:
        return tr(INTAKE_KEYS[name])
    if entity in ENTRY_ENTITIES and "/" in name:
        entry, part = name.split("/", 1)
        key = next((k + part for k in PART_KEYS if has(k + part)), None)
        return f"{entry} · {tr(key)}" if key else name
    return name


def value_label(catalogs: Catalogs, entity: str, name: str, value: str | None, entries: dict | None = None) -> str:
    """A stored old or new value as the reader reads it (a label, ✓ có, a number, the text)."""
    if value is None:
        return ""
    lang = i18n.lang()
    if entity == "fact":
        return display_fact(catalogs, name, value, lang, bools="marked")
    if entity == "intake" and name == "channel" and has(f"channel.{value}"):
        return tr(f"channel.{value}")
    if (entity, name) == ("intake", "complete") or (entity == "review" and name.endswith("/agree")):
        return {"1": "✓", "0": "✗", "true": "✓", "false": "✗"}.get(value.lower(), value)
    if entity in ("unit_entry", "review") and name.endswith("/value"):
        entry = (entries if entries is not None else _entries(catalogs)).get(name.split("/", 1)[0])
        return display_entry_value(catalogs, entry, value, lang, bools="marked") if entry and entry.value else value
    return value


def _set_summary(catalogs: Catalogs, rows: list[tuple[str, str, str | None, int]]) -> str | None:
    """"Label = value · n people" from a set batch's (entity, field, new, count) rows; computed
    facts (the Learning Citizen title) only when nothing else changed."""
    facts = [r for r in rows if r[0] == "fact"]
    typed = [r for r in facts if not (catalogs.facts.get(r[1]) and catalogs.facts[r[1]].computed)] or facts
    if not typed:
        return None
    per_field: dict[str, int] = {}
    for _, name, _, n in typed:
        per_field[name] = per_field.get(name, 0) + n
    parts = [f"{field_label(catalogs, 'fact', name)} = {value_label(catalogs, 'fact', name, new) or tr('log.blank')}"
             for _, name, new, _ in typed]
    return tr("summary.set", what=_joined(parts), n=max(per_field.values()))


def _check_summary(catalogs: Catalogs, rows: list[tuple[str, str, str | None, int]], entries: dict) -> str | None:
    """"C3.4 = Basic response; C3.1: evidence edited" from a check batch's rows."""
    parts = []
    edits = [(*r[1].split("/", 1), r[2]) for r in rows if r[0] == "unit_entry" and "/" in r[1]]
    for entry, part, new in sorted(edits, key=lambda e: (e[0], e[1] != "value")):  # an entry's value first
        name = f"{entry}/{part}"
        if part == "value":
            parts.append(f"{entry} = {value_label(catalogs, 'unit_entry', name, new, entries) or tr('log.blank')}")
        else:
            parts.append(tr(f"summary.check_{part}" if has(f"summary.check_{part}") else "summary.check_other",
                            entry=entry, part=part))
    return _joined(parts) if parts else None


def _joined(parts: list[str]) -> str:
    if len(parts) > SUMMARY_PARTS:
        return "; ".join(parts[:SUMMARY_PARTS]) + tr("log.more_parts", n=len(parts) - SUMMARY_PARTS)
    return "; ".join(parts)


def summaries(db: Database, catalogs: Catalogs, batches: Sequence[AuditBatch]) -> dict[int, str]:
    """Each batch's summary in the reader's language, labels instead of ids, whoever wrote it.
    Set and check batches are worded from their changes (one GROUP BY for all of them)."""
    out = {b.id: summary_text(b.summary) for b in batches}
    worded = [b.id for b in batches if b.action in FROM_CHANGES]
    grouped: dict[int, list] = {}
    with db.read() as s:
        for chunk in chunks(worded):
            for batch_id, entity, name, new, n in s.execute(
                    select(AC.c.batch_id, AC.c.entity, AC.c.field, AC.c.new, func.count())
                    .where(AC.c.batch_id.in_(chunk)).group_by(AC.c.batch_id, AC.c.entity, AC.c.field, AC.c.new)
                    .order_by(AC.c.batch_id, func.min(AC.c.id))).all():
                grouped.setdefault(batch_id, []).append((entity, name, new, n))
    entries = _entries(catalogs) if grouped else {}
    action = {b.id: b.action for b in batches}
    for batch_id, rows in grouped.items():
        text = _set_summary(catalogs, rows) if action[batch_id] == "set" else _check_summary(catalogs, rows, entries)
        if text:
            out[batch_id] = text
    return out


def local_time(batch: AuditBatch) -> str:
    """The batch's time on this machine's clock, with its zone (stored in UTC; SQLite returns it
    without a zone)."""
    at = batch.at if batch.at.tzinfo else batch.at.replace(tzinfo=timezone.utc)
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def origin(batch: AuditBatch) -> str:
    """Where a batch came from and what kind of action it was, in words ("command line · set values")."""
    source = tr(f"log.source.{batch.source}") if has(f"log.source.{batch.source}") else batch.source
    action = tr(f"log.action.{batch.action}") if has(f"log.action.{batch.action}") else batch.action
    return f"{source} · {action}"


def batch_summary_text(db: Database, catalogs: Catalogs, batch: AuditBatch) -> str:
    """One batch's summary, as ``summaries`` words it."""
    return summaries(db, catalogs, [batch])[batch.id]


@dataclass(frozen=True)
class ChangeLine:
    entity: str
    record: str  # a person's code, or the entity's name (and its row id), in the reader's language
    field: str  # the stored field id (a fact id, "C3.4/value", ...)
    old: str | None
    new: str | None
    withheld: bool = False  # personal data: the values are not shown
    label: str = ""  # the field as the reader knows it
    old_text: str = ""  # old and new as displayed
    new_text: str = ""

    def shown(self) -> tuple[str, str]:
        """Old and new as displayed: withheld values say so; on the roster or not is a ✓."""
        if self.withheld:
            return "", tr("log.withheld")
        if self.entity == "roster":
            return ("✓" if self.old is not None else ""), ("✓" if self.new is not None else "")
        return self.old_text, self.new_text


# entities named by a word the core already has
ENTITY_KEYS = {"evidence": "evidence", "intake": "office.col_intake", "unit": "report.unit"}


def _record(entity: str, entity_id: int | None) -> str:
    key = ENTITY_KEYS.get(entity, f"log.entity.{entity}")
    name = tr(key) if has(key) else entity
    if entity_id is None or entity in ASSESSMENT_ENTITIES:
        return name
    return f"{name} #{entity_id}"


def change_lines(db: Database, catalogs: Catalogs, batch_id: int) -> list[ChangeLine]:
    """A batch's changes for display: people by their code, fields and values by their labels
    in the reader's language (ids kept beside them for ``--json``)."""
    codes: dict[int, str] = {}
    with db.read() as s:  # plain rows, not ORM objects: an import's batch has one per person, entry and fact
        changes = s.execute(select(AC.c.entity, AC.c.entity_id, AC.c.field, AC.c.old, AC.c.new)
                            .where(AC.c.batch_id == batch_id).order_by(AC.c.id)).all()
        ids = sorted({c.entity_id for c in changes if c.entity in PERSON_ENTITIES and c.entity_id is not None})
        for chunk in chunks(ids):
            codes.update(s.execute(select(Person.id, Person.code).where(Person.id.in_(chunk))).all())
    entries = _entries(catalogs)
    labels: dict[tuple, str] = {}  # an import's batch repeats a few fields and values many times

    def label(*key) -> str:
        if key not in labels:
            labels[key] = field_label(catalogs, *key) if len(key) == 2 else value_label(catalogs, *key, entries)
        return labels[key]

    out = []
    for c in changes:
        if c.entity in PERSON_ENTITIES:
            record = codes.get(c.entity_id, f"#{c.entity_id}")
        else:
            record = _record(c.entity, c.entity_id)
        withheld = c.entity == "person"
        old, new = (None, None) if withheld else (c.old, c.new)
        out.append(ChangeLine(c.entity, record, c.field, old, new, withheld, label(c.entity, c.field),
                              label(c.entity, c.field, old), label(c.entity, c.field, new)))
    return out


def newest_not_undone(db: Database, ctx: Context, batch_ids: list[int]) -> int | None:
    """Of the given batches, the newest of this assessment that is not undone yet."""
    with db.read() as s:
        return s.execute(select(func.max(AuditBatch.id)).where(
            AuditBatch.id.in_(batch_ids), AuditBatch.assessment_id == ctx.assessment.id,
            AuditBatch.undone_by.is_(None))).scalar() if batch_ids else None
