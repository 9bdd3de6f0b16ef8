"""The README documents every key binding id the keymap accepts."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.binding import Binding

import hoctap.screens

README = Path(__file__).resolve().parent.parent / "README.md"


def binding_ids() -> set[str]:
    ids = set()
    for name in ["hoctap.tui.app", *(f"hoctap.screens.{m.name}" for m in pkgutil.iter_modules(hoctap.screens.__path__))]:
        module = importlib.import_module(name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == name:
                ids |= {b.id for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id}
    return ids


def test_every_binding_id_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    ids = binding_ids()
    assert len(ids) > 60
    assert sorted(i for i in ids if f"`{i}`" not in text) == []
