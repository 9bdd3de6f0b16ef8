"""``hoctap dossier export``: the dossier set (four documents and the workbook) into a folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from hoctap.models.i18n import Strings, tr

DOSSIER_CLI = Strings("cli_documents", {
    "help.dossier_export": ("ghi cả bộ hồ sơ vào một thư mục", "write the whole dossier set into a folder"),
    "help.dossier_dir": ("thư mục ghi hồ sơ (tạo nếu chưa có)", "folder to write the set into (created if missing)"),
    "cli.dossier_progress": ("Đang ghi hồ sơ", "Writing the dossier"),
    "cli.dossier_written": ("Đã ghi {n} tệp vào {path}:", "Wrote {n} files into {path}:"),
})


def add_export_parser(dsub, common: argparse.ArgumentParser, year_type) -> None:
    """The ``export`` action of the ``dossier`` group (tui/cli_dossier.py)."""
    p = dsub.add_parser("export", parents=[common], help=tr("help.dossier_export"))
    p.add_argument("dir", type=Path, metavar="DIR", help=tr("help.dossier_dir"))
    p.add_argument("--unit", required=True, metavar="CODE", help=tr("help.unit_code"))
    p.add_argument("--year", required=True, type=year_type, help=tr("help.d_year"))
    p.add_argument("--level", type=int, choices=(1, 2), default=None, help=tr("help.d_level"))


def cmd_dossier_export(env) -> int:
    from rich.progress import Progress

    from hoctap.models.dossier_export import export_dossier
    from hoctap.models.units import find_context
    from hoctap.tui.cli import console

    a = env.args
    ctx = find_context(env.db, a.unit, a.year)
    # Vietnamese unless --lang en asks for English, whatever the server's locale (as ``export``)
    lang = getattr(a, "lang", None) or "vi"
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(tr("cli.dossier_progress"), total=None)
        paths = export_dossier(env.db, env.catalogs, ctx, a.dir, level=a.level, lang=lang,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(tr("cli.dossier_written", n=len(paths), path=a.dir), markup=False)
    for path in paths:
        console.print(f"  {path.name}", markup=False)
    return 0

