"""Export from the TUI: the dossier workbook and the roster, written in a worker, saved to the
download folder; the workbook's cached summary values read back with openpyxl."""

from __future__ import annotations

import csv

import openpyxl
from textual.widgets import ProgressBar, Select

from hoctap.models import i18n
from hoctap.screens.confirm import ConfirmModal
from hoctap.screens.dashboard import DashboardScreen
from hoctap.screens.export import ExportForm
from tests.tui_helpers import SIZE, make_app, press, settle


async def test_report_from_the_dashboard(db, catalogs, demo, tmp_path):
    app = make_app(db, catalogs, demo)
    app.download_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        await press(pilot, "x")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ExportForm)
        assert form.query_one("#export-level", Select).value == 1
        assert form.query_one("#export-lang", Select).value == "vi"  # the app's language
        bar = form.query_one("#export-progress", ProgressBar)
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert bar.total == bar.progress == 860  # fed by the report's progress callback
    path = tmp_path / "THCS-LQD-2024-bao-cao-muc1-vi.xlsx"
    assert path.exists() and not list(tmp_path.glob("*.part"))
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "C2.3")
    numbers = [v for v in row if isinstance(v, (int, float)) and not isinstance(v, bool)]
    assert numbers[:2] == [53, 60]
    assert "Không đạt" in row


async def test_roster_csv_in_english(db, catalogs, demo, tmp_path):
    app = make_app(db, catalogs, demo)
    app.download_dir = tmp_path
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "X")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#export-format", Select).value = "csv"
        form.query_one("#export-lang", Select).value = "en"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        path = tmp_path / "THCS-LQD-2024-danh-sach-en.csv"
        assert any(path.name in str(n.message) and str(tmp_path) in str(n.message)
                   for n in app._notifications)  # the user is told where
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["Code", "Full name"] and len(rows) == 861


async def test_unwritable_folder_is_a_notification(db, catalogs, demo, tmp_path):
    i18n.set_lang("en")
    blocker = tmp_path / "file"
    blocker.write_text("")
    app = make_app(db, catalogs, demo)
    app.download_dir = blocker / "sub"  # a folder cannot be made inside a file
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "x", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportForm)  # still open, usable again
        assert not app.screen.running
        assert any("could not write" in str(n.message).lower() and ".part" not in str(n.message) for n in app._notifications)


async def test_exporting_again_asks_before_replacing_the_earlier_file(db, catalogs, demo, tmp_path):
    app = make_app(db, catalogs, demo)
    app.download_dir = tmp_path
    earlier = tmp_path / "THCS-LQD-2024-bao-cao-muc1-vi.xlsx"
    earlier.write_bytes(b"earlier")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "x", "ctrl+s")
        assert isinstance(app.screen, ConfirmModal)
        assert earlier.name in str(app.screen.query_one("#confirm-question").render())
        await press(pilot, "n")  # kept: the form stays open
        assert isinstance(app.screen, ExportForm) and earlier.read_bytes() == b"earlier"
        await press(pilot, "ctrl+s", "y")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        notes = [n.message for n in app._notifications]
    assert earlier.read_bytes() != b"earlier"
    assert f"Đã lưu tệp {earlier.name}\ntrong thư mục {tmp_path}" in notes


async def test_a_failed_write_names_the_users_file_in_the_users_language(db, catalogs, demo, tmp_path):
    app = make_app(db, catalogs, demo)
    (tmp_path / "file").write_text("")
    app.download_dir = tmp_path / "file" / "sub"  # a folder that cannot be made
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "x", "ctrl+s")
        await settle(app, pilot)
        notes = [n.message for n in app._notifications]
    assert any("không ghi được" in n.lower() and "THCS-LQD-2024-bao-cao-muc1-vi.xlsx" in n and ".part" not in n
               for n in notes), notes
