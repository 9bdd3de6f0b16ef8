"""A roster import's write, staged so that it holds the writers' lock briefly.

Outside the lock: read what the file's people hold now (a snapshot) and decide every change.
Under the lock: re-read the versions of those people and their roster entries; anyone whose
version moved (another user's edit, an undo, a removal, a new person with one of the codes)
is decided again from what is there now. Then only the decided rows are written, set-based,
the fact, roster and audit rows as tuples in chunks (``_Spool``; COPY on PostgreSQL), so the
write never holds them all.

The file goes through all of this ``CHUNK_ROWS`` rows at a time, its parsed rows and their
decisions kept on disk between the steps (``Staging``): an import's memory is the same for a
thousand people as for a million.

This rests on the versions: every write of a person bumps ``person.version``, and every
fact change bumps the roster entry's ``version`` (``facts.write_fact_values``)."""

from __future__ import annotations

import contextlib
import gc
import json
import pickle
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session

from hoctap.models import files
from hoctap.models.catalog import Catalogs
from hoctap.models.errors import HoctapError
from hoctap.models.facts import lc_title
from hoctap.models.fields import PERSON_FIELDS
from hoctap.models.people import as_text, search_columns, sort_key
from hoctap.models.audit import AUDIT_CHUNK, AUDIT_KEYS
from hoctap.models.i18n import tr
from hoctap.models.sql import AC, PF, PT, RE, in_all, insert_tuples
from hoctap.models.text import search_key

PERSON_COLUMNS = list(PERSON_FIELDS)
_as_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds an encoder per call given options
CHUNK_ROWS = 10_000  # rows of the file decided and written together
Rows = list[tuple[dict, dict]]


@dataclass
class State:
    """What the database holds for the file's codes."""
    people: dict[str, dict] = field(default_factory=dict)  # code -> person row
    roster: dict[int, int] = field(default_factory=dict)  # person id -> roster entry version
    facts: dict[int, dict[str, str]] = field(default_factory=dict)  # person id -> this year's facts


@dataclass(slots=True)  # one per row of the file: no __dict__ each
class Decision:
    """One row of the file against one person's state."""
    pid: int | None  # None: a new person
    version: int | None  # the person's version it was decided on
    roster_version: int | None  # None: not on this assessment's roster yet
    diff: dict  # person columns to set (with the search columns when the name changes)
    facts: list[tuple[str, str | None, str | None, bool]]  # (name, old, new, stored before)
    counted: int  # fact changes that count as the file's (not the recomputed title)
    values: dict | None = None  # a new person's row
    old: dict = field(default_factory=dict)  # the person columns' values before ``diff``
    audit: str | None = None  # a new person's audit record, made before taking the lock

    def __reduce__(self):  # pickled as a tuple (``Staging``): the generated per-field state is slower
        return Decision, (self.pid, self.version, self.roster_version, self.diff, self.facts, self.counted,
                          self.values, self.old, self.audit)


def _people(s: Session, unit_id: int, codes: list[str], columns) -> dict[str, dict]:
    q = select(*columns).where(PT.c.unit_id == unit_id, in_all(s, PT.c.code, codes))
    return {r["code"]: dict(r) for r in s.execute(q).mappings()} if codes else {}


def _ids(s: Session, unit_id: int, codes: list[str]) -> dict[str, int]:
    return dict(s.execute(select(PT.c.code, PT.c.id).where(PT.c.unit_id == unit_id, in_all(s, PT.c.code, codes))).all())


def _roster(s: Session, assessment_id: int | None, pids: list[int]) -> dict[int, int]:
    if assessment_id is None or not pids:
        return {}
    q = select(RE.c.person_id, RE.c.version).where(RE.c.assessment_id == assessment_id, in_all(s, RE.c.person_id, pids))
    return dict(s.execute(q).all())


def read_state(s: Session, unit_id: int, assessment_id: int | None, codes: list[str]) -> State:
    people = _people(s, unit_id, codes, [PT])
    roster = _roster(s, assessment_id, [p["id"] for p in people.values()])
    facts: dict[int, dict[str, str]] = {pid: {} for pid in roster}
    if roster:
        q = select(PF.c.person_id, PF.c.name, PF.c.value).where(PF.c.assessment_id == assessment_id,
                                                                in_all(s, PF.c.person_id, list(roster)))
        for pid, name, value in s.execute(q):
            facts[pid][name] = value
    return State(people, roster, facts)


