"""Opening the database: SQLite tuned for sharing, PostgreSQL, migrations on both, file
permissions, and a clear message (exit 2, no traceback, no personal data) for every way the
database can be unusable."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event, func, inspect, select, text

from hoctap.models.db import Database, DatabaseError, _alembic_config, current_revision, known_revisions, open_database
from hoctap.models.facts import set_facts
from hoctap.models.importer import import_roster
from hoctap.models.migrations import HEAD
from hoctap.models.sql import PT
from hoctap.models.units import add_unit
from hoctap.sample_data.generator import people, write_csv
from hoctap.tui.cli import main

TYPES = ["public_service", "general_education"]


def _cli(capsys, *args) -> tuple[int, str]:
    code = main(["--lang", "en", *args])
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, err.strip()


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


# ---- SQLite set up for several users ------------------------------------------------------------

def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(sqlite_url):
    db = open_database(sqlite_url)
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    db.dispose()


def test_a_write_transaction_takes_the_write_lock_at_its_start(sqlite_url):
    db = open_database(sqlite_url)
    other = sqlite3.connect(_path(sqlite_url), timeout=0, isolation_level=None)
    with db.write() as s:
        s.execute(text("SELECT 1"))  # nothing written yet, but the lock is held (BEGIN IMMEDIATE)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again once committed
    other.execute("ROLLBACK")
    other.close()
    db.dispose()


def test_a_write_queued_behind_another_says_so_then_completes(db_url, capsys):
    """The first writer holds the lock until the second one has said it is waiting: no timing."""
    import threading

    first, second = open_database(db_url), open_database(db_url)
    holding, release, said = threading.Event(), threading.Event(), []

    def hold():
        with first.write() as s:
            s.execute(text("SELECT 1"))
            holding.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(30)
    second.on_wait = lambda: (said.append(True), release.set())
    with second.write() as s:
        s.execute(text("SELECT 1"))
    t.join()
    assert said == [True]
    with second.write() as s:  # nobody holds it now: no word
        s.execute(text("SELECT 1"))
    assert said == [True]
    first.dispose()
    second.dispose()


# ---- migrations on both backends ----------------------------------------------------------------

def test_migrations_create_the_schema_and_go_down_and_up_again(db):
    from alembic import command

    assert current_revision(db) == HEAD and HEAD in known_revisions()
    with db.read() as s:
        tables = set(inspect(s.connection()).get_table_names())
    assert {"person", "person_fact", "roster_entry", "audit_batch", "audit_change"} <= tables
    command.downgrade(_alembic_config(db), "base")
    with db.read() as s:
        assert set(inspect(s.connection()).get_table_names()) <= {"alembic_version"}
    command.upgrade(_alembic_config(db), "head")
    assert current_revision(db) == HEAD


def test_the_migrations_build_exactly_the_tables_the_models_declare(db):
    """A model column without its migration (or the reverse) is a schema that differs by install."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import hoctap.models.tables  # noqa: F401  (registers the tables)
    from hoctap.models.migrations import include_name  # the search index is not a model's

    with db.read() as s:
        ctx = MigrationContext.configure(s.connection(), opts={"include_name": include_name})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == []


def test_a_database_from_a_newer_hoctap_is_refused(db, db_url, capsys):
    with db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    with pytest.raises(DatabaseError, match="phiên bản hoctap mới hơn"):
        open_database(db_url)
    code, err = _cli(capsys, "--db", db_url, "unit", "list")
    assert code == 2 and "was made by a newer hoctap (schema 9999_future)" in err
    with Database(db_url).read() as s:  # and it was left alone
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"


# ---- unusable databases: a clear message ---------------------------------------------------------

def test_a_corrupt_file_gets_a_clear_message(tmp_path, capsys):
    bad = tmp_path / "random.db"
    bad.write_bytes(os.urandom(64 * 1024))
    code, err = _cli(capsys, "--db", str(bad), "unit", "list")
    assert code == 2 and err == f"hoctap: sqlite:///{bad} is not a hoctap database or is damaged (file is not a database)"
    assert bad.stat().st_size == 64 * 1024


