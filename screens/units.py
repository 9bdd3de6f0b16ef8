"""The receiving office's overview: every unit assessed in a year with its own verdict, the
office's, what falls short, unconfirmed thresholds and the intake state. Searchable, filtered
and sorted in memory (one ``office.overview`` per load: a handful of GROUP BY queries);
``UnitsView`` draws only the rows in view. Selection and batch "mark received"; Enter opens
the unit's dashboard, ``w`` its review worksheet, ``x`` writes the combined report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from platformdirs import user_downloads_path
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from hoctap.models.errors import HoctapError
from hoctap.models.files import inside, safe_name
from hoctap.models.i18n import lang, tr
from hoctap.models.office import CHANNELS, UnitRow, deadline, dossier_checks, mark_received, overview
from hoctap.models.text import fold
from hoctap.models.units import Context, find_context
from hoctap.screens.base import BaseModal, BaseScreen
from hoctap.screens.widgets.units_view import UnitsView

FILTERS = ("all", "own_not_met", "disagreed", "not_received", "late")
SORTS = ("code", "own", "office", "received")
COLUMNS = ("selected", "code", "name", "tier", "types", "level", "own", "office", "short", "unconfirmed", "intake")


def matches(r: UnitRow, kind: str) -> bool:
    return {"all": True, "own_not_met": r.own_met is False, "disagreed": bool(r.disagreements),
            "not_received": r.intake.received_on is None, "late": r.intake.late}[kind]


def sort_key(kind: str):
    return {"code": lambda r: r.unit.code,
            "own": lambda r: (r.own_met is not False, r.unit.code),
            "office": lambda r: ({False: 0, None: 1, True: 2}[r.office_met], r.unit.code),
            "received": lambda r: (r.intake.received_on or date.max, r.unit.code)}[kind]


class UnitsLoaded(Message):
    def __init__(self, rows: list[UnitRow]) -> None:
        super().__init__()
        self.rows = rows


class Done(Message):
    """A worker finished: a unit to open (``where``: "dashboard" or "review"), or words to show."""

    def __init__(self, text: str = "", ctx: Context | None = None, where: str = "") -> None:
        super().__init__()
        self.text, self.ctx, self.where = text, ctx, where


class UnitsScreen(BaseScreen):
    AUTO_FOCUS = "#units-table"  # keys act on the table; / goes to the search
    BINDINGS = [
        Binding("q,escape", "back", "key.back", id="units.back"),
        Binding("slash", "search", "key.search", id="units.search"),
        Binding("f", "filter", "roster.key.filter", id="units.filter"),
        Binding("o", "sort", "roster.key.sort", id="units.sort"),
        Binding("space", "select", "roster.key.select", id="units.select"),
        Binding("ctrl+a", "select_all", "roster.key.select_all", id="units.select_all", show=False),
        Binding("N", "select_none", "roster.key.select_none", id="units.select_none", show=False),
        Binding("r", "receive", "units.key.receive", id="units.receive"),
        Binding("w", "review", "units.key.review", id="units.review"),
        Binding("x", "report", "units.key.report", id="units.report"),
        Binding("left_square_bracket", "year(-1)", "units.key.prev_year", id="units.prev_year", show=False),
        Binding("right_square_bracket", "year(1)", "units.key.next_year", id="units.next_year", show=False),
        Binding("enter", "open", "units.key.open", id="units.open", show=False),
        Binding("ctrl+r", "reload", "key.refresh", id="units.reload", show=False),
    ]

    def __init__(self, year: int) -> None:
        super().__init__()
        self.year = year
        self.rows: list[UnitRow] = []
        self.shown: list[UnitRow] = []
        self.selected: set[int] = set()  # assessment ids
        self.filter, self.sort = "all", "code"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=tr("units.search"), id="units-search", compact=True)
        yield Static(id="units-head")
        yield UnitsView([self.column_label(key) for key in COLUMNS], id="units-table")
        yield Footer(show_command_palette=False)

    @property
    def view(self) -> UnitsView:
        return self.query_one("#units-table", UnitsView)

    def on_mount(self) -> None:
        self.reload()

    @staticmethod
    def column_label(key: str) -> str:
        return {"selected": tr("units.col.selected"), "code": tr("field.code"), "name": tr("report.unit"),
                "tier": tr("unit.tier"), "types": tr("report.types"), "level": tr("report.level_sought"),
                "own": tr("office.col_own"), "office": tr("office.col_office"), "short": tr("office.col_short"),
                "unconfirmed": tr("office.col_unconfirmed"), "intake": tr("office.col_intake")}[key]

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.title = tr("screen.units", year=self.year)
        self.view.loading = True
        self.load(self.year)

    def data_changed(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:  # back from a review or a dashboard: verdicts may differ
        if self.rows:
            self.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="units")
    def load(self, year: int) -> None:
        self.post_message(UnitsLoaded(overview(self.app.db, self.app.catalogs, year)))

    def worker_failed(self, worker) -> None:
        self.view.loading = False

    @on(UnitsLoaded)
    def _loaded(self, message: UnitsLoaded) -> None:
        self.rows = message.rows
        ids = {r.assessment_id for r in self.rows}
        self.selected &= ids
        self.refill()

    def refill(self) -> None:
        """Search, filter and sort the loaded rows (the view keeps its cursor on the same unit)."""
        words = fold(self.query_one("#units-search", Input).value).split()
        self.shown = sorted((r for r in self.rows if matches(r, self.filter) and
                             all(w in fold(f"{r.unit.code} {r.unit.name}") for w in words)), key=sort_key(self.sort))
        catalogs = self.app.catalogs
        cells = []
        for r in self.shown:
            types = ", ".join(catalogs.unit_types[t].label(lang()) if t in catalogs.unit_types else t
                              for t in r.unit.type_list)
            cells.append(["✓" if r.assessment_id in self.selected else " ", r.unit.code, r.unit.name, tr(r.unit.tier),
                          types, str(r.level), self.verdict(r.own_met, r.own is not None),
                          self.verdict(r.office_met, r.reviewed), r.short_text(), ", ".join(r.unconfirmed()),
                          r.intake.text()])
        self.view.set_rows(cells, [r.assessment_id for r in self.shown], self.selected)
        self.view.loading = False
        self.update_head()

    @staticmethod
    def verdict(met: bool | None, known: bool) -> str:
        if not known:
            return tr("office.not_reviewed")
        return tr("met") if met else tr("not_met")

    def update_head(self) -> None:
        head = self.query_one("#units-head", Static)
        if not self.rows:
            head.update(tr("units.empty", year=self.year))
            return
        head.update(tr("units.head", shown=len(self.shown), total=len(self.rows), selected=len(self.selected),
                       filter=tr("office.late" if self.filter == "late" else f"units.filter.{self.filter}"),
                       sort=tr(f"units.sort.{self.sort}"), deadline=deadline(self.year).strftime("%d/%m/%Y")))

    @property
    def current(self) -> UnitRow | None:
        if not self.shown:
            return None
        return self.shown[min(self.view.cursor, len(self.shown) - 1)]

    @on(Input.Changed, "#units-search")
    def _searched(self) -> None:
        self.refill()

    @on(Input.Submitted, "#units-search")
    def _search_done(self) -> None:
        self.view.focus()

    def action_search(self) -> None:
        self.query_one("#units-search", Input).focus()

    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.refill()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.refill()

    def action_select(self) -> None:
        r = self.current
        if r is None:
            return
        self.selected ^= {r.assessment_id}
        self.view.rows[self.view.cursor][0] = "✓" if r.assessment_id in self.selected else " "
        self.view.move_to(self.view.cursor + 1)
        self.update_head()

    def action_select_all(self) -> None:
        self.selected |= {r.assessment_id for r in self.shown}
        self.refill()

    def action_select_none(self) -> None:
        self.selected.clear()
        self.refill()

    def action_year(self, step: int) -> None:
        self.year += step
        self.selected.clear()
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_receive(self) -> None:
        ids = sorted(self.selected) or ([self.current.assessment_id] if self.current else [])
        if ids:
            self.app.push_screen(ReceiveForm(ids), self._received)

    def _received(self, n: int | None) -> None:
        if n:
            self.notify(tr("units.received", n=n))
            self.selected.clear()
            self.reload()

    def action_open(self) -> None:
        if self.current is not None:
            self.open_unit(self.current.unit.code, "dashboard")

    def action_review(self) -> None:
        if self.current is not None:
            self.open_unit(self.current.unit.code, "review")

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_unit(self, code: str, where: str) -> None:
        self.post_message(Done(ctx=find_context(self.app.db, code, self.year), where=where))

    @on(Done)
    def _done(self, message: Done) -> None:
        if message.where == "dashboard":
            self.app.open_context(message.ctx)
        elif message.where == "review":
            from hoctap.screens.review import ReviewScreen

            self.app.push_screen(ReviewScreen(message.ctx))
        else:
            self.notify(message.text, timeout=10)

    def action_report(self) -> None:
        self.write_report(self.year, lang())

    @work(thread=True, exclusive=True, exit_on_error=False, group="report")
    def write_report(self, year: int, language: str) -> None:
        from hoctap.models.office_report import write_units_report

        folder = Path(self.app.download_dir or user_downloads_path())
        name = safe_name(tr("units.report_file", year=year), ".xlsx")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_units_report(self.app.db, self.app.catalogs, year, inside(folder, name), lang=language, per_unit=True)
        except OSError as e:  # a read-only or full disk: a message, not a crash log
            raise HoctapError(tr("export.failed", error=e)) from None
        self.post_message(Done(tr("units.report_saved", path=folder / name)))


class Received(Message):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n


class ReceiveForm(BaseModal):
    """Mark the chosen units' dossiers as received: date, channel, who received them."""

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="receive_form.save"),
        Binding("escape", "dismiss(None)", "key.close", id="receive_form.close"),
    ]

    def __init__(self, assessment_ids: list[int]) -> None:
        super().__init__()
        self.ids = assessment_ids

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(tr("units.receive_title", n=len(self.ids)), classes="form-title")
            with Grid(classes="form-grid"):
                yield Label(tr("units.receive_on"))
                yield Input(date.today().strftime("%d/%m/%Y"), id="receive-on", compact=True)
                yield Label(tr("units.receive_channel"))
                yield Select([(tr(f"channel.{c}"), c) for c in CHANNELS], value="in_person", allow_blank=False,
                             id="receive-channel", compact=True)
                yield Label(tr("units.receive_by"))
                yield Input(id="receive-by", compact=True)
            with Horizontal(classes="form-buttons"):
                yield Button(tr("units.save"), id="ok", variant="primary", compact=True)
                yield Button(tr("form.cancel"), id="cancel", compact=True)

    @on(Button.Pressed, "#ok")
    def action_save(self) -> None:
        self.save(self.query_one("#receive-on", Input).value, self.query_one("#receive-channel", Select).value,
                  self.query_one("#receive-by", Input).value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, on_date: str, channel: str, by: str) -> None:
        checks = dossier_checks(self.app.db, self.app.catalogs, self.ids)
        written = mark_received(self.app.db, self.ids, received_on=on_date, channel=channel, received_by=by,
                                checks=checks, source="tui")
        self.post_message(Received(written.n))

    @on(Received)
    def _saved(self, message: Received) -> None:
        self.dismiss(message.n)
