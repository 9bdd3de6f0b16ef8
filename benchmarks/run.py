"""hoctap at 100,000 people, measured side by side with the floors it cannot beat.

    python -m benchmarks.run [--size N] [--runs K] [--json PATH] [--only ID ...] [--db postgresql+psycopg://…]

Generates its own roster (sample_data.generator), loads it into a fresh SQLite database in a
temporary directory (or a fresh schema on the PostgreSQL server of ``--db``) and times every
operation and its baselines in the same run, on the same machine. Prints a table (median of K
runs, target, ratio to each baseline) and writes JSON after every row. A row or a baseline that
fails or times out is recorded as such and the suite goes on. Benchmarks print numbers; nothing
here asserts a time.

Each benchmark is a function registered in ``BENCHMARKS`` with the modules it needs: one whose
code is not on this branch yet (the TUI roster, the xlsx report) is listed as skipped, with
the reason, until those modules exist.
"""

from __future__ import annotations

import argparse
import csv
import functools
import importlib.util
import json
import os
import platform
import resource
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
UNIT, YEAR = "BENCH", 2024
TYPES = ["public_service", "general_education"]


# ---- results -------------------------------------------------------------------------------------

@dataclass
class Result:
    id: str
    title: str
    target_s: float | None
    runs: list[float] = field(default_factory=list)
    baselines: dict[str, list[float]] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    skipped: str = ""
    failed: str = ""  # the operation itself failed or timed out: why (the suite went on)
    failed_baselines: dict[str, str] = field(default_factory=dict)  # baseline -> why it failed

    def measure(self, name: str, runs: Callable[[], list[float]]) -> None:
        """One baseline's samples; a baseline that fails or times out is recorded as such, so
        the operation's row and the rest of the suite still stand."""
        try:
            self.baselines[name] = runs()
        except Exception as e:  # any failure of a floor: a row that says so, not a dead suite
            self.failed_baselines[name] = _why(e)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    def baseline_medians(self) -> dict[str, float]:
        return {k: statistics.median(v) for k, v in self.baselines.items() if v}

    def as_json(self) -> dict:
        d = asdict(self)
        d["median_s"] = self.median
        d["min_s"] = min(self.runs) if self.runs else None
        d["cpu_median_s"] = cpu_median(self.runs)
        d["baseline_cpu_median_s"] = {k: cpu_median(v) for k, v in self.baselines.items()}
        d["baseline_median_s"] = self.baseline_medians()
        d["met"] = None if self.median is None or self.target_s is None else self.median <= self.target_s
        d["runs_cpu_s"] = [getattr(x, "cpu", None) for x in self.runs]  # the first run: a cold page cache
        return d


class Sample(float):
    """Wall-clock seconds, carrying the CPU seconds spent meanwhile (``cpu``): on a shared
    machine the CPU time shows what another process's load added to the wall time."""

    cpu: float | None = None


def _why(e: BaseException) -> str:
    first = str(e).strip().splitlines()
    return f"{type(e).__name__}: {first[0]}" if first else type(e).__name__


def sample(wall: float, cpu: float | None) -> Sample:
    out = Sample(wall)
    out.cpu = cpu
    return out


def cpu_now() -> float:
    """CPU seconds of this process and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def cpu_median(samples: list) -> float | None:
    cpus = [x.cpu for x in samples if getattr(x, "cpu", None) is not None]
    return statistics.median(cpus) if cpus else None


def timed(fn: Callable[[], object]) -> Sample:
    t, c = time.perf_counter(), cpu_now()
    fn()
    return sample(time.perf_counter() - t, cpu_now() - c)


def repeat(fn: Callable[[], object], runs: int) -> list[float]:
    return [timed(fn) for _ in range(runs)]


def hoctap_cli() -> list[str]:
    """The command line that runs hoctap's CLI in this environment."""
    script = Path(PY).parent / "hoctap"
    return [str(script)] if shutil.which("hoctap", path=str(script.parent)) else [PY, "-m", "hoctap.tui.cli"]


# runs the CLI and says, as it exits, its peak RSS (VmHWM: that of the program since its exec;
# a child's ru_maxrss would count the benchmark's own pages, shared with it until the exec)
_PEAK_CLI = ("import atexit, sys\n"
             "def hwm():\n"
             "    kb = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
             "    print('VmHWM', kb, file=sys.stderr)\n"
             "atexit.register(hwm)\n"
             "from hoctap.tui.cli import main\n"
             "sys.exit(main(sys.argv[1:]))\n")


def cli_peak(args: list[str], env: dict | None = None) -> tuple[Sample, float]:
    """Wall time of ``hoctap ARGS`` as a whole process and its peak RSS in MB."""
    t, c = time.perf_counter(), cpu_now()
    done = subprocess.run([PY, "-c", _PEAK_CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, env=env, check=False)
    run = sample(time.perf_counter() - t, cpu_now() - c)
    if done.returncode:
        raise RuntimeError(f"hoctap {shlex.join(args)} exited {done.returncode}: {done.stderr[-300:]}")
    return run, int(done.stderr.rsplit("VmHWM", 1)[1]) / 1024


def proc_time(argv: list[str], env: dict | None = None) -> Sample:
    """Wall time of a whole process (start to exit)."""
    return timed(lambda: subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env=env))


# ---- the workload ------------------------------------------------------------------------------

class Bare:
    """A driver connection (sqlite3, or psycopg on PostgreSQL) for the floors, with the pragmas
    or settings the application's own connections get; SQL is written with ``?`` marks."""

    def __init__(self, url: str):
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.con = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
        else:
            self.con = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self.con.execute("PRAGMA journal_mode = WAL")
            self.con.execute("PRAGMA synchronous = NORMAL")  # as models/db.py sets it

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.pg else sql

    def begin(self) -> None:
        """A write transaction taking the write lock up front, as the application's do."""
        if self.pg:
            from hoctap.models.db import PG_WRITE_LOCK

            self.execute(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
        else:
            self.con.execute("BEGIN IMMEDIATE")

    def execute(self, sql: str, params=()):
        return self.con.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows) -> None:
        if self.pg:
            with self.con.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
        else:
            self.con.executemany(sql, rows)

    def insert_id(self, sql: str, params) -> int:
        """An INSERT's new id (``RETURNING id``: both backends have it)."""
        return self.execute(sql + " RETURNING id", params).fetchone()[0]

    def commit(self) -> None:
        self.con.commit()

    def close(self) -> None:
        self.con.close()


@dataclass
class Fresh:
    """A fresh database of the workload's backend: an SQLite file or a PostgreSQL schema."""
    url: str
    drop: Callable[[], None]


class Workload:
    """The generated roster as CSV and XLSX files and a database holding it (SQLite files in the
    work directory, or schemas on the PostgreSQL server ``server``)."""

    def __init__(self, size: int, workdir: Path, server: str | None = None):
        from hoctap.sample_data.generator import people, write_csv

        self.size, self.dir, self.server = size, workdir, server
        self.rows = list(people(size, seed=6))
        self.csv = write_csv(workdir / "roster.csv", self.rows)
        self.xlsx = write_xlsx(workdir / "roster.xlsx", self.rows)
        self.env = {**os.environ, "HOCTAP_CONFIG": str(workdir / "config.toml"),
                    "XDG_DATA_HOME": str(workdir / "data"), "XDG_STATE_HOME": str(workdir / "state")}
        os.environ.update(self.env)  # in-process code must not touch the real user's files either
        from hoctap.models.catalog import load_catalogs

        self.catalogs = load_catalogs()
        self._n = 0
        self.cold = False  # --cold: the TUI cold start's first run after the page cache is dropped
        self.main, self.db = self.fresh_db()
        from hoctap.models.importer import import_roster

        import_roster(self.db, self.catalogs, UNIT, YEAR, self.csv)
        from hoctap.models.units import find_context

        self.ctx = find_context(self.db, UNIT, YEAR)

    @property
    def url(self) -> str:
        return self.main.url

    @property
    def backend(self) -> str:
        return "postgresql" if self.server else "sqlite"

    def fresh_db(self):
        """A new database (SQLite file or PostgreSQL schema) with the schema and the unit, no people."""
        from hoctap.models.db import open_database
        from hoctap.models.units import add_unit

        self._n += 1
        if self.server:
            from urllib.parse import quote

            from sqlalchemy import create_engine, text
            from sqlalchemy.pool import NullPool

            schema = f"bench_{os.getpid()}_{self._n}"
            admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))

            def drop() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()

            sep = "&" if "?" in self.server else "?"
            fresh = Fresh(f"{self.server}{sep}options={quote(f'-csearch_path={schema}')}", drop)
        else:
            path = self.dir / f"db{self._n}.sqlite"
            fresh = Fresh(f"sqlite:///{path}", lambda: [Path(f"{path}{x}").unlink(missing_ok=True)
                                                         for x in ("", "-wal", "-shm")])
        db = open_database(fresh.url)
        add_unit(db, self.catalogs, UNIT, "Benchmark unit", "district", TYPES)
        return fresh, db

    def bare(self, fresh: Fresh | None = None) -> Bare:
        return Bare((fresh or self.main).url)

    def staff_ids(self, n: int) -> list[int]:
        con = self.bare()
        try:
            return [r[0] for r in con.execute(
                "SELECT p.id FROM person p JOIN roster_entry r ON r.person_id = p.id "
                "WHERE r.assessment_id = ? ORDER BY p.kind DESC, p.id LIMIT ?", (self.ctx.assessment.id, n))]
        finally:
            con.close()


def write_xlsx(path: Path, rows: list[dict]) -> Path:
    import xlsxwriter

    from hoctap.sample_data.generator import FACT_COLUMNS, PERSON_COLUMNS

    columns = PERSON_COLUMNS + FACT_COLUMNS
    numeric = {"birth_year", *(f"lc_{i}" for i in range(1, 11))}
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_row(0, 0, columns)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(columns):
            v = row.get(name)
            if v is None:
                continue
            sheet.write_number(r, c, int(v)) if name in numeric else sheet.write_string(r, c, v)
    book.close()
    return path


# ---- core benchmarks -----------------------------------------------------------------------------

def bench_meters(w: Workload, runs: int) -> Result:
    """Every meter of the assessment, against one bare GROUP BY over person_fact."""
    from hoctap.models.meters import evaluate_context

    res = Result("meters", "recompute every meter (evaluate_context)", 0.100)
    evaluate_context(w.db, w.catalogs, w.ctx)  # warm the page cache and the engine
    res.runs = repeat(lambda: evaluate_context(w.db, w.catalogs, w.ctx), runs)
    sql, params = _group_by(w)
    con = w.bare()
    try:
        con.execute(sql, params).fetchall()
        res.measure("bare GROUP BY name, value", lambda: repeat(lambda: con.execute(sql, params).fetchall(), runs))
        sql_kind = sql.replace("FROM person_fact", "FROM person_fact JOIN person ON person.id = person_fact.person_id") \
            .replace("SELECT name", "SELECT person.kind, name").replace("GROUP BY name", "GROUP BY person.kind, name")
        res.measure("bare GROUP BY kind, name, value (join person)",
                    lambda: repeat(lambda: con.execute(sql_kind, params).fetchall(), runs))
    finally:
        con.close()
    return res


def _group_by(w: Workload) -> tuple[str, tuple]:
    """The floor of the meters: one GROUP BY over the facts the assessment's share entries count."""
    from hoctap.models.units import catalog_for

    catalog = catalog_for(w.catalogs, w.ctx.unit, w.ctx.assessment.level)
    facts = sorted({e.fact for e in catalog.entries() if e.kind == "share"})
    sql = (f"SELECT name, value, count(*) FROM person_fact WHERE assessment_id = ? AND name IN ({','.join('?' * len(facts))}) "
           "GROUP BY name, value")
    return sql, (w.ctx.assessment.id, *facts)


STATUS_FLOOR = "bare GROUP BY name, value, whole process"


def bench_status(w: Workload, runs: int) -> Result:
    """``hoctap status --json`` as a whole process, against the meters' bare GROUP BY as a whole
    process (target: ≤ 3× it) and bare interpreter imports."""
    res = Result("status", "`hoctap status --json` (whole process)", 1.0)
    argv = [*hoctap_cli(), "--db", w.url, "status", "--unit", UNIT, "--year", str(YEAR), "--json"]
    proc_time(argv, w.env)  # warm: the page cache, and the catalog cache the first run writes
    res.runs = [proc_time(argv, w.env) for _ in range(runs)]
    sql, params = _group_by(w)
    if w.server:  # the driver alone: what any program reading these counts must load
        conninfo = w.url.replace("postgresql+psycopg://", "postgresql://", 1)
        bare = f"import psycopg; print(psycopg.connect({conninfo!r}).execute({sql.replace('?', '%s')!r}, {params!r}).fetchall())"
    else:
        bare = f"import sqlite3; print(sqlite3.connect({w.url.removeprefix('sqlite:///')!r}).execute({sql!r}, {params!r}).fetchall())"
    res.measure(STATUS_FLOOR, lambda: [proc_time([PY, "-c", bare]) for _ in range(runs)])
    res.extra["target_ratio"] = {"to": STATUS_FLOOR, "ratio": 3.0}
    for code in ("import sqlmodel", "pass"):
        res.measure(f'python -c "{code}"', lambda: [proc_time([PY, "-c", code]) for _ in range(runs)])
    return res


def bench_set_facts(w: Workload, runs: int) -> Result:
    """Batch set one fact on 10,000 people, audit and undo included, against one bare UPDATE."""
    from hoctap.models.facts import set_facts
    from hoctap.models.undo import undo

    n = min(10_000, w.size)
    ids = w.staff_ids(n)
    aid = w.ctx.assessment.id
    res = Result("set_facts", f"batch set a fact on {n:,} people + undo", 1.0, extra={"people": n})

    def one() -> None:
        batch, _ = set_facts(w.db, w.catalogs, w.ctx, ids, {"digital_training": "0"}, source="bench")
        undo(w.db, w.catalogs, batch, source="bench")

    res.runs = repeat(one, runs)
    res.extra["set_only_s"] = []
    for _ in range(runs):  # the two halves, to see which one costs
        t = time.perf_counter()
        batch, _ = set_facts(w.db, w.catalogs, w.ctx, ids, {"digital_training": "0"}, source="bench")
        res.extra["set_only_s"].append(time.perf_counter() - t)
        undo(w.db, w.catalogs, batch, source="bench")
    con = w.bare()
    try:
        res.measure("bare set + undo: the same UPDATEs, audit rows and undo, committed",
                    lambda: repeat(lambda: _bare_set_undo(con, aid, ids, "digital_training", "0"), runs))
    finally:
        con.close()
    return res


