"""Import a roster file (CSV/XLSX) into the current assessment, previewed first.

Enter in the path field runs a dry run in a worker (the file is read and the changes counted
inside a transaction that is rolled back); the preview lists what would change, or every
problem with its row and column. ctrl+s then writes it in one transaction, as the CLI does."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Button, Input, OptionList, ProgressBar, Static

from hoctap.models.importer import ImportFailed, ImportResult, Problem, import_roster
from hoctap.models.i18n import tr
from hoctap.screens.base import BaseModal
from hoctap.screens.messages import DataChanged, Progress


class PathSuggester(Suggester):
    """Completes the last part of a path from the directory's entries (directories end in /)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, prefix = value.rpartition(os.sep)
        folder = Path(os.path.expanduser(head + os.sep if head or value.startswith(os.sep) else "."))
        try:
            names = sorted(e.name + (os.sep if e.is_dir() else "") for e in os.scandir(folder)
                           if e.name.startswith(prefix) and not e.name.startswith("."))
        except OSError:
            return None
        if not names or not prefix:
            return None
        return value[: len(value) - len(prefix)] + names[0]


class PathInput(Input):
    """The path field: Tab accepts the completion shown (as → does), else moves on as Tab does."""

    BINDINGS = [Binding("tab", "complete", "key.import_complete", id="import.complete", show=False)]

    def action_complete(self) -> None:
        # Input keeps its suggestion private; → accepts it only with the cursor at the end, so does Tab
        if self.cursor_at_end and len(self._suggestion) > len(self.value):
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()


class Previewed(Message):
    def __init__(self, path: str, result: ImportResult | None, problems: list[Problem], total: int = 0) -> None:
        super().__init__()
        self.path, self.result, self.problems, self.total = path, result, problems, total


class Imported(Message):
    def __init__(self, result: ImportResult) -> None:
        super().__init__()
        self.result = result


class ImportForm(BaseModal):
    BINDINGS = [
        Binding("ctrl+s", "confirm", "key.import_confirm", id="import.confirm"),
        Binding("escape", "dismiss(None)", "key.close", id="import.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.previewed: str | None = None  # the path whose dry run succeeded
        self.running = False

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx
        with Vertical(classes="form", id="import-box"):
            yield Static(tr("import.title", code=ctx.unit.code, year=ctx.assessment.year), classes="form-title")
            yield PathInput(placeholder=tr("import.path"), suggester=PathSuggester(), id="import-path", compact=True)
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Static(tr("import.hint"), id="import-status")
            yield OptionList(id="import-lines")
            with Horizontal(classes="form-buttons"):
                yield Button(tr("import.preview_button"), id="preview", compact=True)
                yield Button(tr("import.ok"), id="ok", variant="primary", compact=True, disabled=True)
                yield Button(tr("form.cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#import-progress").display = False
        self.query_one("#import-lines").display = False

    @property
    def path(self) -> str:
        return os.path.expanduser(self.query_one("#import-path", Input).value.strip())

    # ---- preview -------------------------------------------------------------------------------

    @on(Input.Changed, "#import-path")
    def _path_changed(self) -> None:
        if self.previewed is not None and self.previewed != self.path:
            self.previewed = None  # a preview speaks only for the file it read
            self.query_one("#ok", Button).disabled = True

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#preview")
    def preview(self) -> None:
        if self.running or not self.path:
            return
        self._start(tr("import.reading"))
        self.dry_run(self.path)

    def _start(self, status: str) -> None:
        self.running = True
        self.previewed = None
        self.query_one("#ok", Button).disabled = True
        self.query_one("#import-status", Static).update(status)
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True

    def _progress(self, done: int, total: int) -> None:
        """Called in the worker's thread: the bar is updated by the message's handler."""
        self.post_message(Progress(done, total))

    @on(Progress)
    def _progressed(self, message: Progress) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def dry_run(self, path: str) -> None:
        ctx = self.app.ctx
        try:
            result = import_roster(self.app.db, self.app.catalogs, ctx.unit.code, ctx.assessment.year, path,
                                   dry_run=True, source="tui", progress=self._progress)
        except ImportFailed as e:
            self.post_message(Previewed(path, None, e.problems, e.total))
            return
        self.post_message(Previewed(path, result, []))

    @on(Previewed)
    def _previewed(self, message: Previewed) -> None:
        self._stop()
        lines = self.query_one("#import-lines", OptionList)
        lines.clear_options()
        lines.display = True
        status = self.query_one("#import-status", Static)
        status.set_class(message.result is None, "-error")
        if message.result is None:
            status.update(tr("import.failed", n=message.total))
            lines.add_options(Text(str(p)) for p in message.problems)
            if message.total > len(message.problems):
                lines.add_option(Text(f"… (+{message.total - len(message.problems)})"))
            return
        r = message.result
        summary = tr("import.counts", rows=r.rows, added=r.added, updated=r.updated, enrolled=r.enrolled,
                     values=r.values)
        summary += "\n" + tr("importer.read_as", what=r.read_as)  # the encoding used: a wrong guess shows here
        if r.ignored_columns:
            summary += "\n" + tr("import.ignored", cols=", ".join(r.ignored_columns))
        changes = r.change_summary(self.app.catalogs)
        computed = r.change_summary(self.app.catalogs, computed=True)
        if computed:  # apart: the file does not hold them, so they are not in its total
            changes += [tr("importer.computed"), *(f"  {line}" for line in computed)]
        if r.added or r.enrolled or changes:
            self.previewed = message.path
            self.query_one("#ok", Button).disabled = False
            summary += "\n" + tr("import.confirm_hint")
        else:
            summary += "\n" + tr("import.nothing")
        status.update(Text(summary))  # Text: a file name or value is never markup
        lines.add_options(Text(line) for line in changes)
        lines.display = bool(changes)

    # ---- writing -------------------------------------------------------------------------------

    @on(Button.Pressed, "#ok")
    def action_confirm(self) -> None:
        if self.running or self.previewed is None or self.previewed != self.path:
            return
        path = self.previewed
        self._start(tr("import.writing"))
        self.write(path)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def write(self, path: str) -> None:
        ctx = self.app.ctx
        try:
            result = import_roster(self.app.db, self.app.catalogs, ctx.unit.code, ctx.assessment.year, path,
                                   source="tui", progress=self._progress)
        except ImportFailed as e:  # the file changed since the preview
            self.post_message(Previewed(path, None, e.problems, e.total))
            return
        self.app.remember(result.batch_id)
        self.post_message(Imported(result))

    @on(Imported)
    def _imported(self, message: Imported) -> None:
        r = message.result
        self.app.notify(tr("import.done", rows=r.rows, added=r.added, updated=r.updated, batch=r.batch_id or "—"))
        self.app.post_message(DataChanged(r.batch_id))
        self.dismiss(r.batch_id)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _stop(self) -> None:
        self.running = False
        self.query_one("#import-progress").display = False

    def worker_failed(self, worker) -> None:
        self._stop()
        self.query_one("#import-status", Static).update(tr("import.hint"))
