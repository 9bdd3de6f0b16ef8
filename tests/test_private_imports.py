"""The core's modules use each other only through public names: no ``from hoctap.models.x
import _y`` between models modules."""

import ast
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent / "models"


def test_no_models_module_imports_another_ones_private_name():
    found = []
    for path in sorted(MODELS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hoctap.models"):
                found += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []
