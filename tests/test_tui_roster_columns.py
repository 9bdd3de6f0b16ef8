"""Roster columns (issue 14): sideways by whole columns, going to a column by name, short score
headers, the drill-down's own columns in view, and cut cells ending with an ellipsis — in the
roster and in the units overview."""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList, Static

from hoctap.models import i18n
from hoctap.models.i18n import tr
from hoctap.models.roster import RosterQuery
from hoctap.screens.roster import GoToColumn, RosterScreen
from hoctap.screens.widgets.roster_view import RosterView
from hoctap.screens.widgets.table_view import fit_cell
from hoctap.screens.widgets.units_view import UnitsView
from tests.tui_helpers import make_app, press, settle

FROZEN_WIDTH = 36  # mark, code and name at 80 columns: what stays put


async def open_roster(app, pilot, ctx, query=None) -> RosterView:
    await settle(app, pilot)
    await app.push_screen(RosterScreen(query or RosterQuery(ctx.assessment.id)))
    await settle(app, pilot)
    return app.screen.view


def header(view: RosterView) -> str:
    return view.render_line(0).text


def after_names(view: RosterView, line: int = 0) -> str:
    """What a line shows right of the frozen mark, code and name columns."""
    text = view.render_line(line).text
    frozen = sum(w + 1 for w in view.column_widths()[0])
    return text[frozen:]


# ---- one cell-fitting helper ------------------------------------------------------------------

def test_fit_cell_pads_or_cuts_with_an_ellipsis_in_terminal_cells():
    assert fit_cell("Học sinh, sinh viên", 16) == "Học sinh, sinh …"
    assert fit_cell("Tổ Ngữ văn", 12) == "Tổ Ngữ văn  "
    assert fit_cell("Tổ Ngữ văn", 10) == "Tổ Ngữ văn"  # exactly fits: no ellipsis
    decomposed = unicodedata.normalize("NFD", "Tổ Khoa học tự nhiên")
    cut = fit_cell(decomposed, 10)
    assert cell_len(cut) == 10 and cut.endswith("…")
    assert unicodedata.normalize("NFC", cut) == "Tổ Khoa h…"  # each mark stays on its letter
    wide = fit_cell("中文字幕", 6)  # a wide character is never split in half
    assert cell_len(wide) == 6 and wide == "中文…" + " "
    for emoji in ("❤️❤️❤️❤️", "👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧"):  # a grapheme of several code points is kept or cut whole
        cut = fit_cell(emoji, 5)
        assert cell_len(cut) == 5 and cut.endswith("…"), cut


# ---- sideways by whole columns ------------------------------------------------------------------

async def test_right_and_left_move_one_whole_column_names_stay(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_roster(app, pilot, demo)
        assert after_names(view).startswith("Đối tượng")
        assert header(view).endswith("…")  # the column the right edge cuts
        first_row_name = view.render_line(1).text[:FROZEN_WIDTH]
        await press(pilot, "right")
        assert after_names(view).startswith("Phòng ban/Lớp")
        assert view.current_column == "department"
        assert view.render_line(1).text[:FROZEN_WIDTH] == first_row_name  # mark, code, name stay
        await press(pilot, "right", "right")
        assert after_names(view).startswith("Bồi dưỡng")
        await press(pilot, "left")
        assert after_names(view).startswith("Kỷ luật")
        await press(pilot, "shift+right")
        assert view.current_column == view.scrolled_keys[-1]
        assert header(view).rstrip().endswith("CS10")  # the last column is in view, not past it
        await press(pilot, "shift+left")
        assert view.current_column == "kind" and after_names(view).startswith("Đối tượng")
        await press(pilot, "l", "l", "h")  # VisiData's keys too
        assert view.current_column == "department"
        view.scroll_to(x=3, animate=False, immediate=True, force=True)  # a mouse scrolls by cells
        line = view.render_line(1).text
        assert line[:FROZEN_WIDTH] == first_row_name and len(line) == view.scrollable_content_region.width
        assert after_names(view).startswith(" tượng ")  # "Đối tượng" less its first three cells


async def test_units_overview_scrolls_by_column_and_cuts_with_an_ellipsis():
    class Host(App):
        def compose(self) -> ComposeResult:
            yield UnitsView(["", "Mã", "Tên đơn vị", "Tự đánh giá", "Còn thiếu"], id="units-table")

    app = Host()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(UnitsView)
        long_name = "Trường Trung học cơ sở Lê Quý Đôn, phường Đống Đa, thành phố Hà Nội"
        view.set_rows([[" ", "THCS-LQD", long_name, "Đạt", "C2.3"], [" ", "TH-A", "Trường A", "—", ""]],
                      [1, 2], set())
        view.focus()
        await pilot.pause()
        line = view.render_line(1).text
        assert "Trường Trung học cơ sở Lê Quý Đôn, phườ…" in line
        assert "phường Đống Đa" not in line
        await pilot.press("right")
        await pilot.pause()
        assert view.column == 1
        assert view.render_line(0).text.split()[:2] == ["Mã", "Tự"]  # the code stays, the name scrolled away
        assert "THCS-LQD" in view.render_line(1).text and "Đạt" in view.render_line(1).text


# ---- going to a column by name ------------------------------------------------------------------

async def test_go_to_column_by_name_without_diacritics(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_roster(app, pilot, demo)
        await press(pilot, "C")
        modal = app.screen
        assert isinstance(modal, GoToColumn) and isinstance(app.focused, Input)
        await press(pilot, *"chuyen doi")  # "chuyển đổi số", typed without its marks
        options = modal.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)] == [
            "CĐS — Được bồi dưỡng và tham gia chuyển đổi số"]
        await press(pilot, "enter")
        assert app.screen is view.screen
        assert view.current_column == "digital_training"
        assert after_names(view).startswith("CĐS")
        # no match: Enter stays, Esc leaves the view where it was
        await press(pilot, "C", *"khong co")
        assert str(app.screen.query_one("#goto-status", Static).render()) == tr("roster.goto.none")
        await press(pilot, "enter")
        assert isinstance(app.screen, GoToColumn)
        await press(pilot, "escape")
        assert view.current_column == "digital_training"