def test_an_unreachable_server_gets_a_clear_message(capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, err = _cli(capsys, "--db", f"postgresql+psycopg://hoctap:secret@127.0.0.1:{port}/hoctap", "unit", "list")
    assert code == 2 and err.startswith(f"hoctap: cannot reach the database server of postgresql+psycopg://hoctap:***@127.0.0.1:{port}/hoctap")
    assert "secret" not in err


def test_an_unknown_url_scheme_gets_a_clear_message(capsys):
    code, err = _cli(capsys, "--db", "mysqlx://somewhere/db", "unit", "list")
    assert code == 2 and err.startswith("hoctap: cannot use the database mysqlx://somewhere/db")
    code, err = _cli(capsys, "--db", "mysql://me:secret@somewhere/db", "unit", "list")
    assert code == 2 and "hoctap works with SQLite" in err and "MySQLdb" not in err and "secret" not in err


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
                          capture_output=True).returncode == 0


@pytest.fixture
def tiny_fs(tmp_path):
    """A 512 KiB filesystem (root, as in CI), or None where mounting is not allowed."""
    mnt = tmp_path / "mnt"
    mounted = _mount_tmpfs(mnt, "512k")
    yield mnt if mounted else None
    if mounted:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def test_a_read_only_database_directory_gets_a_clear_message(tiny_fs, tmp_path, capsys, catalogs):
    where = tiny_fs or tmp_path / "ro"
    where.mkdir(exist_ok=True)
    url = f"sqlite:///{where / 'h.db'}"
    db = open_database(url)
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    db.dispose()
    if tiny_fs is not None:
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
    elif os.geteuid() == 0:
        pytest.skip("root ignores file modes and may not mount here")
    else:
        (where / "h.db").chmod(0o444)
        where.chmod(0o555)
    try:
        code, err = _cli(capsys, "--db", url, "unit", "add", "S2", "--name", "B", "--tier", "district",
                         "--type", "public_service")
    finally:
        if tiny_fs is None:
            where.chmod(0o755)
    assert code == 2 and err.startswith(f"hoctap: the directory of {url} is read-only for you")


def _disk_full_message(db, err: str) -> None:
    assert err in (f"the disk holding {db.display_url} is full or failing; nothing was written",
                   f"ổ đĩa chứa {db.display_url} đã đầy hoặc bị lỗi; chưa ghi gì")


def test_a_full_disk_during_an_import_writes_nothing(tiny_fs, catalogs, capsys, tmp_path):
    if tiny_fs is None:
        pytest.skip("needs root to mount a tiny filesystem (the page-limit test covers the rest)")
    url = f"sqlite:///{tiny_fs / 'h.db'}"
    db = open_database(url)
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    roster = list(people(5000, seed=1))
    csv = write_csv(tmp_path / "big.csv", roster)
    code, err = _cli(capsys, "--db", url, "import", str(csv), "--unit", "S1", "--year", "2024")
    assert code == 2
    _disk_full_message(db, err.removeprefix("hoctap: "))
    assert not any(p["full_name"] in err for p in roster)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(PT)).scalar() == 0
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    db.dispose()


def test_a_database_that_cannot_grow_fails_cleanly(sqlite_url, catalogs, tmp_path):
    """The same as a full disk, anywhere: SQLite refuses to grow past max_page_count."""
    db = open_database(sqlite_url)
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    import_roster(db, catalogs, "S1", 2024, write_csv(tmp_path / "small.csv", people(20, seed=1)))
    with db.read() as s:
        pages = s.execute(text("PRAGMA page_count")).scalar()
        before = s.execute(select(func.count()).select_from(PT)).scalar()

    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    db.engine.dispose()
    with pytest.raises(DatabaseError) as failed:
        import_roster(db, catalogs, "S1", 2024, write_csv(tmp_path / "more.csv", people(3000, seed=2, code_prefix="M")))
    _disk_full_message(db, str(failed.value))
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(PT)).scalar() == before
    db.dispose()


