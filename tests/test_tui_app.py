"""The app shell: start screen, remembered assessment, help, keymap, command palette, errors."""

from __future__ import annotations

import tomllib

from hoctap.models.config import state_path
from hoctap.models.roster import RosterQuery
from hoctap.models.units import find_context, list_units, start_year_from
from hoctap.screens.dashboard import DashboardScreen
from hoctap.screens.help import HelpScreen
from hoctap.screens.start import StartScreen, UnitForm, YearForm
from tests.tui_helpers import SIZE, make_app, press, settle
from hoctap.screens.commands import ScreenCommands


async def test_start_creates_unit_and_year_and_remembers_it(db, catalogs):
    app = make_app(db, catalogs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, StartScreen)
        assert "Chưa có đơn vị" in str(app.screen.query_one("#assessments").get_option_at_index(0).prompt)
        await press(pilot, "n")
        await settle(app, pilot)
        assert isinstance(app.screen, UnitForm)
        await press(pilot, *"MN-HOA", "tab", *"Trường Mầm non Hoa Sen", "tab", "tab")
        await press(pilot, "space", "down", "down", "down", "space")  # first type, then the fourth
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, YearForm)
        year = app.screen.query_one("#year")
        year.value = ""
        year.focus()
        await press(pilot, *"2025", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "Mầm non Hoa Sen" in str(app.screen.query_one("#dash-head").render())
    unit = next(u for u in list_units(db) if u.code == "MN-HOA")
    assert unit.tier == "district" and len(unit.type_list) == 2
    assert find_context(db, "MN-HOA", 2025).assessment.level == 1
    assert tomllib.loads(state_path().read_text()) == {"unit": "MN-HOA", "year": 2025}

    app = make_app(db, catalogs)  # next time: straight to the remembered dashboard
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.ctx.unit.code == "MN-HOA"


async def test_new_year_from_last_years_roster(db, catalogs, demo):
    app = make_app(db, catalogs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "THCS-LQD" in str(app.screen.query_one("#assessments").get_option_at_index(0).prompt)
        await press(pilot, "y")
        await settle(app, pilot)
        assert app.screen.query_one("#year").value == "2025"
        assert app.screen.query_one("#year-copy").value
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.ctx.assessment.year == 2025
        await press(pilot, "q")
        await settle(app, pilot)
        assert isinstance(app.screen, StartScreen)
        assert app.screen.query_one("#assessments").option_count == 2
    from hoctap.models import roster

    assert roster.count(db, RosterQuery(find_context(db, "THCS-LQD", 2025).assessment.id)) == 860


async def test_bad_unit_form_shows_error_and_writes_nothing(db, catalogs):
    app = make_app(db, catalogs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "n")
        await press(pilot, *"X1", "ctrl+s")  # no name, no type
        await settle(app, pilot)
        assert isinstance(app.screen, UnitForm)
        assert any("bắt buộc" in n.message for n in app._notifications)
        await press(pilot, "escape")
        assert isinstance(app.screen, StartScreen)
    assert list_units(db) == []


async def test_help_lists_the_screens_keys(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = [tuple(map(str, app.screen.query_one("#help-keys").get_row_at(i)))
                for i in range(app.screen.query_one("#help-keys").row_count)]
        assert ("l", "Mức 1/2") in rows and ("c", "Danh mục") in rows
        await press(pilot, "escape")
        assert isinstance(app.screen, DashboardScreen)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "q")
        assert isinstance(app.screen, DashboardScreen)


async def test_keymap_from_config_changes_a_key(db, catalogs, demo):
    app = make_app(db, catalogs, demo, keymap={"dashboard.checklist": "k"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "c")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        await press(pilot, "k")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"


async def test_palette_offers_only_this_screens_actions(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        dashboard = [k.description for k in ScreenCommands(app.screen)._commands()]
        assert "Mức 1/2" in dashboard and "Danh mục" in dashboard
        await press(pilot, "c")
        await settle(app, pilot)
        checklist = [k.description for k in ScreenCommands(app.screen)._commands()]
        assert "Đổi mức 1/2" not in checklist and "Quay lại" in checklist


async def test_theme_from_config_and_unknown_theme(db, catalogs, demo):
    app = make_app(db, catalogs, demo, theme="ansi-dark")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == "ansi-dark"
    app = make_app(db, catalogs, demo, theme="no-such-theme")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_no_color_is_honoured(db, catalogs, demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.no_color


async def test_unknown_unit_asked_for_is_a_notification(db, catalogs):
    from hoctap.models.config import Config
    from hoctap.tui.app import HoctapApp

    app = HoctapApp(db, catalogs, Config(lang="vi"), unit="NOPE", year=2024)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, StartScreen)
        assert any("NOPE" in n.message for n in app._notifications)


async def test_ctrl_c_says_how_to_quit(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "ctrl+c")
        assert app.is_running
        assert any(n.message == "Nhấn ^q để thoát" for n in app._notifications)


async def test_level_sought_switched_on_the_start_screen(db, catalogs, demo):
    app = make_app(db, catalogs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "l")
        await settle(app, pilot)
        assert "mức 2" in str(app.screen.query_one("#assessments").get_option_at_index(0).prompt)
        await press(pilot, "enter")
        await settle(app, pilot)
        assert app.screen.level == 2
    assert find_context(db, "THCS-LQD", 2024).assessment.level == 2


async def test_a_bug_in_the_tui_goes_to_the_private_crash_log(db, catalogs):
    import os
    import stat

    app = make_app(db, catalogs)
    old = os.umask(0o022)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.show_error(RuntimeError("a bug in a screen"))
            await settle(app, pilot)
            note = [n.message for n in app._notifications][-1]
    finally:
        os.umask(old)
    log = state_path().with_name("crash.log")
    assert note == f"Lỗi nội bộ (RuntimeError); chi tiết trong {log}"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and "a bug in a screen" in log.read_text()


async def test_quitting_waits_for_no_poll_or_worker(db, catalogs, demo, monkeypatch):
    """ctrl+q while a poll is stuck on the database: the app ends, and so does the event loop's
    executor (asyncio.run joins it on the way out), without waiting for the stuck thread."""
    import asyncio
    import threading

    import hoctap.screens.dashboard as dashboard

    release = threading.Event()
    app = make_app(db, catalogs, demo)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            monkeypatch.setattr(dashboard, "data_version", lambda *args: release.wait(60))
            app.screen.poll()
            for _ in range(2400):  # until the worker has its thread (capped only to end a broken run)
                if app.threads.busy():
                    break
                await pilot.pause(0.05)
            assert len(app.threads.busy()) == 1  # the poll is in its thread, waiting
            await pilot.press("ctrl+q")
        assert app.return_code == 0 and len(app.threads.busy()) == 1
        # bounded only so that a regression fails instead of hanging for the minute
        await asyncio.wait_for(asyncio.get_running_loop().shutdown_default_executor(), timeout=10)
    finally:
        release.set()


async def test_textuals_own_words_are_in_the_users_language(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "ctrl+p")
        assert app.screen.query_one("CommandInput").placeholder == "Tìm lệnh…"
        await press(pilot, "escape")
        app.notify("Saved screenshot to [$text-success]'/tmp/x.svg'", title="Screenshot")
        await settle(app, pilot)
        note = list(app._notifications)[-1]
        assert (note.title, note.message) == ("Chụp màn hình", "Đã lưu ảnh màn hình vào [$text-success]'/tmp/x.svg'")
