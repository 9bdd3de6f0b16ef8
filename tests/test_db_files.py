"""A database path that holds something else: refused untouched (same bytes, same mode, no
-wal/-shm left), with a message naming the file; a damaged database says to restore a
backup; a -shm file left read-only by a reader is named with its owner and mode."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from hoctap.models.db import Database, open_database
from hoctap.models.units import add_unit
from hoctap.tui.cli import main

TYPES = ["public_service", "general_education"]
COMMANDS = (["status", "--unit", "S1", "--year", "2024"], ["unit", "list"],
            ["unit", "add", "S1", "--name", "B", "--tier", "district", "--type", "state_agency"])


def _state(path: Path):
    return (hashlib.sha256(path.read_bytes()).hexdigest(), stat.S_IMODE(path.stat().st_mode),
            sorted(p.name for p in path.parent.iterdir()))


def _refused(capsys, path: Path, lang: str, words: str):
    before = _state(path)
    for args in COMMANDS:
        capsys.readouterr()
        assert main(["--lang", lang, "--db", str(path), *args]) == 2
        err = capsys.readouterr().err
        assert words in err and str(path) in err and "Traceback" not in err, err
        assert _state(path) == before


def _foreign(path: Path, *, wal: bool = False) -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("lang,words", [("en", "is not a hoctap database (it holds another program's tables: invoices)"),
                                        ("vi", "không phải cơ sở dữ liệu hoctap (có các bảng của chương trình khác: invoices)")])
@pytest.mark.parametrize("wal", [False, True])
def test_another_programs_database_is_refused_untouched(tmp_path, capsys, lang, words, wal):
    path = tmp_path / "other-app.db"
    _foreign(path, wal=wal)
    path.chmod(0o640)
    _refused(capsys, path, lang, words)


@pytest.mark.parametrize("lang,words", [("en", "is an empty file, not a hoctap database; it was left untouched"),
                                        ("vi", "là một tệp rỗng, không phải cơ sở dữ liệu hoctap")])
def test_an_empty_file_is_refused_untouched(tmp_path, capsys, lang, words):
    path = tmp_path / "empty.db"
    path.touch()
    _refused(capsys, path, lang, words)


def test_an_empty_sqlite_database_is_refused(tmp_path, capsys):
    path = tmp_path / "blank.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")  # a valid SQLite file without tables
    conn.close()
    _refused(capsys, path, "en", "is not a hoctap database (an empty SQLite database)")


def test_a_new_path_is_still_created(tmp_path, catalogs):
    db = open_database(f"sqlite:///{tmp_path / 'new' / 'h.db'}")
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    db.dispose()
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["h.db"]  # no temporary file left


def test_a_postgresql_database_with_other_tables_is_refused(pg_url, capsys):
    db = Database(pg_url)
    with db.write() as s:
        s.execute(text("CREATE TABLE invoices (id integer)"))
    db.dispose()
    capsys.readouterr()
    assert main(["--lang", "en", "--db", pg_url, "unit", "list"]) == 2
    err = capsys.readouterr().err
    assert "is not a hoctap database (it holds another program's tables: invoices)" in err
    db = Database(pg_url)
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")).scalar() == 1
    db.dispose()


def _hoctap_db(tmp_path, catalogs) -> Path:
    path = tmp_path / "h.db"
    db = open_database(f"sqlite:///{path}")
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    with db.write() as s:
        s.execute(text("CREATE TABLE filler (x TEXT)"))
        s.execute(text("INSERT INTO filler SELECT hex(randomblob(500)) FROM (WITH RECURSIVE n(i) AS "
                       "(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) SELECT i FROM n)"))
    db.dispose()
    return path


@pytest.mark.parametrize("lang,words", [("en", "is damaged (database disk image is malformed); nothing was written. "
                                                "Restore the file from a backup"),
                                        ("vi", "bị hỏng (database disk image is malformed); chưa ghi gì. "
                                               "Hãy khôi phục tệp từ bản sao lưu")])
def test_a_damaged_database_says_restore_a_backup(tmp_path, catalogs, capsys, lang, words):
    path = _hoctap_db(tmp_path, catalogs)
    with open(path, "r+b") as f:  # pages of the schema and the tables
        f.seek(4096)
        f.write(os.urandom(4096 * 6))
    for args in COMMANDS[:2]:
        capsys.readouterr()
        assert main(["--lang", lang, "--db", str(path), *args]) == 2
        err = capsys.readouterr().err
        assert words in err and str(path) in err and "Internal error" not in err and "Lỗi nội bộ" not in err


def test_text_that_is_not_utf8_says_damaged_without_quoting_it(tmp_path, catalogs, capsys):
    path = _hoctap_db(tmp_path, catalogs)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE unit SET name = CAST(x'4e67ff' AS TEXT)")
    conn.commit()
    conn.close()
    assert main(["--lang", "en", "--db", str(path), "unit", "list"]) == 2
    err = capsys.readouterr().err
    assert "is damaged (text that is not UTF-8)" in err and "Ng" not in err.replace(str(path), "")


def test_a_read_only_shm_left_by_a_reader_is_named_with_owner_and_mode(tmp_path, catalogs, capsys, monkeypatch):
    path = _hoctap_db(tmp_path, catalogs)
    shm = path.with_name("h.db-shm")
    keep = sqlite3.connect(path)  # an open reader keeps the -shm file in place
    keep.execute("SELECT count(*) FROM unit").fetchone()
    shm.chmod(0o444)
    real_access = os.access
    # root (as in CI) may write anything: play the user the mode stops
    monkeypatch.setattr(os, "access", lambda p, m, **kw: False if Path(p) == shm and m == os.W_OK else real_access(p, m))
    from hoctap.models import i18n
    from hoctap.models.db import _read_only_reason

    i18n.set_lang("en")
    db = Database(f"sqlite:///{path}")
    message = _read_only_reason(db)
    db.dispose()
    keep.close()
    assert str(shm) in message and "owner root" in message and "mode 0o444" in message and "never delete a -wal" in message


def test_a_relative_sqlite_path_opens_an_existing_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", "sqlite:///rel.db", "unit", "add", "X1", "--name", "Trường X",
                 "--tier", "district", "--type", "preschool"]) == 0
    assert main(["--db", "sqlite:///rel.db", "unit", "list"]) == 0  # the file exists now
    assert "Trường X" in capsys.readouterr().out
