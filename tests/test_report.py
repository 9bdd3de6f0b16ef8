"""The dossier workbook, read back: formulas and print setup with openpyxl, cached values with
python-calamine, every summary row checked against ``status --json``."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import json
import math
import re
from fractions import Fraction

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from hoctap.models.checklist import check_entries
from hoctap.models.errors import HoctapError
from hoctap.models.people import save_person
from hoctap.models.report import write_report
from hoctap.models.xlsx import sheet_name
from hoctap.models.units import ensure_context, find_context
from hoctap.tui.cli import main

RESULT_TEXT = {"vi": {True: "Đạt", False: "Không đạt", None: "Không áp dụng"},
               "en": {True: "Met", False: "Not met", None: "Not applicable"}}


def status(capsys, db_url, level=1):
    capsys.readouterr()
    main(["--db", db_url, "status", "--unit", "THCS-LQD", "--year", "2024", "--level", str(level), "--json"])
    return json.loads(capsys.readouterr().out)


def summary_rows(path, sheet):
    """Entry and criterion rows of the summary by id: (row number, cached values)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return {r[0]: (i + 1, r) for i, r in enumerate(rows) if isinstance(r[0], str) and re.match(r"^C\d", r[0])}


def countifs(book: CalamineWorkbook, formula: str) -> int:
    """Evaluate the COUNTIFS sums the report writes, as a spreadsheet would, from the cells."""
    total = 0
    cache: dict = {}
    for args in re.findall(r"COUNTIFS\((.*?)\)(?=\+|$)", formula.lstrip("=")):
        parts = re.findall(r"'((?:[^']|'')+)'!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)|(\"(?:[^\"]|\"\")*\"|[^,]+)", args)
        ranges, criteria = [], []
        for sheet, col, first, last, crit in parts:
            if sheet:
                key = sheet.replace("''", "'")
                if key not in cache:
                    cache[key] = book.get_sheet_by_name(key).to_python(skip_empty_area=False)
                idx = openpyxl.utils.column_index_from_string(col) - 1
                ranges.append([row[idx] if idx < len(row) else "" for row in cache[key][int(first) - 1:int(last)]])
            else:
                criteria.append(crit)
        matches = [True] * len(ranges[0])
        for cells, crit in zip(ranges, criteria):
            if crit.startswith('"'):
                crit = crit[1:-1].replace('""', '"')
                if crit.startswith(">="):
                    ok = [isinstance(c, (int, float)) and c >= float(crit[2:]) for c in cells]
                else:
                    text = re.sub(r"~([~*?])", r"\1", crit.removeprefix("=")).casefold()
                    ok = [isinstance(c, str) and c.casefold() == text for c in cells]
            else:
                ok = [isinstance(c, (int, float)) and c == float(crit) for c in cells]
            matches = [m and o for m, o in zip(matches, ok)]
        total += sum(matches)
    return total


@pytest.mark.parametrize("lang,level", [("vi", 1), ("en", 2)])
def test_summary_matches_status_json(tmp_path, db, db_url, catalogs, demo, capsys, lang, level):
    path = tmp_path / "report.xlsx"
    assert main(["--db", db_url, "export", str(path), "--unit", "THCS-LQD", "--year", "2024",
                 "--level", str(level), "--lang", lang]) == 0
    doc = status(capsys, db_url, level)
    texts = RESULT_TEXT[lang]
    sheet = "Tổng hợp" if lang == "vi" else "Summary"
    rows = summary_rows(path, sheet)
    formulas = openpyxl.load_workbook(path)[sheet]
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == (["Tổng hợp", "Danh sách", "Công dân học tập", "Minh chứng"] if lang == "vi"
                                else ["Summary", "Roster", "Learning Citizen", "Evidence"])
    for crit in doc["criteria"]:
        n, cells = rows[crit["id"]]
        assert cells[8] == texts[crit["met"]]
        assert formulas.cell(n, 9).value.startswith("=IF(COUNTIF(")
        for e in crit["entries"]:
            n, cells = rows[e["id"]]
            assert cells[3] == ("Có" if lang == "vi" else "Yes") if e["applicable"] else cells[3] in ("Không", "No")
            assert cells[8] == texts[e["met"]], e["id"]
            if not e["applicable"] or e["kind"] == "unit":
                assert cells[5] == "" and cells[6] == ""
                continue
            assert (cells[5], cells[6], cells[9]) == (e["numerator"], e["denominator"], e["shortfall"]), e["id"]
            # one decimal, truncated, as `status` and the TUI show it (53/60 -> 88.3%, not 88.33%)
            assert cells[7] == math.floor(Fraction(e["numerator"] * 1000, e["denominator"])) / 1000, e["id"]
            assert formulas.cell(n, 8).value.startswith("=IF(") and "TRUNC(" in formulas.cell(n, 8).value
            assert formulas.cell(n, 8).number_format == "0.0%"
            qualifying, population = formulas.cell(n, 6).value, formulas.cell(n, 7).value
            assert qualifying.startswith("=COUNTIFS(") and population.startswith("=COUNTIFS(")
            # the formulas, evaluated over the Roster sheet's cells, give the same numbers
            assert countifs(book, qualifying) == e["numerator"], e["id"]
            assert countifs(book, population) == e["denominator"], e["id"]
            assert formulas.cell(n, 10).value.startswith("=MAX(0,CEILING(")
    values = [v for row in book.get_sheet_by_name(sheet).to_python() for v in row]
    assert texts[False] in values  # the level verdict (the demo falls just short)
    conclusion = ("Đơn vị chưa đủ điều kiện đề nghị công nhận “Đơn vị học tập”" if lang == "vi"
                  else "The unit does not yet qualify to request recognition as a Learning Unit")
    assert conclusion in values


