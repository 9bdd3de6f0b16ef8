"""models/ is the headless core: importing all of it loads no UI (textual, tui, screens); the CLI
loads textual only when it opens the TUI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, pkgutil, importlib, sys
import hoctap.models
names = [m.name for m in pkgutil.walk_packages(hoctap.models.__path__, "hoctap.models.")]
for name in names:
    importlib.import_module(name)
ui = sorted(m for m in sys.modules if m.split(".")[0] == "textual" or m.startswith(("hoctap.tui", "hoctap.screens")))
print(json.dumps({"imported": names, "ui": ui}))
"""


def test_importing_every_models_module_loads_no_ui():
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    expected = {f"hoctap.models.{p.stem}" for p in (ROOT / "models").glob("*.py") if p.stem != "__init__"}
    assert expected <= set(got["imported"])
    assert got["ui"] == []


def test_the_cli_loads_no_textual_until_the_tui_opens():
    probe = "import sys, hoctap.tui.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_import_linter_contracts_are_kept():
    """The layering, statically (indirect imports too), as configured in pyproject.toml: the core
    imports no UI, screens never import the app, tui > screens > models, the CLI imports no textual."""
    linter = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 4 kept, 0 broken." in proc.stdout
