"""`hoctap serve`: bound to this machine by default, the page's font from the package, no
request off the machine."""

from __future__ import annotations

import re
import shlex

import pytest

from hoctap.tui import cli_serve
from hoctap.tui.cli import build_parser, main


def test_serve_listens_on_this_machine_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    args = build_parser().parse_args(["--db", "x.db", "--lang", "vi", "serve"])
    assert shlex.split(cli_serve.command(args))[-4:] == ["--db", "x.db", "--lang", "vi"]


def test_the_page_references_only_its_own_files(tmp_path):
    pytest.importorskip("textual_serve")
    page = (cli_serve.WEB / "templates" / "app_index.html").read_text(encoding="utf-8")
    head = page.split("<body", 1)[0]
    assert re.findall(r"(?:href|src)=\"(https?:[^\"]*)", page) == []
    assert "fonts/DejaVuSansMono.ttf" in head and 'font-family: "Roboto Mono"' in head
    static = cli_serve.statics(tmp_path)
    assert (static / "fonts" / "DejaVuSansMono.ttf").stat().st_size > 100_000
    assert (static / "js" / "textual.js").exists()


def test_the_font_covers_vietnamese():
    fontTools = pytest.importorskip("fontTools.ttLib")
    font = fontTools.TTFont(cli_serve.WEB / "fonts" / "DejaVuSansMono.ttf")
    cmap = font.getBestCmap()
    assert all(ord(c) in cmap for c in "ĐđỗốềẫặưởỹÝ")
