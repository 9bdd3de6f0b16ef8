"""The import form's path field: Tab accepts the completion shown (as → does) and moves focus
on when there is none."""

from __future__ import annotations

from textual.widgets import Button, Input

from hoctap.screens.importer import ImportForm
from tests.tui_helpers import SIZE, make_app, press, settle


async def test_tab_accepts_the_completion_else_moves_on(db, catalogs, demo, tmp_path):
    (tmp_path / "danh-sach-2024.csv").write_text("Mã\n", encoding="utf-8")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "i")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ImportForm)
        field = form.query_one("#import-path", Input)
        assert field.has_focus
        await pilot.press(*f"{tmp_path}/danh")
        await settle(app, pilot)  # the suggester runs in a worker
        assert field._suggestion == f"{tmp_path}/danh-sach-2024.csv"
        await press(pilot, "tab")
        assert field.value == f"{tmp_path}/danh-sach-2024.csv" and field.has_focus
        await press(pilot, "tab")  # nothing more to complete: focus moves to the Preview button
        assert isinstance(app.focused, Button) and app.focused.id == "preview"
        assert field.value == f"{tmp_path}/danh-sach-2024.csv"
