"""The roster as a database viewport: count, order and one window of rows come from SQL.

A ``RosterQuery`` describes what the user sees (search, filters, sort); ``count``,
``page`` and ``ids`` run it. Nothing here loads the whole roster into Python objects except
``ids`` (ints only), which batch selection needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy import exists, func, not_, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from hoctap.models import search_index
from hoctap.models.assign import parse_assignments
from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import StaleEdit
from hoctap.models.fields import PERSON_FIELDS, InputError, field_name, parse_bool, parse_fact, parse_person_field
from hoctap.models.i18n import tr
from hoctap.models.people import facts_in
from hoctap.models.qualify import Qualifies
from hoctap.models.sql import PF, PT, RE, chunks
from hoctap.models.tables import Assessment
from hoctap.models.text import search_key
from hoctap.models.units import Context

AT = Assessment.__table__
INDEXED_SORTS = ("name", "full_name", "code")  # (unit_id, sort_key) and (unit_id, code) indexes
INDEX_WALK_LIMIT = 5000  # beyond this offset a scan and sort beats walking the index
PREFIX_FROM = 10_000  # a search matching this many: sorting them (~15 ms) costs more than a prefix walk may
PAGE = 100  # rows per database read of the roster screen


@dataclass(frozen=True)
class FactFilter:
    """``name`` compared to ``value`` (stored form); op "eq", "ne", "missing", "present"."""

    name: str
    op: Literal["eq", "ne", "missing", "present"] = "eq"
    value: str | None = None


@dataclass(frozen=True)
class RosterQuery:
    assessment_id: int
    search: str = ""
    kind: str | None = None  # staff | learner
    department: str | None = None
    facts: tuple[FactFilter, ...] = ()
    fields: tuple[tuple[str, object], ...] = ()  # person column = value
    not_qualifying: str | None = None  # entry id: people who do not yet count for it
    sort: str = "name"  # name, code, a person column, or a fact name
    descending: bool = False

    def with_(self, **changes) -> "RosterQuery":
        return replace(self, **changes)


@dataclass
class RosterRow:
    id: int
    code: str
    full_name: str
    kind: str
    department: str | None
    position: str | None
    birth_year: int | None
    gender: str | None
    version: int
    roster_version: int
    facts: dict[str, str] = field(default_factory=dict)


def _fact_exists(aid, name: str, value_clause=None):
    """The person has this fact (with a value matching ``value_clause``): ``person.id IN`` the
    people found in ix_person_fact_cover (assessment_id, name, value, person_id) — one index
    range, where a correlated EXISTS would probe the facts once per roster row (50 ms -> 1 ms
    at 100,000 people). person_id is never NULL, so NOT IN means NOT EXISTS."""
    cond = [PF.c.assessment_id == aid, PF.c.name == name]
    if value_clause is not None:
        cond.append(value_clause)
    return PT.c.id.in_(select(PF.c.person_id).where(*cond))


def _search(words: list[str], indexed: bool = True) -> list:
    """Every word occurs in ``person.search`` (code and name without diacritics). PostgreSQL
    serves the LIKE from its pg_trgm index; on SQLite ``search_index`` narrows the rows tested."""
    return [PT.c.search.contains(w, autoescape=True) for w in words] + (search_index.candidates(words) if indexed else [])


def _where(q: RosterQuery, catalogs: Catalogs | None, indexed: bool = True) -> list:
    aid = q.assessment_id
    clauses = []
    if q.search.strip():
        clauses += _search(search_key(q.search).split(), indexed)
    if q.kind:
        clauses.append(PT.c.kind == q.kind)
    if q.department:
        clauses.append(PT.c.department == q.department)
    for name, value in q.fields:
        clauses.append(PT.c[name].is_(None) if value is None else PT.c[name] == value)
    for f in q.facts:
        if f.op == "eq":
            clauses.append(_fact_exists(aid, f.name, PF.c.value == f.value) if f.value is not None
                           else not_(_fact_exists(aid, f.name)))
        elif f.op == "ne":
            clauses.append(not_(_fact_exists(aid, f.name, PF.c.value == f.value)))
        elif f.op == "missing":
            clauses.append(not_(_fact_exists(aid, f.name)))
        else:
            clauses.append(_fact_exists(aid, f.name))
    if q.not_qualifying and catalogs is not None:
        clauses += _not_qualifying(q, catalogs)
    return clauses


def _not_qualifying(q: RosterQuery, catalogs: Catalogs) -> list:
    for cat in catalogs.units.values():
        try:
            entry = cat.entry(q.not_qualifying)
        except KeyError:
            continue
        if entry.kind != "share":
            continue
        qualifies = Qualifies.of(catalogs, entry)
        return [PT.c.kind == qualifies.kind, not_(_fact_exists(q.assessment_id, qualifies.fact, qualifies.clause(PF.c.value)))]
    raise InputError(tr("err.unknown_entry", entry=q.not_qualifying))


def _base(q: RosterQuery, catalogs: Catalogs | None, *columns, indexed: bool = True) -> Select:
    return (select(*columns).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
            .where(RE.c.assessment_id == q.assessment_id, *_where(q, catalogs, indexed)))


def _indexed(s: Session, q: RosterQuery) -> bool:
    """Whether the search index is worth using for this query's words (``search_index.helps``)."""
    return bool(q.search.strip()) and search_index.helps(s, search_key(q.search).split())


