"""``hoctap serve``: the TUI in a browser through textual-serve (the optional extra ``serve``).

Bound to 127.0.0.1 unless asked otherwise. The page (tui/web/templates) takes its font from
textual-serve's own files, Roboto Mono, which has the precomposed Vietnamese letters (so stacked
marks sit on their letter), instead of Google Fonts: the page makes no request off the machine. Each browser tab runs its own ``hoctap`` process on the server:
paths typed in it (import, export) are the server's paths.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from hoctap.models.errors import HoctapError
from hoctap.models.i18n import Strings, tr

WEB = Path(__file__).resolve().parent / "web"

SERVE = Strings("serve", {
    "help.serve": ("mở giao diện trong trình duyệt (cần gói phụ: pip install 'hoctap[serve]')",
                   "open the interface in a browser (needs the extra: pip install 'hoctap[serve]')"),
    "help.host": ("địa chỉ lắng nghe (mặc định 127.0.0.1: chỉ máy này)", "the address to listen on (default 127.0.0.1: this machine only)"),
    "help.port": ("cổng (mặc định 8000)", "the port (default 8000)"),
    "serve.missing": ("chưa cài textual-serve: pip install 'hoctap[serve]'", "textual-serve is not installed: pip install 'hoctap[serve]'"),
    "serve.listening": ("Mở http://{host}:{port} trong trình duyệt (Ctrl+C để dừng). Đường dẫn nhập/xuất là đường dẫn trên máy chủ này.",
                        "Open http://{host}:{port} in a browser (Ctrl+C stops). Import and export paths are this server's paths."),
})


def add_parser(sub, common) -> None:
    from hoctap.tui.argparse_i18n import whole_number

    p = sub.add_parser("serve", parents=[common], help=tr("help.serve"), description=tr("help.serve"))
    p.add_argument("--host", default="127.0.0.1", help=tr("help.host"))
    p.add_argument("--port", type=whole_number, default=8000, help=tr("help.port"))


def statics() -> Path:
    """textual-serve's own static files: textual.js, xterm.css and the Roboto Mono the page names."""
    import textual_serve

    return Path(textual_serve.__file__).parent / "static"


def command(args) -> str:
    """The hoctap each browser tab runs: this interpreter, the same database and language."""
    argv = [sys.executable, "-m", "hoctap"]
    for option in ("db", "lang"):
        value = getattr(args, option, None)
        if value:
            argv += [f"--{option}", value]
    return shlex.join(argv)


def cmd_serve(env) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise HoctapError(tr("serve.missing")) from None
    server = Server(command(env.args), host=env.args.host, port=env.args.port, title="hoctap",
                    statics_path=statics(), templates_path=WEB / "templates")
    print(tr("serve.listening", host=env.args.host, port=env.args.port), flush=True)
    server.serve()
    return 0
