"""Switching Vietnamese ⇄ English in the running TUI: every word on screen follows, the choice is
remembered for the next start, and the start screen says how to do it."""

from __future__ import annotations

import tomllib

from textual.widgets import DataTable, Footer

from hoctap.models import i18n
from hoctap.models.config import state_path
from hoctap.screens.commands import screen_keys
from hoctap.screens.dashboard import DashboardScreen
from hoctap.screens.start import StartScreen
from tests.tui_helpers import SIZE, make_app, press, settle


def _footer(app) -> list[str]:
    return [k.description for k in app.screen.query_one(Footer).query("FooterKey")]


async def test_ctrl_l_redraws_the_dashboard_in_english_and_back(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "Trợ giúp" in _footer(app)
        assert app.screen.query_one(DataTable).columns["entry"].label.plain == "Chỉ tiêu"
        await press(pilot, "ctrl+t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and isinstance(app.screen_stack[-2], StartScreen)
        assert i18n.lang() == "en"
        assert screen.title == "Dashboard" and "Level 1" in str(screen.query_one("#dash-head").render())
        assert screen.query_one(DataTable).columns["entry"].label.plain == "Entry"
        assert "Help" in _footer(app) and "Roster" in _footer(app)
        assert "Tiếng Việt (Vietnamese)" in [k.description for k in screen_keys(screen)]  # in the palette too
        assert tomllib.loads(state_path().read_text(encoding="utf-8"))["lang"] == "en"
        await press(pilot, "ctrl+t")
        await settle(app, pilot)
        assert i18n.lang() == "vi" and app.screen.title == "Bảng chỉ tiêu" and "Trợ giúp" in _footer(app)
        assert tomllib.loads(state_path().read_text(encoding="utf-8"))["lang"] == "vi"


async def test_the_choice_is_remembered_and_the_start_screen_shows_the_key(db, catalogs):
    app = make_app(db, catalogs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hint = str(app.screen.query_one("#start-language").render())
        assert "ctrl+t" in hint.lower() or "^t" in hint and "English" in hint
        await press(pilot, "ctrl+t")
        await settle(app, pilot)
        assert isinstance(app.screen, StartScreen) and app.screen.title == "Start"
        assert "Tiếng Việt" in str(app.screen.query_one("#start-language").render())
    i18n.set_lang("vi")  # as the CLI does from the configuration (lang = "vi") at the next start
    app = make_app(db, catalogs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert i18n.lang() == "en" and app.screen.title == "Start"


async def test_a_language_asked_for_on_the_command_line_wins_over_the_remembered_one(db, catalogs):
    state_path().parent.mkdir(parents=True, exist_ok=True)
    state_path().write_text('lang = "en"\n', encoding="utf-8")
    i18n.set_lang("en")
    app = make_app(db, catalogs)  # configuration says vi, the process speaks en: --lang en
    app.config.lang = "vi"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.screen.title == "Start"
    state_path().write_text('lang = "en"\n', encoding="utf-8")
    i18n.set_lang("vi")
    from hoctap.models.config import Config
    from hoctap.tui.app import HoctapApp

    app = HoctapApp(db, catalogs, Config(lang="en"))  # --lang vi with a configuration saying en
    app.poll_seconds = None
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert i18n.lang() == "vi" and app.screen.title == "Bắt đầu"


async def test_no_switch_while_a_form_is_open(db, catalogs):
    app = make_app(db, catalogs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "n")  # the new unit form
        await press(pilot, "ctrl+t")  # a form keeps its keys to itself
        assert i18n.lang() == "vi" and type(app.screen).__name__ == "UnitForm"
        app.action_switch_language()  # as a command would
        await settle(app, pilot)
        assert i18n.lang() == "vi" and type(app.screen).__name__ == "UnitForm"
        assert any(n.message == i18n.tr("lang.close_form_first") for n in app._notifications)


async def test_the_start_screen_fits_80_columns_in_both_languages(db, catalogs):
    for lang in ("vi", "en"):
        i18n.set_lang(lang)
        app = make_app(db, catalogs)
        app.config.lang = lang
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            keys = list(app.screen.query_one(Footer).query("FooterKey"))
            assert max(k.region.right for k in keys) <= 80
            assert i18n.tr("key.help") in [k.description for k in keys]
            assert app.screen.query_one("#start-language").region.width <= 80
