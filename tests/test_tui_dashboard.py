"""Dashboard: meters of the demo, level switch, drill-down, and edits by another connection."""

from __future__ import annotations

import pytest

from hoctap.models import i18n
from hoctap.models.db import open_database
from hoctap.models.facts import set_facts
from hoctap.models.roster import RosterQuery
from hoctap.screens.dashboard import DashboardScreen
from tests.tui_helpers import SIZE, make_app, press, row_text, settle


async def test_demo_meters(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(140, 30)) as pilot:  # wide: the verdicts in words
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        table = app.screen.query_one("#meters")
        c23 = row_text(table, "C2.3")
        assert "53/60" in c23 and "88,3%" in c23 and "≥ 90%" in c23
        assert "Không đạt" in c23 and "cần thêm 1" in c23
        assert "cần thêm 3" in row_text(table, "C3.1-learners")
        assert "Đạt" in row_text(table, "C1")


async def test_english_and_level_switch(db, catalogs, demo):
    i18n.set_lang("en")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        assert "needs 1 more" in row_text(table, "C2.3") and "✗" in row_text(table, "C2.3")
        await press(pilot, "l")
        await settle(app, pilot)
        assert app.screen.level == 2
        assert "Level 2" in str(app.screen.query_one("#dash-head").render())


async def test_enter_on_share_entry_opens_roster_of_people_missing(db, catalogs, demo, monkeypatch):
    app = make_app(db, catalogs, demo)
    opened = []
    monkeypatch.setattr(app, "open_roster", lambda query=None: opened.append(query))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        keys = [r.key.value for r in table.ordered_rows]
        table.move_cursor(row=keys.index("C2.3"))
        await press(pilot, "enter")
        await settle(app, pilot)
    assert opened == [RosterQuery(demo.assessment.id, not_qualifying="C2.3")]


async def test_enter_on_unit_entry_opens_checklist_there(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        keys = [r.key.value for r in table.ordered_rows]
        table.move_cursor(row=keys.index("C3.3"))
        await press(pilot, "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ChecklistScreen"
        assert app.screen.focused.ancestors[1].id == "e-C3_3"


async def test_edit_by_another_connection_appears(db, db_url, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        assert "53/60" in row_text(table, "C2.3")
        other = open_database(db_url)
        try:
            from hoctap.models import roster

            missing = roster.ids(other, RosterQuery(demo.assessment.id, not_qualifying="C2.3"), catalogs)
            set_facts(other, catalogs, demo, missing[:1], {"digital_training": "1"})
        finally:
            other.dispose()
        app.screen.poll()  # what the timer does every app.poll_seconds
        await settle(app, pilot)
        assert "54/60" in row_text(table, "C2.3") and "Đạt" in row_text(table, "C2.3")


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_everything_fits_at_80_columns(db, catalogs, demo, lang):
    """No horizontal scrollbar, every number and verdict on screen, the footer not cut."""
    from textual.widgets import Footer

    i18n.set_lang(lang)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        assert table.max_scroll_x == 0
        labels = [c.label.plain for c in table.columns.values()]
        assert i18n.tr("col.progress") not in labels and i18n.tr("col.shortfall") in labels
        assert row_text(table, "C2.3").split(" | ")[4:6] == ["✗", i18n.tr("needs_more", n=1)]
        keys = list(app.screen.query_one(Footer).query("FooterKey"))
        assert keys and max(k.region.right for k in keys) <= 80
        assert i18n.tr("key.help") in [k.description for k in keys]
    async with make_app(db, catalogs, demo).run_test(size=(160, 30)) as pilot:  # wide: the bar is back
        await settle(pilot.app, pilot)
        table = pilot.app.screen.query_one("#meters")
        assert table.max_scroll_x == 0 and i18n.tr("col.progress") in [c.label.plain for c in table.columns.values()]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 30)])
async def test_wording_is_whole_or_ends_with_an_ellipsis_and_whole_on_the_detail_line(db, catalogs, demo, lang, size):
    i18n.set_lang(lang)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        assert table.max_scroll_x == 0
        result = app.screen.result
        labels = {c.id: c.criterion.label(lang) for c in result.criteria}
        labels |= {r.entry.id: r.entry.label(lang) for r in result.entries()}
        if "wording" in table.columns:
            assert table.columns["wording"].width >= 16
            for key, label in labels.items():
                shown = table.get_cell(key, "wording").plain
                assert shown == label or (shown.endswith("…") and label.startswith(shown[:-1]))
        else:  # 80 columns: no room for a useful fragment
            assert size[0] == 80
        keys = [r.key.value for r in table.ordered_rows]
        table.move_cursor(row=keys.index("C2.3"))
        await settle(app, pilot)
        detail = str(app.screen.query_one("#dash-detail").render())
        assert labels["C2.3"] in detail.replace("\n", " ") or labels["C2.3"][:40] in detail
        assert i18n.tr("not_met") in detail


async def test_n_and_p_move_to_the_next_and_previous_failing_entry(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        keys = [row.key.value for row in table.ordered_rows]
        failing = [k for k in keys if k in app.screen.failing]
        assert "C2.3" in failing and "C3.1-learners" in failing and "C1.1" not in failing
        await press(pilot, "n")
        assert keys[table.cursor_row] == failing[0]
        await press(pilot, "n")
        assert keys[table.cursor_row] == failing[1 % len(failing)]
        await press(pilot, "p")
        assert keys[table.cursor_row] == failing[0]
        await press(pilot, "p")  # wraps to the last
        assert keys[table.cursor_row] == failing[-1]