def decide(catalogs: Catalogs, state: State, rows: Rows, lc_changes: bool, names: dict | None = None) -> list[Decision]:
    """What each row changes, given ``state``. ``names`` caches the name keys (names repeat)."""
    names = {} if names is None else names
    added: dict[tuple, tuple] = {}  # (name, value) -> a new person's change: shared, values repeat
    lc = catalogs.citizen
    score_facts = lc.score_facts
    out = []
    for fields, facts in rows:
        cur = state.people.get(fields["code"])
        if cur is None:
            values = {k: fields.get(k) for k in PERSON_COLUMNS}
            values["kind"] = values["kind"] or "staff"
            full_name = values["full_name"]
            if full_name not in names:
                names[full_name] = (search_key(full_name), sort_key(full_name))
            name_key, sort = names[full_name]
            # the same as people.search_columns: folding works word by word
            values.update(search=f"{search_key(values['code'])} {name_key}", sort_key=sort)
            given = {n: v for n, v in facts.items() if v is not None}
            changes = [added.get(nv) or added.setdefault(nv, (nv[0], None, nv[1], False)) for nv in given.items()]
            if given and lc_changes and (title := lc_title(catalogs, given, score_facts)) is not None:
                nv = (lc.result_fact, title)
                changes.append(added.get(nv) or added.setdefault(nv, (nv[0], None, nv[1], False)))
            out.append(Decision(None, None, None, {}, changes, len(given), values,
                                audit=_as_json({k: values[k] for k in PERSON_COLUMNS})))
            continue
        pid = cur["id"]
        diff = {k: v for k, v in fields.items() if k in PERSON_COLUMNS and cur.get(k) != v}
        if "full_name" in diff:
            diff.update(search_columns(cur["code"], diff["full_name"]))
        stored = state.facts.get(pid, {})
        changes = [(n, stored.get(n), v, n in stored) for n, v in facts.items() if stored.get(n) != v]
        counted = len(changes)
        if changes and lc_changes:
            merged = {**stored, **{n: v for n, _o, v, _s in changes}}
            merged = {n: v for n, v in merged.items() if v is not None}
            title = lc_title(catalogs, merged)
            if title != stored.get(lc.result_fact):
                changes.append((lc.result_fact, stored.get(lc.result_fact), title, lc.result_fact in stored))
        out.append(Decision(pid, cur["version"], state.roster.get(pid), diff, changes, counted,
                            old={k: cur.get(k) for k in diff}))
    return out


def recheck(s: Session, catalogs: Catalogs, unit_id: int, assessment_id: int, chunk: "Decided",
            lc_changes: bool) -> list[Decision]:
    """Under the lock: decide again the rows whose people changed since the chunk was decided."""
    codes, state, decisions = chunk.codes, chunk.state, chunk.decisions
    now = _people(s, unit_id, codes, [PT.c.code, PT.c.id, PT.c.version])
    roster = _roster(s, assessment_id, [p["id"] for p in now.values()])
    moved = []
    for i, code in enumerate(codes):
        was, cur = state.people.get(code), now.get(code)
        if (was and (was["id"], was["version"])) != (cur and (cur["id"], cur["version"])) \
                or (cur is not None and state.roster.get(cur["id"]) != roster.get(cur["id"])):
            moved.append(i)
    if not moved:
        return decisions
    fresh = read_state(s, unit_id, assessment_id, [codes[i] for i in moved])
    rows = chunk.rows()
    again = decide(catalogs, fresh, [rows[i] for i in moved], lc_changes)
    decisions = list(decisions)
    for i, d in zip(moved, again):
        decisions[i] = d
    return decisions