def _viewport(q: RosterQuery, catalogs: Catalogs | None, *columns) -> Select:
    """Like ``_base`` but driven from the person table of the unit, so that an ORDER BY on
    the (unit_id, sort_key) index with a LIMIT reads only the rows it returns."""
    unit = select(AT.c.unit_id).where(AT.c.id == q.assessment_id).scalar_subquery()
    enrolled = exists().where(RE.c.assessment_id == q.assessment_id, RE.c.person_id == PT.c.id)
    return select(*columns).select_from(PT).where(PT.c.unit_id == unit, enrolled, *_where(q, catalogs))


def count(db: Database, q: RosterQuery, catalogs: Catalogs | None = None) -> int:
    with db.read() as s:
        indexed = _indexed(s, q)
        if db.is_sqlite and indexed and q == RosterQuery(q.assessment_id, search=q.search, sort=q.sort,
                                                         descending=q.descending):
            # a search alone: counted from the index and the roster, without reading person
            # for those the index knows ("khanh" at 1M people, 50,000 found: 30 ms, not 80)
            matching = search_index.matching(search_key(q.search).split())
            if matching is not None:
                return s.execute(select(func.count()).select_from(RE).where(
                    RE.c.assessment_id == q.assessment_id, RE.c.person_id.in_(matching))).scalar() or 0
        return s.execute(_base(q, catalogs, func.count(), indexed=indexed)).scalar() or 0


def _order(q: RosterQuery) -> list:
    if q.sort in ("name", "full_name"):
        cols = [PT.c.sort_key, PT.c.code]
    elif q.sort in PERSON_FIELDS:
        cols = [PT.c[q.sort], PT.c.sort_key]
    else:  # a fact
        sub = (select(PF.c.value).where(PF.c.assessment_id == q.assessment_id, PF.c.person_id == PT.c.id,
                                        PF.c.name == q.sort).scalar_subquery())
        cols = [sub, PT.c.sort_key]
    cols.append(PT.c.id)
    return [c.desc() for c in cols] if q.descending else cols


def _index_walk(q: RosterQuery, offset: int) -> bool:
    """Walk the sort index when the window is near an end and most rows match (only a kind
    filter); a sparse filter would walk far for few rows, so it scans and sorts instead."""
    sparse = q.search.strip() or q.facts or q.fields or q.department or q.not_qualifying
    return q.sort in INDEXED_SORTS and offset < INDEX_WALK_LIMIT and not sparse


def _walk_prefix(s: Session, q: RosterQuery, catalogs: Catalogs | None, offset: int, limit: int) -> list[int] | None:
    """A window near an end of a search matching many people, from the first ``INDEX_WALK_LIMIT``
    people in index order alone: exact when that prefix holds the whole window, else None (then
    the matches are sorted). "khanh", one person in 20 at 1M people: 15 ms instead of 80."""
    if not q.search.strip() or q.sort not in INDEXED_SORTS or offset + limit > INDEX_WALK_LIMIT // 20:
        return None
    unit = select(AT.c.unit_id).where(AT.c.id == q.assessment_id).scalar_subquery()
    prefix = select(PT.c.id).where(PT.c.unit_id == unit).order_by(*_order(q)).limit(INDEX_WALK_LIMIT).subquery()
    enrolled = exists().where(RE.c.assessment_id == q.assessment_id, RE.c.person_id == PT.c.id)
    chosen = (select(PT.c.id).select_from(prefix.join(PT, PT.c.id == prefix.c.id))
              .where(enrolled, *_where(q, catalogs, indexed=False)).order_by(*_order(q)))
    found = list(s.execute(chosen.offset(max(0, offset)).limit(limit)).scalars())
    return found if len(found) == limit else None


def quick_window(q: RosterQuery, offset: int, limit: int, total: int) -> bool:
    """Whether ``window`` reads this window by walking an index (cheap at any roster size)."""
    first_half = offset + limit <= total // 2
    return _index_walk(q, offset if first_half else max(0, total - offset - limit))


