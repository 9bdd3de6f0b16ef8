"""Files that used to be mis-read or crash the importer: wrong or mixed encodings, huge or
endless inputs, sparse workbooks, formulas without a value. Each is refused with a message that
names the file and row (and column), in both languages, and writes nothing."""

from __future__ import annotations

import os

import pytest
import xlsxwriter
from sqlalchemy import select

from hoctap.models import decode
from hoctap.models.i18n import set_lang
from hoctap.models.importer import ImportFailed, import_roster
from hoctap.models.tables import Person
from hoctap.tui.cli import main
from tests.test_import import snapshot

HEAD = "Mã,Họ và tên,Đối tượng\r\n"


def run(db_url, path, lang, *extra):
    return main(["--db", db_url, "--lang", lang, "import", str(path), "--unit", "THCS-LQD", "--year", "2024", *extra])


def refused(db, db_url, catalogs, capsys, path, vi: str, en: str, *extra) -> None:
    """Exit 2 in both languages, each message naming the file; the database unchanged."""
    before = snapshot(db, catalogs)
    for lang, want, other in (("vi", vi, en), ("en", en, vi)):
        capsys.readouterr()
        assert run(db_url, path, lang, *extra) == 2
        err = capsys.readouterr().err
        assert str(path) in err and want in err and other not in err, err
        assert "Traceback" not in err
    assert snapshot(db, catalogs) == before


def test_a_stray_byte_in_a_utf8_file_is_refused_with_its_row(tmp_path, db, db_url, catalogs, demo, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes((HEAD + "X1,Trần Thị Hằng,Thành viên\r\n").encode() + b"X2,L\xea Lan,Th\xc3\xa0nh vi\xc3\xaan\r\n")
    refused(db, db_url, catalogs, capsys, path, "dòng 3: không đọc được theo mã utf-8: byte lạ 0xEA",
            "row 3: does not decode as utf-8: stray byte 0xEA")


def test_utf8_once_read_as_windows_1252_is_refused_with_row_and_column(tmp_path, db, db_url, catalogs, demo, capsys):
    path = tmp_path / "ds.csv"
    path.write_text(HEAD + "X1,Lê Lan,Thành viên\r\nX2,Tráº§n Thá»‹ Háº±ng,Thành viên\r\n", encoding="utf-8")
    refused(db, db_url, catalogs, capsys, path, "dòng 3, cột 'Họ và tên' (B): chữ bị lỗi mã",
            "row 3, column 'Họ và tên' (B): garbled text 'Tráº§n Thá»‹ Háº±ng'")


def test_a_windows_1252_file_is_refused_until_its_encoding_is_named(tmp_path, db, db_url, catalogs, demo, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes("code,full_name,kind\r\nX1,João Silva,staff\r\n".encode("cp1252"))
    refused(db, db_url, catalogs, capsys, path, "không rõ mã", "its encoding is unclear")
    capsys.readouterr()
    assert run(db_url, path, "en", "--encoding", "cp1252", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Read as: text in cp1252, comma-separated" in out and "1 person added" in out
    assert run(db_url, path, "vi", "--encoding", "latin-1") == 0
    assert "Đọc tệp: văn bản iso8859-1, phân cách bằng dấu phẩy" in capsys.readouterr().out
    with db.read() as s:
        assert s.execute(select(Person.full_name).where(Person.code == "X1")).scalar() == "João Silva"


def test_an_unknown_encoding_name_is_refused_by_the_cli(tmp_path, db_url, demo, capsys):
    path = tmp_path / "ds.csv"
    path.write_text(HEAD, encoding="utf-8")
    for lang, want in (("vi", "không có bảng mã 'klingon'"), ("en", "no encoding named 'klingon'")):
        capsys.readouterr()
        assert run(db_url, path, lang, "--encoding", "klingon") == 2
        assert want in capsys.readouterr().err
    assert run(db_url, path, "en", "--encoding", "base64") == 2  # bytes to bytes: not a text encoding


def test_the_encoding_used_is_said_in_the_result_and_the_dry_run(tmp_path, db, db_url, catalogs, demo, capsys):
    path = tmp_path / "ds.csv"
    path.write_bytes((HEAD + "X1,Lê Lan,Thành viên\r\n").replace(",", ";").encode("utf-16"))
    result = import_roster(db, catalogs, "THCS-LQD", 2024, path, dry_run=True)
    assert result.encoding == "utf-16" and result.read_as == "văn bản utf-16, phân cách bằng dấu chấm phẩy"
    capsys.readouterr()
    assert run(db_url, path, "en", "--dry-run") == 0
    assert "Read as: text in utf-16, semicolon-separated" in capsys.readouterr().out


def test_a_sparse_workbook_declaring_a_huge_sheet_is_refused(tmp_path, db, db_url, catalogs, demo, capsys):
    path = tmp_path / "sparse.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("DS")
    ws.write_string(0, 0, "Mã")
    ws.write_string(1048575, 16383, "x")  # XFD1048576
    wb.close()
    assert path.stat().st_size < 10_000
    refused(db, db_url, catalogs, capsys, path, "trang 'DS' khai báo vùng A1:XFD1048576 (1048576 dòng × 16384 cột), quá lớn",
            "sheet 'DS' declares the range A1:XFD1048576 (1048576 rows × 16384 columns), too large")


def test_a_formula_without_a_saved_value_is_named_not_read_as_blank(tmp_path, db, db_url, catalogs, demo, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã", "Họ và tên", "Đối tượng"])
    ws.append(["X1", "Lê Lan", "Thành viên"])
    ws.append(["X2", '=CONCATENATE("Lê ","Hoa")', "Thành viên"])  # openpyxl saves no cached value
    wb.save(path)
    refused(db, db_url, catalogs, capsys, path, "dòng 3, cột 'Họ và tên' (B): ô chứa công thức chưa có giá trị",
            "row 3, column 'Họ và tên' (B): the cell holds a formula with no saved value")


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "directory"])
def test_devices_pipes_and_directories_are_not_read(tmp_path, db, db_url, catalogs, demo, capsys, kind):
    if kind == "dev-zero":
        path = "/dev/zero"
    elif kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)  # nobody writes: reading it would block for ever
    else:
        path = tmp_path
    refused(db, db_url, catalogs, capsys, path, "không phải một tệp thường", "not a regular file")


def test_a_file_over_the_size_limit_is_refused(tmp_path, db, db_url, catalogs, demo, capsys, monkeypatch):
    monkeypatch.setattr(decode, "MAX_FILE_BYTES", 1024 * 1024)
    path = tmp_path / "big.csv"
    path.write_bytes(HEAD.encode() + b"X1,A,staff\r\n" * 100_000)
    refused(db, db_url, catalogs, capsys, path, "tệp lớn hơn giới hạn 1 MB", "the file is larger than the limit of 1 MB")


def test_a_huge_line_says_so_with_its_row_not_broken_csv(tmp_path, db, db_url, catalogs, demo, capsys):
    path = tmp_path / "long.csv"
    path.write_text(HEAD + "X1,Lê Lan,staff\r\n" + "X2," + "A" * (decode.MAX_LINE_CHARS + 10) + ",staff\r\n",
                    encoding="utf-8")
    refused(db, db_url, catalogs, capsys, path, "dòng 3: dòng dài quá 100000 ký tự",
            "row 3: the line is longer than 100000 characters")
    set_lang("en")
    with pytest.raises(ImportFailed) as e:
        import_roster(db, catalogs, "THCS-LQD", 2024, path)
    assert [p.row for p in e.value.problems] == [3]