def changes_of(decisions: list[Decision]) -> tuple[dict[str, Counter], dict[str, Counter], dict]:
    """What a dry run shows: per field or fact the (old, new) pairs the file changes, those of
    the computed title apart, and the counts. One definition of a change: each pair counted
    here is one value written, so ``fields`` and ``facts`` are the sums of the file's lines."""
    changes: dict[str, Counter] = {}
    computed: dict[str, Counter] = {}
    stats = {"added": 0, "updated": 0, "enrolled": 0, "fields": 0, "facts": 0}
    facts: Counter = Counter()  # (whether the file's, name, old, new): one count per pair, split after
    for d in decisions:
        if d.pid is None:
            stats["added"] += 1
        elif d.diff:
            stats["updated"] += 1
            for k in d.diff:
                if k in PERSON_COLUMNS:
                    changes.setdefault(k, Counter())[(as_text(d.old[k]), as_text(d.diff[k]))] += 1
                    stats["fields"] += 1
        if d.roster_version is None:
            stats["enrolled"] += 1
        stats["facts"] += d.counted
        for i, (name, old, new, _stored) in enumerate(d.facts):
            facts[i < d.counted, name, old, new] += 1
    for (own, name, old, new), n in facts.items():
        (changes if own else computed).setdefault(name, Counter())[(old, new)] += n
    return changes, computed, stats


class Tally:
    """``changes_of`` summed over an import's chunks."""

    def __init__(self):
        self.changes: dict[str, Counter] = {}
        self.computed: dict[str, Counter] = {}
        self.stats: Counter = Counter()

    def add(self, decisions: list[Decision]) -> None:
        changes, computed, stats = changes_of(decisions)
        for mine, theirs in ((self.changes, changes), (self.computed, computed)):
            for name, pairs in theirs.items():
                mine.setdefault(name, Counter()).update(pairs)
        self.stats.update(stats)


class _Spool:
    """Rows of one table written every ``size`` rows: an import never holds all its fact or
    audit rows (a million at 100,000 people) at once."""

    def __init__(self, s: Session, table, keys: tuple[str, ...], size: int = AUDIT_CHUNK):
        self.s, self.table, self.keys, self.size, self.rows = s, table, keys, size, []

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        insert_tuples(self.s, self.table, self.keys, self.rows)
        self.rows = []


def changes_anything(decisions: list[Decision]) -> bool:
    """Whether ``apply`` would write anything (and so an audit batch is needed)."""
    return any(d.pid is None or d.diff or d.facts or d.roster_version is None for d in decisions)


def apply(s: Session, assessment_id: int, unit_id: int, decisions: list[Decision], batch_id: int) -> dict:
    """Write the decisions and their audit rows (in batch ``batch_id``); returns the counts
    (as ``people.upsert_people``)."""
    audit = _Spool(s, AC, AUDIT_KEYS)
    stats = {"added": 0, "updated": 0, "enrolled": 0, "fields": 0, "facts": 0}
    new = [d for d in decisions if d.pid is None]
    if new:
        keys = ("unit_id", "version", *PERSON_COLUMNS, "search", "sort_key")
        people = _Spool(s, PT, keys)
        for d in new:
            people.add((unit_id, 1, *(d.values[k] for k in keys[2:])))
        people.flush()
        ids = _ids(s, unit_id, [d.values["code"] for d in new])
        for d in new:
            d.pid = ids[d.values["code"]]
            audit.add((batch_id, "person", d.pid, "*", None, d.audit))
        stats["added"] = len(new)
    by_keys: dict[tuple, list[dict]] = {}
    for d in decisions:
        if d.pid is not None and d.diff and d.values is None:
            by_keys.setdefault(tuple(sorted(d.diff)), []).append({"b_id": d.pid, **{f"b_{k}": v for k, v in d.diff.items()}})
            for k, v in d.diff.items():
                if k in PERSON_COLUMNS:
                    audit.add((batch_id, "person", d.pid, k, as_text(d.old[k]), as_text(v)))
                    stats["fields"] += 1
    for keys, params in by_keys.items():
        s.execute(update(PT).where(PT.c.id == bindparam("b_id"))
                  .values({**{k: bindparam(f"b_{k}") for k in keys}, "version": PT.c.version + 1}), params)
        stats["updated"] += len(params)
    del by_keys
    enrol = {}
    bumps: dict[int, list[int]] = {}
    for d in decisions:
        if d.roster_version is None:
            enrol.setdefault(d.pid, 1 + len(d.facts))  # a version counts fact changes, as if one by one
        elif d.facts:
            bumps.setdefault(len(d.facts), []).append(d.pid)
    roster = _Spool(s, RE, ("assessment_id", "person_id", "version"))
    for pid, v in enrol.items():
        roster.add((assessment_id, pid, v))
        audit.add((batch_id, "roster", pid, "*", None, "{}"))
    roster.flush()
    stats["enrolled"] = len(enrol)
    for k, pids in bumps.items():
        s.execute(update(RE).where(RE.c.assessment_id == assessment_id, RE.c.person_id == bindparam("b_pid"))
                  .values(version=RE.c.version + k), [{"b_pid": p} for p in pids])
    updates, deletes = [], []
    inserts = _Spool(s, PF, ("assessment_id", "person_id", "name", "value"))
    for d in decisions:
        for name, old, value, stored in d.facts:
            if value is None:
                deletes.append({"b_pid": d.pid, "b_name": name})
            elif stored:
                updates.append({"b_pid": d.pid, "b_name": name, "b_value": value})
            else:
                inserts.add((assessment_id, d.pid, name, value))
            audit.add((batch_id, "fact", d.pid, name, old, value))
        stats["facts"] += d.counted
    inserts.flush()
    where = (PF.c.assessment_id == assessment_id, PF.c.person_id == bindparam("b_pid"), PF.c.name == bindparam("b_name"))
    if deletes:
        s.execute(delete(PF).where(*where), deletes)
    if updates:
        s.execute(update(PF).where(*where).values(value=bindparam("b_value")), updates)
    audit.flush()
    return stats


