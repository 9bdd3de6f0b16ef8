"""Several editors on one database at once: no "database is locked", no lost update, stale
edits detected, and a killed import leaves the database all or nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from hoctap.models.checklist import check_entries
from hoctap.models.db import DatabaseError, open_database
from hoctap.models.errors import StaleEdit
from hoctap.models.facts import set_facts
from hoctap.models.importer import import_roster
from hoctap.models.people import person_facts, save_person
from hoctap.models.sql import PF, PT
from hoctap.models.tables import AuditBatch, AuditChange, Person, RosterEntry
from hoctap.models.units import add_unit, ensure_context
from hoctap.sample_data.generator import people, write_csv

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).with_name("stress_worker.py")
TYPES = ["public_service", "general_education"]
STRESS_PROCESSES = 4
STRESS_EDITS = int(os.environ.get("HOCTAP_STRESS_EDITS", "500"))


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _school(db, catalogs, tmp_path, n: int):
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    import_roster(db, catalogs, "S1", 2024, write_csv(tmp_path / "roster.csv", people(n, seed=7, learner_share=0.5)))
    return ensure_context(db, "S1", 2024)


def _replay(db) -> tuple[dict, dict]:
    """Apply every audited change, in batch order, to an empty state. Also checks the audit
    chain: each change starts from what the previous change of that record left."""
    facts: dict[tuple, str] = {}
    departments: dict[int, str | None] = {}
    with db.read() as s:
        rows = s.execute(select(AuditBatch.assessment_id, AuditChange.entity, AuditChange.entity_id,
                                AuditChange.field, AuditChange.old, AuditChange.new)
                         .join(AuditBatch, AuditBatch.id == AuditChange.batch_id)
                         .order_by(AuditChange.batch_id, AuditChange.id)).all()
    for aid, entity, eid, field, old, new in rows:
        if entity == "fact":
            key = (aid, eid, field)
            assert facts.get(key) == old, f"audit chain broken at {key}"
            if new is None:
                facts.pop(key, None)
            else:
                facts[key] = new
        elif entity == "person" and field == "*":
            departments[eid] = json.loads(new)["department"]
        elif entity == "person" and field == "department":
            assert departments[eid] == old, f"audit chain broken at person {eid}"
            departments[eid] = new
    return facts, departments


def test_four_processes_edit_at_once_and_the_audit_log_replays_to_the_final_state(db, db_url, catalogs, tmp_path):
    ctx = _school(db, catalogs, tmp_path, 30)
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, str(WORKER), db_url, "S1", "2024", str(seed), str(STRESS_EDITS)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
             for seed in range(STRESS_PROCESSES)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    elapsed = time.perf_counter() - started
    errors = [e for r in results for e in r["errors"]]
    assert errors == []
    committed = sum(r["committed"] for r in results)
    print(f"\nstress {db.engine.dialect.name}: {STRESS_PROCESSES} x {STRESS_EDITS} edits in {elapsed:.1f} s "
          f"({committed} committed, {sum(r['stale'] for r in results)} stale, "
          f"{sum(r['unchanged'] for r in results)} no-ops)")
    with db.read() as s:
        batches = s.execute(select(func.count()).select_from(AuditBatch).where(AuditBatch.source == "stress")).scalar()
        stored = {(a, p, n): v for a, p, n, v in s.execute(select(PF.c.assessment_id, PF.c.person_id, PF.c.name, PF.c.value))}
        departments = dict(s.execute(select(PT.c.id, PT.c.department)).all())
    assert batches == committed > STRESS_PROCESSES * STRESS_EDITS // 4  # every committed edit is in the log
    replayed_facts, replayed_departments = _replay(db)
    assert stored == replayed_facts
    assert departments == replayed_departments
    assert ctx.assessment.id in {a for a, _, _ in stored}
    if db.is_sqlite:
        with db.read() as s:
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_a_stale_person_edit_is_refused_and_nothing_is_written(db, catalogs, tmp_path):
    ctx = _school(db, catalogs, tmp_path, 5)
    with db.read() as s:
        person = s.execute(select(Person).order_by(Person.id)).scalars().first()
        roster_version = s.get(RosterEntry, (ctx.assessment.id, person.id)).version
    # another user edits the same person after we loaded it
    set_facts(db, catalogs, ctx, [person.id], {"discipline": "0"})
    with pytest.raises(StaleEdit) as refused:
        save_person(db, catalogs, ctx, person.id, {"department": "Tổ Ngữ văn"}, {"discipline": "1"},
                    expected_version=person.version, expected_roster_version=roster_version)
    assert person.full_name not in str(refused.value)
    with db.read() as s:
        assert s.get(Person, person.id).department == person.department
    assert person_facts(db, ctx, [person.id])[person.id]["discipline"] == "0"
    # after reloading, the same edit goes through
    with db.read() as s:
        fresh = s.get(Person, person.id)
        roster_version = s.get(RosterEntry, (ctx.assessment.id, person.id)).version
    save_person(db, catalogs, ctx, person.id, {"department": "Tổ Ngữ văn"}, {"discipline": "1"},
                expected_version=fresh.version, expected_roster_version=roster_version)
    assert person_facts(db, ctx, [person.id])[person.id]["discipline"] == "1"


def test_a_stale_unit_entry_tick_is_refused(db, catalogs, tmp_path):
    ctx = _school(db, catalogs, tmp_path, 2)
    check_entries(db, catalogs, ctx, {"C1.1": "1"})
    loaded = 1  # the version the form showed
    check_entries(db, catalogs, ctx, {"C1.1": "0"}, evidence="biên bản")  # someone else, meanwhile
    with pytest.raises(StaleEdit):
        check_entries(db, catalogs, ctx, {"C1.1": "1"}, expected_versions={"C1.1": loaded})
    from hoctap.models.meters import unit_entry_rows

    row = unit_entry_rows(db, ctx)["C1.1"]
    assert (row.value, row.evidence, row.version) == ("0", "biên bản", 2)


# ---- SIGKILL in the middle of a big import ------------------------------------------------------

KILL_ROWS = 100_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    return write_csv(tmp_path_factory.mktemp("big") / "big.csv", people(KILL_ROWS, seed=3))


def _start_import(url: str, csv_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hoctap.tui.cli", "--db", url, "import", str(csv_path),
                             "--unit", "S1", "--year", "2024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), cwd=ROOT)


def _wait_for(predicate, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 300
    while not predicate():
        assert proc.poll() is None, f"the import ended before {what}: {proc.stderr.read()}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def _snapshot(db) -> tuple:
    with db.read() as s:
        return (s.execute(select(func.count()).select_from(PT)).scalar(),
                s.execute(select(func.count()).select_from(PF)).scalar(),
                s.execute(select(func.count()).select_from(AuditBatch)).scalar(),
                s.execute(select(func.count()).select_from(AuditChange)).scalar())


def _kill_and_check(db, proc: subprocess.Popen, before: tuple) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL  # killed mid-way, not finished
    db.dispose()
    after = _snapshot(db)
    assert after == before  # nothing of the import is visible (it never committed)


def test_sigkill_during_a_100k_row_import_leaves_sqlite_unchanged_and_intact(sqlite_url, catalogs, big_csv):
    db = open_database(sqlite_url)
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    before = _snapshot(db)
    db.dispose()  # closes the last connection: SQLite checkpoints and removes the WAL
    wal = Path(sqlite_url.removeprefix("sqlite:///") + "-wal")
    proc = _start_import(sqlite_url, big_csv)
    # the import writes its transaction into the WAL once the page cache spills
    _wait_for(lambda: wal.exists() and wal.stat().st_size > 256 * 1024, proc, "it started writing")
    _kill_and_check(db, proc, before)
    with db.read() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert s.execute(text("PRAGMA foreign_key_check")).all() == []
    # and the database still takes writes
    add_unit(db, catalogs, "S2", "Trường khác", "district", TYPES)
    assert _snapshot(db)[2] == before[2] + 1
    db.dispose()


def test_sigkill_during_a_100k_row_import_leaves_postgresql_unchanged(pg_url, catalogs, big_csv):
    db = open_database(pg_url)
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    before = _snapshot(db)
    proc = _start_import(pg_url, big_csv)
    watcher = create_engine(pg_url, poolclass=NullPool)

    def writing() -> bool:  # inside the import's write transaction: rows inserted (executemany or COPY), none committed
        with watcher.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND state IN ('active', 'idle in transaction') "
                r"AND query ~* '^\s*(INSERT INTO|COPY) (person|roster_entry|person_fact|audit_change)\M'")).scalar() > 0

    _wait_for(writing, proc, "it started writing")
    _kill_and_check(db, proc, before)
    watcher.dispose()
    db.dispose()


def test_several_processes_creating_the_same_new_database_at_once_all_succeed(db_url):
    """Each one finds no schema and runs the migrations; they queue on the writers' lock and
    the later ones find the schema made."""
    code = ("import sys; from hoctap.models.db import open_database, current_revision; "
            "print(current_revision(open_database(sys.argv[1])))")
    procs = [subprocess.Popen([sys.executable, "-c", code, db_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=_env(), cwd=ROOT) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    from hoctap.models.migrations import HEAD

    assert [(p.returncode, out.strip()) for p, (out, _) in zip(procs, outs)] == [(0, HEAD)] * 4, outs


def test_a_writer_waits_for_the_lock_and_then_says_the_database_is_busy(db, db_url, catalogs, tmp_path, monkeypatch):
    ctx = _school(db, catalogs, tmp_path, 3)
    monkeypatch.setattr("hoctap.models.db.BUSY_TIMEOUT_MS", 300)
    db.dispose()  # new connections pick up the short timeout
    with db.read() as s:
        ids = list(s.execute(select(PT.c.id)).scalars())
    before = person_facts(db, ctx, ids)
    holder = open_database(db_url)
    with holder.write() as s:  # another user's long write transaction
        s.execute(text("SELECT 1"))
        with pytest.raises(DatabaseError) as busy:
            set_facts(db, catalogs, ctx, ids, {"discipline": "0"})
    holder.dispose()
    assert str(busy.value).startswith("cơ sở dữ liệu đang bận (người khác đang ghi)")
    assert person_facts(db, ctx, ids) == before
    assert set_facts(db, catalogs, ctx, ids, {"discipline": "0"})[0] is not None  # free again
