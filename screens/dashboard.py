"""The dashboard: every entry of the level's catalog as a threshold meter, grouped by criterion.

The screen is composed at once and says that the meters are being computed; they are computed
in a thread worker (two GROUP BYs and the pure engine, seconds at a million people) and handed
back in a message, so every key works before they are ready. A timer (``app.poll_seconds``)
asks the database for its data version so that edits made by other users appear within a few
seconds.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from hoctap.models import roster
from hoctap.models.evaluate import LevelResult
from hoctap.models.i18n import lang, tr
from hoctap.models.present import MARK, meter_text
from hoctap.models.roster import Opening, RosterQuery
from hoctap.models.db import DatabaseError
from hoctap.models.errors import USER_ERRORS, HoctapError
from hoctap.models.meters import data_version, evaluate_context
from hoctap.models.units import catalog_for
from hoctap.screens.base import BaseScreen, Localized
from hoctap.screens.widgets.meter import entry_cells, verdict


COLUMNS = ("entry", "count", "percent", "threshold", "verdict", "shortfall", "progress", "wording")
FAILING = ("not_met", "no_data")  # what n/p stop at: entries keeping the level from being met
WORDING_MIN = 16  # the wording gets at least this many cells, else it is shown on the detail line only


class MetersReady(Message):
    def __init__(self, result: LevelResult, level: int, version: tuple) -> None:
        super().__init__()
        self.result, self.level, self.version = result, level, version

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetersReady)


class RosterAhead(Message):
    """The roster's opening, read beside the meters: ``r`` shows its rows without waiting."""

    def __init__(self, gen: int, query: RosterQuery, opening: Opening) -> None:
        super().__init__()
        self.gen, self.query, self.opening = gen, query, opening


class Polled(Message):
    """The database's data version now, or why it could not be read."""

    def __init__(self, version: tuple | None, error: DatabaseError | None = None) -> None:
        super().__init__()
        self.version, self.error = version, error

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Polled)


class MeterTable(Localized, DataTable):
    """Home/End jump to the first/last entry (the table's default scrolls sideways)."""

    BINDINGS = [
        Binding("enter", "select_cursor", "key.drill", show=False, id="dashboard.drill"),
        Binding("home", "scroll_top", "key.first", show=False, id="dashboard.first"),
        Binding("end", "scroll_bottom", "key.last", show=False, id="dashboard.last"),
    ]


