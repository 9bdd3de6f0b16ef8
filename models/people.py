"""People: the unit's members and learners, their roster entries in an assessment, and
reading them with their facts. Every write is one transaction and one audit batch."""

from __future__ import annotations

import json
from typing import Callable, NamedTuple, Sequence

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from hoctap.models.audit import Written, batch_summary, record_batch, record_changes
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import StaleEdit
from hoctap.models.facts import lc_inputs, lc_title, refresh_lc_title, write_fact_map
from hoctap.models.fields import PERSON_FIELDS, InputError
from hoctap.models.i18n import tr
from hoctap.models.sql import PF, PT, RE, chunks, insert_many
from hoctap.models.text import collation_key, search_key
from hoctap.models.units import Context

Progress = Callable[[int, int], None]  # progress(done, total) of a long read or write
PAGE = 1000  # people fetched per query while streaming the roster
PERSON_COLUMNS = list(PERSON_FIELDS)


class SavedPerson(NamedTuple):
    person_id: int
    batch: int | None  # None when nothing changed


DEFAULT_KIND = "staff"


def kind_of(given: str | None, current: str | None = None) -> str:
    """The kind a person gets: a blank keeps what they have (a new person is staff)."""
    return given or current or DEFAULT_KIND


def sort_key(full_name: str) -> str:
    """Vietnamese lists are ordered by given name (the last word), then the whole name, in
    Vietnamese alphabetical order (``text.collation_key``)."""
    words = full_name.split()
    return collation_key(" ".join(words[-1:] + words[:-1]))


def search_columns(code: str, full_name: str) -> dict:
    return {"search": search_key(f"{code} {full_name}"), "sort_key": sort_key(full_name)}


def upsert_people(s: Session, catalogs: Catalogs, ctx: Context,
                  rows: list[tuple[dict, dict[str, str | None]]]) -> tuple[list[dict], dict]:
    """Insert or update people by code, enrol them in the assessment and set their facts.

    ``rows`` holds (person fields, facts) already parsed; a field or fact missing from a row
    is left as it is. Returns audit rows and counts. Runs inside the caller's transaction.

    People new to the unit have no roster entry and no facts yet, so theirs are written in one
    ``executemany`` with nothing to compare (the bulk of a first import); people already
    there go through the compare-and-update path."""
    unit_id, assessment_id = ctx.unit.id, ctx.assessment.id
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
            values["kind"] = kind_of(values["kind"])
            full_name = values["full_name"]
            if full_name not in name_keys:
                name_keys[full_name] = (search_key(full_name), sort_key(full_name))
            name_key, sort = name_keys[full_name]
            # the same as search_columns: folding works word by word
            new_people.append(dict(unit_id=unit_id, version=1, **values,
                                   search=f"{search_key(values['code'])} {name_key}", sort_key=sort))
            continue
        if "kind" in fields:
            fields = {**fields, "kind": kind_of(fields["kind"], cur["kind"])}
        diff = {k: v for k, v in fields.items() if k in PERSON_COLUMNS and cur.get(k) != v}
        if diff:
            if "full_name" in diff:
                diff.update(search_columns(cur["code"], diff["full_name"]))
            s.execute(update(PT).where(PT.c.id == cur["id"]).values(**diff, version=PT.c.version + 1))
            audit += [dict(entity="person", entity_id=cur["id"], field=k, old=as_text(cur.get(k)), new=as_text(v))
                      for k, v in diff.items() if k in PERSON_COLUMNS]
            stats["updated"] += 1
    new_ids: set[int] = set()
    if new_people:
        insert_many(s, PT, new_people)
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
    lc_changes = bool(lc_inputs(catalogs) & names)
    per_fact: dict[str, dict[int, str | None]] = {}
    fresh: dict[int, dict[str, str]] = {}  # new people's facts, lc_title included
    score_facts = catalogs.citizen.score_facts
    for (fields, facts), pid in zip(rows, ids):
        if pid in new_ids:
            given = {name: value for name, value in facts.items() if value is not None}
            if given and lc_changes and (title := lc_title(catalogs, given, score_facts)) is not None:
                given[catalogs.citizen.result_fact] = title
            fresh[pid] = given
            continue
        for name, value in facts.items():
            per_fact.setdefault(name, {})[pid] = value
    to_enrol = [pid for pid in dict.fromkeys(ids) if pid not in enrolled]
    if to_enrol:
        # a roster entry's version counts the changes of its facts, as if set one by one
        insert_many(s, RE, [dict(assessment_id=assessment_id, person_id=pid, version=1 + len(fresh.get(pid, ())))
                             for pid in to_enrol])
        audit += [dict(entity="roster", entity_id=pid, field="*", old=None, new="{}") for pid in to_enrol]
        stats["enrolled"] = len(to_enrol)
    fact_audit = []
    for name, values in per_fact.items():
        fact_audit += write_fact_map(s, assessment_id, name, values)
    fresh_rows = [dict(assessment_id=assessment_id, person_id=pid, name=name, value=value)
                  for pid, facts in fresh.items() for name, value in facts.items()]
    insert_many(s, PF, fresh_rows)
    title_fact = catalogs.citizen.result_fact
    fact_audit += [dict(entity="fact", entity_id=r["person_id"], field=r["name"], old=None, new=r["value"])
                   for r in fresh_rows if r["name"] != title_fact]
    stats["facts"] = len(fact_audit)
    fact_audit += [dict(entity="fact", entity_id=r["person_id"], field=r["name"], old=None, new=r["value"])
                   for r in fresh_rows if r["name"] == title_fact]
    if lc_changes and per_fact:
        fact_audit += refresh_lc_title(s, catalogs, assessment_id,
                                       sorted({r["entity_id"] for r in fact_audit if r["entity_id"] not in new_ids}))
    return audit + fact_audit, stats


def as_text(v) -> str | None:
    return None if v is None else str(v)


def save_person(db: Database, catalogs: Catalogs, ctx: Context, person_id: int | None, fields: dict,
                facts: dict[str, str | None], *, expected_version: int | None = None,
                expected_roster_version: int | None = None, source: str = "tui") -> SavedPerson:
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
                    code=fields["code"], version=PT.c.version + 1, **search_columns(fields["code"], cur["full_name"])))
                recode = [dict(entity="person", entity_id=person_id, field="code", old=cur["code"], new=fields["code"])]
                cur = {**cur, "code": fields["code"]}
            else:
                recode = []
            rows = [({**{k: cur[k] for k in PERSON_COLUMNS}, **fields}, facts)]
            audit, _ = upsert_people(s, catalogs, ctx, rows)
            audit = recode + audit
        else:
            clash = s.execute(select(PT.c.id).where(PT.c.unit_id == ctx.unit.id, PT.c.code == fields["code"])).first()
            if clash:
                raise InputError(tr("err.code_taken", code=fields["code"]))
            audit, _ = upsert_people(s, catalogs, ctx, [(fields, facts)])
        pid = s.execute(select(PT.c.id).where(PT.c.unit_id == ctx.unit.id, PT.c.code == fields.get("code", ""))).scalar() \
            if person_id is None else person_id
        batch = None
        if audit:
            batch = record_batch(s, source, "person", ctx.assessment.id, batch_summary("edit" if person_id else "add"))
            record_changes(s, batch, audit)
        return SavedPerson(pid, batch)


def remove_from_roster(db: Database, ctx: Context, person_ids: Sequence[int], *, source: str = "tui") -> Written:
    """Take people off this assessment's roster (their facts of this year go with them; the
    person record stays for other years). One audit batch; undo puts everything back.
    Returns the batch and how many people were removed."""
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
        batch = None
        if removed:
            batch = record_batch(s, source, "delete", aid, batch_summary("removed", n=removed))
            record_changes(s, batch, audit)
        return Written(batch, removed)


def person_facts(db: Database, ctx: Context, person_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    with db.read() as s:
        return facts_in(s, ctx.assessment.id, person_ids)


def facts_in(s: Session, assessment_id: int, person_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """``person_facts`` inside the caller's transaction."""
    out: dict[int, dict[str, str]] = {pid: {} for pid in person_ids}
    for chunk in chunks(list(person_ids)):
        # ORDER BY the primary key: SQLite then reads it by (assessment_id, person_id) rather
        # than scanning the whole assessment in ix_person_fact_cover (30 ms -> 1 ms a page)
        for pid, name, value in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(
                PF.c.assessment_id == assessment_id, PF.c.person_id.in_(chunk))
                .order_by(PF.c.person_id, PF.c.name)):
            out[pid][name] = value
    return out


# ---- the roster in report order, streamed ---------------------------------------------------

def _ordered_ids(s, assessment_id: int) -> list[int]:
    """Staff first, then learners; by department, then as Vietnamese lists are ordered."""
    q = (select(PT.c.id).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
         .where(RE.c.assessment_id == assessment_id)
         .order_by(PT.c.kind != DEFAULT_KIND, func.coalesce(PT.c.department, ""), PT.c.sort_key, PT.c.code, PT.c.id))
    return list(s.execute(q).scalars())


def iter_people(db: Database, ctx: Context, progress: Progress | None = None):
    """(person row mapping, {fact: stored value}) for everyone on the roster, in report order,
    fetched page by page inside one read transaction (a consistent snapshot)."""
    assessment_id = ctx.assessment.id
    with db.read() as s:
        ids = _ordered_ids(s, assessment_id)
        total = len(ids)
        if progress:
            progress(0, total)
        for done, page in enumerate(chunks(ids, PAGE), start=1):
            people = {r["id"]: r for r in s.execute(select(PT.c.id, *(PT.c[n] for n in PERSON_FIELDS))
                                                     .where(PT.c.id.in_(page))).mappings()}
            facts: dict[int, dict[str, str]] = {pid: {} for pid in page}
            for sub in chunks(page):
                for pid, name, value in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value).where(
                        PF.c.assessment_id == assessment_id, PF.c.person_id.in_(sub))
                        .order_by(PF.c.person_id, PF.c.name)):  # by primary key (see person_facts)
                    facts[pid][name] = value
            for pid in page:
                yield people[pid], facts[pid]
            if progress:
                progress(min(done * PAGE, total), total)
