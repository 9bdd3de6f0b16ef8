"""Baseline for the roster: Textual's own DataTable filled with every row of a CSV.

    python benchmarks/datatable_app.py ROSTER.csv     # all rows in one DataTable
    python benchmarks/datatable_app.py --empty        # a Textual app with one Static ("ready")
"""

from __future__ import annotations

import csv
import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static


class TableApp(App):
    def __init__(self, path: str | None):
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        yield DataTable() if self.path else Static("ready")

    def on_mount(self) -> None:
        if not self.path:
            return
        with open(self.path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            table = self.query_one(DataTable)
            table.add_columns(*next(reader))
            table.add_rows(reader)


if __name__ == "__main__":
    TableApp(None if sys.argv[1] == "--empty" else sys.argv[1]).run()
