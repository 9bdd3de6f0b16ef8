"""Collect a folder of transfer files from the TUI: the folder's path, whether to replace a
unit/year already here, a progress bar over the files, then one row per file (came in, or
refused and why). The files are imported in a thread worker, each in its own transaction."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, DataTable, Input, Label, ProgressBar, Static

from hoctap.models.collect import FileResult, collect_folder, reason_label
from hoctap.models.i18n import tr
from hoctap.models.text import safe
from hoctap.screens.base import BaseModal
from hoctap.screens.messages import Progress


class Collected(Message):
    def __init__(self, results: list[FileResult]) -> None:
        super().__init__()
        self.results = results


class CollectForm(BaseModal):
    """Dismissed with the number of files that came in (None when nothing was run)."""

    BINDINGS = [
        Binding("ctrl+s", "collect", "key.collect_run", id="collect.run"),
        Binding("escape", "close", "key.close", id="collect.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.running = False
        self.came_in: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="collect-form"):
            yield Static(tr("collect.title"), classes="form-title")
            with Grid(classes="form-grid"):
                yield Label(tr("collect.folder"))
                yield Input(id="collect-folder", compact=True)
            yield Checkbox(tr("collect.replace"), value=False, id="collect-replace")
            yield ProgressBar(id="collect-progress", show_eta=False)
            yield DataTable(id="collect-results", cursor_type="row", zebra_stripes=True)
            yield Static("", id="collect-total")
            with Horizontal(classes="form-buttons"):
                yield Button(tr("key.collect_run"), id="ok", variant="primary", compact=True)
                yield Button(tr("key.close"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#collect-progress").display = False
        table = self.query_one("#collect-results", DataTable)
        table.add_columns(tr("collect.col.file"), tr("collect.col.result"), tr("collect.col.detail"))
        table.display = False

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#collect-folder")
    def action_collect(self) -> None:
        folder = self.query_one("#collect-folder", Input).value.strip()
        if self.running or not folder:
            return
        self.running = True
        self.query_one("#ok", Button).disabled = True
        self.query_one("#collect-progress").display = True
        self.collect(folder, self.query_one("#collect-replace", Checkbox).value)

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        if not self.running:
            self.dismiss(self.came_in)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def collect(self, folder: str, replace: bool) -> None:
        results = collect_folder(self.app.db, self.app.catalogs, folder, replace=replace, source_tag="tui",
                                 progress=lambda done, total: self.post_message(Progress(done, total)))
        self.post_message(Collected(results))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        self.query_one("#collect-progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @on(Collected)
    def _collected(self, message: Collected) -> None:
        self.running = False
        self.query_one("#ok", Button).disabled = False
        table = self.query_one("#collect-results", DataTable)
        table.clear()
        table.display = True
        for r in message.results:
            if r.ok:
                b = r.result
                detail = tr("collect.detail", code=b.unit, year=b.year, n=b.people)
                result = tr("collect.replaced") if b.replaced else tr("collect.in")
            else:
                detail, result = r.message, reason_label(r.reason)
            table.add_row(safe(r.path.name), result, safe(detail), key=r.path.name)
        ok = sum(r.ok for r in message.results)
        self.came_in = (self.came_in or 0) + ok
        self.query_one("#collect-total", Static).update(tr("collect.total", n=ok, refused=len(message.results) - ok))

    def worker_failed(self, worker) -> None:
        self.running = False
        self.query_one("#ok", Button).disabled = False
        self.query_one("#collect-progress").display = False
