"""The dashboard reads the roster's first rows ahead: `r` shows them before the roster's own read
returns, that read still replaces them, and whatever changes the data drops the rows read before."""

from __future__ import annotations

import asyncio
import threading

import pytest

from hoctap.models import roster
from hoctap.models.errors import DatabaseError
from hoctap.models.people import remove_from_roster, save_person
from hoctap.models.roster import RosterQuery
from hoctap.models import i18n
from hoctap.screens import dashboard as dashboard_module
from hoctap.screens.dashboard import DashboardScreen
from tests.tui_helpers import SIZE, make_app, settle


async def _until(pilot, done, what: str) -> None:
    """Wait on a state, not on a time: the cap (two minutes) only ends a broken run."""
    for _ in range(2400):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(what)


async def _read_ahead(app, pilot) -> None:
    await _until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.roster_ahead is not None,
                 "the dashboard did not read the roster ahead")
    await settle(app, pilot)


def _first_row(app):
    return app.screen.view.row(0)


@pytest.fixture
def blocked_reads(monkeypatch):
    """The roster's own reads (count and first page) blocked until the test releases them."""
    release, started = threading.Event(), threading.Event()
    real = roster.opening

    def blocked(*args, **kwargs):
        started.set()
        release.wait(timeout=120)
        return real(*args, **kwargs)

    yield lambda: monkeypatch.setattr(roster, "opening", blocked), started, release
    release.set()


async def test_r_shows_the_rows_read_ahead_before_the_rosters_own_read(db, catalogs, demo, blocked_reads):
    block, started, release = blocked_reads
    expected = roster.opening(db, RosterQuery(demo.assessment.id), 0, catalogs)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(app, pilot)
        block()
        await pilot.press("r")
        await _until(pilot, lambda: type(app.screen).__name__ == "RosterScreen" and app.screen.is_mounted,
                     "the roster did not open")
        assert await asyncio.to_thread(started.wait, 120)  # its own read is under way, and held
        view = app.screen.view
        assert not view.loading_rows and view.count == expected.count > 0
        assert _first_row(app).code == expected.rows[0].code
        await _until(pilot, lambda: expected.rows[0].full_name in view.render_line(1).text, "no rows drawn")
        assert app.roster_ahead is None  # taken: a second `r` reads for itself
        release.set()
        await settle(app, pilot)  # the screen's own read (the same rows here: nobody changed them)
        assert _first_row(app).code == expected.rows[0].code and view.count == expected.count


