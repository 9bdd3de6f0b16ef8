"""The roster screen: search, filter, sort, add/edit/delete, and VisiData-style batch editing
over a RosterView. The selection is a set of person ids kept here. Every database call but
the viewport's page read runs in a worker that posts a message; the handlers below own the
state, and every change posts DataChanged so the meters move."""

from __future__ import annotations

import time

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.containers import Vertical
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from hoctap.models import roster
from hoctap.models.audit import newest_not_undone
from hoctap.models.catalog import Catalogs
from hoctap.models.errors import USER_ERRORS
from hoctap.models.facts import set_facts
from hoctap.models.i18n import lang, tr
from hoctap.models.people import remove_from_roster
from hoctap.models.roster import Opening, Picked, RosterQuery, RosterRow
from hoctap.models.text import search_key
from hoctap.models.undo import undo
from hoctap.screens.base import BaseScreen
from hoctap.screens.batch import BatchSetModal, describe
from hoctap.screens.confirm import ConfirmModal
from hoctap.screens.person_form import PersonForm
from hoctap.screens.pickers import PickColumn, PickFieldValue
from hoctap.screens.messages import DataChanged
from hoctap.screens.widgets.roster_view import RosterView, column_label, columns

TYPING_PAUSE = 0.06  # s: a search starts once typing pauses; a newer keystroke cancels it


class RosterLoaded(Message):
    """One reload: the count, the whole roster's count and the cursor's page."""

    def __init__(self, gen: int, opening: Opening, matching: frozenset[int] | None = None) -> None:
        super().__init__()
        self.gen, self.opening, self.matching = gen, opening, matching


class FilterValues(Message):
    """What each filter field can be (the departments come from the database)."""

    def __init__(self, values: dict[str, list[str | None]]) -> None:
        super().__init__()
        self.values = values


class MatchingRead(Message):
    """Everyone ``query`` matches, to add to the selection (or to invert it by)."""

    def __init__(self, query: RosterQuery, ids: frozenset[int], invert: bool) -> None:
        super().__init__()
        self.query, self.ids, self.invert = query, ids, invert


class BatchWritten(Message):
    def __init__(self, batch: int | None, n: int) -> None:
        super().__init__()
        self.batch, self.n = batch, n


class Undone(Message):
    def __init__(self, batch: int, new: int) -> None:
        super().__init__()
        self.batch, self.new = batch, new


class UndoRefused(Message):
    """Nothing of ours to undo, or a colleague changed the same records since (a warning)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class Deleted(Message):
    def __init__(self, row: RosterRow, removed: int, batch: int | None) -> None:
        super().__init__()
        self.row, self.removed, self.batch = row, removed, batch


class GoToColumn(PickColumn):
    """Type part of a column's name (accents optional), Enter: dismissed with the key of the
    highlighted match, or None. ↓/↑ move among the matches while typing."""

    BINDINGS = [
        Binding("down", "move(1)", "roster.goto.down", show=False, id="roster.goto.down"),
        Binding("up", "move(-1)", "roster.goto.up", show=False, id="roster.goto.up"),
    ]

    def __init__(self, catalogs: Catalogs, keys: list[str], current: str):
        super().__init__(catalogs, keys, current)
        self.labels = {k: self._label(k) for k in keys}
        self.matches = list(keys)

    def _label(self, key: str) -> str:
        fact = self.catalogs.facts.get(key)
        short = column_label(self.catalogs, key)
        return f"{short} — {fact.label(lang())}" if fact is not None and fact.label(lang()) != short else short

    def compose(self) -> ComposeResult:
        with Vertical(classes="roster-modal"):
            yield Static(tr("roster.goto.title"), markup=False)
            yield Input(placeholder=tr("roster.goto.placeholder"), id="goto-input")
            yield OptionList(*[Option(self.labels[k]) for k in self.keys], id="pick-columns")
            yield Static("", id="goto-status", classes="roster-modal--status", markup=False)
        yield Footer()

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # not PickColumn's: the typing field has the focus
        options = self.query_one(OptionList)
        options.highlighted = self.keys.index(self.current) if self.current in self.keys else 0
        self.query_one(Input).focus()

    @on(Input.Changed, "#goto-input")
    def _typed(self, event: Input.Changed) -> None:
        typed = search_key(event.value.strip())
        self.matches = [k for k in self.keys if typed in search_key(self.labels[k])]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self.labels[k]) for k in self.matches])
        options.highlighted = 0 if self.matches else None
        self.query_one("#goto-status", Static).update("" if self.matches else tr("roster.goto.none"))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.matches:
            options.highlighted = max(0, min((options.highlighted or 0) + step, len(self.matches) - 1))

    @on(Input.Submitted, "#goto-input")
    def _entered(self, event: Input.Submitted) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if self.matches and highlighted is not None:
            self.dismiss(self.matches[highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.prevent_default()  # an index into the matches, not into every column
        self.dismiss(self.matches[event.option_index])


class RosterScreen(BaseScreen):
    # the footer shows the main keys only, so it fits 80 columns; ? and ctrl+p list them all
    BINDINGS = [
        Binding("q,escape", "back", "key.back", id="roster.back"),
        Binding("slash", "search", "key.search", id="roster.search"),
        Binding("f", "filter", "roster.key.filter", id="roster.filter"),
        Binding("c", "clear_filters", "roster.key.clear_filters", id="roster.clear_filters", show=False),
        Binding("o", "sort", "roster.key.sort", id="roster.sort", show=False),
        Binding("O", "sort_reverse", "roster.key.sort_reverse", show=False, id="roster.sort_reverse"),
        Binding("C", "go_to_column", "roster.key.go_to_column", show=False, id="roster.go_to_column"),
        Binding("space,s", "select", "roster.key.select", id="roster.select"),
        Binding("t", "toggle", "roster.key.toggle", show=False, id="roster.toggle"),
        Binding("u", "unselect", "roster.key.unselect", show=False, id="roster.unselect"),
        Binding("ctrl+a,S", "select_all", "roster.key.select_all", id="roster.select_all", show=False),
        Binding("N", "select_none", "roster.key.select_none", show=False, id="roster.select_none"),
        Binding("T", "invert", "roster.key.invert", show=False, id="roster.invert"),
        Binding("e,equals_sign", "batch_set", "roster.key.batch_set", id="roster.batch_set"),
        Binding("U", "undo", "roster.key.undo", id="roster.undo"),
        Binding("a,insert", "add", "roster.key.add", id="roster.add", show=False),
        Binding("enter", "edit", "roster.key.edit", id="roster.edit", show=False),
        Binding("d,delete", "delete", "roster.key.delete", id="roster.delete", show=False),
        Binding("ctrl+r", "reload", "key.refresh", show=False, id="roster.reload"),
    ]

    def __init__(self, query: RosterQuery | None = None, ahead: Opening | None = None):
        super().__init__()
        self.initial_query = query
        self.ahead = ahead  # the query's opening, read while the dashboard was open
        self.selection: set[int] = set()
        # each "select all matching"/invert: (query, whom it matched), re-checked by the write
        self.selection_bases: list[tuple[RosterQuery, frozenset[int]]] = []
        self.total = 0  # people on the whole roster (the header's "n/total")
        # whom the query matched at the last load, read only while people were selected: a
        # selection made since is of matching rows, so the rest of it is hidden by the filter
        self.matching: frozenset[int] | None = None
        self.busy = False

    # ---- layout and header -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self.app
        query = self.initial_query or RosterQuery(app.ctx.assessment.id)
        yield Static("", id="roster-header")
        yield Input(placeholder=tr("roster.search_placeholder"), id="roster-search", value=query.search)
        yield RosterView(self._read_page, app.catalogs, query, self.selection, id="roster-view")
        yield Footer(show_command_palette=False)  # the app's ctrl+p binding shows, translated

    def _read_page(self, q: RosterQuery, offset: int, limit: int, count: int) -> list[RosterRow]:
        return roster.window(self.app.db, q, offset, limit, count, self.app.catalogs)

    @property
    def view(self) -> RosterView:
        return self.query_one(RosterView)

    @property
    def rquery(self) -> RosterQuery:
        return self.view.query

    def on_mount(self) -> None:
        self.title = tr("report.sheet_roster")  # what help and the palette call this screen
        gen, query, page_no = self.view.reset()
        if self.ahead is not None:  # rows at once; this screen's own read below replaces them
            self._show(gen, self.ahead, None, provisional=True)
            self.ahead = None
        self.load(gen, query, page_no)
        self.view.focus()
        self._header()

    def _header(self) -> None:
        view, q, catalogs = self.view, self.rquery, self.app.catalogs
        unit = self.app.ctx.unit
        line = Text(f"{tr('report.sheet_roster')} {unit.code} {self.app.ctx.assessment.year} · ")
        line.append(tr("roster.loading") if view.loading_rows else tr("roster.count", n=view.count, total=self.total),
                    style="bold")
        if q.not_qualifying:
            line.append(" · ")
            line.append(tr("roster.not_qualifying", entry=q.not_qualifying), style="bold reverse")
        filters = {}
        if q.kind:
            filters["kind"] = q.kind
        if q.department:
            filters["department"] = q.department
        filters.update({name: value for name, value in q.fields})
        filters.update({f.name: f.value for f in q.facts if f.op == "eq"})
        if filters:
            line.append(" · ")
            line.append(describe(catalogs, filters), style="bold")
        if q.search.strip():
            line.append(" · " + tr("roster.search_is", text=q.search.strip()))
        sort = column_label(catalogs, "full_name" if q.sort == "name" else q.sort)
        line.append(" · " + tr("roster.sorted_by", col=sort, arrow="↓" if q.descending else "↑"))
        if self.selection:
            line.append(" · ")
            line.append(tr("roster.selected", n=len(self.selection)), style="bold")
            if hidden := self.hidden_selected():
                line.append(" " + tr("roster.selected_hidden", n=hidden), style="bold reverse")
        self.query_one("#roster-header", Static).update(line)

    def hidden_selected(self) -> int:
        """Selected people the current search and filters do not show."""
        return 0 if self.matching is None else len(self.selection - self.matching)

    def on_roster_view_changed(self, _msg: RosterView.Changed) -> None:
        self._header()

    def on_roster_view_failed(self, msg: RosterView.Failed) -> None:
        self.app.show_error(msg.error)

    def worker_failed(self, worker: Worker) -> None:
        if worker.group == "roster-write":
            self._busy(False)

    # ---- loading (count and first window in a worker; the view reads further windows) ---------

    def reload(self, query: RosterQuery | None = None, *, keep_cursor: bool = True) -> None:
        """Re-read count and rows (after an edit, or for a new query: then the roster's total, which
        only an edit changes, is kept)."""
        known = self.total if query is not None and self.total else None
        self.load(*self.view.reset(query, keep_cursor=keep_cursor), total=known)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-load")
    def load(self, gen: int, q: RosterQuery, page_no: int, pause: float = 0.0, total: int | None = None) -> None:
        if pause:
            time.sleep(pause)
            if get_current_worker().is_cancelled:  # superseded by the next keystroke (exclusive)
                return
        db, catalogs = self.app.db, self.app.catalogs
        opening = roster.opening(db, q, page_no, catalogs, total)
        matching = frozenset(roster.ids(db, q, catalogs)) if self.selection else None
        self.post_message(RosterLoaded(gen, opening, matching))

    @on(RosterLoaded)
    def _loaded(self, msg: RosterLoaded) -> None:
        self._show(msg.gen, msg.opening, msg.matching)

    def _show(self, gen: int, opening: Opening, matching: frozenset[int] | None, *, provisional: bool = False) -> None:
        if self.view.loaded(gen, opening.count, opening.page_no, opening.rows, provisional=provisional):  # not superseded
            self.total, self.matching = opening.total, matching
            self._header()

    def _set_query(self, query: RosterQuery) -> None:
        self.reload(query, keep_cursor=False)
        self._header()

    def _changed(self, batch_id: int | None) -> None:
        """After a write: re-read the rows and tell the app (the meters follow)."""
        self.reload()
        self._header()
        self.app.post_message(DataChanged(batch_id))

    # ---- navigation, search, filter, sort ----------------------------------------------------

    def action_back(self) -> None:
        search = self.query_one("#roster-search", Input)
        if search.has_focus:
            search.remove_class("-active")
            self.view.focus()
            return
        if search.has_class("-active"):  # still shown after Enter: Esc closes the search first
            search.remove_class("-active")
            search.value = ""
            return
        self.app.pop_screen()

    def action_search(self) -> None:
        search = self.query_one("#roster-search", Input)
        search.add_class("-active")
        search.focus()

    @on(Input.Changed, "#roster-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value != self.rquery.search:
            self.load(*self.view.reset(self.rquery.with_(search=event.value), keep_cursor=False), pause=TYPING_PAUSE,
                      total=self.total or None)
            self._header()

    @on(Input.Submitted, "#roster-search")
    def _search_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.remove_class("-active")
        self.view.focus()

    def action_filter(self) -> None:
        self.read_filter_values()

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-departments")
    def read_filter_values(self) -> None:
        catalogs = self.app.catalogs
        self.post_message(FilterValues({
            "kind": roster.value_choices(catalogs, "kind"),
            "department": [*roster.departments(self.app.db, self.app.ctx), None],
            **{n: roster.value_choices(catalogs, n) for n in catalogs.facts}}))

    @on(FilterValues)
    def _filter_values(self, msg: FilterValues) -> None:
        if self.app.screen is not self:  # f pressed twice: one picker
            return
        catalogs = self.app.catalogs

        def chosen(result: tuple[str, str | None] | None) -> None:
            if result is not None:
                self._set_query(roster.with_filter(self.rquery, *result))

        self.app.push_screen(PickFieldValue(tr("roster.pick.filter_title"), list(msg.values), msg.values, catalogs),
                             chosen)

    def action_clear_filters(self) -> None:
        q = self.rquery
        self.query_one("#roster-search", Input).value = ""
        self._set_query(RosterQuery(q.assessment_id, sort=q.sort, descending=q.descending))

    def action_sort(self) -> None:
        keys = [c.key for c in columns(self.app.catalogs) if c.key != "mark"]
        current = "full_name" if self.rquery.sort == "name" else self.rquery.sort

        def chosen(key: str | None) -> None:
            if key is not None:
                self._set_query(self.rquery.with_(sort="name" if key == "full_name" else key, descending=False))

        self.app.push_screen(PickColumn(self.app.catalogs, keys, current), chosen)

    def action_go_to_column(self) -> None:
        view = self.view
        keys = view.scrolled_keys

        def chosen(key: str | None) -> None:
            if key is not None:
                view.show_column(keys.index(key))

        self.app.push_screen(GoToColumn(self.app.catalogs, keys, view.current_column), chosen)

    def action_sort_reverse(self) -> None:
        self._set_query(self.rquery.with_(descending=not self.rquery.descending))

    def action_reload(self) -> None:
        self.reload()

    # ---- selection (a set of ids: no widget is touched) --------------------------------------

    def _mark(self, how: str) -> None:
        row = self.view.current
        if row is None:
            return
        if how == "select" or how == "toggle" and row.id not in self.selection:
            self.selection.add(row.id)
        else:
            self.selection.discard(row.id)
        self.view.action_cursor(1)
        self.view.refresh()
        self._header()

    def action_select(self) -> None:
        self._mark("select")

    def action_toggle(self) -> None:
        self._mark("toggle")

    def action_unselect(self) -> None:
        self._mark("unselect")

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-ids")
    def read_matching(self, q: RosterQuery, invert: bool) -> None:
        """Everyone the current query matches, however many rows that is."""
        self.post_message(MatchingRead(q, frozenset(roster.ids(self.app.db, q, self.app.catalogs)), invert))

    @on(MatchingRead)
    def _matching(self, msg: MatchingRead) -> None:
        if msg.invert:
            self.selection.symmetric_difference_update(msg.ids)
        else:
            self.selection.update(msg.ids)
        self.selection_bases.append((msg.query, msg.ids))
        self.view.refresh()
        self._header()

    def action_select_all(self) -> None:
        self.read_matching(self.rquery, invert=False)

    def action_select_none(self) -> None:
        self.selection.clear()
        self.selection_bases.clear()
        self.view.refresh()
        self._header()

    def action_invert(self) -> None:
        self.read_matching(self.rquery, invert=True)

    # ---- batch set and undo (one write at a time: busy) ----------------------------------------

    def _busy(self, on: bool) -> None:
        self.busy = on
        self.view.loading = on

    def action_batch_set(self) -> None:
        if self.busy:
            return
        if not self.selection:
            self.notify(tr("roster.no_selection"), severity="warning")
            return
        catalogs = self.app.catalogs

        def chosen(changes: dict[str, str | None] | None) -> None:
            if changes:
                people = Picked(frozenset(self.selection), catalogs, tuple(self.selection_bases))
                self._busy(True)
                self.notify(tr("roster.batch_running", n=len(people.people)))
                self.write_batch(people, changes, describe(catalogs, changes))

        self.app.push_screen(BatchSetModal(catalogs, self.app.ctx, self.selection, hidden=self.hidden_selected()),
                             chosen)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-write")
    def write_batch(self, people: Picked, changes: dict[str, str | None], summary: str) -> None:
        batch, n = set_facts(self.app.db, self.app.catalogs, self.app.ctx, people, changes, source="tui",
                             summary=summary)
        self.post_message(BatchWritten(batch, n))

    @on(BatchWritten)
    def _written(self, msg: BatchWritten) -> None:
        self._busy(False)
        if msg.batch is None:
            self.notify(tr("nothing_changed"))
            return
        self.app.remember(msg.batch)
        self.notify(tr("roster.batch_done", n=msg.n, batch=msg.batch))
        self.selection_bases.clear()  # our own write moved them: the selection is now these people
        self._changed(msg.batch)

    def action_undo(self) -> None:
        if self.busy:
            return
        self._busy(True)
        self.run_undo(list(self.app.made_here))

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-write")
    def run_undo(self, made_here: list[int]) -> None:
        app = self.app
        try:
            batch = newest_not_undone(app.db, app.ctx, made_here)  # made here, not a colleague's
            if batch is None:
                self.post_message(UndoRefused(tr("roster.nothing_to_undo")))
                return
            new = undo(app.db, app.catalogs, batch, source="tui")
        except USER_ERRORS as e:  # UndoConflict among them: an answer, not a failure
            self.post_message(UndoRefused(str(e)))
            return
        self.post_message(Undone(batch, new))

    @on(UndoRefused)
    def _undo_refused(self, msg: UndoRefused) -> None:
        self._busy(False)
        self.notify(msg.reason, severity="warning")

    @on(Undone)
    def _undone(self, msg: Undone) -> None:
        self._busy(False)
        self.notify(tr("roster.undone", batch=msg.batch))
        self._changed(msg.new)

    # ---- add, edit, delete -------------------------------------------------------------------

    def _saved(self, name: str | None) -> None:
        if name is not None:
            self.notify(tr("roster.saved", name=name))
            self._changed(None)

    def action_add(self) -> None:
        self.app.push_screen(PersonForm(None), self._saved)

    def action_edit(self) -> None:
        row = self.view.current
        if row is not None:
            self.app.push_screen(PersonForm(row.id), self._saved)

    def action_delete(self) -> None:
        row = self.view.current
        if row is None or self.busy:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._busy(True)
                self.delete_person(row)

        self.app.push_screen(ConfirmModal(tr("roster.confirm_delete", name=row.full_name, code=row.code)), confirmed)

    @work(thread=True, exclusive=True, exit_on_error=False, group="roster-write")
    def delete_person(self, row: RosterRow) -> None:
        app = self.app
        written = remove_from_roster(app.db, app.ctx, [row.id], source="tui")
        self.post_message(Deleted(row, written.n, written.batch))

    @on(Deleted)
    def _deleted(self, msg: Deleted) -> None:
        self._busy(False)
        self.app.remember(msg.batch)
        row = msg.row
        if msg.removed:
            self.selection.discard(row.id)
            self.selection_bases = [(q, m - {row.id}) for q, m in self.selection_bases]
            self.notify(tr("roster.deleted", name=row.full_name))
            self._changed(None)