def _bare_set_undo(con: Bare, aid: int, ids: list[int], name: str, new: str) -> None:
    """What ``set_facts`` then ``undo`` commit, in plain SQL: the old values read, the facts
    updated or inserted, the roster versions bumped, an audit batch with one change per person;
    then the changes read back, the old values restored, the undo's own batch and changes, and
    the first batch marked undone. Two transactions, as the operation's."""
    def bump(pids: list[int]) -> None:
        con.execute(f"UPDATE roster_entry SET version = version + 1 WHERE assessment_id = ? "
                    f"AND person_id IN ({','.join('?' * len(pids))})", (aid, *pids))

    def batch(action: str) -> int:
        return con.insert_id("INSERT INTO audit_batch (at, \"user\", source, action, assessment_id, summary) "
                             "VALUES (?, 'bench', 'bench', ?, ?, '')", (_now(), action, aid))

    con.begin()
    old = dict(con.execute("SELECT person_id, value FROM person_fact WHERE assessment_id = ? AND name = ?",
                           (aid, name)).fetchall())
    changed = [pid for pid in ids if old.get(pid) != new]
    existing = [pid for pid in changed if pid in old]
    missing = [pid for pid in changed if pid not in old]
    if existing:
        con.execute(f"UPDATE person_fact SET value = ? WHERE assessment_id = ? AND name = ? "
                    f"AND person_id IN ({','.join('?' * len(existing))})", (new, aid, name, *existing))
    con.executemany("INSERT INTO person_fact (assessment_id, person_id, name, value) VALUES (?, ?, ?, ?)",
                    [(aid, pid, name, new) for pid in missing])
    bump(changed)
    set_batch = batch("set")
    con.executemany("INSERT INTO audit_change (batch_id, entity, entity_id, field, old, new) VALUES (?, 'fact', ?, ?, ?, ?)",
                    [(set_batch, pid, name, old.get(pid), new) for pid in changed])
    con.commit()

    con.begin()
    rows = con.execute("SELECT entity_id, field, old, new FROM audit_change WHERE batch_id = ?", (set_batch,)).fetchall()
    restore: dict[str | None, list[int]] = {}
    for pid, _, was, _ in rows:
        restore.setdefault(was, []).append(pid)
    for was, pids in restore.items():
        marks = ",".join("?" * len(pids))
        if was is None:
            con.execute(f"DELETE FROM person_fact WHERE assessment_id = ? AND name = ? AND person_id IN ({marks})",
                        (aid, name, *pids))
        else:
            con.execute(f"UPDATE person_fact SET value = ? WHERE assessment_id = ? AND name = ? AND person_id IN ({marks})",
                        (was, aid, name, *pids))
    bump([r[0] for r in rows])
    undo_batch = batch("undo")
    con.executemany("INSERT INTO audit_change (batch_id, entity, entity_id, field, old, new) VALUES (?, 'fact', ?, ?, ?, ?)",
                    [(undo_batch, pid, field, now, was) for pid, field, was, now in rows])
    con.execute("UPDATE audit_batch SET undone_by = ? WHERE id = ?", (undo_batch, set_batch))
    con.commit()


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


def _import(w: Workload, path: Path, audit_rows: list[int] | None = None) -> float:
    from hoctap.models.importer import import_roster

    fresh, db = w.fresh_db()
    try:
        t = timed(lambda: import_roster(db, w.catalogs, UNIT, YEAR, path))
        if audit_rows is not None:  # what the full floor must write as well
            con = w.bare(fresh)
            audit_rows.append(con.execute("SELECT count(*) FROM audit_change").fetchone()[0])
            con.close()
        return t
    finally:
        db.dispose()
        fresh.drop()


def _on_fresh(w: Workload, fn: Callable[[Bare], object]) -> Sample:
    """``fn(con)`` timed on a fresh database (made before the clock starts, dropped after)."""
    fresh, db = w.fresh_db()
    db.dispose()
    con = w.bare(fresh)
    try:
        return timed(lambda: fn(con))
    finally:
        con.close()
        fresh.drop()


def _write_floor(con: Bare, people: list[tuple], facts: list[tuple], audit: list[str] | None) -> None:
    """One transaction: the assessment, people, roster entries and facts (and, for the full
    floor, an audit batch with one change per person, given as ``audit``, one per roster entry
    and one per fact)."""
    con.begin()
    con.execute("INSERT INTO assessment (id, unit_id, year, level, created_at, version) "
                "VALUES (1, 1, 2024, 1, '2024-01-01', 1)")
    con.executemany("INSERT INTO person (id, unit_id, code, full_name, kind, department, position, birth_year, "
                    "gender, search, sort_key, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", people)
    con.executemany("INSERT INTO roster_entry (assessment_id, person_id, version) VALUES (?,?,?)",
                    [(1, p[0], 1) for p in people])
    con.executemany("INSERT INTO person_fact (assessment_id, person_id, name, value) VALUES (?,?,?,?)", facts)
    if audit is not None:
        batch = con.insert_id("INSERT INTO audit_batch (at, \"user\", source, action, assessment_id, summary) "
                              "VALUES (?, 'bench', 'import', 'import', 1, '')", (_now(),))
        change = "INSERT INTO audit_change (batch_id, entity, entity_id, field, old, new) VALUES (?,?,?,?,?,?)"
        con.executemany(change, [(batch, "person", p[0], "*", None, a) for p, a in zip(people, audit)])
        con.executemany(change, [(batch, "roster", p[0], "*", None, "{}") for p in people])
        con.executemany(change, [(batch, "fact", f[1], f[2], None, f[3]) for f in facts])
    con.commit()


def _bare_executemany(w: Workload) -> float:
    """The write-only floor: the same people, roster entries and facts, already in memory, written
    with the driver's executemany in one transaction (no parsing, no keys, no audit)."""
    from hoctap.sample_data.generator import FACT_COLUMNS, PERSON_COLUMNS

    people = [(i, 1, *(r.get(c) for c in PERSON_COLUMNS), "", "", 1) for i, r in enumerate(w.rows, start=1)]
    facts = [(1, i, name, r[name]) for i, r in enumerate(w.rows, start=1) for name in FACT_COLUMNS if r.get(name)]
    return _on_fresh(w, lambda con: _write_floor(con, people, facts, audit=None))


