"""The dashboard's first frame before its meters, keys before the meters, quitting while they
compute, and the verdicts' contrast in the light and dark themes."""

from __future__ import annotations

import asyncio
import threading

import pytest
from textual.color import Color

from hoctap.models import i18n
from hoctap.screens import dashboard
from hoctap.screens.dashboard import DashboardScreen
from tests.tui_helpers import SIZE, make_app, settle


@pytest.fixture
def slow_meters(monkeypatch):
    """evaluate_context blocked until the test releases it (as at a million people)."""
    release, started = threading.Event(), threading.Event()
    real = dashboard.evaluate_context

    def blocked(*args, **kwargs):
        started.set()
        release.wait(timeout=120)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard, "evaluate_context", blocked)
    yield started, release
    release.set()


async def _until(pilot, done, what: str) -> None:
    """Wait on a state, not on a time: the cap (two minutes) is only there to end a broken run."""
    for _ in range(2400):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(what)


async def _dashboard_open(app, pilot) -> None:
    await _until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.is_mounted,
                 "the dashboard did not open")


async def test_dashboard_paints_and_takes_keys_before_the_meters(db, catalogs, demo, slow_meters):
    started, release = slow_meters
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard_open(app, pilot)
        await pilot.pause()
        screen = app.screen
        head = str(screen.query_one("#dash-head").render())
        assert demo.unit.name in head and i18n.tr("dash.computing", level=1) in head
        assert screen.query_one("#meters").row_count == 0
        await pilot.press("r")  # the roster opens while the meters are still computing
        await _until(pilot, lambda: type(app.screen).__name__ == "RosterScreen", "the roster did not open")
        assert type(app.screen).__name__ == "RosterScreen" and screen.result is None
        release.set()
        await settle(app, pilot)
        assert screen.result is not None and not screen.computing
        assert i18n.tr("dash.computing", level=1) not in str(screen.query_one("#dash-head").render())


async def test_quitting_while_the_meters_compute_does_not_wait_for_them(db, catalogs, demo, slow_meters):
    started, release = slow_meters
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard_open(app, pilot)
        assert await asyncio.to_thread(started.wait, 120)
        await pilot.press("ctrl+q")
    assert not app.is_running and app.return_code == 0
    assert not release.is_set()  # the app ended while the worker was still blocked


def _luminance(c: Color) -> float:
    def channel(v: int) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark"])
async def test_verdicts_and_footer_keys_read_at_4_5_to_1(db, catalogs, demo, theme):
    app = make_app(db, catalogs, demo, theme=theme)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        keys = [r.key.value for r in table.ordered_rows]
        table.move_cursor(row=keys.index("C1"))  # the cursor row away from those measured
        await settle(app, pilot)
        background = table.styles.background
        seen = set()
        for key in keys[1:]:
            y = keys.index(key) + 1  # under the header row
            for segment in table.render_line(y):
                if segment.text.strip() and segment.text.strip()[0] in "✓✗?":
                    fg = Color.from_rich_color(segment.style.color)
                    bg = Color.from_rich_color(segment.style.bgcolor) if segment.style.bgcolor else background
                    assert contrast(fg, bg) >= 4.5, (key, segment.text, fg.hex, bg.hex)
                    seen.add(segment.text.strip()[0])
        assert {"✓", "✗"} <= seen
        footer_key = app.screen.query("FooterKey").first()
        key_style = footer_key.get_component_rich_style("footer-key--key")
        fg = Color.from_rich_color(key_style.color)
        bg = Color.from_rich_color(key_style.bgcolor) if key_style.bgcolor else footer_key.background_colors[1]
        assert contrast(fg, bg) >= 4.5, (fg.hex, bg.hex)


HEAVY = ("hoctap.models.importer", "hoctap.models.report", "hoctap.models.documents", "hoctap.models.xlsx",
         "hoctap.models.export", "hoctap.models.staged", "xlsxwriter", "docxtpl", "python_calamine")

OPEN_DASHBOARD = """
import asyncio, sys
from hoctap.models.catalog import load_catalogs
from hoctap.models.config import Config
from hoctap.models.db import open_database
from hoctap.screens.dashboard import DashboardScreen
from hoctap.tui.app import HoctapApp

async def main():
    app = HoctapApp(open_database(sys.argv[1]), load_catalogs(), Config(lang="vi"), unit=sys.argv[2],
                    year=int(sys.argv[3]))
    app.poll_seconds = None
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(2000):
            if isinstance(app.screen, DashboardScreen) and app.screen.result is not None:
                break
            await pilot.pause(0.01)
        assert app.screen.result is not None
    print(" ".join(sorted(m for m in sys.modules if m in HEAVY or m.startswith(tuple(h + "." for h in HEAVY)))))

HEAVY = tuple(sys.argv[4:])
asyncio.run(main())
"""


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_dashboard_opens_without_the_import_export_and_document_modules(db_url, db, demo):
    """Start-up imports what the first screens need; the importer, the report, the documents and
    the xlsx writers load when first used (a fresh process: this one has them all)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", OPEN_DASHBOARD, db_url, demo.unit.code, str(demo.assessment.year),
                          *HEAVY], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == []
