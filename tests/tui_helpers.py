"""Helpers shared by the TUI tests: an app over the demo, readers of what the screen shows, and
waits that end on a condition (every thread done, every queue empty), never after a time."""

from __future__ import annotations

import asyncio

from textual.notifications import Notifications

from hoctap.models.config import Config
from hoctap.tui.app import HoctapApp

SIZE = (100, 30)
ROUNDS = 500  # a settle that needs more rounds than this is a bug (something keeps posting)
STUCK = 120.0  # seconds a worker thread may take before the test fails instead of hanging


class KeptNotifications(Notifications):
    """Every notification raised, expired or not: a busy machine may take longer than a
    notification's timeout between raising it and the assertion that reads it."""

    def _reap(self) -> "KeptNotifications":
        return self


def make_app(db, catalogs, ctx=None, **config) -> HoctapApp:
    cfg = Config(lang="vi", **config)
    if ctx is None:
        app = HoctapApp(db, catalogs, cfg)
    else:
        app = HoctapApp(db, catalogs, cfg, unit=ctx.unit.code, year=ctx.assessment.year)
    app.poll_seconds = None  # no timer: a test polls with the dashboard's poll() when it means to
    app._notifications = KeptNotifications()
    return app


def row_text(table, key: str) -> str:
    """One DataTable row as plain text, cells joined by ' | '."""
    return " | ".join(str(getattr(c, "plain", c)) for c in table.get_row(key))


def _nodes(app):
    yield app
    for screen in app.screen_stack:
        yield from screen.walk_children(with_self=True)


async def settle(app, pilot) -> None:
    """Wait until the app has nothing left to do: no worker thread running (cancelled workers'
    threads too, they may still post), no Textual worker unfinished, every message queue of the
    app and of every screen on the stack empty. Workers that were cancelled or failed are
    states to reach, not errors here (the app reports failures itself)."""
    for _ in range(ROUNDS):
        if not app.is_running:
            return
        await pilot.pause(0)  # the current screen's and the app's queued messages are handled
        threads = app.threads.busy()
        if threads:
            done, _ = await asyncio.wait([asyncio.wrap_future(f) for f in threads], timeout=STUCK)
            assert done, f"worker threads still running after {STUCK} s"
            continue
        running = [w for w in app.workers if w.is_running]
        if running:  # their threads are done: let the workers take the results
            await asyncio.gather(*(w.wait() for w in running), return_exceptions=True)
            continue
        if any(not w.is_finished for w in app.workers):
            continue  # pending: started on the next turn of the loop
        if all(node.message_queue_size == 0 for node in _nodes(app)):
            await pilot.pause(0)  # and the screen laid out and painted
            return
    raise AssertionError(f"the app did not settle in {ROUNDS} rounds")


async def press(pilot, *keys: str) -> None:
    """Press keys one at a time, each handled completely before the next: Pilot.press alone
    paces keys by a CPU-idle heuristic, so on a busy machine a key could reach a screen or a
    field that was not there yet."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot.app, pilot)