def _full_floor(w: Workload, path: Path) -> float:
    """The full floor of an import: ``csv.reader`` of the file, each person's search and sort
    keys (models/text.py), then the rows the import writes, one transaction: the write-only
    floor's, each person's computed title (a constant here: its rule is hoctap's own) and an
    audit row for every person (its columns as JSON), roster entry and fact."""
    from hoctap.models.text import collation_key, search_key
    from hoctap.sample_data.generator import FACT_COLUMNS, PERSON_COLUMNS

    def run(con: Bare) -> None:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            person_at = [header.index(c) if c in header else None for c in PERSON_COLUMNS]
            fact_at = [(name, header.index(name)) for name in FACT_COLUMNS if name in header]
            code_at, name_at = header.index("code"), header.index("full_name")
            year_at = PERSON_COLUMNS.index("birth_year")
            people, facts, audit = [], [], []
            for i, row in enumerate(reader, start=1):
                code, name = row[code_at], row[name_at]
                values = [row[j] or None if j is not None else None for j in person_at]
                values[year_at] = int(values[year_at]) if values[year_at] else None
                words = name.split()  # given name first, as models/people.py orders
                people.append((i, 1, *values, search_key(f"{code} {name}"),
                               collation_key(" ".join(words[-1:] + words[:-1])), 1))
                facts += [(1, i, fact, row[j]) for fact, j in fact_at if row[j]]
                facts.append((1, i, "lc_title", "1"))
                audit.append(json.dumps(dict(zip(PERSON_COLUMNS, values)), ensure_ascii=False))
        _write_floor(con, people, facts, audit)
    return _on_fresh(w, run)


def _bare_csv_read(path: Path) -> float:
    def read() -> None:
        with path.open(encoding="utf-8", newline="") as f:
            for _ in csv.reader(f):
                pass
    return timed(read)


def _bare_xlsx_read(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    return timed(lambda: CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())


def _parse_only(w: Workload, path: Path) -> float:
    from hoctap.models.importer import parse_file

    return timed(lambda: parse_file(w.catalogs, path))


FULL_FLOOR = "full floor: csv.reader + search/sort keys + the same rows and audit rows written"


def bench_import_csv(w: Workload, runs: int) -> Result:
    res = Result("import_csv", f"import a {w.size:,}-row CSV (import_roster)", 8.0)
    audit_rows: list[int] = []
    res.runs = [_import(w, w.csv, audit_rows) for _ in range(runs)]
    res.extra["audit_rows"] = audit_rows[-1]
    res.extra["parse_file_s"] = [_parse_only(w, w.csv) for _ in range(runs)]  # reading and validating alone
    res.measure(FULL_FLOOR, lambda: [_full_floor(w, w.csv) for _ in range(runs)])
    res.extra["target_ratio"] = {"to": FULL_FLOOR, "ratio": 2.0}
    res.measure("write-only floor: bare executemany of the same rows", lambda: [_bare_executemany(w) for _ in range(runs)])
    res.measure("bare csv.reader of the file", lambda: [_bare_csv_read(w.csv) for _ in range(runs)])
    res.extra["process_s"], res.extra["peak_rss_mb"] = _import_process(w)
    return res


def _import_process(w: Workload) -> tuple[float, list[float]]:
    """``hoctap import`` as a whole process into a fresh database: its time and peak RSS (the
    target: ≤ 200 MB at any size)."""
    fresh, db = w.fresh_db()
    db.dispose()
    try:
        run, mb = cli_peak(["--db", fresh.url, "import", "--unit", UNIT, "--year", str(YEAR), str(w.csv)], w.env)
        return float(run), [mb]
    finally:
        fresh.drop()


def bench_reimport_csv(w: Workload, runs: int) -> Result:
    """The same CSV imported again over the loaded roster: every person and fact compared, none changed."""
    from hoctap.models.importer import import_roster

    res = Result("reimport_csv", f"re-import the same {w.size:,}-row CSV (nothing changes)", 8.0)
    res.runs = repeat(lambda: import_roster(w.db, w.catalogs, UNIT, YEAR, w.csv), runs)
    res.extra["parse_file_s"] = [_parse_only(w, w.csv) for _ in range(runs)]
    return res


def bench_import_xlsx(w: Workload, runs: int) -> Result:
    res = Result("import_xlsx", f"import a {w.size:,}-row XLSX (import_roster)", 15.0)
    res.runs = [_import(w, w.xlsx) for _ in range(runs)]
    res.extra["parse_file_s"] = [_parse_only(w, w.xlsx) for _ in range(runs)]
    res.measure("write-only floor: bare executemany of the same rows", lambda: [_bare_executemany(w) for _ in range(runs)])
    res.measure("bare python-calamine read", lambda: [_bare_xlsx_read(w.xlsx) for _ in range(runs)])
    return res


# ---- terminal measurements (tmux) ------------------------------------------------------------------

@dataclass
class TermRun:
    seconds: Sample  # from starting the command to the text being on screen (cpu: the program's)
    peak_rss_mb: float | None  # VmHWM of the pane's process when the text appeared
    screen: str


class Terminal:
    """A private tmux server (its own socket) for timing full-screen programs in a real pty."""

    def __init__(self, width: int = 120, height: int = 40):
        self.width, self.height = width, height
        self.socket = f"hoctap-bench-{os.getpid()}"
        self._n = 0
        # Start the server up front so that its start-up is not charged to the first program. A new
        # server now and then exits at once ("server exited unexpectedly"): try again before failing.
        for attempt in range(3):
            try:
                self._tmux("new-session", "-d", "-s", "idle", "-x", str(width), "-y", str(height), "sleep 3600")
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(1)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        if done.returncode:  # the reason goes into the row's "failed"
            raise RuntimeError(f"tmux {args[0]}: {done.stderr.strip() or f'exit status {done.returncode}'}")
        return done.stdout

    def screen(self, session: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", session)

    def start(self, argv: list[str], env: dict | None = None) -> str:
        self._n += 1
        session = f"s{self._n}"
        prefix = ["env", *(f"{k}={v}" for k, v in (env or {}).items())] if env else []
        # exec: the pane's process is the program itself, so its peak memory can be read
        command = "exec " + shlex.join([*prefix, *argv])
        self._tmux("new-session", "-d", "-s", session, "-x", str(self.width), "-y", str(self.height), command)
        self._tmux("set-option", "-t", session, "remain-on-exit", "on")
        return session

    def wait_for(self, session: str, text: str, started: float, timeout: float = 120.0) -> TermRun:
        """Poll the pane until ``text`` is on screen; the time counts from ``started``."""
        while True:
            screen = self.screen(session)
            if text in screen:
                wall = time.perf_counter() - started
                return TermRun(sample(wall, self.cpu_s(session)), self.peak_rss_mb(session), screen)
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"{text!r} not on screen after {timeout:.0f} s:\n{screen}")
            time.sleep(0.01)

    def run_until(self, argv: list[str], text: str, env: dict | None = None, timeout: float = 120.0) -> TermRun:
        """Start ``argv`` in a fresh session of the terminal's size and time it to ``text``."""
        started = time.perf_counter()
        session = self.start(argv, env)
        try:
            return self.wait_for(session, text, started, timeout)
        finally:
            self.kill(session)

    def send_keys(self, session: str, *keys: str) -> None:
        self._tmux("send-keys", "-t", session, *keys)

    def _pid(self, session: str) -> str:
        return self._tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()

    def cpu_s(self, session: str) -> float | None:
        """CPU seconds the pane's program has used so far."""
        try:
            fields = Path(f"/proc/{self._pid(session)}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def peak_rss_mb(self, session: str) -> float | None:
        try:
            status = Path(f"/proc/{self._pid(session)}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    def kill(self, session: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-session", "-t", session], capture_output=True)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def bench_datatable_baseline(w: Workload, runs: int) -> Result:
    """Textual's own DataTable filled with the same rows: the baseline the roster is compared to."""
    res = Result("tui_datatable", f"Textual DataTable with {w.size:,} rows, start to first frame", None)
    script = Path(__file__).with_name("datatable_app.py")
    last_code = w.rows[0]["code"]
    term = Terminal()
    try:
        shown = [term.run_until([PY, str(script), str(w.csv)], last_code, w.env) for _ in range(runs)]
        res.runs = [r.seconds for r in shown]
        res.extra["peak_rss_mb"] = [r.peak_rss_mb for r in shown]
        res.measure("Textual app with one Static, start to first frame", lambda: [
            term.run_until([PY, str(script), "--empty"], "ready", w.env).seconds for _ in range(runs)])
    finally:
        term.close()
    res.measure('python -c "import textual, sqlmodel"',
                lambda: [proc_time([PY, "-c", "import textual, sqlmodel"]) for _ in range(runs)])
    return res


# ---- the TUI roster and the xlsx report ------------------------------------------------------------
# The roster benchmarks run `hoctap --db URL` on the benchmark database with the unit remembered
# (so it opens that unit's dashboard), press `r` for the roster and recognise frames by the
# people's codes in roster order.

ROSTER_MODULE = "hoctap.screens.roster"
REPORT_MODULE = "hoctap.models.report"
DASHBOARD_TEXT = "C3.1-learners"  # a meter row: on screen once the dashboard's meters are loaded
DASHBOARD_HEAD = f"{UNIT} · {YEAR}"  # the dashboard's title bar: on its first frame, before the meters
SETTLE_S = 0.5  # after a frame, let the roster's page prefetch finish before the next timed key


def _hoctap_tui(w: Workload) -> list[str]:
    return [str(Path(PY).parent / "hoctap"), "--db", w.url]


def _remember_unit(w: Workload) -> None:
    """The TUI opens the remembered unit's dashboard (as after a first visit)."""
    import tomli_w

    from hoctap.models.config import state_path

    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps({"unit": UNIT, "year": YEAR}), encoding="utf-8")


