"""The wait of a long CLI command made visible: a Rich progress bar on a terminal, nothing when
the output goes to a pipe or a file (scripts read only the result line)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from hoctap.models.text import safe


@contextmanager
def file_progress(console: Console, path: Path, percent: bool = False):
    """Yields the ``progress(done, total)`` callback the core's exports and imports take (None
    off a terminal); the bar is named by the file and disappears when it is done. It counts
    the rows, or (``percent``: an import's steps) says how far in hundredths."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                               TimeElapsedColumn)

    count = TaskProgressColumn() if percent else MofNCompleteColumn()
    with Progress(TextColumn("{task.description}"), BarColumn(), count, TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(safe(path.name), total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
