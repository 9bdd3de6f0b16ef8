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


def test_a_terminal_sees_an_import_go_to_its_end(tmp_path, db_url, demo, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err_console", Console(file=screen, force_terminal=True, width=100))
    path = tmp_path / "ds.csv"
    path.write_text("code,full_name,kind\r\nX1,Lê Lan,staff\r\n", encoding="utf-8")
    assert main(["--db", db_url, "import", str(path), *UNIT]) == 0
    assert "ds.csv" in screen.getvalue() and "100%" in screen.getvalue()


def test_piped_import_prints_only_its_result(tmp_path, db_url, demo, capsys):
    path = tmp_path / "ds.csv"
    path.write_text("code,full_name,kind\r\nX1,Lê Lan,staff\r\n", encoding="utf-8")
    assert main(["--db", db_url, "--lang", "en", "import", str(path), *UNIT]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "\x1b" not in out and "1 person added" in out