def page(db: Database, q: RosterQuery, offset: int, limit: int, catalogs: Catalogs | None = None, *,
         matches: int | None = None) -> list[RosterRow]:
    """One window of the roster, in order, with each row's facts.

    The ids are chosen first (a narrow sort), then their rows read by primary key. The first
    pages of an indexed order without a search walk the index and stop at the LIMIT; with a
    search known (``matches``) to match many, they try a bounded walk first (``_walk_prefix``)."""
    cols = [PT.c.id, PT.c.code, PT.c.full_name, PT.c.kind, PT.c.department, PT.c.position,
            PT.c.birth_year, PT.c.gender, PT.c.version, RE.c.version.label("roster_version")]
    with db.read() as s:
        if _index_walk(q, offset):
            chosen = _viewport(q, catalogs, PT.c.id)
        else:
            chosen = _base(q, catalogs, PT.c.id, indexed=_indexed(s, q))
        window_ids = _walk_prefix(s, q, catalogs, offset, limit) if matches and matches >= PREFIX_FROM else None
        if window_ids is None:
            window_ids = list(s.execute(chosen.order_by(*_order(q)).offset(max(0, offset)).limit(limit)).scalars())
        found = {r["id"]: RosterRow(**r) for r in s.execute(
            select(*cols).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
            .where(RE.c.assessment_id == q.assessment_id, PT.c.id.in_(window_ids))).mappings()}
    rows = [found[pid] for pid in window_ids if pid in found]
    with db.read() as s:
        facts = facts_in(s, q.assessment_id, window_ids)
    for r in rows:
        r.facts = facts[r.id]
    return rows


def ids(db: Database, q: RosterQuery, catalogs: Catalogs | None = None) -> list[int]:
    """Every matching person id (for "select all matching"), in roster order."""
    with db.read() as s:
        return _ids(s, q, catalogs)


def _ids(s: Session, q: RosterQuery, catalogs: Catalogs | None) -> list[int]:
    return list(s.execute(_base(q, catalogs, PT.c.id, indexed=_indexed(s, q)).order_by(*_order(q))).scalars())


@dataclass
class Matching:
    """Everyone matching ``query`` at the moment of the write (``hoctap set --where``):
    ``resolve`` runs inside the write transaction; ``matched`` says how many it found."""

    query: RosterQuery
    catalogs: Catalogs
    matched: int = 0

    def resolve(self, s: Session) -> list[int]:
        found = _ids(s, self.query, self.catalogs)
        self.matched = len(found)
        return found


@dataclass
class Picked:
    """People picked on screen, some by "select all matching" (or invert) over a query.
    ``resolve`` refuses, inside the write transaction, when any such query no longer matches
    exactly the people it matched when the selection was made: the screen is out of date."""

    people: frozenset[int]
    catalogs: Catalogs
    bases: tuple[tuple[RosterQuery, frozenset[int]], ...] = ()

    def resolve(self, s: Session) -> list[int]:
        for query, matched in self.bases:
            if set(_ids(s, query, self.catalogs)) != matched:
                raise StaleEdit(tr("err.selection_changed"))
        return sorted(self.people)


def index_of(db: Database, q: RosterQuery, person_id: int, catalogs: Catalogs | None = None) -> int | None:
    """Position of a person in the current order (to keep the cursor on them after a change)."""
    for i, pid in enumerate(ids(db, q, catalogs)):
        if pid == person_id:
            return i
    return None


def departments(db: Database, ctx: Context) -> list[str]:
    assessment_id = ctx.assessment.id
    with db.read() as s:
        return [d for d in s.execute(
            select(PT.c.department).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
            .where(RE.c.assessment_id == assessment_id, PT.c.department.is_not(None))
            .group_by(PT.c.department).order_by(PT.c.department)).scalars()]


def people_by_code(db: Database, ctx: Context, codes: list[str]) -> dict[str, int]:
    assessment_id = ctx.assessment.id
    out: dict[str, int] = {}
    with db.read() as s:
        for chunk in chunks(codes):
            out.update(s.execute(select(PT.c.code, PT.c.id).select_from(RE.join(PT, PT.c.id == RE.c.person_id))
                                 .where(RE.c.assessment_id == assessment_id, PT.c.code.in_(chunk))).all())
    return out


def parse_where(catalogs: Catalogs, q: RosterQuery, conditions: list[str]) -> RosterQuery:
    """``FIELD=VALUE`` conditions (person columns or facts; a blank value means "no value";
    ``FIELD!=VALUE`` negates) added to a query."""
    facts = list(q.facts)
    fields = list(q.fields)
    for cond, parsed in zip(conditions, parse_assignments(conditions, negatable=True)):
        name, raw, negate = field_name(catalogs, parsed.name), parsed.value, parsed.negated
        if name in PERSON_FIELDS:
            if negate:
                raise InputError(tr("err.bad_assignment", text=cond))
            fields.append((name, parse_person_field(name, raw) if raw.strip() or not PERSON_FIELDS[name].required else raw))
            continue
        fact = catalogs.facts.get(name)
        if fact is None:
            raise InputError(tr("err.unknown_field", name=name))
        value = parse_bool(name, raw) if fact.computed else parse_fact(catalogs, name, raw)
        if negate:
            facts.append(FactFilter(name, "ne", value) if value is not None else FactFilter(name, "present"))
        else:
            facts.append(FactFilter(name, "eq", value))
    return q.with_(facts=tuple(facts), fields=tuple(fields))


def value_choices(catalogs: Catalogs, name: str) -> list[str | None]:
    """The stored values a fact (or ``kind``) can take, then None for "no value": the
    choices a picker offers. Integer facts list their range when it is short."""
    if name == "kind":  # every person has one
        return [c for c, _ in PERSON_FIELDS["kind"].choices]
    fact = catalogs.facts[name]
    if fact.type == "bool":
        values = ["1", "0"]
    elif fact.type == "scale":
        values = catalogs.scale_ids(fact.scale)
    elif fact.min is not None and fact.max is not None and fact.max - fact.min <= 20:
        values = [str(v) for v in range(fact.min, fact.max + 1)]
    else:
        values = []
    return [*values, None]


def with_filter(q: RosterQuery, name: str, value: str | None) -> RosterQuery:
    """``q`` with the filter on ``name`` (kind, department or a fact) replaced by ``= value``."""
    if name == "kind":
        return q.with_(kind=value)
    if name == "department":
        fields = tuple(f for f in q.fields if f[0] != "department")
        if value is None:
            return q.with_(department=None, fields=(*fields, ("department", None)))
        return q.with_(department=value, fields=fields)
    facts = tuple(f for f in q.facts if f.name != name)
    return q.with_(facts=(*facts, FactFilter(name, "eq", value)))


def count_changing(db: Database, ctx: Context, person_ids, changes: dict[str, str | None]) -> int:
    """How many of these people would really change if ``changes`` (fact -> stored value or
    None) were applied: a COUNT of those whose current value differs for any fact."""
    if not changes:
        return 0
    assessment_id = ctx.assessment.id
    differs = []
    for name, value in changes.items():
        if value is None:
            differs.append(_fact_exists(assessment_id, name))
        else:
            differs.append(not_(_fact_exists(assessment_id, name, PF.c.value == value)))
    total = 0
    with db.read() as s:
        for chunk in chunks(sorted(person_ids), 900):
            total += s.execute(select(func.count()).select_from(PT).where(PT.c.id.in_(chunk), or_(*differs))).scalar() or 0
    return total


def window(db: Database, q: RosterQuery, offset: int, limit: int, total: int,
           catalogs: Catalogs | None = None) -> list[RosterRow]:
    """Like ``page``, but a window in the second half is read from the other end (the reverse
    order with a small offset), so jumping to the end costs what the start does."""
    if offset + limit <= total // 2 or offset >= total:
        return page(db, q, offset, limit, catalogs, matches=total)
    end = min(total, offset + limit)
    rows = page(db, q.with_(descending=not q.descending), total - end, end - offset, catalogs, matches=total)
    rows.reverse()
    return rows


@dataclass(frozen=True)
class Opening:
    """What the roster screen shows on (re)loading a query: how many it matches, how many are on
    the roster, and the rows of the page ``page_no``."""

    count: int
    total: int
    page_no: int
    rows: list[RosterRow]


def opening(db: Database, q: RosterQuery, page_no: int = 0, catalogs: Catalogs | None = None,
            total: int | None = None) -> Opening:
    """Count, the roster's total (unless known) and the page ``page_no`` (the last one if the
    query now matches fewer)."""
    n = count(db, q, catalogs)
    if total is None:
        unfiltered = q.with_(sort="name", descending=False) == RosterQuery(q.assessment_id)
        total = n if unfiltered else count(db, RosterQuery(q.assessment_id))
    page_no = min(page_no, max(0, n - 1) // PAGE)
    return Opening(n, total, page_no, window(db, q, page_no * PAGE, PAGE, n, catalogs))


def person(db: Database, ctx: Context, person_id: int) -> RosterRow | None:
    """One person of the roster with this year's facts (None when not on the roster)."""
    rows = page(db, RosterQuery(ctx.assessment.id, fields=(("id", person_id),)), 0, 1)
    return rows[0] if rows else None