def test_demo_unit_values_evidence_and_lc_sheet(tmp_path, db, catalogs, demo):
    path = tmp_path / "r.xlsx"
    write_report(db, catalogs, demo, None, path)
    rows = summary_rows(path, "Tổng hợp")
    assert rows["C3.3"][1][4] == "Tập thể lao động tiên tiến"
    assert rows["C3.3"][1][10] == "Quyết định 215/QĐ-UBND ngày 20/8/2024"
    assert rows["C2.5"][1][2] == "≥ 90% thành viên (≥ Lao động tiên tiến)"
    book = CalamineWorkbook.from_path(str(path))
    evidence = book.get_sheet_by_name("Minh chứng").to_python()
    assert ["C1.1", "Có", "Đạt"] == [evidence[3][0], evidence[3][4], evidence[3][5]]
    roster = book.get_sheet_by_name("Danh sách").to_python()
    assert len(roster) == 3 + 860
    lc = book.get_sheet_by_name("Công dân học tập").to_python()
    header = lc[2]
    total = header.index("Tổng điểm")
    scored = [r for r in lc[3:] if r[total] != ""]
    assert scored and all(r[total] == sum(r[5:15]) for r in scored)
    for r in scored:
        passes = r[total] >= 80 and min(r[5:15]) >= 5
        assert r[header.index("Kết quả")] == ("Đạt" if passes else "Không đạt")
    wb = openpyxl.load_workbook(path)
    assert wb["Công dân học tập"].cell(4 + lc[3:].index(scored[0]), total + 1).value.startswith("=SUM(")


def test_print_setup_and_layout(tmp_path, db, catalogs, demo):
    path = tmp_path / "r.xlsx"
    write_report(db, catalogs, demo, 1, path)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.print_title_rows
    roster = wb["Danh sách"]
    assert roster.freeze_panes == "D4" and roster.auto_filter.ref == "A3:P863"
    assert [c.value for c in roster[3]][:4] == ["STT", "Mã", "Họ và tên", "Đối tượng"]
    summary = wb["Tổng hợp"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    for needed in ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "…, ngày … tháng … năm …", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                   "BẢNG TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ", "2024; thời kỳ số liệu từ 01/01/2024 đến 31/12/2024"):
        assert needed in texts
    bool_cell = roster["I4"]
    assert isinstance(bool_cell.value, int) and "Có" in bool_cell.number_format


def test_hostile_text_stays_text(tmp_path, db, catalogs):
    from hoctap.models.units import add_unit

    add_unit(db, catalogs, "U1", "=Đơn vị +1", "district", ["state_agency"])
    ctx = ensure_context(db, "U1", 2024)
    hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+84 912", "-1-2", "@SUM(A1)", "=1+1"]
    for i, text in enumerate(hostile):
        save_person(db, catalogs, ctx, None, {"code": f"={i}" if i == 0 else f"P{i}", "full_name": text,
                                              "department": text, "kind": "staff"}, {"discipline": "1"})
    check_entries(db, catalogs, ctx, {"C1.1": "có"}, evidence="=cmd|' /C calc'!A0", documents="@doc")
    ctx = find_context(db, "U1", 2024)
    path = tmp_path / "h.xlsx"
    write_report(db, catalogs, ctx, 1, path)
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value in (*hostile, "=0", "=cmd|' /C calc'!A0", "@doc")]
    assert {c.value for c in cells} >= {*hostile, "=0", "=cmd|' /C calc'!A0", "@doc"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    values = [v for ws in CalamineWorkbook.from_path(str(path)).sheet_names
              for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name(ws).to_python() for v in row]
    assert "=Đơn vị +1".upper() in values and "=1+1" in values


def test_empty_roster_to_binary_file_with_progress(db, catalogs):
    from hoctap.models.units import add_unit

    add_unit(db, catalogs, "U2", "Trống", "provincial", ["state_agency"])
    ctx = ensure_context(db, "U2", 2025)
    buf = io.BytesIO()
    calls = []
    result = write_report(db, catalogs, ctx, 1, buf, lang="en", progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 0)]
    assert result.entry("C2.1").status == "no_data"
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_name("Summary").to_python()
    c21 = next(r for r in rows if r[0] == "C2.1")
    assert (c21[5], c21[6], c21[7], c21[8]) == (0, 0, "", "Not met")


