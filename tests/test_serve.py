"""`hoctap serve`: bound to this machine by default, the page's font from the package, no
request off the machine — and, in headless Chromium, the roster drawn with its Vietnamese marks."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hoctap.tui import cli_serve
from hoctap.tui.cli import build_parser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FONT = "fonts/RobotoMono-VariableFont_wght.ttf"


def test_serve_listens_on_this_machine_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    args = build_parser().parse_args(["--db", "x.db", "--lang", "vi", "serve"])
    assert shlex.split(cli_serve.command(args))[-4:] == ["--db", "x.db", "--lang", "vi"]


def test_the_page_references_only_its_own_files():
    pytest.importorskip("textual_serve")
    page = (cli_serve.WEB / "templates" / "app_index.html").read_text(encoding="utf-8")
    head = page.split("<body", 1)[0]
    assert re.findall(r"(?:href|src)=\"(https?:[^\"]*)", page) == []
    assert f"{FONT}\")" in head and 'font-family: "Roboto Mono"' in head
    static = cli_serve.statics()
    assert (static / FONT).stat().st_size > 100_000
    assert (static / "js" / "textual.js").exists()


def test_the_font_has_the_precomposed_vietnamese_letters():
    """Without them (DejaVu Sans Mono lacks ỗ, ố, ề) the browser draws the second mark beside
    the letter, in the next cell."""
    pytest.importorskip("textual_serve")
    fontTools = pytest.importorskip("fontTools.ttLib")
    for name in (FONT, "fonts/RobotoMono-Italic-VariableFont_wght.ttf"):
        cmap = fontTools.TTFont(cli_serve.statics() / name).getBestCmap()
        assert [c for c in "ĐđỗốềẫặưởỹÝữể" if ord(c) not in cmap] == [], name


# The screen as xterm.js holds it (its canvas shows no text to the DOM): textual.js keeps the
# xterm Terminal in `this.terminal` of an object it does not expose, so a setter on
# Object.prototype, installed before the page's scripts run, catches it as it is assigned.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {configurable: true, set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    window.hoctapTerminal = value;
}});
"""
SCREEN = """() => {
    const t = window.hoctapTerminal;
    if (!t) return "";
    const b = t.buffer.active, lines = [];
    for (let y = 0; y < t.rows; y++) lines.push(b.getLine(b.viewportY + y).translateToString(true));
    return lines.join("\\n");
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_http(url: str, server: subprocess.Popen, deadline: float) -> None:
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, f"hoctap serve did not answer at {url}"
            time.sleep(0.1)


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="Chromium is not installed (apt-get install chromium)")
def test_the_roster_in_headless_chromium(tmp_path):
    pytest.importorskip("textual_serve", reason="the serve extra is not installed")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the browser extra)")
    # A private home: no remembered unit, no user config, the demo in tmp_path.
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    hoctap = [sys.executable, "-m", "hoctap", "--db", f"sqlite:///{tmp_path}/demo.db", "--lang", "vi"]
    subprocess.run([*hoctap, "demo", "--no-tui"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([*hoctap, "serve", "--port", str(port)], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    requests, fonts = [], {}
    try:
        _wait_for_http(url, server, time.monotonic() + 30)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
                viewport={"width": 1200, "height": 800},
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"])
            try:
                page = browser.new_page()
                page.on("request", lambda r: requests.append(r.url))
                page.on("websocket", lambda ws: requests.append(ws.url))
                page.on("response", lambda r: "/fonts/" in r.url and fonts.__setitem__(r.url, r.body()))
                page.add_init_script(CATCH_TERMINAL)
                page.goto(url)

                def wait_for(text: str) -> None:
                    # on the screen's text, never on a time: the cap only ends a broken run (a CI
                    # machine under load takes seconds per step)
                    page.wait_for_function(f"(text) => ({SCREEN})().includes(text)", arg=text, timeout=120_000)

                wait_for("THCS-LQD")  # the start screen
                page.focus(".xterm-helper-textarea")
                page.keyboard.press("Enter")
                wait_for("r Danh sách")  # the dashboard, its keys live
                page.keyboard.press("r")
                wait_for("/860 người")
                page.keyboard.press("/")
                wait_for("Tìm theo tên hoặc mã")  # the search field is open and has the focus
                page.keyboard.type("Đỗ")
                wait_for("tìm “Đỗ”")
                wait_for("Đỗ Gia Khoa")
                screen = page.evaluate(SCREEN)
                page.screenshot(path=str(tmp_path / "roster.png"))
                family = page.evaluate("() => window.hoctapTerminal.options.fontFamily")
                loaded = page.evaluate("""() => document.fonts.ready.then(fs =>
                    [...fs].filter(f => f.status === "loaded").map(f => f.family.replace(/"/g, "")))""")
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    # (a) nothing left the machine: every request, the websocket included, went to 127.0.0.1
    assert requests and {urlsplit(u).hostname for u in requests} == {"127.0.0.1"}, requests
    assert any(u.startswith(f"ws://127.0.0.1:{port}/") for u in requests)
    # (b) the terminal's font is the one textual-serve ships, served by hoctap serve itself
    assert family.startswith("'Roboto Mono'") and "Roboto Mono" in loaded
    assert url + "static/" + FONT in fonts  # the italic face may be fetched too, from the same place
    for fetched, body in fonts.items():
        assert fetched.startswith(url + "static/fonts/RobotoMono-"), fetched
        assert body == (cli_serve.statics() / fetched.removeprefix(url + "static/")).read_bytes()
    # (c) the roster xterm.js drew holds the names with their marks (that the marks sit on their
    # letter is the font's cmap, tested above; roster.png shows it)
    assert "Đỗ Gia Khoa" in screen and "Đỗ Bảo Tiến" in screen and "Tổ Ngữ văn" in screen
    assert (tmp_path / "roster.png").stat().st_size > 10_000
