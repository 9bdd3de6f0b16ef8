"""The dossier screen: reached from the dashboard, it shows what is missing, and the team, the
details and the narrative are edited there (database values and screen text after keys)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static, TextArea

from hoctap.models import dossier as d
from hoctap.screens.dossier import DossierScreen, FieldsForm, TextForm
from tests.tui_helpers import SIZE, make_app, press, row_text, settle


def check_text(screen) -> str:
    return str(screen.query_one("#dossier-check", Static).render())


async def open_dossier(app, pilot):
    await settle(app, pilot)
    await press(pilot, "d")
    assert isinstance(app.screen, DossierScreen)
    return app.screen


async def test_team_details_and_narrative_edited_from_the_dossier_screen(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dossier(app, pilot)
        assert "Chưa có tổ đánh giá" in check_text(screen)
        assert "Hạn nộp hồ sơ: 15/01/2025" in check_text(screen)
        assert "Chỉ tiêu C1.1 chưa có minh chứng" in check_text(screen)

        await press(pilot, "a")
        assert isinstance(app.screen, FieldsForm)
        app.screen.query_one("#f-full_name", Input).value = "Trần Thị Bình"
        app.screen.query_one("#f-position", Input).value = "Phó hiệu trưởng"
        app.screen.query_one("#f-role", Input).value = "Tổ trưởng"
        await press(pilot, "ctrl+s")
        assert [(m.full_name, m.role) for m in d.list_team(db, demo)] == [("Trần Thị Bình", "leader")]
        assert "Trần Thị Bình | Phó hiệu trưởng | Tổ trưởng" in row_text(screen.query_one("#dossier-team", DataTable), "1")
        assert "Chưa có tổ đánh giá" not in check_text(screen)

        await press(pilot, "i")
        app.screen.query_one("#f-head_name", Input).value = "Nguyễn Văn An"
        await press(pilot, "ctrl+s")
        assert d.get_info(db, demo).head_name == "Nguyễn Văn An"
        assert "thủ trưởng" not in check_text(screen)

        screen.query_one("#dossier-narrative", DataTable).focus()
        await press(pilot, "down", "w")  # C1, weaknesses
        assert isinstance(app.screen, TextForm)
        app.screen.query_one("#dossier-text", TextArea).text = "Thiếu kinh phí\ncho thư viện"
        await press(pilot, "ctrl+s")
        assert d.get_narrative(db, demo)[("C1", "weaknesses")].text == "Thiếu kinh phí\ncho thư viện"
        assert "Thiếu kinh phí cho thư viện" in row_text(screen.query_one("#dossier-narrative", DataTable), "C1/weaknesses")
        assert "Tiêu chí C1: chưa viết phần điểm yếu" not in check_text(screen)

        await press(pilot, "v")
        app.screen.query_one("#f-title", Input).value = "Kế hoạch học tập 2024"
        app.screen.query_one("#f-entries", Input).value = "C1.1, C1.2"
        app.screen.query_one("#f-issued_on", Input).value = "05/01/2024"
        await press(pilot, "ctrl+s")
        assert {i.row.code: i.entries for i in d.list_evidence(db, demo)} == {"H1-01": ("C1.1", "C1.2")}
        assert "Chỉ tiêu C1.1 chưa có minh chứng" not in check_text(screen)

        await press(pilot, "m")  # the rest of the free-text evidence becomes register rows
        assert len(d.list_evidence(db, demo)) == 7
        assert "chưa có minh chứng" not in check_text(screen)

        screen.query_one("#dossier-team", DataTable).focus()
        await press(pilot, "delete")
        assert d.list_team(db, demo) == []
        await press(pilot, "q")
        assert not isinstance(app.screen, DossierScreen)


async def test_escape_leaves_a_form_without_writing(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_dossier(app, pilot)
        await press(pilot, "a")
        app.screen.query_one("#f-full_name", Input).value = "Không lưu"
        await press(pilot, "escape")
        assert isinstance(app.screen, DossierScreen) and d.list_team(db, demo) == []


async def test_x_exports_the_dossier_set_into_a_new_folder_and_shows_it(db, catalogs, demo, tmp_path):
    from docx import Document

    app = make_app(db, catalogs, demo)
    app.download_dir = tmp_path / "tai-ve"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dossier(app, pilot)
        await press(pilot, "x")
        await settle(app, pilot)
        shown = str(screen.query_one("#dossier-exported", Static).render())
        folders = list((tmp_path / "tai-ve").iterdir())
        assert len(folders) == 1 and "Đã ghi 5 tệp vào thư mục" in shown and folders[0].name in shown
        files = sorted(p.name for p in folders[0].iterdir())
        assert len(files) == 5 and sum(f.endswith(".docx") for f in files) == 4 and files[-1].endswith(".xlsx")
        assert Document(folders[0] / files[0]).paragraphs  # a Word document that opens
        before = {p.name: p.stat().st_mtime_ns for p in folders[0].iterdir()}
        await press(pilot, "x")  # again: a new folder, the earlier set untouched
        await settle(app, pilot)
        assert len(list((tmp_path / "tai-ve").iterdir())) == 2
        assert {p.name: p.stat().st_mtime_ns for p in folders[0].iterdir()} == before
