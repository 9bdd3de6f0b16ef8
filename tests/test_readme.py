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


# ---- the demo walk-through ---------------------------------------------------------------------

def demo_lines() -> list[str]:
    """The command lines of the README's "Try it on the demo" block, comments cut off."""
    text = README.read_text(encoding="utf-8")
    block = text.split("Try it on the demo:", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_the_demo_examples_do_what_their_comments_say(sqlite_url, monkeypatch, capsys):
    import json
    import shlex

    from hoctap.tui.cli import main

    monkeypatch.setenv("HOCTAP_DB", sqlite_url)

    def run(line: str) -> list[tuple[int, str]]:
        results = []
        for command in line.split("&&"):
            argv = shlex.split(command)
            assert argv[0] == "hoctap"
            results.append((main(["--lang", "en", *argv[1:]]), capsys.readouterr().out))
        return results

    def entries(level: int) -> dict:
        assert main(["--lang", "en", "status", "--unit", "THCS-LQD", "--year", "2024", "--level", str(level),
                     "--json"]) in (0, 1)
        doc = json.loads(capsys.readouterr().out)
        return {e["id"]: e for c in doc["criteria"] for e in c["entries"]}

    lines = demo_lines()
    assert [x.split()[1] for x in lines] == ["demo", "status", "set", "check", "status", "log"]
    [(code, out)] = run(lines[0])
    assert code == 0 and "THCS-LQD" in out
    [(code, out)] = run(lines[1])  # C2.3 needs 1 more, C3.1-learners 3 more
    assert code == 1
    by_id = {line.split(" ", 1)[0]: line for line in out.splitlines() if line.strip()}
    assert "needs 1 more" in by_id["C2.3"] and "needs 3 more" in by_id["C3.1-learners"]
    [(code, out)] = run(lines[2])  # C2.3 now met (54/60)
    assert code == 0 and "1 value for 1 person" in out
    c23 = entries(1)["C2.3"]
    assert c23["met"] is True and (c23["numerator"], c23["denominator"]) == (54, 60)
    assert entries(2)["C3.3"]["met"] is False
    [(code, out)] = run(lines[3])  # C3.3 met
    assert code == 0 and entries(2)["C3.3"]["met"] is True
    [(code, out)] = run(lines[4])  # the level 2 verdicts as JSON
    assert code in (0, 1) and json.loads(out)["level"] == 2
    [(log_code, log), (undo_code, out)] = run(lines[5])  # undoes the check: C3.3 empty again
    assert log_code == 0 and "#" in log and undo_code == 0 and "Undid batch" in out
    assert entries(2)["C3.3"]["met"] is False
    assert entries(1)["C2.3"]["met"] is True  # the set stays
