"""The roster search's index on SQLite: an FTS5 trigram table (migration 0006) filled after
the writes that add people, in short transactions of its own (``catch_up``), so that a large
import holds the writers' lock no longer than without it. (PostgreSQL's pg_trgm index on
``person.search`` serves the LIKE itself and needs nothing here.)

A search is exact under every interleaving: the index only proposes people, the caller's
``LIKE '%word%'`` decides, and besides those it proposes, everyone the index may not know
yet is tested — ids above the watermark (added since) and people marked dirty (renamed, or
inserted below the watermark, marked by triggers that fire only for them)."""

from __future__ import annotations

from sqlalchemy import column, or_, select, table, text, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import roles
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from sqlmodel import Session

from hoctap.models.db import Database
from hoctap.models.sql import PT

BATCH = 2000  # people indexed per transaction: ~0.15 s of the writers' lock each
MIN_WORD = 3  # a trigram index finds words of three letters or more; shorter ones scan
COMMON = 10_000  # below this many matches the index always helps

STATE = table("person_search_state", column("watermark"))
DIRTY = table("person_search_dirty", column("person_id"))
FTS = table("person_search", column("rowid"))


class _sqlite_only(roles.WhereHavingRole, ClauseElement):
    """A condition that holds by construction and only narrows the search on SQLite (elsewhere:
    true). Not a boolean column, which SQLite would get as ``(...) = 1``: an IN the planner
    cannot drive the query from."""

    inherit_cache = True
    _traverse_internals = [("clause", InternalTraversal.dp_clauseelement)]

    def __init__(self, clause):
        self.clause = clause


@compiles(_sqlite_only)
def _true(element, compiler, **kw):
    return "1 = 1"


@compiles(_sqlite_only, "sqlite")
def _narrow(element, compiler, **kw):
    return compiler.process(element.clause, **kw)


def helps(s: Session, words: list[str]) -> bool:
    """Whether the index narrows these words enough to beat a scan on SQLite: not when they
    match a fifth of the people or more ("lqd", in every code: 1.1 s through the index, 0.6 s
    scanned at 1M). Counting the index's matches up to that cap costs a few ms."""
    indexed = [w for w in words if len(w) >= MIN_WORD]
    if not indexed or s.get_bind().dialect.name != "sqlite":
        return bool(indexed)
    cap = max(COMMON, (s.execute(select(STATE.c.watermark)).scalar() or 0) // 5)
    found = s.execute(text("SELECT count(*) FROM (SELECT 1 FROM person_search WHERE person_search MATCH :words "
                           "LIMIT :cap)"), {"words": _match(indexed), "cap": cap}).scalar()
    return found < cap


def _match(words: list[str]) -> str:
    """Each word one quoted FTS5 string: its trigrams in sequence, i.e. the substring."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def candidates(words: list[str]) -> list:
    """Clauses narrowing ``person`` to the people the index may match for these words (each
    already a ``search_key`` word); none when no word is long enough to use it."""
    indexed = [w for w in words if len(w) >= MIN_WORD]
    if not indexed:
        return []
    proposed = union_all(select(FTS.c.rowid).where(text("person_search MATCH :words").bindparams(words=_match(indexed))),
                         select(PT.c.id).where(PT.c.id > select(STATE.c.watermark).scalar_subquery()),
                         select(DIRTY.c.person_id))
    return [_sqlite_only(PT.c.id.in_(proposed))]


def matching(words: list[str]):
    """The ids of everyone whose ``person.search`` holds every word (each a ``search_key``
    word of three letters or more), for a COUNT that need not read ``person``: the index is
    exact for the people it knows (a quoted trigram string is the substring), the LIKE
    decides for the others. None when a word is too short."""
    if not words or any(len(w) < MIN_WORD for w in words):
        return None
    mark = select(STATE.c.watermark).scalar_subquery()
    dirty = select(DIRTY.c.person_id)
    known = select(FTS.c.rowid).where(text("person_search MATCH :words").bindparams(words=_match(words)),
                                      FTS.c.rowid <= mark, FTS.c.rowid.not_in(dirty))
    others = select(PT.c.id).where(or_(PT.c.id > mark, PT.c.id.in_(dirty)),
                                   *[PT.c.search.contains(w, autoescape=True) for w in words])
    return union_all(known, others)


def after_commit(db: Database) -> None:
    """``catch_up`` once a write that added many people has committed. The index only speeds the
    search up (people it does not know yet are found by scan), so a failure or a Ctrl+C here
    must not turn a stored import into a reported failure: the next call goes on from the mark."""
    from hoctap.models.errors import DatabaseError

    try:
        catch_up(db)
    except (DatabaseError, KeyboardInterrupt):
        pass


def catch_up(db: Database) -> int:
    """Index the people added or renamed since the last call, ``BATCH`` per short
    write transaction (writers queued meanwhile get in between); returns how many. Called
    after a write that adds many people has committed; until then they are found by scan."""
    if not db.is_sqlite:
        return 0
    done = 0
    while True:
        with db.write() as s:
            mark = s.execute(select(STATE.c.watermark)).scalar()
            dirty = list(s.execute(select(DIRTY.c.person_id).limit(BATCH)).scalars())
            if dirty:
                ids = ",".join(str(int(i)) for i in dirty)
                s.execute(text(f"DELETE FROM person_search WHERE rowid IN ({ids})"))
                s.execute(text(f"INSERT INTO person_search(rowid, search) SELECT id, search FROM person "
                               f"WHERE id IN ({ids}) AND id <= :mark"), {"mark": mark})
                s.execute(text(f"DELETE FROM person_search_dirty WHERE person_id IN ({ids})"))
                done += len(dirty)
                continue
            last = s.execute(text("SELECT max(id) FROM (SELECT id FROM person WHERE id > :mark ORDER BY id LIMIT :n)"),
                             {"mark": mark, "n": BATCH}).scalar()
            if last is None:
                return done
            n = s.execute(text("INSERT INTO person_search(rowid, search) SELECT id, search FROM person "
                               "WHERE id > :mark AND id <= :last"), {"mark": mark, "last": last}).rowcount
            s.execute(STATE.update().values(watermark=last))
            done += n
