"""The change log screen: a batch made on the roster is listed, its changes name people by code,
and undoing it from the log restores the meter."""

from __future__ import annotations

from textual.widgets import DataTable

from hoctap.models.i18n import tr
from hoctap.models.meters import evaluate_context
from hoctap.models.roster import RosterQuery
from hoctap.screens.confirm import ConfirmModal
from hoctap.screens.log import BatchChanges, LogScreen
from tests.test_tui_roster import pick
from tests.tui_helpers import SIZE, make_app, press, row_text, settle


def c23(db, catalogs, ctx) -> int:
    result = evaluate_context(db, catalogs, ctx)
    return next(e for e in result.entries() if e.entry.id == "C2.3").numerator


async def test_roster_batch_listed_and_undone_from_the_log(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        dashboard = app.screen
        app.open_roster(RosterQuery(demo.assessment.id, not_qualifying="C2.3"))
        await settle(app, pilot)
        roster = app.screen
        code = roster.view.current.code
        await press(pilot, "space", "e")
        await settle(app, pilot)
        await pick(app, pilot, "digital_training", "1")
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert c23(db, catalogs, demo) == 54
        await press(pilot, "q")
        await settle(app, pilot)
        assert app.screen is dashboard and "54/60" in row_text(dashboard.query_one("#meters"), "C2.3")

        await press(pilot, "h")
        await settle(app, pilot)
        log = app.screen
        assert isinstance(log, LogScreen) and log.title == tr("screen.log")
        table = log.query_one("#batches", DataTable)
        first = table.get_row_at(0)
        assert first[3].plain == "giao diện · gán giá trị" and first[4].plain == "1" and first[5].plain == "Được bồi dưỡng và tham gia chuyển đổi số = ✓ có · 1 người"

        await press(pilot, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BatchChanges)
        changes = app.screen.query_one("#batch-changes", DataTable)
        assert [c.plain for c in changes.get_row_at(0)] == [code, "Được bồi dưỡng và tham gia chuyển đổi số", "✗ không", "✓ có"]
        await press(pilot, "escape")
        await settle(app, pilot)

        await press(pilot, "question_mark")  # the help lists Enter
        keys = app.screen.query_one("#help-keys", DataTable)
        assert ["⏎", tr("key.log_show")] in [[str(c) for c in keys.get_row_at(i)] for i in range(keys.row_count)]
        await press(pilot, "escape")

        await press(pilot, "u")  # asks first: n keeps the batch
        assert isinstance(app.screen, ConfirmModal)
        assert "#" in str(app.screen.query_one("#confirm-question").render())
        await press(pilot, "n")
        assert app.screen is log and c23(db, catalogs, demo) == 54
        await press(pilot, "u", "y")
        await settle(app, pilot)
        assert c23(db, catalogs, demo) == 53
        assert table.get_row_at(0)[3].plain == "giao diện · hoàn tác"
        assert table.get_row_at(1)[6].plain == str(table.get_row_at(0)[0].plain)  # undone by the new batch

        assert log.current == int(table.get_row_at(1)[0].plain[1:])  # the cursor stays on its batch
        await press(pilot, "u", "y")  # the undone batch again: refused, as a notification
        await settle(app, pilot)
        assert c23(db, catalogs, demo) == 53
        assert any(n.severity == "error" for n in app._notifications)

        await press(pilot, "q")
        await settle(app, pilot)
        assert app.screen is dashboard and "53/60" in row_text(dashboard.query_one("#meters"), "C2.3")
