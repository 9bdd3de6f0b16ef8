"""The review worksheet of one unit: each entry with the unit's own result and the office's
finding and result beside it (the same engine on the corrected data); ``a`` agrees, ``d``
disagrees with a corrected value or count and a note."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from hoctap.models.audit import Written
from hoctap.models.i18n import lang, tr
from hoctap.models.office import Review, review, set_finding
from hoctap.models.present import meter_text
from hoctap.models.units import Context
from hoctap.screens.base import BaseModal, BaseScreen


class ReviewLoaded(Message):
    def __init__(self, review: Review) -> None:
        super().__init__()
        self.review = review


class FindingSaved(Message):
    def __init__(self, entry: str, written: Written) -> None:
        super().__init__()
        self.entry, self.written = entry, written


class ReviewScreen(BaseScreen):
    BINDINGS = [
        Binding("q,escape", "back", "key.back", id="review.back"),
        Binding("a", "agree", "office.agree", id="review.agree"),
        Binding("d,enter", "disagree", "office.disagree", id="review.disagree"),
        Binding("ctrl+r", "reload", "key.refresh", id="review.reload", show=False),
    ]

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.review: Review | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-head")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="review-table")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.title = tr("screen.review", code=self.ctx.unit.code, year=self.ctx.assessment.year)
        table = self.query_one("#review-table", DataTable)
        for key, label in (("entry", "col.entry"), ("content", "col.content"), ("own", "office.col_own"),
                           ("finding", "review.col.finding"), ("office", "office.col_office"),
                           ("note", "review.col.note")):
            table.add_column(tr(label), key=key)
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    def data_changed(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review")
    def load(self) -> None:
        self.post_message(ReviewLoaded(review(self.app.db, self.app.catalogs, self.ctx)))

    @on(ReviewLoaded)
    def _loaded(self, message: ReviewLoaded) -> None:
        self.review = r = message.review
        catalogs = self.app.catalogs
        table = self.query_one("#review-table", DataTable)
        row = table.cursor_row
        table.clear()
        office = {e.entry.id: e for e in r.office.entries()}
        for e in r.own.entries():
            f = r.findings.get(e.entry.id)
            finding = "" if f is None or f.agree is None else tr("office.agree" if f.agree else "office.disagree")
            label = e.entry.label(lang())
            table.add_row(e.entry.id, Text(label if len(label) <= 40 else label[:39] + "…"),
                          meter_text(catalogs, e, compact=True), Text(finding, style="" if f is None or f.agree else "red"),
                          meter_text(catalogs, office[e.entry.id], compact=True) if r.reviewed else "",
                          Text(f.note if f else ""), key=e.entry.id)
        table.move_cursor(row=min(row, max(table.row_count - 1, 0)), scroll=False)
        disagreed = ", ".join(own.entry.id for own, _o, _f in r.disagreements()) or tr("review.none")
        self.query_one("#review-head", Static).update(tr(
            "review.head", own=tr("met" if r.own.met else "not_met"),
            office=tr("met" if r.office.met else "not_met") if r.reviewed else tr("office.not_reviewed"),
            disagreed=disagreed))

    @property
    def current_entry(self) -> str | None:
        table = self.query_one("#review-table", DataTable)
        if not table.row_count:
            return None
        return str(table.ordered_rows[table.cursor_row].key.value)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_agree(self) -> None:
        entry = self.current_entry
        if entry is not None and self.review is not None:
            found = self.review.findings.get(entry)
            self.save(entry, found.version if found else 0)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review_save")
    def save(self, entry: str, version: int) -> None:
        written = set_finding(self.app.db, self.app.catalogs, self.ctx, entry, agree=True, expected_version=version,
                              source="tui")
        self.post_message(FindingSaved(entry, written))

    @on(DataTable.RowSelected, "#review-table")
    def action_disagree(self) -> None:
        entry = self.current_entry
        if entry is None or self.review is None:
            return
        result = self.review.own.entry(entry)
        self.app.push_screen(FindingForm(self.ctx, result.entry.id, result.entry.kind, self.review.findings.get(entry)),
                             self._saved_from_form)

    def _saved_from_form(self, entry: str | None) -> None:
        if entry:
            self.notify(tr("review.saved", entry=entry))
            self.load()

    @on(FindingSaved)
    def _finding_saved(self, message: FindingSaved) -> None:
        self._saved_from_form(message.entry)


class FindingForm(BaseModal):
    """Disagree with the unit on one entry: the corrected value or count, and a note."""

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="finding_form.save"),
        Binding("escape", "dismiss(None)", "key.close", id="finding_form.close"),
    ]

    def __init__(self, ctx: Context, entry: str, kind: str, found) -> None:
        super().__init__()
        self.ctx, self.entry, self.kind, self.found = ctx, entry, kind, found

    def compose(self) -> ComposeResult:
        f = self.found
        current = "" if f is None else (f.value if self.kind == "unit" else ("" if f.count is None else str(f.count)))
        with Vertical(classes="form"):
            yield Static(tr("review.form_title", entry=self.entry), classes="form-title")
            with Grid(classes="form-grid"):
                yield Label(tr("review.form_value" if self.kind == "unit" else "review.form_count"))
                yield Input(current or "", id="finding-value", compact=True)
                yield Label(tr("review.col.note"))
                yield Input(f.note if f else "", id="finding-note", compact=True)
            with Horizontal(classes="form-buttons"):
                yield Button(tr("units.save"), id="ok", variant="primary", compact=True)
                yield Button(tr("form.cancel"), id="cancel", compact=True)

    @on(Button.Pressed, "#ok")
    def action_save(self) -> None:
        self.save(self.query_one("#finding-value", Input).value.strip(), self.query_one("#finding-note", Input).value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, raw: str, note: str) -> None:
        corrected = {"value": raw or None} if self.kind == "unit" else {"count": raw or None}
        written = set_finding(self.app.db, self.app.catalogs, self.ctx, self.entry, agree=False, note=note,
                              expected_version=self.found.version if self.found else 0, source="tui", **corrected)
        self.post_message(FindingSaved(self.entry, written))

    @on(FindingSaved)
    def _saved(self, message: FindingSaved) -> None:
        self.dismiss(message.entry)
