"""The import streams: a file goes through in chunks (``staged.CHUNK_ROWS``) kept in a private
scratch file, so memory stays flat. Chunks are made tiny here so that a few rows cross many of
their edges: the result is the same as one pass, a repeat across chunks is still found, very
many problems are all counted, and a full scratch disk is said without writing anything."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hoctap.models import importer, staged
from hoctap.models.tables import AuditBatch, Person, PersonFact
from hoctap.tui.cli import main
from tests.test_import import snapshot
from tests.test_import_files import refused, run

HEAD = "Mã,Họ và tên,Đối tượng,Năm sinh,Kỷ luật\r\n"


def rows(n: int, start: int = 1, year: str = "1980") -> str:
    return "".join(f"X{i:03},Người Thứ {i},Thành viên,{year},có\r\n" for i in range(start, start + n))


def scratch_left(tmp_path: Path) -> list[str]:
    base = tmp_path / "cache" / "hoctap" / "tmp"  # the scratch folders (beside them: the catalog cache)
    return [str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()] if base.exists() else []


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(staged, "CHUNK_ROWS", 4)


def test_a_file_of_many_chunks_imports_whole_in_one_batch_and_leaves_no_scratch(
        tmp_path, db, db_url, catalogs, demo, capsys, tiny_chunks):
    path = tmp_path / "many.csv"
    path.write_text(HEAD + rows(23), encoding="utf-8")
    with db.read() as s:
        people, batches = (s.execute(select(func.count()).select_from(t)).scalar() for t in (Person, AuditBatch))
    assert run(db_url, path, "en") == 0
    assert "23 people added" in capsys.readouterr().out
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Person)).scalar() == people + 23
        assert s.execute(select(func.count()).select_from(AuditBatch)).scalar() == batches + 1
        assert s.execute(select(func.count()).select_from(PersonFact).join(Person, Person.id == PersonFact.person_id)
                         .where(Person.code.like("X%"), PersonFact.name == "discipline")).scalar() == 23
    # again, with one person changed in the fifth chunk: only that one is written
    path.write_text(HEAD + rows(17) + "X018,Người Thứ 18,Thành viên,1981,có\r\n" + rows(5, 19), encoding="utf-8")
    assert run(db_url, path, "en", "--json") == 0
    out = capsys.readouterr().out
    assert '"rows": 23' in out and '"added": 0' in out and '"updated": 1' in out and '"fields": 1' in out
    assert scratch_left(tmp_path) == []


def test_the_scratch_file_is_private_while_the_import_runs(tmp_path, db, catalogs, demo, monkeypatch, tiny_chunks):
    path = tmp_path / "r.csv"
    path.write_text(HEAD + rows(9), encoding="utf-8")
    seen = []
    real = staged.Staging.add

    def add(self, chunk):
        seen.append((stat.S_IMODE(os.stat(self.path.parent).st_mode), self.path.exists()))
        return real(self, chunk)

    monkeypatch.setattr(staged.Staging, "add", add)
    importer.import_roster(db, catalogs, "THCS-LQD", 2024, path)
    assert seen and all(mode == 0o700 and exists for mode, exists in seen)
    assert scratch_left(tmp_path) == []


def test_a_code_repeated_chunks_apart_is_named_with_both_rows(tmp_path, db, db_url, catalogs, demo, capsys,
                                                              tiny_chunks):
    path = tmp_path / "dup.csv"
    path.write_text(HEAD + rows(10) + "x002,Người Khác,Thành viên,1980,có\r\n", encoding="utf-8")
    refused(db, db_url, catalogs, capsys, path, "dòng 12, cột 'Mã' (A): mã 'X002' trùng với dòng 3",
            "row 12, column 'Mã' (A): code 'X002' repeats row 3")
    assert scratch_left(tmp_path) == []


def test_very_many_problems_are_all_counted_and_the_first_ones_shown(tmp_path, db, db_url, catalogs, demo, capsys,
                                                                      monkeypatch, tiny_chunks):
    monkeypatch.setattr(importer, "MAX_PROBLEMS", 5)
    path = tmp_path / "bad.csv"
    path.write_text(HEAD + rows(3) + rows(12, 4, year="năm ngoái"), encoding="utf-8")
    refused(db, db_url, catalogs, capsys, path, "12 lỗi", "12 problems")
    run(db_url, path, "en")
    err = capsys.readouterr().err
    assert err.count("Năm sinh") == 5 and "row 5," in err and "row 10," not in err and "… (+7)" in err


def test_a_full_scratch_disk_is_said_and_nothing_is_written(tmp_path, db, db_url, catalogs, demo, capsys,
                                                            monkeypatch, tiny_chunks):
    real = staged.Staging.__enter__

    def full(self):  # the scratch file may not grow past what it holds at the start
        out = real(self)
        self._db.execute(f"PRAGMA max_page_count = {self._db.execute('PRAGMA page_count').fetchone()[0]}")
        return out

    monkeypatch.setattr(staged.Staging, "__enter__", full)
    path = tmp_path / "r.csv"
    path.write_text(HEAD + rows(30), encoding="utf-8")
    before = snapshot(db, catalogs)
    for lang, want in (("vi", "không ghi được tệp tạm của lần nhập"), ("en", "could not write the import's scratch")):
        capsys.readouterr()
        assert run(db_url, path, lang) != 0
        err = capsys.readouterr().err
        assert want in err and ("ổ đĩa đã đầy" if lang == "vi" else "the disk is full") in err, err
        assert "Traceback" not in err and "sqlite3" not in err
    assert snapshot(db, catalogs) == before
    assert scratch_left(tmp_path) == []


def test_apostrophes_of_the_formula_guard_are_undone_only_where_written(tmp_path, db, catalogs, demo):
    path = tmp_path / "q.csv"
    path.write_text("code,full_name,kind,department,position\r\n"
                    "Q1,Lê Lan,staff,'=1+1,''Tổ trưởng\r\n"
                    "Q2,Lê Hoa,staff,Tổ Văn,Giáo viên\r\n", encoding="utf-8")
    importer.import_roster(db, catalogs, "THCS-LQD", 2024, path)
    with db.read() as s:
        got = dict(s.execute(select(Person.code, Person.department + "|" + Person.position)
                             .where(Person.code.in_(["Q1", "Q2"]))).all())
    assert got == {"Q1": "=1+1|'Tổ trưởng", "Q2": "Tổ Văn|Giáo viên"}


def test_an_unknown_unit_is_said_before_the_file_is_read(tmp_path, db, db_url, catalogs, demo, capsys, monkeypatch):
    read = []
    monkeypatch.setattr(importer, "read_into", lambda *a, **k: read.append(a))
    path = tmp_path / "r.csv"
    path.write_text(HEAD + rows(2), encoding="utf-8")
    assert main(["--db", db_url, "--lang", "en", "import", str(path), "--unit", "NOPE", "--year", "2024"]) != 0
    assert "NOPE" in capsys.readouterr().err and read == []


def test_a_cache_folder_that_cannot_be_made_is_said_even_for_a_dry_run(tmp_path, db, db_url, catalogs, demo,
                                                                       capsys, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = tmp_path / "r.csv"
    path.write_text(HEAD + rows(3), encoding="utf-8")
    before = snapshot(db, catalogs)
    for lang, want in (("vi", "không ghi được tệp tạm của lần nhập vào"), ("en", "could not write the import's scratch")):
        capsys.readouterr()
        assert run(db_url, path, lang, "--dry-run") != 0
        err = capsys.readouterr().err
        assert want in err and str(blocker) in err and "Traceback" not in err, err
    assert snapshot(db, catalogs) == before


def test_the_problems_kept_are_those_of_the_first_rows_a_late_found_repeat_among_them(
        tmp_path, db, db_url, catalogs, demo, capsys, monkeypatch, tiny_chunks):
    monkeypatch.setattr(importer, "MAX_PROBLEMS", 3)
    path = tmp_path / "bad.csv"
    # row 3 repeats row 2's code (found once the whole file is read); rows 6-13 have bad years
    path.write_text(HEAD + rows(1) + "X001,Người Khác,Thành viên,1980,có\r\n" + rows(2, 2)
                    + rows(8, 4, year="năm ngoái"), encoding="utf-8")
    run(db_url, path, "en")
    err = capsys.readouterr().err
    assert "9 problems" in err and "… (+6)" in err, err
    shown = [line for line in err.splitlines() if line.startswith("  row ")]
    assert [line.split(",")[0] for line in shown] == ["  row 3", "  row 6", "  row 7"], shown


def test_a_line_too_long_in_the_first_rows_is_named_as_such(tmp_path, db, db_url, catalogs, demo, capsys):
    from hoctap.models import decode

    path = tmp_path / "long.csv"
    path.write_text(HEAD + rows(1) + f'X009,"{"a" * (decode.MAX_LINE_CHARS + 10)}",Thành viên,1980,có\r\n',
                    encoding="utf-8")
    refused(db, db_url, catalogs, capsys, path, "dòng 3:", "row 3:")
    run(db_url, path, "en")
    err = capsys.readouterr().err
    assert f"{decode.MAX_LINE_CHARS:,}" in err or str(decode.MAX_LINE_CHARS) in err, err
    assert "field limit" not in err


@pytest.mark.parametrize("dry_run", [True, False])
def test_progress_goes_once_from_the_start_to_the_end_over_every_step(tmp_path, db, catalogs, demo, tiny_chunks,
                                                                      dry_run):
    path = tmp_path / "r.csv"
    path.write_text(HEAD + rows(30), encoding="utf-8")
    seen = []
    importer.import_roster(db, catalogs, "THCS-LQD", 2024, path, dry_run=dry_run,
                           progress=lambda done, total: seen.append((done, total)))
    assert {total for _done, total in seen} == {importer.PROGRESS_SCALE}
    done = [d for d, _total in seen]
    assert done == sorted(done) and done[-1] == importer.PROGRESS_SCALE and done[0] <= (600 if dry_run else 400)
    assert len(set(done)) > 8  # the reading, then each of the 8 chunks decided (and written)
