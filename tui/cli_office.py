"""The receiving office's commands: collecting a folder of transfer files (``bundle import
DIR``), recognition decisions (``recognition add|list``) and the new year (``newyear``)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from hoctap.models.collect import collect_folder, reason_label
from hoctap.models.i18n import tr
from hoctap.models.text import safe



def cmd_collect(env, console: Console) -> int:
    """``bundle import DIR``: 0 when every file came in, 2 when any was refused."""
    a = env.args
    with Progress(TextColumn(tr("cli.collecting")), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=None)
        results = collect_folder(env.db, env.catalogs, a.file, replace=a.replace,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
    if not results:
        console.print(tr("cli.collect_empty", path=a.file), markup=False)
        return 0
    for r in results:
        if r.ok:
            b = r.result
            console.print(tr("cli.collect_in", file=safe(r.path.name), code=safe(b.unit), year=b.year, n=b.people,
                             entries=b.entries, replaced=tr("cli.collect_replaced") if b.replaced else ""),
                          markup=False, soft_wrap=True)
        else:
            console.print(tr("cli.collect_refused", file=safe(r.path.name), reason=reason_label(r.reason),
                             message=r.message), markup=False, soft_wrap=True)
    refused = [r for r in results if not r.ok]
    console.print(tr("cli.collect_total", ok=len(results) - len(refused), refused=len(refused)), markup=False)
    if any(r.reason == "present" for r in refused):
        console.print(tr("cli.collect_hint"), markup=False)
    return 2 if refused else 0
