"""Exports from the CLI: a progress bar on a terminal, nothing but the result line when piped."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from hoctap.tui import cli
from hoctap.tui.cli import main

UNIT = ["--unit", "THCS-LQD", "--year", "2024"]


@pytest.mark.parametrize("command, name", [(["roster", "export"], "r.csv"), (["export"], "r.xlsx")])
def test_piped_exports_print_only_their_result(tmp_path, db_url, demo, capsys, command, name):
    assert main(["--db", db_url, "--lang", "en", *command, str(tmp_path / name), *UNIT]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("Wrote ") and "\x1b" not in out  # no bar, no control sequence


def test_a_terminal_sees_the_bar_count_the_people(tmp_path, db_url, demo, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err_console", Console(file=screen, force_terminal=True, width=100))
    assert main(["--db", db_url, "roster", "export", str(tmp_path / "r.csv"), *UNIT]) == 0
    assert "r.csv" in screen.getvalue() and "860/860" in screen.getvalue()
