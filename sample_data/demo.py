"""Builds the demo unit from demo.toml and demo_roster.csv through the ordinary import path."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hoctap.models.catalog import Catalogs
from hoctap.models.checklist import check_entries
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.importer import import_roster
from hoctap.models.units import Context, add_unit, ensure_context, find_context, list_units

HERE = Path(__file__).resolve().parent
SPEC = HERE / "demo.toml"


def demo_spec() -> dict:
    return tomllib.loads(SPEC.read_text(encoding="utf-8"))


def find_demo(db: Database) -> Context | None:
    """The demo's unit and year when this database has them."""
    spec = demo_spec()["unit"]
    try:
        return find_context(db, spec["code"], spec["year"])
    except HoctapError:
        return None


def build_demo(db: Database, catalogs: Catalogs) -> Context:
    """Create the demo unit, its assessment, roster and checklist. When the database already
    has the demo's unit and year it is returned untouched: the user's edits are kept."""
    ctx = find_demo(db)
    if ctx is not None:
        return ctx
    spec = demo_spec()["unit"]
    checks = demo_spec()["checks"]
    if not any(u.code == spec["code"] for u in list_units(db)):
        add_unit(db, catalogs, spec["code"], spec["name"], spec["tier"], spec["types"], source="demo")
    ctx = ensure_context(db, spec["code"], spec["year"], spec["level"], source="demo")
    import_roster(db, catalogs, ctx.unit.code, ctx.assessment.year, HERE / spec["roster"], source="demo")
    for entry_id, item in checks.items():
        check_entries(db, catalogs, ctx, {entry_id: item["value"]}, evidence=item.get("evidence"), source="demo")
    return ctx
