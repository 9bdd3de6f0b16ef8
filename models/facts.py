"""Facts: this year's values of a person (scores, yes/no, scale values), set in bulk and
audited, with the Learning Citizen title kept in step with its inputs.

Writes are set-based (``UPDATE … WHERE person_id IN (…)`` in chunks on SQLite, one
``= ANY(array)`` on PostgreSQL: ``among``; ``executemany`` or COPY inserts). The ``(s, assessment_id, …)`` helpers run inside the caller's write transaction."""

from __future__ import annotations

from typing import Protocol, Sequence

from sqlalchemy import Integer, String, bindparam, cast, delete, func, select, update
from sqlmodel import Session

from hoctap.models.audit import Written, record_batch, record_changes
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import StaleEdit
from hoctap.models.i18n import tr
from hoctap.models.sql import PF, RE, chunks, insert_tuples
from hoctap.models.units import Context


BULK_READ = 5000  # people beyond which a fact is read whole rather than by IN lists


def among(s: Session, column, ids: Sequence[int]):
    """(ids, condition) covering ``ids``: IN lists of ``CHUNK`` on SQLite; on PostgreSQL one
    ``column IN (SELECT unnest(:array))`` for all of them: a semi-join, hashed or by index.
    (``= ANY(:array)`` is planned as a filter tried on every row while a freshly imported table
    has no statistics: 30 s for 10,000 ids over 100,000 rows.)"""
    ids = list(ids)
    if s.connection().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY  # here: SQLite users never load the dialect

        if ids:  # the array as one text literal: psycopg's dumping of a list costs more than the query
            literal = "{" + ",".join(map(str, ids)) + "}"
            yield ids, column.in_(select(func.unnest(cast(bindparam(None, literal, type_=String), ARRAY(Integer)))))
        return
    for chunk in chunks(ids):
        yield chunk, column.in_(chunk)


def write_fact_values(s: Session, assessment_id: int, name: str, new: str | None,
                      person_ids: Sequence[int]) -> list[dict]:
    """Set one fact to one value for many people; returns the audit rows of what changed."""
    audit: list[dict] = []
    person_ids = list(person_ids)
    this = (PF.c.assessment_id == assessment_id, PF.c.name == name)
    # for many people one scan of the fact (index-only, ix_person_fact_cover) beats IN lists
    everyone = dict(s.execute(select(PF.c.person_id, PF.c.value).where(*this)).all()) \
        if len(person_ids) > BULK_READ and s.connection().dialect.name != "postgresql" else None
    for chunk, where in among(s, PF.c.person_id, person_ids):
        old = everyone if everyone is not None else dict(s.execute(select(PF.c.person_id, PF.c.value)
                                                                   .where(*this, where)).all())
        changed = [pid for pid in chunk if old.get(pid) != new]
        if not changed:
            continue
        existing = [pid for pid in changed if pid in old]
        missing = [pid for pid in changed if pid not in old]
        for _ids, there in among(s, PF.c.person_id, existing):
            if new is None:
                s.execute(delete(PF).where(*this, there))
            else:
                s.execute(update(PF).where(*this, there).values(value=new))
        if new is not None:
            insert_tuples(s, PF, ("assessment_id", "person_id", "name", "value"),
                          [(assessment_id, pid, name, new) for pid in missing])
        for _ids, there in among(s, RE.c.person_id, changed):
            s.execute(update(RE).where(RE.c.assessment_id == assessment_id, there).values(version=RE.c.version + 1))
        audit += [dict(entity="fact", entity_id=pid, field=name, old=old.get(pid), new=new) for pid in changed]
    return audit


def write_fact_map(s: Session, assessment_id: int, name: str, values: dict[int, str | None]) -> list[dict]:
    """Set one fact to a value per person (grouped by value, so still set-based)."""
    by_value: dict[str | None, list[int]] = {}
    for pid, v in values.items():
        by_value.setdefault(v, []).append(pid)
    audit = []
    for v, pids in by_value.items():
        audit += write_fact_values(s, assessment_id, name, v, pids)
    return audit


def lc_title(catalogs: Catalogs, facts: dict[str, str], score_facts: Sequence[str] | None = None) -> str | None:
    """The stored Learning Citizen title of one person's facts (scores first, else the record).
    ``score_facts``: ``catalogs.citizen.score_facts`` computed once by a caller with many people."""
    lc = catalogs.citizen
    scores = [int(facts[f]) if f in facts else None for f in score_facts or lc.score_facts]
    recorded = facts.get(lc.status_fact)
    title = lc.title(scores, None if recorded is None else recorded == "1")
    return None if title is None else ("1" if title else "0")


def refresh_lc_title(s: Session, catalogs: Catalogs, assessment_id: int, person_ids: Sequence[int]) -> list[dict]:
    """Recompute the Learning Citizen title (scores first, else the recorded status)."""
    lc = catalogs.citizen
    inputs = [*lc.score_facts, lc.status_fact]
    titles: dict[int, str | None] = {}
    for chunk, where in among(s, PF.c.person_id, person_ids):
        got: dict[int, dict[str, str]] = {pid: {} for pid in chunk}
        for pid, name, value in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(
                PF.c.assessment_id == assessment_id, where, PF.c.name.in_(inputs))):
            got[pid][name] = value
        for pid, facts in got.items():
            titles[pid] = lc_title(catalogs, facts)
    return write_fact_map(s, assessment_id, lc.result_fact, titles)


def lc_inputs(catalogs: Catalogs) -> set[str]:
    lc = catalogs.citizen
    return {*lc.score_facts, lc.status_fact}


class Selection(Protocol):
    """People chosen by a condition: resolved inside the write transaction that changes them,
    so a colleague's commit between choosing and writing is never overwritten or missed."""

    def resolve(self, s: Session) -> Sequence[int]: ...


def set_facts(db: Database, catalogs: Catalogs, ctx: Context, people: Sequence[int] | Selection,
              changes: dict[str, str | None], *, source: str = "cli", summary: str = "") -> Written:
    """Set facts (already parsed) for the given people in one transaction and one audit batch.
    ``people`` is a list of ids, or a ``Selection`` decided under the write lock.

    Returns the batch and the number of fact values changed; no batch is recorded when
    nothing changed."""
    assessment_id = ctx.assessment.id
    with db.write() as s:
        by_condition = hasattr(people, "resolve")
        person_ids = list(dict.fromkeys(people.resolve(s) if by_condition else people))
        if by_condition and not person_ids:
            return Written(None, 0)
        # someone may have taken people off the roster since they were selected
        enrolled: set[int] = set()
        for _ids, where in among(s, RE.c.person_id, person_ids):
            enrolled.update(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == assessment_id, where)).scalars())
        if person_ids and not enrolled:
            raise StaleEdit(tr("err.stale"))
        person_ids = [pid for pid in person_ids if pid in enrolled]
        audit: list[dict] = []
        for name, value in changes.items():
            audit += write_fact_values(s, assessment_id, name, value, person_ids)
        if lc_inputs(catalogs) & set(changes):
            touched = sorted({r["entity_id"] for r in audit})
            audit += refresh_lc_title(s, catalogs, assessment_id, touched)
        if not audit:
            return Written(None, 0)
        text = summary or ", ".join(f"{k}={v if v is not None else ''}" for k, v in changes.items())
        batch = record_batch(s, source, "set", assessment_id, f"{text} ({len(person_ids)})")
        record_changes(s, batch, audit)
        return Written(batch, sum(1 for r in audit if r["field"] in changes))
