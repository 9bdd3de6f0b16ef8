"""The audit log of the current assessment: one row per batch (who, when, what), Enter shows
a batch's changes, ``u`` undoes the highlighted batch (refused cleanly when the same records
changed since)."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from hoctap.models.audit import ChangeLine, change_counts, change_lines, get_batch, history, local_time, origin, summaries
from hoctap.models.i18n import tr
from hoctap.models.undo import undo
from hoctap.models.tables import AuditBatch
from hoctap.screens.base import BaseModal, BaseScreen
from hoctap.screens.confirm import ConfirmModal
from hoctap.screens.messages import DataChanged

LIMIT = 500  # batches listed, newest first


class BatchesLoaded(Message):
    def __init__(self, batches: list[AuditBatch], counts: dict[int, int], summaries: dict[int, str]) -> None:
        super().__init__()
        self.batches, self.counts, self.summaries = batches, counts, summaries


class Undone(Message):
    def __init__(self, batch: int, new: int) -> None:
        super().__init__()
        self.batch, self.new = batch, new


class LogScreen(BaseScreen):
    BINDINGS = [
        # priority: the table's own Enter would hide this one from the help and the palette
        Binding("enter", "show_batch", "key.log_show", id="log.show", priority=True),
        Binding("u", "undo", "key.log_undo", id="log.undo"),
        Binding("ctrl+r", "reload", "key.refresh", id="log.reload", show=False),
        Binding("q,escape", "back", "key.back", id="log.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.batches: dict[int, AuditBatch] = {}
        self.summaries: dict[int, str] = {}  # in the reader's language, worded by the worker
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="log-head")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="batches")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        ctx = self.app.ctx
        self.title = tr("screen.log")
        self.sub_title = f"{ctx.unit.code} · {ctx.assessment.year}"
        table = self.query_one("#batches", DataTable)
        for key in ("batch", "when", "who", "source", "changes", "what", "undone"):
            table.add_column(tr(f"log.col.{key}"), key=key)
        table.loading = True
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="log")
    def load(self) -> None:
        db = self.app.db
        batches = history(db, self.app.ctx, LIMIT)
        self.post_message(BatchesLoaded(batches, change_counts(db, [b.id for b in batches]),
                                        summaries(db, self.app.catalogs, batches)))

    def data_changed(self) -> None:
        self.load()

    def worker_failed(self, worker) -> None:
        self.busy = False
        self.query_one("#batches", DataTable).loading = False

    @on(BatchesLoaded)
    def _loaded(self, message: BatchesLoaded) -> None:
        table = self.query_one("#batches", DataTable)
        cursor = self.current
        table.clear()
        self.batches = {b.id: b for b in message.batches}
        self.summaries = message.summaries
        for b in message.batches:
            style = "dim" if b.undone_by else ""
            table.add_row(Text(f"#{b.id}", style=style), Text(local_time(b), style=style), Text(b.user, style=style),
                          Text(origin(b), style=style),
                          Text(str(message.counts.get(b.id, 0)), style=style, justify="right"),
                          Text(self.summaries[b.id], style=style), Text(f"#{b.undone_by}" if b.undone_by else ""),
                          key=str(b.id))
        table.loading = False
        if cursor in self.batches:
            table.move_cursor(row=list(self.batches).index(cursor), scroll=False)
        self.query_one("#log-head", Static).update(
            tr("log.head", n=len(message.batches)) if message.batches else tr("log.empty"))

    @property
    def current(self) -> int | None:
        table = self.query_one("#batches", DataTable)
        if not table.row_count:
            return None
        return int(table.ordered_rows[table.cursor_row].key.value)

    def action_show_batch(self) -> None:
        batch = self.batches.get(self.current)
        if batch is not None:
            self.app.push_screen(BatchChanges(batch, self.summaries[batch.id]))

    def action_undo(self) -> None:
        batch = self.current
        if batch is None or self.busy:
            return
        b = self.batches[batch]
        question = tr("log.undo_ask", batch=batch, when=local_time(b), what=self.summaries[batch])

        def answered(yes: bool | None) -> None:
            if yes and not self.busy:
                self.busy = True
                self.run_undo(batch)

        self.app.push_screen(ConfirmModal(question), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="log-undo")
    def run_undo(self, batch: int) -> None:
        get_batch(self.app.db, batch)  # a clear message if it vanished
        new = undo(self.app.db, self.app.catalogs, batch, source="tui")
        self.post_message(Undone(batch, new))

    @on(Undone)
    def _undone(self, message: Undone) -> None:
        self.busy = False
        self.notify(tr("roster.undone", batch=message.batch))
        self.app.post_message(DataChanged(message.new))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


class BatchChanges(BaseModal):
    """One batch's changes: people by their code, fields and values by their labels in the
    reader's language; a person's own fields are withheld."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "key.close", id="log.batch.close")]

    class Loaded(Message):
        def __init__(self, lines: list[ChangeLine]) -> None:
            super().__init__()
            self.lines = lines

    def __init__(self, batch: AuditBatch, summary: str) -> None:
        super().__init__()
        self.batch, self.summary = batch, summary

    def compose(self) -> ComposeResult:
        b = self.batch
        with Vertical(id="batch-box"):
            yield Static(Text(f"#{b.id} {local_time(b)} {b.user} {origin(b)}: {self.summary}"), id="batch-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="batch-changes")

    def on_mount(self) -> None:
        table = self.query_one("#batch-changes", DataTable)
        for key in ("record", "field", "old", "new"):
            table.add_column(tr(f"log.col.{key}"), key=key)
        table.loading = True
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        self.post_message(self.Loaded(change_lines(self.app.db, self.app.catalogs, self.batch.id)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one("#batch-changes", DataTable)
        for line in message.lines:
            old, new = line.shown()
            table.add_row(Text(line.record), Text(line.label), Text(old), Text(new))
        table.loading = False
        table.focus()
