"""Roster import from files shaped like the ones people really have, bad files that change
nothing, and the roster export that re-imports without loss."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import unicodedata

import pytest
import xlsxwriter
from sqlalchemy import func, select

from hoctap.models.db import open_database
from hoctap.models.i18n import tr_in
from hoctap.models.importer import ImportFailed, import_roster
from hoctap.models.meters import evaluate_context
from hoctap.models.people import person_facts
from hoctap.models.status import status_json
from hoctap.models.units import add_unit, find_context
from hoctap.models.tables import (Assessment, AuditBatch, AuditChange, Person, PersonFact, RosterEntry, Unit,
                           UnitEntryValue)
from hoctap.tui.cli import main

HEADER = ["STT", "Họ và tên", "Mã", "Giới tính", "Đối tượng", "Phòng ban", "Chuyển đổi số",
          "Danh hiệu thi đua", "Kỷ luật", "Ghi chú"]
ROWS = [
    ["1", "Nguyễn Văn An", "GV001", "Nam", "Giáo viên", "Tổ Toán, Tin", "x", "Lao động tiên tiến", "có", "mới"],
    ["2", "Trần Thị Bình", "GV002", "nữ", "giáo viên", "Tổ Văn", "",
     unicodedata.normalize("NFD", "CHIẾN SĨ THI ĐUA CƠ SỞ"), "Đạt", ""],
    ["3", "Lê Minh Châu", "HS001", "Nam", "Học sinh", "Lớp 6A1", "không", "", "yes", ""],
    ["4", "Phạm Thu Hà", "GV003", "NỮ", "Thành viên", "Tổ Anh", "1", "advanced_worker", "0", ""],
]
EXPECTED = {
    "GV001": ({"full_name": "Nguyễn Văn An", "kind": "staff", "gender": "male", "department": "Tổ Toán, Tin"},
              {"digital_training": "1", "emulation_title": "advanced_worker", "discipline": "1"}),
    "GV002": ({"full_name": "Trần Thị Bình", "kind": "staff", "gender": "female", "department": "Tổ Văn"},
              {"emulation_title": "grassroots_fighter", "discipline": "1"}),
    "HS001": ({"full_name": "Lê Minh Châu", "kind": "learner", "gender": "male", "department": "Lớp 6A1"},
              {"digital_training": "0", "discipline": "1"}),
    "GV003": ({"full_name": "Phạm Thu Hà", "kind": "staff", "gender": "female", "department": "Tổ Anh"},
              {"digital_training": "1", "emulation_title": "advanced_worker", "discipline": "0"}),
}
TITLE = ["DANH SÁCH CÁN BỘ, GIÁO VIÊN, HỌC SINH NĂM 2024"]


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores it: letters with their vowel marks, then combining tone marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES)) + tones)
    return "".join(out).encode("cp1258")


def csv_text(rows, delimiter=",", title=False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    if title:
        w.writerow(TITLE + [""] * (len(HEADER) - 1))
        w.writerow([""] * len(HEADER))
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue()


def write_xlsx(path, rows, cover=True):
    wb = xlsxwriter.Workbook(str(path))
    if cover:
        wb.add_worksheet("Bìa").write_string(0, 0, "Hồ sơ tự đánh giá")
    ws = wb.add_worksheet("Danh sách")
    merged = wb.add_format({"bold": True, "align": "center"})
    ws.merge_range(0, 0, 0, len(HEADER) - 1, TITLE[0], merged)
    ws.merge_range(1, 0, 1, len(HEADER) - 1, "Năm học 2023 - 2024", merged)
    for c, h in enumerate(HEADER):
        ws.write_string(3, c, h)
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row):
            if c == 0:
                ws.write_number(r, c, int(v))  # numbers where Excel users type numbers
            elif HEADER[c] == "Kỷ luật" and v in ("có", "0"):
                ws.write_boolean(r, c, v == "có")
            else:
                ws.write_string(r, c, v)
    wb.close()
    return path


SHAPES = {
    "excel-utf8-bom-semicolon-title": lambda p: p.write_bytes(csv_text(ROWS, ";", title=True).encode("utf-8-sig")),
    "utf8-comma": lambda p: p.write_bytes(csv_text(ROWS).encode("utf-8")),
    "utf16-bom-tab": lambda p: p.write_bytes(csv_text(ROWS, "\t").encode("utf-16")),
    "utf16le-no-bom": lambda p: p.write_bytes(csv_text(ROWS).encode("utf-16-le")),
    "windows-1258": lambda p: p.write_bytes(cp1258(csv_text(ROWS, ";"))),
}


def check_imported(db, catalogs, unit="U1", year=2024):
    ctx = find_context(db, unit, year)
    with db.read() as s:
        people = {p.code: p for p in s.exec(select(Person)).scalars()}
    facts = person_facts(db, ctx, [p.id for p in people.values()])
    for code, (fields, expected_facts) in EXPECTED.items():
        p = people[code]
        assert {k: getattr(p, k) for k in fields} == fields, code
        got = {k: v for k, v in facts[p.id].items() if k in ("digital_training", "emulation_title", "discipline")}
        assert got == expected_facts, code


@pytest.fixture
def unit(db, catalogs):
    add_unit(db, catalogs, "U1", "Trường THCS Thử", "district", ["public_service", "general_education"])
    return "U1"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_real_world_csv_files(tmp_path, db, db_url, catalogs, unit, capsys, shape):
    path = tmp_path / "danh sach.csv"
    SHAPES[shape](path)
    assert main(["--db", db_url, "import", str(path), "--unit", unit, "--year", "2024"]) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "STT" in err and "Ghi chú" in err  # extra columns are reported
    check_imported(db, catalogs)


def test_xlsx_with_cover_sheet_and_merged_title_rows(tmp_path, db, db_url, catalogs, unit, capsys):
    path = write_xlsx(tmp_path / "ds.xlsx", ROWS)
    assert main(["--db", db_url, "import", str(path), "--unit", unit, "--year", "2024"]) == 0, capsys.readouterr().err
    check_imported(db, catalogs)


def test_xlsx_saved_with_a_csv_name_is_read_as_a_workbook(tmp_path, db, catalogs, unit):
    path = write_xlsx(tmp_path / "ds.xlsx", ROWS, cover=False).rename(tmp_path / "ds.csv")
    assert import_roster(db, catalogs, unit, 2024, path).rows == 4
    check_imported(db, catalogs)


def test_upsert_by_code_and_dry_run_summary(tmp_path, db, db_url, catalogs, unit, capsys):
    path = tmp_path / "a.csv"
    path.write_text(csv_text(ROWS), encoding="utf-8")
    assert main(["--db", db_url, "import", str(path), "--unit", unit, "--year", "2024"]) == 0
    changed = [list(r) for r in ROWS]
    changed[0][6] = "không"  # GV001 digital_training 1 -> 0
    changed[1][6] = "có"  # GV002 digital_training none -> 1
    changed[2][5] = "Lớp 6A2"
    path.write_text(csv_text(changed), encoding="utf-8")
    before = snapshot(db, catalogs, unit)
    capsys.readouterr()
    assert main(["--db", db_url, "--lang", "en", "import", str(path), "--unit", unit, "--year", "2024",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run" in out and "0 people added, 1 updated" in out and "3 values changed" in out
    assert f"{catalogs.facts['digital_training'].label('en')}: 2 (yes→no ×1, ∅→yes ×1)" in out
    assert "Department: 1 (Lớp 6A1→Lớp 6A2 ×1)" in out
    assert snapshot(db, catalogs, unit) == before
    result = import_roster(db, catalogs, unit, 2024, path)
    assert (result.added, result.updated) == (0, 1)
    with db.read() as s:
        assert s.exec(select(Person.department).where(Person.code == "HS001")).scalar() == "Lớp 6A2"
        assert s.exec(select(func.count()).select_from(Person)).scalar() == 4


# ---- bad files: nothing changes ------------------------------------------------------------

def snapshot(db, catalogs, unit="THCS-LQD", year=2024):
    with db.read() as s:
        counts = tuple(s.exec(select(func.count()).select_from(t)).scalar()
                       for t in (Unit, Assessment, Person, RosterEntry, PersonFact, UnitEntryValue, AuditBatch, AuditChange))
    ctx = find_context(db, unit, year)
    return counts, status_json(ctx, 1, evaluate_context(db, catalogs, ctx, 1))


def _demo_csv(rows_extra: list[list[str]], header=None) -> str:
    header = header or ["Mã", "Họ và tên", "Đối tượng", "Chuyển đổi số", "Kỷ luật"]
    rows = [["LQD00001", "Huỳnh Phương Việt", "Thành viên", "có", "có"]] + rows_extra
    return csv_text(rows).replace(",".join(HEADER), ",".join(header), 1)


BAD = {
    "bad header": (b"foo,bar,baz\r\n1,2,3\r\n", "row 1: no header row"),
    "bad value": (_demo_csv([["LQD00002", "Trương Thanh Nhật", "Thành viên", "có lẽ", "có"]]).encode(),
                  "row 3, column 'Chuyển đổi số' (D)"),
    "duplicate code": (_demo_csv([["X1", "A", "", "", ""], ["LQD00001", "B", "", "", ""]]).encode(),
                       "row 4, column 'Mã' (A): code 'LQD00001' repeats row 2"),
    "missing name": (_demo_csv([["X2", "", "", "", ""]]).encode(), "row 3, column 'Họ và tên' (B)"),
    "missing code column": ("Họ và tên;Phòng ban;Kỷ luật\r\nA;B;có\r\n".encode("utf-8-sig"),
                            "row 1: the header row has no column 'code' (Mã)"),
    "binary file": (bytes(range(256)) * 8, "not a text file"),
    # random bytes hold a few valid UTF-8 letters: still not "a stray byte in row 1"
    "random bytes": (random.Random(5).randbytes(3000), "not a text file"),
    "nul bytes": (b"code,full_name\r\nA\x00,B\r\n", "not a text file"),
    "damaged workbook": (b"PK\x03\x04" + b"\x00garbage" * 20, "cannot read the workbook"),
    # a stray quote must not swallow the rest of the file into one cell
    "stray quote": ((_demo_csv([]) + 'LQD09999,"Nguyễn Văn Mới,Thành viên,có,có\r\n'
                     'LQD09998,Trần Văn Hai,Thành viên,có,có\r\n').encode(), "row 3: broken CSV"),
    "stray quote closed later": ((_demo_csv([]) + 'LQD09999,"Nguyễn Văn Mới,Thành viên,có,có\r\n'
                                  'LQD09998,Trần "Hai",Thành viên,có,có\r\n').encode(), "row 3: broken CSV"),
    "line break in a name": ((_demo_csv([]) + 'LQD09999,"Nguyễn Văn Mới,Thành viên,có,có\r\n'
                              'LQD09998,Trần Văn Hai",Thành viên,có,có\r\n').encode(),
                             "row 3, column 'Họ và tên' (B): Full name: must not contain a line break"),
    "empty file": (b"", "the file is empty"),
    "only a byte-order mark and blank lines": (b"\xef\xbb\xbf\r\n\r\n", "the file is empty"),
    "absurdly long value": (_demo_csv([["LQD00002", "A" * 501, "", "", ""]]).encode(),
                            "row 3, column 'Họ và tên' (B): Full name: longer than 500 characters"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_change_nothing(tmp_path, db, db_url, catalogs, demo, capsys, case):
    data, message = BAD[case]
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = snapshot(db, catalogs)
    capsys.readouterr()
    assert main(["--db", db_url, "--lang", "en", "import", str(path), "--unit", "THCS-LQD", "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert "nothing imported" in err and message in err, err
    assert snapshot(db, catalogs) == before


VIETNAMESE = {
    "bad header": "dòng 1: không tìm thấy dòng tiêu đề",
    "duplicate code": "dòng 4, cột 'Mã' (A): mã 'LQD00001' trùng với dòng 2",
    "missing code column": "dòng 1: dòng tiêu đề thiếu cột 'code' (Mã)",
    "binary file": "không phải tệp văn bản",
    "nul bytes": "đây không phải tệp văn bản",
    "damaged workbook": "không đọc được bảng tính",
    "stray quote": "dòng 3: tệp CSV hỏng",
    "line break in a name": "dòng 3, cột 'Họ và tên' (B): Họ và tên: không được xuống dòng",
    "empty file": "tệp trống",
}


@pytest.mark.parametrize("case", sorted(VIETNAMESE))
def test_import_problems_speak_the_chosen_language(tmp_path, db_url, demo, capsys, case):
    path = tmp_path / "bad.csv"
    path.write_bytes(BAD[case][0])
    capsys.readouterr()
    assert main(["--db", db_url, "--lang", "vi", "import", str(path), "--unit", "THCS-LQD", "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert VIETNAMESE[case] in err and "row" not in err and "column" not in err, err
    assert main(["--db", db_url, "--lang", "en", "import", str(path), "--unit", "THCS-LQD", "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert BAD[case][1] in err and "dòng" not in err and "không" not in err, err


def test_a_bad_row_among_many_stops_the_whole_file(tmp_path, db, catalogs, demo):
    text = tmp_path / "ok.csv"
    from hoctap.sample_data.generator import people, write_csv

    rows = list(people(300, seed=3, code_prefix="N"))
    rows[250]["emulation_title"] = "hero"
    write_csv(text, rows)
    before = snapshot(db, catalogs)
    with pytest.raises(ImportFailed) as e:
        import_roster(db, catalogs, "THCS-LQD", 2024, text)
    assert [p.row for p in e.value.problems] == [252]
    assert snapshot(db, catalogs) == before


# ---- roster export round trip --------------------------------------------------------------

def people_and_facts(db, unit):
    ctx = find_context(db, unit, 2024)
    with db.read() as s:
        people = {p.code: p for p in s.exec(select(Person).join(Unit).where(Unit.code == unit)).scalars()}
    facts = person_facts(db, ctx, [p.id for p in people.values()])
    return {code: ({k: getattr(p, k) for k in ("full_name", "kind", "department", "position", "birth_year", "gender")},
                   facts[p.id]) for code, p in people.items()}


def test_dry_run_lines_add_up_to_the_total_and_keep_the_computed_title_apart(tmp_path, db_url, demo, capsys):
    header = "Mã,Họ và tên,Đối tượng,Phòng ban," + ",".join(f"lc_{i}" for i in range(1, 11))
    path = tmp_path / "cs.csv"
    path.write_text(f"{header}\nLQD00001,Huỳnh Phương Việt,Thành viên,Tổ Mới,{','.join(['5'] * 10)}\n"
                    f"GV-NEW,Lê Văn Mới,Thành viên,,{','.join(['4'] * 10)}\n", encoding="utf-8")
    args = ["--db", db_url, "--lang", "en", "import", str(path), "--unit", "THCS-LQD", "--year", "2024", "--dry-run"]
    assert main([*args, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    # one changed department, ten scores of each of the two; the title is computed, not in the file
    assert (got["fields"], got["facts"], got["values"]) == (1, 20, 21)
    assert got["changes"] == {"department": 1, **{f"lc_{i}": 2 for i in range(1, 11)}}
    assert sum(got["changes"].values()) == got["values"] and got["computed"] == {"lc_title": 2}
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert "1 updated" in out[1] and "21 values changed" in out[1]
    at = out.index("  " + tr_in("en", "importer.computed"))
    assert sum(int(re.search(r": (\d+) \(", line)[1]) for line in out[2:at]) == 21
    assert [line.strip().split(":")[0] for line in out[at + 1:]] == ["Learning Citizen (result)"]
    assert main(args[:-1] + ["--json"]) == 0  # the import itself counts as its preview did
    done = json.loads(capsys.readouterr().out)
    assert done["batch"] is not None and {k: done[k] for k in got if k not in ("batch", "dry_run")} == \
        {k: got[k] for k in got if k not in ("batch", "dry_run")}


@pytest.mark.parametrize("suffix,lang", [("csv", "vi"), ("xlsx", "vi"), ("xlsx", "en")])
def test_roster_export_reimports_losslessly(tmp_path, db, db_url, catalogs, demo, capsys, suffix, lang):
    from hoctap.models.people import save_person

    save_person(db, catalogs, demo, None, {"code": "-007", "full_name": "=Nguyễn Thị \"Hoa\"", "kind": "learner",
                                           "department": "@Lớp 9A1"}, {"lc_group": "student", "learning_citizen": "1"})
    path = tmp_path / f"roster.{suffix}"
    assert main(["--db", db_url, "--lang", lang, "roster", "export", str(path), "--unit", "THCS-LQD",
                 "--year", "2024"]) == 0
    assert "861" in capsys.readouterr().out
    # back into the same database: nothing to change
    assert import_roster(db, catalogs, "THCS-LQD", 2024, path, dry_run=True).changes == {}
    # into an empty database: the same people, facts and verdicts
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    add_unit(other, catalogs, "THCS-LQD", demo.unit.name, demo.unit.tier, demo.types)
    result = import_roster(other, catalogs, "THCS-LQD", 2024, path)
    assert result.rows == 861 and not result.ignored_columns
    assert people_and_facts(other, "THCS-LQD") == people_and_facts(db, "THCS-LQD")
    ours, theirs = snapshot(db, catalogs)[1], snapshot(other, catalogs)[1]
    share = lambda doc: [e for c in doc["criteria"] for e in c["entries"] if e["kind"] == "share"]  # noqa: E731
    assert share(theirs) == share(ours)
    other.dispose()


def test_roster_export_rejects_other_formats(tmp_path, db_url, demo, capsys):
    assert main(["--db", db_url, "roster", "export", str(tmp_path / "r.txt"), "--unit", "THCS-LQD",
                 "--year", "2024"]) == 2
    assert "'txt'" in capsys.readouterr().err and not (tmp_path / "r.txt").exists()


def test_xlsx_saved_by_libreoffice(tmp_path, db, db_url, catalogs, unit, capsys):
    """tests/fixtures/roster_libreoffice.xlsx: the workbook of write_xlsx above, re-saved by
    LibreOffice 7.4 Calc (its own shared strings, styles and merged title rows A1:J1, A2:J2)."""
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "roster_libreoffice.xlsx"
    assert main(["--db", db_url, "import", str(path), "--unit", unit, "--year", "2024"]) == 0, capsys.readouterr().err
    check_imported(db, catalogs)
