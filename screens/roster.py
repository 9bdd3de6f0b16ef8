"""The roster screen: search, filter, sort, add/edit/delete, and VisiData-style batch editing
over a RosterView. The selection is a set of person ids kept here; batch writes and undo
run in workers, and every change posts DataChanged so the meters move."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from hoctap.models import roster
from hoctap.models.db import DatabaseError
from hoctap.models.fields import InputError
from hoctap.models.i18n import tr
from hoctap.models.roster import Picked, RosterQuery
from hoctap.models.audit import newest_not_undone
from hoctap.models.store import HoctapError, remove_from_roster, set_facts, undo
import hoctap.screens.roster_strings  # noqa: F401  (registers the roster labels)
from hoctap.screens.base import BaseScreen
from hoctap.screens.batch import BatchSetModal, ConfirmModal, PickColumn, PickFieldValue, describe
from hoctap.screens.person_form import PersonForm
from hoctap.screens.roster_view import RosterView, column_label, columns
from hoctap.screens.messages import DataChanged

USER_ERRORS = (HoctapError, InputError, DatabaseError)


class RosterScreen(BaseScreen):
    DEFAULT_CSS = """
    RosterScreen #roster-header { height: auto; background: $boost; padding: 0 1; }
    RosterScreen #roster-search { display: none; }
    RosterScreen #roster-search.-active { display: block; }
    """
    # the footer shows the main keys only, so it fits 80 columns; ? and ctrl+p list them all
    BINDINGS = [
        Binding("q,escape", "back", "key.back", id="roster.back"),
        Binding("slash", "search", "key.search", id="roster.search"),
        Binding("f", "filter", "roster.key.filter", id="roster.filter"),
        Binding("c", "clear_filters", "roster.key.clear_filters", id="roster.clear_filters", show=False),
        Binding("o", "sort", "roster.key.sort", id="roster.sort", show=False),
        Binding("O", "sort_reverse", "roster.key.sort_reverse", show=False, id="roster.sort_reverse"),
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

    def __init__(self, query: RosterQuery | None = None):
        super().__init__()
        self.initial_query = query
        self.selection: set[int] = set()
        # each "select all matching"/invert: (query, whom it matched), re-checked by the write
        self.selection_bases: list[tuple[RosterQuery, frozenset[int]]] = []
        self.busy = False

    # ---- layout and header -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self.app
        query = self.initial_query or RosterQuery(app.ctx.assessment.id)
        yield Static("", id="roster-header")
        yield Input(placeholder=tr("roster.search_placeholder"), id="roster-search", value=query.search)
        yield RosterView(app.db, app.catalogs, query, self.selection, id="roster-view")
        yield Footer(show_command_palette=False)  # the app's ctrl+p binding shows, translated

    @property
    def view(self) -> RosterView:
        return self.query_one(RosterView)

    @property
    def rquery(self) -> RosterQuery:
        return self.view.query

    def on_mount(self) -> None:
        self.title = tr("roster.title")  # what help and the palette call this screen
        self.view.reload()
        self.view.focus()
        self._header()

    def _header(self) -> None:
        view, q, catalogs = self.view, self.rquery, self.app.catalogs
        unit = self.app.ctx.unit
        line = Text(f"{tr('roster.title')} {unit.code} {self.app.ctx.assessment.year} · ")
        line.append(tr("roster.loading") if view.loading_rows else tr("roster.count", n=view.count, total=view.total),
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
        self.query_one("#roster-header", Static).update(line)

    def on_roster_view_changed(self, _msg: RosterView.Changed) -> None:
        self._header()

    def on_roster_view_failed(self, msg: RosterView.Failed) -> None:
        self.notify(msg.error, severity="error")

    def _set_query(self, query: RosterQuery) -> None:
        self.view.reload(query, keep_cursor=False)
        self._header()

    def _changed(self, batch_id: int | None) -> None:
        """After a write: re-read the rows and tell the app (the meters follow)."""
        self.view.reload()
        self._header()
        self.app.post_message(DataChanged(batch_id))

    # ---- navigation, search, filter, sort ----------------------------------------------------

    def action_back(self) -> None:
        search = self.query_one("#roster-search", Input)
        if search.has_focus:
            search.remove_class("-active")
            self.view.focus()
            return
        self.app.pop_screen()

    def action_search(self) -> None:
        search = self.query_one("#roster-search", Input)
        search.add_class("-active")
        search.focus()

    @on(Input.Changed, "#roster-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value != self.rquery.search:
            self._set_query(self.rquery.with_(search=event.value))

    @on(Input.Submitted, "#roster-search")
    def _search_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.remove_class("-active")
        self.view.focus()

    def action_filter(self) -> None:
        catalogs = self.app.catalogs
        fields = ["kind", "department", *catalogs.facts]
        try:
            values = {"kind": roster.value_choices(catalogs, "kind"),
                      "department": [*roster.departments(self.app.db, self.rquery.assessment_id), None],
                      **{n: roster.value_choices(catalogs, n) for n in catalogs.facts}}
        except USER_ERRORS as e:
            self.notify(str(e), severity="error")
            return

        def chosen(result: tuple[str, str | None] | None) -> None:
            if result is not None:
                self._set_query(roster.with_filter(self.rquery, *result))

        self.app.push_screen(PickFieldValue(tr("roster.pick.filter_title"), fields, values, catalogs), chosen)

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

    def action_sort_reverse(self) -> None:
        self._set_query(self.rquery.with_(descending=not self.rquery.descending))

    def action_reload(self) -> None:
        self.view.reload()

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

    def _matching(self, then) -> None:
        """Run ``then(ids)`` with every id matching the current query, read in a worker."""
        q = self.rquery

        app = self.app

        def read() -> None:
            try:
                found = set(roster.ids(app.db, q, app.catalogs))
            except USER_ERRORS as e:
                app.call_from_thread(self.notify, str(e), severity="error")
                return
            app.call_from_thread(then, found)

        self.run_worker(read, thread=True, exclusive=True, group="roster-ids", exit_on_error=False)

    def _apply_selection(self, update) -> None:
        q = self.rquery

        def done(found: set[int]) -> None:
            update(found)
            self.selection_bases.append((q, frozenset(found)))
            self.view.refresh()
            self._header()

        self._matching(done)

    def action_select_all(self) -> None:
        self._apply_selection(self.selection.update)

    def action_select_none(self) -> None:
        self.selection.clear()
        self.selection_bases.clear()
        self.view.refresh()
        self._header()

    def action_invert(self) -> None:
        self._apply_selection(self.selection.symmetric_difference_update)

    # ---- batch set and undo ------------------------------------------------------------------

    def action_batch_set(self) -> None:
        if self.busy:
            return
        if not self.selection:
            self.notify(tr("roster.no_selection"), severity="warning")
            return
        app = self.app

        def chosen(changes: dict[str, str | None] | None) -> None:
            if changes:
                self._run_batch(changes, Picked(frozenset(self.selection), app.catalogs,
                                                tuple(self.selection_bases)))

        app.push_screen(BatchSetModal(app.db, app.catalogs, self.rquery.assessment_id, self.selection), chosen)

    def _busy(self, on: bool) -> None:
        self.busy = on
        self.view.loading = on

    def _run_batch(self, changes: dict[str, str | None], people: Picked) -> None:
        self._busy(True)
        self.notify(tr("roster.batch_running", n=len(people.people)))
        app, aid = self.app, self.rquery.assessment_id
        summary = describe(app.catalogs, changes)

        def write() -> None:
            try:
                batch, n = set_facts(app.db, app.catalogs, aid, people, changes, source="tui",
                                     summary=summary)
                app.remember(batch)
            except USER_ERRORS as e:
                app.call_from_thread(self._written, None, 0, str(e))
                return
            app.call_from_thread(self._written, batch, n, None)

        self.run_worker(write, thread=True, exclusive=True, group="roster-write", exit_on_error=False)

    def _written(self, batch: int | None, n: int, error: str | None) -> None:
        self._busy(False)
        if error:
            self.notify(error, severity="error")
            return
        if batch is None:
            self.notify(tr("nothing_changed"))
            return
        self.notify(tr("roster.batch_done", n=n, batch=batch))
        self.selection_bases.clear()  # our own write moved them: the selection is now these people
        self._changed(batch)

    def action_undo(self) -> None:
        if self.busy:
            return
        self._busy(True)
        app, aid = self.app, self.rquery.assessment_id

        def run() -> None:
            try:
                batch = newest_not_undone(app.db, aid, app.made_here)  # made here, not a colleague's
                if batch is None:
                    app.call_from_thread(self._undone, None, None, tr("roster.nothing_to_undo"))
                    return
                new = undo(app.db, app.catalogs, batch, source="tui")
            except USER_ERRORS as e:  # UndoConflict among them
                app.call_from_thread(self._undone, None, None, str(e))
                return
            app.call_from_thread(self._undone, batch, new, None)

        self.run_worker(run, thread=True, exclusive=True, group="roster-write", exit_on_error=False)

    def _undone(self, batch: int | None, new: int | None, error: str | None) -> None:
        self._busy(False)
        if error:
            self.notify(error, severity="warning")
            return
        self.notify(tr("roster.undone", batch=batch))
        self._changed(new)

    # ---- add, edit, delete -------------------------------------------------------------------

    def _saved(self, pid: int | None) -> None:
        if pid is not None:
            row = roster.person(self.app.db, self.rquery.assessment_id, pid)
            self.notify(tr("roster.saved", name=row.full_name if row else pid))
            self._changed(None)

    def action_add(self) -> None:
        self.app.push_screen(PersonForm(None), self._saved)

    def action_edit(self) -> None:
        row = self.view.current
        if row is not None:
            self.app.push_screen(PersonForm(row.id), self._saved)

    def action_delete(self) -> None:
        row = self.view.current
        if row is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                removed = self.app.write_here(
                    lambda: remove_from_roster(self.app.db, self.app.ctx, [row.id], source="tui"))
            except USER_ERRORS as e:
                self.notify(str(e), severity="error")
                return
            if removed:
                self.selection.discard(row.id)
                self.selection_bases = [(q, m - {row.id}) for q, m in self.selection_bases]
                self.notify(tr("roster.deleted", name=row.full_name))
                self._changed(None)

        self.app.push_screen(ConfirmModal(tr("roster.confirm_delete", name=row.full_name, code=row.code)), confirmed)