def test_progress_reaches_the_total(tmp_path, db, catalogs, demo):
    calls = []
    write_report(db, catalogs, demo, 1, tmp_path / "p.xlsx", progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 860) and calls[-1] == (860, 860)


def test_sheet_names_are_sanitised():
    used: set[str] = set()
    assert sheet_name("Tổng hợp [2024]: a/b\\c*?", used) == "Tổng hợp 2024 a b c"
    assert sheet_name("'x'", used) == "x"
    assert len(sheet_name("y" * 40, used)) == 31
    assert sheet_name("X", used) == "X (2)"


class Unwritable(io.RawIOBase):
    """A full disk: the first write fails (later ones, from the zip file's clean-up, are dropped)."""
    failed = False

    def writable(self):
        return True

    def write(self, data):
        if not self.failed:
            self.failed = True
            raise OSError(28, "No space left on device")
        return len(data)


def test_a_failed_write_reports_its_own_error(db, catalogs, demo, monkeypatch):
    """Closing the half-made workbook fails too (the disk is full); the error that stopped the
    writing is the one raised."""
    with pytest.raises(HoctapError, match="No space left"):
        write_report(db, catalogs, demo, None, Unwritable())

    def broken(self, progress):
        raise KeyError("boom")

    monkeypatch.setattr("hoctap.models.report._Report.write", broken)
    with pytest.raises(KeyError, match="boom"):
        write_report(db, catalogs, demo, None, Unwritable())


def test_export_errors_exit_2(tmp_path, db_url, demo, capsys):
    assert main(["--db", db_url, "export", str(tmp_path / "x.xlsx"), "--unit", "NOPE", "--year", "2024"]) == 2
    assert "NOPE" in capsys.readouterr().err
    assert main(["--db", db_url, "export", str(tmp_path / "missing" / "x.xlsx"), "--unit", "THCS-LQD",
                 "--year", "2024"]) == 2
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_recomputes_the_same_numbers(tmp_path, db, db_url, catalogs, demo, capsys):
    """Saved without cached values (openpyxl drops them), LibreOffice must compute every
    count from the formulas alone; a flipped roster cell moves the summary with it."""
    path = tmp_path / "r.xlsx"
    write_report(db, catalogs, demo, 1, path)
    wb = openpyxl.load_workbook(path)
    roster = wb["Danh sách"]
    header = [c.value for c in roster[3]]
    col, kind = header.index("Được bồi dưỡng và tham gia chuyển đổi số") + 1, header.index("Đối tượng") + 1
    row = next(r for r in range(4, roster.max_row + 1)
               if roster.cell(r, kind).value == "Thành viên" and roster.cell(r, col).value == 0)
    roster.cell(row, col).value = 1
    wb.save(tmp_path / "edited.xlsx")
    # LibreOffice ≥ 7.2 names the CSV of sheet 1 (the last option) "edited-<sheet name>.csv"; in a
    # C locale (LC_ALL=C) it cannot spell "Tổng hợp" in a file name and writes nothing, exiting 0.
    # Hence a UTF-8 locale, a profile URL that survives spaces, and the CSV found by its stem.
    env = {**os.environ, "LC_ALL": "C.UTF-8", "HOME": str(tmp_path)}
    out = tmp_path / "csv"
    proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1",
                           "--outdir", str(out), str(tmp_path / "edited.xlsx")],
                          check=True, capture_output=True, text=True, timeout=300, env=env)
    written = sorted(out.glob("edited*.csv"))
    assert len(written) == 1, proc.stdout + proc.stderr
    import csv

    rows = {r[0]: r for r in csv.reader(written[0].open(encoding="utf-8")) if r}
    doc = status(capsys, db_url)
    for e in (e for c in doc["criteria"] for e in c["entries"] if e["kind"] == "share" and e["applicable"]):
        numerator = e["numerator"] + (1 if e["id"] == "C2.3" else 0)
        assert (int(rows[e["id"]][5]), int(rows[e["id"]][6])) == (numerator, e["denominator"]), e["id"]
    assert rows["C2.3"][8] == "Đạt" and rows["C2.3"][9] == "0" and rows["C2"][8] == "Đạt"


def test_the_dossier_is_vietnamese_whatever_the_locale(tmp_path, db_url, demo, monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    path = tmp_path / "r.xlsx"
    assert main(["--db", db_url, "export", str(path), "--unit", "THCS-LQD", "--year", "2024"]) == 0
    assert CalamineWorkbook.from_path(str(path)).sheet_names[0] == "Tổng hợp"