_SQLITE_REASONS = {sqlite3.SQLITE_FULL: "ENOSPC", sqlite3.SQLITE_IOERR: "EIO", sqlite3.SQLITE_READONLY: "EROFS",
                   sqlite3.SQLITE_CANTOPEN: "EACCES", sqlite3.SQLITE_PERM: "EACCES"}
_bulk = {"running": 0, "threshold": None}
_bulk_lock = threading.Lock()


@contextlib.contextmanager
def fewer_collections(first: int = 20_000) -> Iterator[None]:
    """Python's cycle collector run less often while an import makes and drops rows by the
    hundred thousand (rows hold no cycles): at the default threshold its full passes over the
    heap cost a fifth of an import. The threshold comes back when the last import ends."""
    with _bulk_lock:
        if not _bulk["running"]:
            _bulk["threshold"] = gc.get_threshold()
            if _bulk["threshold"][0]:  # 0: the process turned automatic collection off; so it stays
                gc.set_threshold(max(first, _bulk["threshold"][0]), *_bulk["threshold"][1:])
        _bulk["running"] += 1
    try:
        yield
    finally:
        with _bulk_lock:
            _bulk["running"] -= 1
            if not _bulk["running"]:
                gc.set_threshold(*_bulk["threshold"])


class Staging:
    """An import's scratch store: the file's parsed rows in chunks, its codes (to find one
    repeated anywhere in the file) and each chunk's decisions, in an SQLite file in a private
    scratch folder, removed when the import ends. Nothing in it needs to survive a crash, so
    it is written without a journal or syncing."""

    def __init__(self):
        self.rows = 0
        self.chunk_count = 0
        self.fact_names: set[str] = set()
        self.where: Path | None = None  # the scratch folder, once made
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "Staging":
        try:
            with self._failing():
                self.where = self._stack.enter_context(files.scratch(files.cache_scratch_base()))
                self.path = self.where / "import.sqlite"
                self._db = sqlite3.connect(self.path, isolation_level=None)
                self._stack.callback(self._db.close)
                # temp_store: a sort never spills to a shared temporary folder
                self._db.executescript("""
                    PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;
                    CREATE TABLE code (code TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE repeat (line INTEGER NOT NULL, code TEXT NOT NULL, first INTEGER NOT NULL);
                    CREATE TABLE chunk (n INTEGER PRIMARY KEY, data BLOB NOT NULL, decided BLOB);
                    BEGIN;""")
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    @contextlib.contextmanager
    def _failing(self) -> Iterator[None]:
        """Whatever stops the scratch file (a full or failing disk, a cache folder that cannot
        be made) said in the user's words, naming the folder."""
        try:
            yield
        except sqlite3.Error as e:
            key = _SQLITE_REASONS.get(getattr(e, "sqlite_errorcode", 0) & 0xFF, "EIO")
            self._fail(f"{tr(f'files.reason.{key}')} ({e})")
        except OSError as e:
            self._fail(files.os_reason(e), e.filename)

    def _fail(self, reason: str, filename=None):
        where = self.where or filename or files.cache_scratch_folder()
        raise HoctapError(tr("importer.scratch_failed", path=where, reason=reason)) from None

    def add(self, chunk: list[tuple[int, dict, dict]]) -> None:
        """One chunk of (line, person fields, facts)."""
        with self._failing():
            self._db.execute("INSERT INTO chunk (data) VALUES (?)",
                             (pickle.dumps([(f, facts) for _line, f, facts in chunk], pickle.HIGHEST_PROTOCOL),))
        self.rows += len(chunk)
        self.chunk_count += 1

    def add_codes(self, codes: list[tuple[int, str]]) -> None:
        """The codes of the file's next lines (line, code), in the file's order: each one already
        seen is kept as a repeat."""
        first: dict[str, int] = {}
        repeats = []
        for line, code in codes:
            if code in first:
                repeats.append((line, code, first[code]))
            else:
                first[code] = line
        with self._failing():
            earlier = dict(self._db.execute("SELECT code, line FROM code WHERE code IN (SELECT value FROM json_each(?))",
                                            (json.dumps(list(first), ensure_ascii=False),)))
            repeats += [(line, code, earlier[code]) for code, line in first.items() if code in earlier]
            self._db.executemany("INSERT INTO code (code, line) VALUES (?, ?)",
                                 [(code, line) for code, line in first.items() if code not in earlier])
            self._db.executemany("INSERT INTO repeat (line, code, first) VALUES (?, ?, ?)", sorted(repeats))

    def repeats(self) -> Iterator[tuple[int, str, int]]:
        """(line, code, the line it first came on) of each code on a line after its first, by line."""
        with self._failing():
            yield from self._db.execute("SELECT line, code, first FROM repeat ORDER BY rowid")  # added by line

    def chunks(self) -> Iterator[tuple[int, Rows]]:
        """(number, rows) of each chunk, in the file's order."""
        with self._failing():
            for n, data in self._each("SELECT n, data FROM chunk WHERE n > ? ORDER BY n LIMIT 1"):
                yield n, pickle.loads(data)

    def _each(self, query: str) -> Iterator[tuple]:
        """The rows of ``query`` one by one, each a query of its own: a chunk may be written
        (``decided``) while the chunks are read."""
        last = 0
        while (row := self._db.execute(query, (last,)).fetchone()) is not None:
            last = row[0]
            yield row

    def decided(self, n: int, rows: Rows, state: State, decisions: list[Decision]) -> None:
        """Keep chunk ``n``'s decisions and what they were decided on (the versions only)."""
        kept = State({code: {"id": p["id"], "version": p["version"]} for code, p in state.people.items()}, state.roster)
        codes = [fields["code"] for fields, _facts in rows]
        with self._failing():
            self._db.execute("UPDATE chunk SET decided = ? WHERE n = ?",
                             (pickle.dumps((codes, kept, decisions), pickle.HIGHEST_PROTOCOL), n))

    def decisions(self) -> Iterator["Decided"]:
        """Each chunk's decisions, in the file's order."""
        with self._failing():
            for n, decided in self._each("SELECT n, decided FROM chunk WHERE n > ? ORDER BY n LIMIT 1"):
                yield Decided(self, n, *pickle.loads(decided))

    def rows_of(self, n: int) -> Rows:
        with self._failing():
            return pickle.loads(self._db.execute("SELECT data FROM chunk WHERE n = ?", (n,)).fetchone()[0])


@dataclass
class Decided:
    """One chunk's decisions, the codes of its rows (in order) and the state they were decided on;
    its rows are read again only when someone of them must be decided again."""
    stage: Staging
    n: int
    codes: list[str]
    state: State
    decisions: list[Decision]

    def rows(self) -> Rows:
        return self.stage.rows_of(self.n)