class DashboardScreen(BaseScreen):
    BINDINGS = [
        Binding("l", "switch_level", "key.level", id="dashboard.level"),
        Binding("c", "checklist", "screen.checklist", id="dashboard.checklist"),
        Binding("s", "citizen", "key.citizen", id="dashboard.citizen"),
        Binding("r", "roster", "report.sheet_roster", id="dashboard.roster"),
        Binding("d", "dossier", "key.dossier", id="dashboard.dossier", show=False),
        Binding("g", "reload", "key.refresh", id="dashboard.reload", show=False),
        Binding("n", "failing(1)", "dash.key.next_failing", id="dashboard.next_failing", show=False),
        Binding("p", "failing(-1)", "dash.key.previous_failing", id="dashboard.previous_failing", show=False),
        # the footer shows the main keys only, so it fits 80 columns; ? and ctrl+p list them all
        Binding("x", "export_report", "key.export_report", id="dashboard.export_report", show=False),
        Binding("X", "export_roster", "key.export_roster", id="dashboard.export_roster", show=False),
        Binding("i", "import_roster", "key.import", id="dashboard.import", show=False),
        Binding("h", "log", "key.log", id="dashboard.log", show=False),
        Binding("q", "back", "key.units", id="dashboard.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.level = 1
        self.version: tuple | None = None
        self.result: LevelResult | None = None
        self.failing: list[str] = []  # entry ids not met (or without data), in table order
        self.offline = False  # the last poll could not reach the database
        self.computing = False  # a meters worker is running: the head says so
        self.ahead_gen = 0  # loads so far: a roster read ahead before the last one is not kept

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="dash-head")
        yield MeterTable(cursor_type="row", id="meters")
        yield Static(id="dash-detail")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        ctx = self.app.ctx
        self.level = ctx.assessment.level
        self.title = tr("screen.dashboard")
        self.sub_title = f"{ctx.unit.code} · {ctx.assessment.year}"
        self.load()
        if self.app.poll_seconds:
            self.set_interval(self.app.poll_seconds, self.poll)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.show())

    # ---- data ----------------------------------------------------------------------------------

    def load(self) -> None:
        """Recompute the meters in a worker; until they arrive the head says so."""
        # a roster read ahead is from before whatever made this load: dropped, and one still being
        # read is not kept when it comes (nor waited for on coming back)
        self.app.roster_ahead = None
        self.ahead_gen += 1
        self.app.workers.cancel_group(self, "roster-ahead")
        self.computing = True
        self._head()
        self._compute()
        if self.app.screen is self:  # (is_current is also true under a screen drawn over this one)
            self._read_ahead(self.ahead_gen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="meters")
    def _compute(self) -> None:
        app, level = self.app, self.level
        version = data_version(app.db, app.ctx)
        result = evaluate_context(app.db, app.catalogs, app.ctx, level)
        if get_current_worker().is_cancelled:  # a newer load replaced this one: its numbers win
            return
        self.post_message(MetersReady(result, level, version))

    def on_screen_resume(self) -> None:
        reading = any(w.group == "roster-ahead" and not w.is_finished for w in self.app.workers)
        if self.app.roster_ahead is None and not reading:  # back from a screen that took it
            self._read_ahead(self.ahead_gen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-ahead")
    def _read_ahead(self, gen: int) -> None:
        """The roster is the likeliest next screen: have its first rows ready (read beside the
        meters, each on its own connection)."""
        app = self.app
        query = RosterQuery(app.ctx.assessment.id)
        try:
            opening = roster.opening(app.db, query, 0, app.catalogs)
        except USER_ERRORS:  # said by the meters' worker, and by the roster's own read if opened
            return
        if not get_current_worker().is_cancelled:
            self.post_message(RosterAhead(gen, query, opening))

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def poll(self) -> None:
        """Has anyone changed the assessment since the meters were computed?"""
        try:
            version = data_version(self.app.db, self.app.ctx)
        except DatabaseError as e:
            self.post_message(Polled(None, e))
            return
        self.post_message(Polled(version))

    def data_changed(self) -> None:
        self.load()

    def worker_failed(self, worker) -> None:
        if worker.group == "meters":
            self.computing = False
            self._head()

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        if message.error is not None:  # say so once, not at every poll; keep polling
            if not self.offline:
                self.offline = True
                self.app.show_error(message.error)
            return
        self.offline = False
        if self.version is not None and message.version != self.version:
            self.load()

    @on(RosterAhead)
    def _roster_ahead(self, message: RosterAhead) -> None:
        if message.gen == self.ahead_gen:  # not read before a change since
            self.app.roster_ahead = (message.query, message.opening)

    @on(MetersReady)
    def _ready(self, message: MetersReady) -> None:
        if message.level != self.level:
            return  # computed for the level shown before a switch
        self.result, self.version = message.result, message.version
        self.computing = False
        self.show()

    # ---- display -------------------------------------------------------------------------------

    def colours(self) -> dict[str, str]:
        """Rich styles for the verdict tones, from the current theme."""
        # the theme's text colours, which HoctapApp.get_css_variables makes read at 4.5:1 on the
        # table (the plain success green is 1.5:1 on textual-light); ansi themes stay ansi
        variables = self.app.theme_variables
        out = {"muted": "dim"}
        for tone in ("success", "error", "warning"):
            out[tone] = Color.parse(variables[f"text-{tone}"]).rich_color.name
        return out

    def _head(self) -> None:
        """The unit and year at once; the level's verdict once computed, "Computing…" before."""
        ctx = self.app.ctx
        head = Text(tr("dash.title", name=ctx.unit.name, code=ctx.unit.code, year=ctx.assessment.year), "bold")
        head.append("\n")
        if self.computing or self.result is None:
            head.append(tr("dash.computing", level=self.level), "italic")
        else:
            result = self.result
            head.append_text(Text.assemble(
                f"{result.catalog.label(lang())} · {tr('dash.sought', level=ctx.assessment.level)} · ",
                (tr("dash.level", level=self.level, verdict=""), "bold"),
                verdict("met" if result.met else "not_met", self.colours())))
        self.query_one("#dash-head", Static).update(head)

    def show(self) -> None:
        self._head()
        if self.result is None:
            return
        result, colours = self.result, self.colours()
        table = self.query_one("#meters", DataTable)
        cursor_key = self._cursor_key(table)
        # the wording gets room: first the verdict shrinks to its mark and the bar goes, then (80
        # columns) the wording leaves the table for the detail line, which shows it in full
        for narrow in (False, True):
            columns, rows = self._rows(result, colours, narrow)
            widths = self._widths(table, columns, rows)
            if widths[-1] >= WORDING_MIN:
                break
        else:
            columns, widths = columns[:-1], widths[:-1]
            rows = [(key, cells[:-1]) for key, cells in rows]
        self.failing = [r.entry.id for crit in result.criteria for r in crit.entries if r.status in FAILING]
        table.clear(columns=True)
        for name, width in zip(columns, widths):
            table.add_column(tr(f"col.{name}"), width=width, key=name)
        for key, cells in rows:
            if columns[-1] == "wording":  # clipped with "…", never a bare fragment (in full below)
                cells[-1].truncate(widths[-1], overflow="ellipsis")
            table.add_row(*cells, key=key)
        keys = [row.key.value for row in table.ordered_rows]
        if cursor_key in keys:
            table.move_cursor(row=keys.index(cursor_key), scroll=False)
        self._describe(table)

    def _rows(self, result: LevelResult, colours: dict[str, str], narrow: bool) -> tuple[list[str], list]:
        """The columns and, per criterion and entry, its key and cells (``narrow``: no bar, the
        verdict as its mark alone)."""
        columns = [c for c in COLUMNS if not (narrow and c == "progress")]
        rows: list[tuple[str, list]] = []
        for crit in result.criteria:
            status = "met" if crit.met else "not_met"
            cells = [Text(crit.id, style="bold"), "", "", "", verdict(status, colours, narrow), "", "",
                     Text(crit.criterion.label(lang()), style="bold")]
            rows.append((crit.id, [c for c, name in zip(cells, COLUMNS) if name in columns]))
            rows += [(r.entry.id, entry_cells(self.app.catalogs, r, colours, narrow)) for r in crit.entries]
        return columns, rows

    def _widths(self, table: DataTable, columns: list[str], rows: list[tuple[str, list]]) -> list[int]:
        """Each column as wide as its widest cell; the wording gets the room left, which may be
        too little (the caller then drops it), so there is never a horizontal scrollbar."""
        widths = [max([Text(tr(f"col.{name}")).cell_len] + [Text.from_markup(c).cell_len if isinstance(c, str)
                                                            else c.cell_len for c in (r[i] for _, r in rows)])
                  for i, name in enumerate(columns)]
        scrollbar = 2 if len(rows) + 1 > table.size.height else 0
        room = self.size.width - scrollbar - 2 * table.cell_padding * len(columns) - sum(widths[:-1])
        widths[-1] = room
        return widths

    @staticmethod
    def _cursor_key(table: DataTable) -> str | None:
        if not table.row_count:
            return None
        return table.ordered_rows[table.cursor_row].key.value

    def on_resize(self) -> None:
        self.show()

    @on(DataTable.RowHighlighted, "#meters")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(event.data_table)

    def _describe(self, table: DataTable) -> None:
        """The highlighted row's full wording and verdict (the table clips the one and shows the
        other as its mark alone on narrow terminals)."""
        key = self._cursor_key(table)
        if key is None or self.result is None:
            return
        detail, colours = Text(), self.colours()
        for crit in self.result.criteria:
            if crit.id == key:
                detail.append(f"{crit.id} ", style="bold").append(crit.criterion.label(lang()))
                detail.append(" · ").append_text(verdict("met" if crit.met else "not_met", colours))
            for r in crit.entries:
                if r.entry.id == key:
                    detail.append(f"{r.entry.id} ", style="bold").append(r.entry.label(lang()))
                    if r.entry.kind == "unit" and r.applicable:  # the value ticked (its mark is the verdict's)
                        value = meter_text(self.app.catalogs, r).removesuffix(f" {MARK[r.status]}")
                        detail.append(f" — {value}", style="bold")
                    detail.append(" · ").append_text(verdict(r.status, colours))
                    detail.append(f"\n{r.entry.source}", style="dim")
                    if not r.entry.confirmed:
                        detail.append(f" · {tr('unconfirmed_mark')}", style="dim italic")
        self.query_one("#dash-detail", Static).update(detail)

    # ---- actions -------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#meters")
    def _drill(self, event: DataTable.RowSelected) -> None:
        if self.result is None:
            return
        entry = next((r for r in self.result.entries() if r.entry.id == event.row_key.value), None)
        if entry is None or not entry.applicable:
            return
        if entry.entry.kind == "share":
            self.app.open_roster(RosterQuery(self.app.ctx.assessment.id, not_qualifying=entry.entry.id))
        else:
            self.open_checklist(entry.entry.id)

    def open_checklist(self, entry_id: str | None = None) -> None:
        from hoctap.screens.checklist import ChecklistScreen

        try:
            catalog_for(self.app.catalogs, self.app.ctx.unit, self.level)
        except HoctapError as e:
            self.app.show_error(e)
            return
        self.app.push_screen(ChecklistScreen(self.level, focus_entry=entry_id))

    def action_failing(self, step: int) -> None:
        """The cursor to the next (step 1) or previous failing entry, wrapping around."""
        table = self.query_one("#meters", DataTable)
        if not self.failing or not table.row_count:
            self.notify(tr("dash.none_failing"))
            return
        keys = [row.key.value for row in table.ordered_rows]
        here = table.cursor_row
        order = keys[here + 1:] + keys[:here + 1] if step > 0 else (keys[:here][::-1] + keys[here:][::-1])
        target = next(k for k in order if k in self.failing)
        table.move_cursor(row=keys.index(target))
        table.focus()

    def action_switch_level(self) -> None:
        self.level = 2 if self.level == 1 else 1
        self.load()

    def action_dossier(self) -> None:
        from hoctap.screens.dossier import DossierScreen

        self.app.push_screen(DossierScreen(self.level))

    def action_checklist(self) -> None:
        self.open_checklist()

    def action_citizen(self) -> None:
        from hoctap.screens.citizen import CitizenScreen

        self.app.push_screen(CitizenScreen())

    def action_roster(self) -> None:
        self.app.open_roster(RosterQuery(self.app.ctx.assessment.id))

    def action_reload(self) -> None:
        self.load()

    def action_export_report(self) -> None:
        self.app.open_export("report", self.level)

    def action_export_roster(self) -> None:
        self.app.open_export("roster", self.level)

    def action_import_roster(self) -> None:
        self.app.open_import()

    def action_log(self) -> None:
        self.app.open_log()

    def action_back(self) -> None:
        self.app.pop_screen()

