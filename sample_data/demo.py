"""Builds the demo unit from demo.toml and demo_roster.csv through the ordinary import path."""

from __future__ import annotations

import tomllib
from pathlib import Path

from models.catalog import Catalogs
from models.db import Database
from models.importer import import_roster
from models.store import Context, HoctapError, add_unit, check_entries, ensure_context

HERE = Path(__file__).resolve().parent
SPEC = HERE / "demo.toml"


def demo_spec() -> dict:
    return tomllib.loads(SPEC.read_text(encoding="utf-8"))


def build_demo(db: Database, catalogs: Catalogs) -> Context:
    """Create (or refresh) the demo unit, its assessment, roster and checklist. Idempotent."""
    spec = demo_spec()["unit"]
    checks = demo_spec()["checks"]
    try:
        add_unit(db, catalogs, spec["code"], spec["name"], spec["tier"], spec["types"], source="demo")
    except HoctapError:
        pass  # already there: refresh its data
    ctx = ensure_context(db, spec["code"], spec["year"], spec["level"], source="demo")
    import_roster(db, catalogs, ctx.unit.code, ctx.assessment.year, HERE / spec["roster"], source="demo")
    for entry_id, item in checks.items():
        check_entries(db, catalogs, ctx, {entry_id: item["value"]}, evidence=item.get("evidence"), source="demo")
    return ctx