async def test_the_rosters_own_read_replaces_rows_read_ahead(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(app, pilot)
        first = app.roster_ahead[1].rows[0]
        # a colleague renames the first person after the dashboard read ahead
        save_person(db, catalogs, demo, first.id, {"full_name": "Vũ Văn Zoãn"}, {}, source="cli")
        await pilot.press("r")
        await _until(pilot, lambda: type(app.screen).__name__ == "RosterScreen", "the roster did not open")
        await settle(app, pilot)
        view = app.screen.view
        assert _first_row(app).id != first.id  # the renamed person sorts last now
        assert view.row(view.count - 1).full_name == "Vũ Văn Zoãn"


async def test_a_change_drops_the_rows_read_before_it(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(app, pilot)
        first = app.roster_ahead[1].rows[0]
        save_person(db, catalogs, demo, first.id, {"full_name": "Vũ Văn Zoãn"}, {}, source="cli")
        app.screen.data_changed()  # as after an edit in this session, or the poll seeing a colleague's
        assert app.roster_ahead is None
        await _read_ahead(app, pilot)  # read again: the dashboard is still the current screen
        assert all(r.id != first.id for r in app.roster_ahead[1].rows)


async def test_rows_are_read_ahead_only_for_the_dashboard_in_view(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(app, pilot)
        dashboard = app.screen
        await pilot.press("r")
        await _until(pilot, lambda: type(app.screen).__name__ == "RosterScreen", "the roster did not open")
        await settle(app, pilot)
        dashboard.data_changed()  # the meters follow an edit made in the roster
        await settle(app, pilot)
        assert app.roster_ahead is None  # nothing read for a screen nobody is looking at
        await pilot.press("q")
        await _read_ahead(app, pilot)  # back on the dashboard: read again
        assert app.roster_ahead[0] == RosterQuery(demo.assessment.id)


async def test_rows_read_before_a_change_are_not_kept_when_they_arrive_after_it(db, catalogs, demo, monkeypatch):
    release, read = threading.Event(), threading.Event()
    real, calls = roster.opening, []

    def first_held(*args, **kwargs):  # the dashboard's read ahead: read, then held back
        calls.append(1)
        opening = real(*args, **kwargs)
        if len(calls) == 1:
            read.set()
            release.wait(timeout=120)
        return opening

    monkeypatch.setattr(roster, "opening", first_held)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard did not open")
        assert await asyncio.to_thread(read.wait, 120)
        dashboard = app.screen
        await pilot.press("r")
        await _until(pilot, lambda: type(app.screen).__name__ == "RosterScreen", "the roster did not open")
        first = real(db, RosterQuery(demo.assessment.id), 0, catalogs).rows[0]
        save_person(db, catalogs, demo, first.id, {"full_name": "Vũ Văn Zoãn"}, {}, source="cli")
        dashboard.data_changed()
        release.set()
        await settle(app, pilot)
        assert app.roster_ahead is None  # read before the change: dropped when it came
        await pilot.press("q")
        await _read_ahead(app, pilot)
        assert app.roster_ahead[1].rows[0].id != first.id  # read after the change: the renamed sorts last


async def test_a_failed_read_ahead_is_silent_and_the_roster_says_why(db, catalogs, demo, monkeypatch):
    def down(*_args, **_kwargs):
        raise DatabaseError("máy chủ không trả lời")

    monkeypatch.setattr(roster, "opening", down)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard did not open")
        await settle(app, pilot)
        dashboard = app.screen
        assert dashboard.result is not None and app.roster_ahead is None
        assert not [n for n in app._notifications if n.severity == "error"]  # the meters were read
        await pilot.press("r")
        await _until(pilot, lambda: type(app.screen).__name__ == "RosterScreen", "the roster did not open")
        await settle(app, pilot)
        assert [n.message for n in app._notifications if n.severity == "error"] == ["máy chủ không trả lời"]


async def test_pages_read_beside_the_read_ahead_are_read_again_with_the_rosters_own_count(
        db, catalogs, demo, blocked_reads):
    block, started, release = blocked_reads
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _read_ahead(app, pilot)
        query = RosterQuery(demo.assessment.id)
        remove_from_roster(db, demo, roster.ids(db, query)[:3], source="cli")  # a colleague, meanwhile
        block()
        await pilot.press("r")
        await _until(pilot, lambda: type(app.screen).__name__ == "RosterScreen" and app.screen.is_mounted,
                     "the roster did not open")
        assert await asyncio.to_thread(started.wait, 120)
        await pilot.press("end")  # read with the read-ahead's count, three too many
        await pilot.pause()
        release.set()
        await settle(app, pilot)
        view = app.screen.view
        fresh = roster.opening(db, query, 0, catalogs).count
        assert view.count == fresh
        last_page = roster.window(db, query, fresh - 20, 20, fresh, catalogs)
        for _ in range(2400):  # the pages are read again as they are drawn
            shown = [view.row(i) for i in range(fresh - 20, fresh)]
            if all(shown):
                break
            await pilot.pause(0.05)
        assert [r.id for r in shown] == [r.id for r in last_page]


async def test_ctrl_t_is_not_held_up_by_a_read_ahead(db, catalogs, demo, blocked_reads):
    block, started, release = blocked_reads
    block()
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard did not open")
        assert await asyncio.to_thread(started.wait, 120)  # the read-ahead is running, held
        before = i18n.lang()
        await pilot.press("ctrl+t")
        await _until(pilot, lambda: i18n.lang() != before, "the language did not switch")
        assert not [n for n in app._notifications if n.severity == "warning"]
        release.set()
        await settle(app, pilot)


async def test_a_failing_read_ahead_leaves_the_meters_computing(db, catalogs, demo, monkeypatch):
    release, started = threading.Event(), threading.Event()
    real = dashboard_module.evaluate_context

    def held(*args, **kwargs):
        started.set()
        release.wait(timeout=120)
        return real(*args, **kwargs)

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug in the read-ahead")

    monkeypatch.setattr(dashboard_module, "evaluate_context", held)
    monkeypatch.setattr(roster, "opening", broken)
    app = make_app(db, catalogs, demo)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard did not open")
            screen = app.screen
            await _until(pilot, lambda: any(n.severity == "error" for n in app._notifications),
                         "the read-ahead's failure was not reported")
            assert screen.computing and screen.result is None  # the meters are still being computed
            assert i18n.tr("dash.computing", level=1) in str(screen.query_one("#dash-head").render())
            release.set()
            await settle(app, pilot)
            assert screen.result is not None and not screen.computing
    finally:
        release.set()