# ---- permissions ----------------------------------------------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_file_is_private(tmp_path, catalogs):
    old = os.umask(0o022)
    try:
        db = open_database(f"sqlite:///{tmp_path / 'private' / 'h.db'}")
        add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
        files = [tmp_path / "private" / n for n in ("h.db", "h.db-wal", "h.db-shm")]
        assert [_mode(f) for f in files] == [0o600] * 3
        db.dispose()
    finally:
        os.umask(old)


def test_in_a_group_shared_directory_the_database_is_group_writable(tmp_path, catalogs):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2770)  # setgid: files take the directory's group
    old = os.umask(0o022)
    try:
        db = open_database(f"sqlite:///{shared / 'h.db'}")
        add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
        files = [shared / n for n in ("h.db", "h.db-wal", "h.db-shm")]
        assert [_mode(f) for f in files] == [0o660] * 3
        assert {f.stat().st_gid for f in files} == {shared.stat().st_gid}
        db.dispose()
    finally:
        os.umask(old)


def test_errors_name_records_by_id_not_by_person(db, catalogs, tmp_path):
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    roster = list(people(3, seed=4))
    import_roster(db, catalogs, "S1", 2024, write_csv(tmp_path / "r.csv", roster))
    from hoctap.models.errors import HoctapError
    from hoctap.models.undo import undo
    from hoctap.models.units import ensure_context

    ctx = ensure_context(db, "S1", 2024)
    with db.read() as s:
        ids = list(s.execute(select(PT.c.id)).scalars())
    batch, _ = set_facts(db, catalogs, ctx, ids, {"discipline": "0"})
    set_facts(db, catalogs, ctx, ids, {"discipline": "1"})
    with pytest.raises(HoctapError) as refused:
        undo(db, catalogs, batch)
    assert not any(p["full_name"] in str(refused.value) or p["code"] in str(refused.value) for p in roster)


def test_sql_errors_do_not_carry_the_values_written(db, catalogs):
    """A failed statement's text (kept in the crash log) names no person (PostgreSQL may quote
    the conflicting key, a code: an id, not personal data)."""
    from sqlalchemy.exc import IntegrityError

    unit = add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    row = dict(unit_id=unit.id, code="X1", full_name="Nguyễn Thị Bí Mật", kind="staff", search="", sort_key="", version=1)
    with db.write() as s:
        s.execute(PT.insert().values(**row))
    with pytest.raises(IntegrityError) as failed:
        with db.write() as s:
            s.execute(PT.insert().values(**row))
    assert "Bí Mật" not in str(failed.value) and "parameters hidden" in str(failed.value)


def test_the_crash_log_is_private(monkeypatch, capsys, tmp_path):
    import hoctap.tui.cli as cli

    def broken(env):
        raise RuntimeError("a bug")

    monkeypatch.setitem(cli.COMMANDS, "log", broken)
    code, err = _cli(capsys, "log")
    log = Path(err.rsplit("details in ", 1)[1])
    assert code == 2 and _mode(log) == 0o600 and "RuntimeError: a bug" in log.read_text()
    assert main(["--lang", "vi", "log"]) == 2  # in the user's language
    assert capsys.readouterr().err.strip() == f"hoctap: Lỗi nội bộ (RuntimeError); chi tiết trong {log}"


def test_database_messages_are_in_the_users_language(tmp_path, capsys):
    bad = tmp_path / "random.db"
    bad.write_bytes(os.urandom(64 * 1024))
    assert main(["--lang", "vi", "--db", str(bad), "unit", "list"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"hoctap: sqlite:///{bad} không phải cơ sở dữ liệu hoctap hoặc đã hỏng (file is not a database)"
    assert main(["--lang", "vi", "--db", str(tmp_path / "nope.db"), "log"]) == 2
    assert capsys.readouterr().err.startswith(f"hoctap: không có cơ sở dữ liệu tại {tmp_path / 'nope.db'}")
