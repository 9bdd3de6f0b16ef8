"""Helpers shared by the TUI tests: an app over the demo and readers of what the screen shows."""

from __future__ import annotations

from hoctap.models.config import Config
from hoctap.tui.app import HoctapApp

SIZE = (100, 30)


def make_app(db, catalogs, ctx=None, **config) -> HoctapApp:
    cfg = Config(lang="vi", **config)
    if ctx is None:
        return HoctapApp(db, catalogs, cfg)
    return HoctapApp(db, catalogs, cfg, unit=ctx.unit.code, year=ctx.assessment.year)


def row_text(table, key: str) -> str:
    """One DataTable row as plain text, cells joined by ' | '."""
    return " | ".join(str(getattr(c, "plain", c)) for c in table.get_row(key))


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