async def test_go_to_column_moves_among_matches_in_english(db, catalogs, demo):
    i18n.set_lang("en")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_roster(app, pilot, demo)
        await press(pilot, "C", *"indicator 1")  # Indicator 1 and Indicator 10
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        assert str(options.get_option_at_index(0).prompt).startswith("I1 — Indicator 1: ")
        await press(pilot, "down", "enter")
        assert view.current_column == "lc_10"
        assert "I10" in header(view)


async def test_the_sort_picker_gives_a_short_header_its_whole_label(db, catalogs, demo):
    i18n.set_lang("en")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_roster(app, pilot, demo)
        await press(pilot, "o")
        prompts = [str(o.prompt) for o in app.screen.query_one("#pick-columns", OptionList).options]
        assert any(p.startswith("I1 — Indicator 1: ") for p in prompts)
        assert not any(" — " in p and p.split(" — ")[0] == p.split(" — ")[1] for p in prompts)


# ---- short score headers ------------------------------------------------------------------------

async def test_score_columns_have_short_headers_in_both_languages(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_roster(app, pilot, demo)
        await press(pilot, "shift+right")
        assert "CS1 " in header(view) and "CS10" in header(view)
    i18n.set_lang("en")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_roster(app, pilot, demo)
        await press(pilot, "shift+right")
        text = header(view)
        assert "I1 " in text and "I10" in text and "lc_" not in text


# ---- drill-down from the dashboard --------------------------------------------------------------

async def drill(app, pilot, entry: str) -> RosterView:
    await settle(app, pilot)
    table = app.screen.query_one("#meters")
    keys = [r.key.value for r in table.ordered_rows]
    table.move_cursor(row=keys.index(entry))
    await press(pilot, "enter")
    assert isinstance(app.screen, RosterScreen)
    return app.screen.view


async def test_drill_down_brings_the_entry_column_after_the_names_at_80_columns(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await drill(app, pilot, "C2.3")
        assert view.current_column == "digital_training"
        assert after_names(view).startswith("CĐS")
        assert after_names(view, 1).startswith("✗")  # why they are missing: not trained
        assert view.render_line(1).text[:FROZEN_WIDTH].strip()  # the name is still there


async def test_drill_down_for_the_title_shows_what_it_is_computed_from(db, catalogs, demo):
    i18n.set_lang("en")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(80, 24)) as pilot:
        view = await drill(app, pilot, "C3.1-learners")
        assert view.current_column == "lc_title"
        shown = after_names(view)
        assert shown.startswith("LC recorded") and "LC title" in shown and "I1" in shown
        assert after_names(view, 1).split()[:2] == ["✗", "✗"]  # neither recorded nor computed


def test_a_user_fact_is_headed_by_its_short_label_or_its_label_never_its_id(tmp_path):
    from hoctap.models.catalog import load_catalogs
    from hoctap.screens.widgets.roster_view import column_label

    (tmp_path / "my-facts.toml").write_text(
        'kind = "vocabulary"\nid = "my-facts"\nversion = "1"\n'
        '[facts.first_aid]\ntype = "bool"\nvi = "Có chứng chỉ sơ cứu"\nen = "Holds a first-aid certificate"\n'
        'short_vi = "Sơ cứu"\nshort_en = "First aid"\n'
        '[facts.swimming]\ntype = "bool"\nvi = "Biết bơi"\nen = "Can swim"\n', encoding="utf-8")
    catalogs = load_catalogs([tmp_path])
    assert column_label(catalogs, "first_aid") == "Sơ cứu"
    assert column_label(catalogs, "swimming") == "Biết bơi"
    i18n.set_lang("en")
    assert column_label(catalogs, "first_aid") == "First aid"
    assert column_label(catalogs, "swimming") == "Can swim"
    assert column_label(catalogs, "lc_3") == "I3"
