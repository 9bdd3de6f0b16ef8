"""Collecting a folder from the start screen: the files come in, the refused ones are listed
with their reason, the start screen then lists the new units."""

from __future__ import annotations

from textual.widgets import DataTable, Input, OptionList

from hoctap.screens.collect import CollectForm
from hoctap.screens.start import StartScreen
from tests.test_office_collect import bundle, people_of, write
from tests.tui_helpers import make_app, press, row_text, settle


async def test_collect_a_folder_from_the_start_screen(db, catalogs, tmp_path):
    d = tmp_path / "inbox"
    d.mkdir()
    write(d / "a.toml", bundle(catalogs, "U01", 3))
    write(d / "b.toml", bundle(catalogs, "U02", 2, version="2023.9"))
    app = make_app(db, catalogs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, StartScreen)
        await press(pilot, "c")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, CollectForm)
        form.query_one("#collect-folder", Input).value = str(d)
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        table = form.query_one("#collect-results", DataTable)
        assert "U01 năm 2025: 3 người" in row_text(table, "a.toml") and "đã nhập" in row_text(table, "a.toml")
        assert "khác bộ tiêu chí" in row_text(table, "b.toml") and "2023.9" in row_text(table, "b.toml")
        assert "1 tệp đã nhập, 1 tệp bị từ chối" in str(form.query_one("#collect-total").render())
        await press(pilot, "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, StartScreen)
        options = app.screen.query_one("#assessments", OptionList)
        assert any("U01" in str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
    assert people_of(db, "U01") == 3 and people_of(db, "U02") == 0


async def test_new_year_for_many_units_from_the_start_screen(db, catalogs, tmp_path):
    from textual.widgets import SelectionList

    from hoctap.screens.rollover import RolloverForm
    from tests.test_office_collect import facts_in_year

    d = tmp_path / "inbox"
    d.mkdir()
    for code in ("U01", "U02"):
        doc = bundle(catalogs, code, 4)
        for p in doc["people"]:
            p["facts"]["emulation_title"] = "advanced_worker"
        write(d / f"{code}.toml", doc)
    from hoctap.models.collect import collect_folder
    collect_folder(db, catalogs, d)
    app = make_app(db, catalogs)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await press(pilot, "Y")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RolloverForm)
        assert form.query_one("#rollover-to", Input).value == "2026"
        assert sorted(form.query_one("#rollover-units", SelectionList).selected) == ["U01", "U02"]
        form.query_one("#rollover-units", SelectionList).deselect("U02")
        form.query_one("#rollover-carry", SelectionList).select("language_cert")
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, StartScreen)
    assert people_of(db, "U01", 2026) == 4 and people_of(db, "U02", 2026) == 0
    assert {n for _c, n, _v in facts_in_year(db, "U01", 2026)} == {"language_cert"}
