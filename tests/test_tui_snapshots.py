"""SVG snapshots of the main screens at 100x30 over the demo (fixed data, no clock).

Update deliberately with: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from tests.tui_helpers import SIZE, make_app, settle

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # one picture each is enough


def run_before(*keys):
    async def before(pilot):
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)
    return before


def test_dashboard_snapshot(snap_compare, db, catalogs, demo):
    assert snap_compare(make_app(db, catalogs, demo), terminal_size=SIZE, run_before=run_before())


def test_checklist_snapshot(snap_compare, db, catalogs, demo):
    assert snap_compare(make_app(db, catalogs, demo), terminal_size=SIZE, run_before=run_before("c"))


def test_help_snapshot(snap_compare, db, catalogs, demo):
    assert snap_compare(make_app(db, catalogs, demo), terminal_size=SIZE, run_before=run_before("f1"))