def _open_roster(term: Terminal, w: Workload, after_meters: bool = True) -> tuple[str, TermRun, TermRun]:
    """Start the TUI: time to the dashboard's meters (or, ``after_meters`` false, to its first
    frame), then (pressing `r` at once) to the roster's first row; both from the process start."""
    _remember_unit(w)
    first_code = _roster_order(w)[0]["code"]
    started = time.perf_counter()
    session = term.start(_hoctap_tui(w), w.env)
    dashboard = term.wait_for(session, DASHBOARD_TEXT if after_meters else DASHBOARD_HEAD, started)
    term.send_keys(session, "r")
    first = term.wait_for(session, first_code, started)
    return session, dashboard, first


def drop_page_cache() -> str | None:
    """Empty the kernel's page cache (``--cold``): None when done, else why it could not be."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as e:
        return e.strerror or str(e)
    return None


def bench_tui_cold_start(w: Workload, runs: int) -> Result:
    """TUI cold start to the first roster frame (tmux): dashboard, `r`, roster; peak memory then."""
    res = Result("tui_cold_start", "TUI cold start to the first roster frame (tmux; dashboard, then `r`)", 1.5)
    term = Terminal()
    shown = []
    if w.cold:  # the first run reads the program and the database from disk
        res.extra["first_run_cold"] = drop_page_cache() or True
    try:
        for _ in range(runs):
            session, dashboard, roster = _open_roster(term, w)
            shown.append((dashboard, roster))
            term.kill(session)
    finally:
        term.close()
    res.runs = [r.seconds for _, r in shown]
    res.extra["dashboard_s"] = [d.seconds for d, _ in shown]
    term, head = Terminal(), []
    try:  # the user who goes to the roster at once: `r` on the dashboard's first frame
        for _ in range(runs):
            session, _dashboard, roster = _open_roster(term, w, after_meters=False)
            head.append(roster.seconds)
            term.kill(session)
    finally:
        term.close()
    res.extra["roster_from_head_s"] = head
    res.extra["peak_rss_mb"] = [r.peak_rss_mb for _, r in shown]
    res.measure('python -c "import textual, sqlmodel"',
                lambda: [proc_time([PY, "-c", "import textual, sqlmodel"]) for _ in range(runs)])
    vd = shutil.which("vd", path=f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if vd:  # the TUI peer: pip install -e ".[bench]"
        _visidata(res, w, vd, runs)
        res.extra["target_ratio"] = {"to": VISIDATA_FIRST, "ratio": 2.0}  # same run
    else:
        res.failed_baselines[VISIDATA_FIRST] = 'vd not installed (pip install -e ".[bench]")'
    return res


VISIDATA_FIRST = "VisiData, same roster as CSV: first rows on screen"


def _visidata(res: Result, w: Workload, vd: str, runs: int) -> None:
    """VisiData opening the same roster as CSV: to its first rows on screen, and to all loaded
    (it loads in a thread and shows rows as they come)."""
    argv, env = [vd, "-N", str(w.csv)], {**w.env, "HOME": str(w.dir)}  # -N: no user config or plugins
    first, loaded = [], []
    term = Terminal()

    def run() -> list[float]:
        for _ in range(runs):
            started = time.perf_counter()
            session = term.start(argv, env)
            first.append(term.wait_for(session, w.rows[0]["code"], started).seconds)
            loaded.append(term.wait_for(session, f" {w.size} rows", started).seconds)
            term.kill(session)
        return first

    try:
        res.measure(VISIDATA_FIRST, run)
        if loaded:
            res.baselines["VisiData: whole CSV loaded"] = loaded
    finally:
        term.close()


def _roster_key(w: Workload, runs: int, prepare: Callable[[Terminal, str], None], key: str,
                shown: Callable[[str], bool]) -> list[TermRun]:
    """Open the roster, ``prepare`` (untimed), press ``key`` and time until ``shown(screen)``."""
    term = Terminal()
    out = []
    try:
        for _ in range(runs):
            session, _, _ = _open_roster(term, w)
            time.sleep(SETTLE_S)
            prepare(term, session)
            started = time.perf_counter()
            cpu = term.cpu_s(session)
            term.send_keys(session, key)
            while not shown(screen := term.screen(session)):
                if time.perf_counter() - started > 30:
                    raise TimeoutError(f"no new roster frame 30 s after {key}:\n{screen}")
                time.sleep(0.002)
            wall = time.perf_counter() - started
            after = term.cpu_s(session)
            out.append(TermRun(sample(wall, None if cpu is None or after is None else after - cpu),
                               term.peak_rss_mb(session), screen))
            term.kill(session)
    finally:
        term.close()
    return out


def _nothing(term: Terminal, session: str) -> None:
    pass


def bench_tui_end(w: Workload, runs: int) -> Result:
    """Roster: End (jump to the last row), key to the frame showing it; peak memory after (≤ 300 MB)."""
    res = Result("tui_end", "roster: End, key to frame (peak RSS of the TUI after)", 0.050)
    last = _roster_order(w)[-1]["code"]
    shown = _roster_key(w, runs, _nothing, "End", lambda screen: last in screen)
    res.runs = [r.seconds for r in shown]
    res.extra["peak_rss_mb"] = [r.peak_rss_mb for r in shown]
    return res


def bench_tui_page_down(w: Workload, runs: int) -> Result:
    """Roster: page down, key to the frame where the first row has scrolled away."""
    res = Result("tui_page_down", "roster: page down, key to frame", 0.050)
    first = _roster_order(w)[0]["code"]
    res.runs = [r.seconds for r in _roster_key(w, runs, _nothing, "PageDown", lambda screen: first not in screen)]
    return res


def bench_tui_filter(w: Workload, runs: int) -> Result:
    """Roster: filter to "not digital_training" (`f`, the fact, the value "No"), Enter to the
    frame showing the filtered rows."""
    from hoctap.models import roster

    res = Result("tui_filter", "roster: filter to not digital_training, Enter to frame", 0.200)
    rows = _roster_order(w)
    untrained = [r["code"] for r in rows if r.get("digital_training") == "0"]
    gone = next(r["code"] for r in rows if r.get("digital_training") != "0")  # first row the filter hides
    field_index = 2 + list(w.catalogs.facts).index("digital_training")  # PickFieldValue: kind, department, facts
    value_index = roster.value_choices(w.catalogs, "digital_training").index("0")

    def pick(term: Terminal, session: str) -> None:
        term.send_keys(session, "f")
        time.sleep(SETTLE_S)
        term.send_keys(session, *["Down"] * field_index, "Enter")
        time.sleep(SETTLE_S)
        term.send_keys(session, *["Down"] * value_index)
        time.sleep(SETTLE_S)

    shown = _roster_key(w, runs, pick, "Enter", lambda screen: untrained[0] in screen and gone not in screen)
    res.runs = [r.seconds for r in shown]
    res.extra["rows_after_filter"] = len(untrained)
    return res


def _sheets(path: Path) -> list[tuple[str, list[list]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]


def _bare_report_cells(sheets: list[tuple[str, list[list]]], path: Path) -> None:
    """A bare XlsxWriter constant_memory script writing the report's cells (values read back from
    the report), one format, no formulas, no layout."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    cell = book.add_format({"font_name": "Times New Roman"})
    for name, rows in sheets:
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v == "" or v is None:
                    continue
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, v, cell)
                else:
                    ws.write_string(r, c, str(v), cell)
    book.close()


def bench_export_xlsx(w: Workload, runs: int) -> Result:
    """Export the xlsx report (write_report), against a bare XlsxWriter constant_memory script
    writing the same cells."""
    from hoctap.models.report import write_report

    res = Result("export_xlsx", "export the xlsx report (write_report)", None)
    out = w.dir / "report.xlsx"
    res.runs = repeat(lambda: write_report(w.db, w.catalogs, w.ctx, None, out, lang="vi"), runs)
    sheets = _sheets(out)
    res.extra["cells"] = sum(1 for _, rows in sheets for row in rows for v in row if v not in ("", None))
    name = "bare XlsxWriter constant_memory, same cells"
    res.measure(name, lambda: repeat(lambda: _bare_report_cells(sheets, w.dir / "bare-report.xlsx"), runs))
    if name in res.baselines:
        res.target_s = 1.5 * statistics.median(res.baselines[name])
    return res


COLLECT_UNITS = 100


def _collect_folder(w: Workload) -> tuple[Path, list[list[dict]]]:
    """100 units' transfer files of ``size // 100`` people each (1,000 at the default size),
    written once; also the rows, for the bare-SQL floor."""
    import tomli_w

    from hoctap.models.bundle import _typed
    from hoctap.sample_data.generator import FACT_COLUMNS, PERSON_COLUMNS, people

    folder = w.dir / "inbox"
    per_unit = max(10, w.size // COLLECT_UNITS)
    units = []
    if not folder.exists():
        folder.mkdir()
        cat = w.catalogs.units["c24-district-l1"]
        for k in range(COLLECT_UNITS):
            rows = list(people(per_unit, seed=k, code_prefix=f"U{k:03}-"))
            units.append(rows)
            doc = {"format": "hoctap-bundle", "format_version": 1,
                   "unit": {"code": f"U{k:03}", "name": f"Đơn vị {k:03}", "tier": "district", "types": TYPES},
                   "assessment": {"year": YEAR, "level": 1},
                   "catalog": {"id": cat.id, "version": cat.version},
                   "citizen_catalog": {"id": w.catalogs.citizen.id, "version": w.catalogs.citizen.version},
                   "people": [{**{c: int(r[c]) if c == "birth_year" else r[c] for c in PERSON_COLUMNS if r.get(c)},
                               "facts": {n: _typed(w.catalogs, n, r[n]) for n in (*FACT_COLUMNS,
                                         *(f"lc_{i}" for i in range(1, 11))) if r.get(n)}} for r in rows]}
            (folder / f"u{k:03}.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
        w.collect_rows = units
    return folder, w.collect_rows


def _bare_collect(w: Workload, units: list[list[dict]]) -> float:
    """The same units, people, roster entries and facts written with the driver's executemany, one
    transaction per unit, into a fresh database (no reading, no checking, no audit)."""
    from hoctap.sample_data.generator import PERSON_COLUMNS

    def write(con: Bare) -> None:
        pid = 0
        for k, rows in enumerate(units, start=2):
            con.begin()
            con.execute("INSERT INTO unit (id, code, name, tier, types, version) VALUES (?,?,?,?,?,1)",
                        (k, f"U{k:03}", f"Đơn vị {k}", "district", ",".join(TYPES)))
            con.execute("INSERT INTO assessment (id, unit_id, year, level, created_at, version) "
                        "VALUES (?, ?, 2024, 1, '2024-01-01', 1)", (k, k))
            ids = range(pid + 1, pid + len(rows) + 1)
            pid += len(rows)
            con.executemany("INSERT INTO person (id, unit_id, code, full_name, kind, department, position, birth_year, "
                            "gender, search, sort_key, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                            [(i, k, *(r.get(c) for c in PERSON_COLUMNS), "", "", 1) for i, r in zip(ids, rows)])
            con.executemany("INSERT INTO roster_entry (assessment_id, person_id, version) VALUES (?,?,1)",
                            [(k, i) for i in ids])
            con.executemany("INSERT INTO person_fact (assessment_id, person_id, name, value) VALUES (?,?,?,?)",
                            [(k, i, n, v) for i, r in zip(ids, rows) for n, v in r.items()
                             if n not in PERSON_COLUMNS and v])
            con.commit()
    return _on_fresh(w, write)


def bench_collect(w: Workload, runs: int) -> Result:
    """collect a folder of 100 transfer files (collect_folder)"""
    from hoctap.models.collect import collect_folder

    folder, units = _collect_folder(w)
    per_unit = len(units[0])
    res = Result("collect", f"collect {COLLECT_UNITS} transfer files of {per_unit:,} people each (collect_folder)", None)

    def one() -> float:
        fresh, db = w.fresh_db()
        try:
            t = timed(lambda: collect_folder(db, w.catalogs, folder))
            con = w.bare(fresh)  # every file came in
            assert con.execute("SELECT count(*) FROM roster_entry").fetchone()[0] == COLLECT_UNITS * per_unit
            con.close()
            return t
        finally:
            db.dispose()
            fresh.drop()

    res.runs = [one() for _ in range(runs)]
    res.measure("bare executemany of the same units", lambda: [_bare_collect(w, units) for _ in range(runs)])
    return res


@functools.cache  # sorting 100,000 rows takes half a second: never while a frame is being timed
def _roster_order(w: Workload) -> list[dict]:
    from hoctap.models.people import sort_key

    return sorted(w.rows, key=lambda r: (sort_key(r["full_name"]), r["code"]))


# ---- the receiving office ------------------------------------------------------------------------

OFFICE_UNITS, OFFICE_YEARS = 1000, (2022, 2023, 2024)
OFFICE_FACTS = {"discipline": "1", "required_training": "1", "digital_training": "1", "language_cert": "1",
                "emulation_title": "advanced_worker", "lc_title": "1"}


def _office_db(w: Workload):
    """1,000 units × 3 years (people per unit: size / 1,000, between 5 and 30), written with bare
    SQL into a fresh schema: building it through the core would take longer than the benchmark."""
    from hoctap.models.db import open_database

    path = w.dir / "office.sqlite"
    db = open_database(f"sqlite:///{path}")
    per_unit = max(5, min(30, w.size // OFFICE_UNITS))
    units, assessments, people, roster, facts, entries = [], [], [], [], [], []
    entry_ids = ("C1.1", "C1.2", "C1.3", "C1.4", "C1.5", "C3.2", "C3.3")
    for u in range(1, OFFICE_UNITS + 1):
        units.append((u, f"U{u:04d}", f"Đơn vị {u}", "district", "public_service", 1))
        for p in range(per_unit):
            pid = (u - 1) * per_unit + p + 1
            people.append((pid, u, f"P{p}", f"Người {p}", "staff", f"p{p}", f"p{p}", 1))
        for y, year in enumerate(OFFICE_YEARS):
            aid = (u - 1) * len(OFFICE_YEARS) + y + 1
            assessments.append((aid, u, year, 1 + (u % 5 == 0), "2024-01-01 00:00:00.000000", 1))
            entries += [(aid, e, "advanced_collective" if e == "C3.3" else "1", "", "", "2024-01-01 00:00:00.000000", 1)
                        for e in entry_ids]
            for p in range(per_unit):
                pid = (u - 1) * per_unit + p + 1
                roster.append((aid, pid, 1))
                short = p == 0 and u % 3 == 0  # every third unit falls short on discipline
                facts += [(aid, pid, k, "0" if short and k == "discipline" else v) for k, v in OFFICE_FACTS.items()]
    with sqlite3.connect(path) as con:
        con.executemany("INSERT INTO unit (id, code, name, tier, types, version) VALUES (?,?,?,?,?,?)", units)
        con.executemany("INSERT INTO assessment (id, unit_id, year, level, created_at, version) VALUES (?,?,?,?,?,?)",
                        assessments)
        con.executemany("INSERT INTO person (id, unit_id, code, full_name, kind, search, sort_key, version) "
                        "VALUES (?,?,?,?,?,?,?,?)", people)
        con.executemany("INSERT INTO roster_entry (assessment_id, person_id, version) VALUES (?,?,?)", roster)
        con.executemany("INSERT INTO person_fact (assessment_id, person_id, name, value) VALUES (?,?,?,?)", facts)
        con.executemany("INSERT INTO unit_entry_value (assessment_id, entry_id, value, evidence, documents, updated_at,"
                        " version) VALUES (?,?,?,?,?,?,?)", entries)
    return path, db, per_unit


def _overview_frame(db, catalogs, year: int) -> float:
    """The units overview's first frame in a headless Textual app: from pushing the screen to
    its table filled and painted."""
    import asyncio

    from hoctap.models.config import Config
    from hoctap.screens.units import UnitsScreen
    from hoctap.tui.app import HoctapApp

    class OverviewOnly(HoctapApp):
        CSS_PATH = str(ROOT / "tui" / "app.tcss")

        async def on_mount(self, event) -> None:  # no start screen: its list of 3,000 years is not measured here
            event.prevent_default()

    async def run() -> float:
        app = OverviewOnly(db, catalogs, Config(lang="vi"))
        app.poll_seconds = None
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            t = time.perf_counter()
            screen = UnitsScreen(year)
            app.push_screen(screen)
            while not (screen.rows and screen.view.rows):
                await pilot.pause(0.001)
            await pilot.pause(0)
            return time.perf_counter() - t

    return asyncio.run(run())


def bench_units_overview(w: Workload, runs: int) -> Result:
    """units overview on 1,000 units × 3 years (office.overview; TUI first frame in extra)"""
    from hoctap.models.office import overview

    path, db, per_unit = _office_db(w)
    res = Result("units_overview", f"units overview, 1,000 units × 3 years × {per_unit} people (office.overview)", 0.5)
    year = OFFICE_YEARS[-1]
    overview(db, w.catalogs, year)  # warm the page cache
    res.runs = repeat(lambda: overview(db, w.catalogs, year), runs)
    names = ",".join("?" * len(OFFICE_FACTS))
    in_year = "SELECT id FROM assessment WHERE year = ?"
    queries = [
        (f"SELECT r.assessment_id, count(*) FROM roster_entry r JOIN person p ON p.id = r.person_id "
         f"WHERE r.assessment_id IN ({in_year}) GROUP BY r.assessment_id, p.kind", (year,)),
        (f"SELECT f.assessment_id, f.name, f.value, p.kind, count(*) FROM person_fact f JOIN person p ON p.id = f.person_id "
         f"WHERE f.assessment_id IN ({in_year}) AND f.name IN ({names}) GROUP BY f.assessment_id, f.name, f.value, p.kind",
         (year, *OFFICE_FACTS)),
        (f"SELECT assessment_id, entry_id, value FROM unit_entry_value WHERE assessment_id IN ({in_year})", (year,)),
    ]
    with sqlite3.connect(path) as con:
        def bare() -> None:
            for sql, params in queries:
                con.execute(sql, params).fetchall()
        bare()
        res.measure("bare SQL: the same GROUP BY aggregates", lambda: repeat(bare, runs))
    res.extra["tui_first_frame_s"] = [_overview_frame(db, w.catalogs, year) for _ in range(runs)]
    db.dispose()
    return res


# ---- registry --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bench:
    id: str
    fn: Callable[[Workload, int], Result]
    requires: tuple[str, ...] = ()  # importable modules (and "tmux" for terminal runs)
    target_s: float | None = None  # shown when the benchmark is skipped
    sqlite_only: bool = False  # builds its own SQLite file: not a PostgreSQL row


BENCHMARKS = [
    Bench("meters", bench_meters),
    Bench("status", bench_status),
    Bench("set_facts", bench_set_facts),
    Bench("import_csv", bench_import_csv),
    Bench("reimport_csv", bench_reimport_csv),
    Bench("import_xlsx", bench_import_xlsx),
    Bench("tui_datatable", bench_datatable_baseline, ("textual", "tmux")),
    Bench("tui_cold_start", bench_tui_cold_start, (ROSTER_MODULE, "tmux"), 1.5),
    Bench("tui_end", bench_tui_end, (ROSTER_MODULE, "tmux"), 0.050),
    Bench("tui_page_down", bench_tui_page_down, (ROSTER_MODULE, "tmux"), 0.050),
    Bench("tui_filter", bench_tui_filter, (ROSTER_MODULE, "tmux"), 0.200),
    Bench("export_xlsx", bench_export_xlsx, (REPORT_MODULE,)),
    Bench("units_overview", bench_units_overview, ("hoctap.models.office", "textual"), sqlite_only=True),
    Bench("collect", bench_collect),
]


def missing(requires: tuple[str, ...]) -> list[str]:
    out = []
    for name in requires:
        if name == "tmux":
            if not shutil.which("tmux"):
                out.append("tmux")
        elif importlib.util.find_spec(name.split(".")[0]) is None or importlib.util.find_spec(name) is None:
            out.append(name)
    return out


# ---- report ------------------------------------------------------------------------------------------

def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(results: list[Result]) -> str:
    lines = ["| operation | median (min) / CPU | target | met | baselines: median / CPU (operation ÷ baseline) |",
             "|---|---|---|---|---|"]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.title} | skipped | {fmt(r.target_s)} | | {r.skipped} |")
            continue
        if r.failed or not r.runs:
            lines.append(f"| {r.title} | **failed**: {r.failed or 'no run'} | {fmt(r.target_s)} | | |")
            continue
        met = "" if r.target_s is None else ("yes" if r.median <= r.target_s else "**no**")
        notes = [f"{name}: {fmt(m)} / {fmt(cpu_median(r.baselines[name]))} (×{r.median / m:.1f})"
                 for name, m in r.baseline_medians().items()]
        notes += [f"{name}: **failed** ({why})" for name, why in r.failed_baselines.items()]
        target = r.extra.get("target_ratio")
        floor = r.baseline_medians().get(target["to"]) if target else None
        if floor:  # the target: a ratio to one floor or peer of the same run
            met_ratio = "yes" if r.median <= target["ratio"] * floor else "**no**"
            notes.insert(0, f"target ≤ ×{target['ratio']:g} {target['to']}: {met_ratio}")
        cold = r.extra.get("first_run_cold")
        if cold is True:
            notes.append(f"first run {fmt(r.runs[0])} (page cache dropped before it)")
        elif cold:
            notes.append(f"first run {fmt(r.runs[0])} (page cache not dropped: {cold})")
        elif len(r.runs) > 1:  # the first run had the coldest page cache
            notes.append(f"first run {fmt(r.runs[0])}")
        mem = r.extra.get("peak_rss_mb")
        if mem and all(mem):
            notes.append(f"peak RSS {max(mem):.0f} MB")
        if r.extra.get("process_s"):
            notes.append(f"whole process {fmt(r.extra['process_s'])}")
        dash = r.extra.get("dashboard_s")
        if dash:
            notes.append(f"dashboard frame {fmt(statistics.median(dash))}")
        head = r.extra.get("roster_from_head_s")
        if head:
            notes.append(f"`r` on the dashboard's first frame: roster {fmt(statistics.median(head))}")
        frame = r.extra.get("tui_first_frame_s")
        if frame:
            notes.append(f"TUI first frame {fmt(statistics.median(frame))}")
        parse = r.extra.get("parse_file_s")
        if parse:
            notes.append(f"parse_file alone {fmt(statistics.median(parse))}")
        base = "; ".join(notes)
        lines.append(f"| {r.title} | {fmt(r.median)} ({fmt(min(r.runs))}) / {fmt(cpu_median(r.runs))} "
                     f"| {fmt(r.target_s)} | {met} | {base} |")
    return "\n".join(lines)


def machine() -> dict:
    mem = ""
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    except (OSError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "platform": platform.platform(), "loadavg_start": os.getloadavg()}


def _load(avg: tuple) -> str:
    return " ".join(f"{x:.2f}" for x in avg)


def compile_hoctap() -> None:
    """hoctap's modules compiled to bytecode, as pip leaves an installed package (and the peer,
    VisiData): a checkout run with PYTHONDONTWRITEBYTECODE set would compile them at every start."""
    import compileall
    import hoctap

    root = Path(hoctap.__file__).parent
    compileall.compile_dir(root, maxlevels=0, quiet=1)
    for part in ("models", "tui", "screens", "sample_data", "migrations"):
        if (root / part).is_dir():
            compileall.compile_dir(root / part, quiet=1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=100_000, help="people in the generated roster (default 100000)")
    p.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported")
    p.add_argument("--json", type=Path, help="write the results here as JSON")
    p.add_argument("--only", nargs="*", help="benchmark ids to run (default: all)")
    p.add_argument("--db", metavar="postgresql+psycopg://…",
                   help="a PostgreSQL server to run on (a schema per database, dropped after) instead of SQLite files")
    p.add_argument("--cold", action="store_true",
                   help="drop the page cache before the TUI cold start's first run (root: /proc/sys/vm/drop_caches)")
    args = p.parse_args(argv)
    if args.db and not args.db.startswith("postgresql+psycopg://"):
        p.error("--db takes a postgresql+psycopg:// URL (SQLite is the default)")
    sys.path.insert(0, str(ROOT))
    from hoctap.models import i18n, strings

    i18n.register(*strings.CORE)  # the in-process import and export speak the core's words
    compile_hoctap()
    info = machine()
    print(f"hoctap benchmarks: {args.size:,} people, {args.runs} run(s); "
          f"{info['nproc']} cores, {info['memory']} RAM, Python {info['python']}, SQLite {info['sqlite']}", flush=True)
    info["backend"] = "postgresql" if args.db else "sqlite"
    results: list[Result] = []

    def save() -> None:  # after every row: a run cut short keeps what it measured
        if args.json:
            info["loadavg_end"] = os.getloadavg()
            tmp = args.json.with_name(args.json.name + ".tmp")
            tmp.write_text(json.dumps({"size": args.size, "runs": args.runs, "machine": info,
                                       "results": [r.as_json() for r in results]}, indent=2) + "\n")
            tmp.replace(args.json)

    with tempfile.TemporaryDirectory(prefix="hoctap-bench-") as tmp:
        t = time.perf_counter()
        w = Workload(args.size, Path(tmp), args.db)
        w.cold = args.cold
        print(f"setup (generate, write CSV/XLSX, import, {info['backend']}): {time.perf_counter() - t:.1f} s", flush=True)
        try:
            for b in BENCHMARKS:
                if args.only and b.id not in args.only:
                    continue
                title = (b.fn.__doc__ or b.id).strip().splitlines()[0]
                lacking = missing(b.requires)
                if lacking:
                    results.append(Result(b.id, title, b.target_s, skipped=f"needs {', '.join(lacking)}"))
                elif b.sqlite_only and w.server:
                    results.append(Result(b.id, title, b.target_s, skipped="SQLite only (builds its own file)"))
                else:
                    try:
                        results.append(b.fn(w, args.runs))
                    except Exception as e:  # timed out or broke: recorded, and the suite goes on
                        results.append(Result(b.id, title, b.target_s, failed=_why(e)))
                r = results[-1]
                state = f"skipped, {r.skipped}" if r.skipped else f"FAILED, {r.failed}" if r.failed else fmt(r.median)
                print(f"  {r.id}: {state}", flush=True)
                save()
        finally:
            w.db.dispose()
            w.main.drop()
    info["loadavg_end"] = os.getloadavg()
    print()
    print(table(results))
    print(f"\nload average (1, 5, 15 min) at start {_load(info['loadavg_start'])}, at end {_load(info['loadavg_end'])}")
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
