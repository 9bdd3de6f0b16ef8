"""RosterView: the roster as a database viewport on Textual's line API.

No widget per person: the screen reads the count and the first window of a query (in a
worker) and hands them over; each further window comes from a page reader (``models.roster.window``
bound to the database), and only pages around what is on screen are kept (an LRU of pages). A
page is read at once when an index walk serves it and reads are fast, otherwise in a worker,
and a placeholder line is drawn until it arrives. Line 0 is a sticky header; the mark, code and
name columns stay put while the others scroll by whole columns (``TableView``).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.message import Message
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from hoctap.models import roster
from hoctap.models.catalog import Catalogs
from hoctap.models.fields import display_fact
from hoctap.models.i18n import both, lang, tr
from hoctap.models.roster import PAGE, RosterQuery, RosterRow
from hoctap.screens.widgets.table_view import TableView, fit_cell, navigation_bindings

PageReader = Callable[[RosterQuery, int, int, int], list[RosterRow]]
"""``read(query, offset, limit, count)``: the rows of one window of a query that matches ``count``."""

CACHE_PAGES = 32  # pages kept (LRU)
MARK = "●"


@dataclass(frozen=True)
class Column:
    key: str  # "mark", a person column or a fact name
    width: int
    frozen: bool = False


def _has(key: str) -> bool:
    try:
        both(key)
    except KeyError:
        return False
    return True


def column_label(catalogs: Catalogs, key: str) -> str:
    """A short header for a column: the roster's own, the fact's short label, its shortest
    (Vietnamese) alias, else its label (cut with "…" where it is drawn) — never its id."""
    if key == "mark":
        return ""
    for prefix in ("roster.col.", "field.", "roster.fact."):  # short roster headers first
        if _has(prefix + key):
            return tr(prefix + key)
    fact = catalogs.facts.get(key)
    if fact is None:
        return key
    if fact.short(lang()):
        return fact.short(lang())
    if fact.aliases and lang() == "vi":
        return min(fact.aliases, key=len)
    return fact.label(lang())


def fact_order(catalogs: Catalogs) -> list[str]:
    """The facts in catalog order, but the computed title right after the recorded one."""
    lc = catalogs.citizen
    names = [n for n in catalogs.facts if n != lc.result_fact]
    at = names.index(lc.status_fact) + 1 if lc.status_fact in names else len(names)
    return [*names[:at], lc.result_fact, *names[at:]]


def entry_columns(catalogs: Catalogs, entry_id: str) -> list[str]:
    """The fact columns that say whether someone counts for a share entry: its fact, and for
    the computed title what it is computed from (the recorded title and the scores)."""
    for cat in catalogs.units.values():
        try:
            entry = cat.entry(entry_id)
        except KeyError:
            continue
        if entry.fact == catalogs.citizen.result_fact:
            return [entry.fact, catalogs.citizen.status_fact, *catalogs.citizen.score_facts]
        return [entry.fact] if entry.fact else []
    return []


def columns(catalogs: Catalogs) -> list[Column]:
    cols = [Column("mark", 1, True), Column("code", 10, True), Column("full_name", 22, True),
            Column("kind", 10), Column("department", 18)]
    for name in fact_order(catalogs):
        fact = catalogs.facts[name]
        if fact.type == "bool":
            values = 1
        elif fact.type == "int":
            values = 3
        else:
            values = max(len(catalogs.scale_label(fact.scale, v, lng)) for v in catalogs.scale_ids(fact.scale)
                         for lng in ("vi", "en"))
        cols.append(Column(name, min(16, max(values, len(column_label(catalogs, name))))))
    return cols


def cell_text(catalogs: Catalogs, row: RosterRow, key: str, selected: bool) -> str:
    if key == "mark":
        return MARK if selected else " "
    if key in ("code", "full_name"):
        return getattr(row, key)
    value = getattr(row, key) if key in ("kind", "department") else row.facts.get(key)
    return display_fact(catalogs, key, value, lang())


class RosterView(TableView):
    """The rows of one ``RosterQuery``; the selection is a set of person ids owned by the screen."""

    COMPONENT_CLASSES = {"roster-view--header", "roster-view--cursor", "roster-view--selected",
                         "roster-view--placeholder"}
    BINDINGS = navigation_bindings("roster")

    class PageLoaded(Message):
        def __init__(self, gen: int, page: int, rows: list[RosterRow]):
            super().__init__()
            self.gen, self.page, self.rows = gen, page, rows

    class Failed(Message):
        """A page read failed (the screen shows the error)."""

        def __init__(self, error: BaseException):
            super().__init__()
            self.error = error

    class Changed(Message):
        """The count or the cursor changed (the screen redraws its header)."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RosterView.Changed)  # a held key moves the cursor in bursts

    def __init__(self, read_page: PageReader, catalogs: Catalogs, query: RosterQuery, selection: set[int],
                 **kwargs):
        super().__init__(**kwargs)
        self.read_page, self.catalogs, self.query, self.selection = read_page, catalogs, query, selection
        self.count = 0
        self.loading_rows = True
        self._columns = columns(catalogs)
        if query.not_qualifying:  # a drill-down: the entry's own columns first, to see why
            self.show_columns(entry_columns(catalogs, query.not_qualifying))
        self._pages: OrderedDict[int, list[RosterRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._gen = 0
        self._provisional = False  # the rows shown are a read-ahead's, until the screen's own read

    # ---- data -------------------------------------------------------------------------------

    def reset(self, query: RosterQuery | None = None, *, keep_cursor: bool = True) -> tuple[int, RosterQuery, int]:
        """Forget the rows (after an edit, or for a new query) until ``loaded``; returns the
        generation, the query and the page the screen's load should read."""
        if query is not None:
            self.query = query
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self._gen += 1
        self._pages.clear()
        self._pending.clear()
        self._provisional = False
        self.loading_rows = True
        self.refresh()
        return self._gen, self.query, self.cursor // PAGE

    def loaded(self, gen: int, count: int, page_no: int, rows: list[RosterRow], *, provisional: bool = False) -> bool:
        """The count and the cursor's page of generation ``gen``; False when a newer reset superseded it.
        ``provisional``: rows read before (the dashboard's read-ahead), shown until the next call."""
        if gen != self._gen:
            return False
        if self._provisional:  # pages read meanwhile were read for the read-ahead's count: not kept
            self._gen += 1
            self._pages.clear()
            self._pending.clear()
        self._provisional = provisional
        self.count = count
        self.loading_rows = False
        self._store(page_no, rows)
        self.cursor = max(0, min(self.cursor, self.count - 1))
        self._resize_virtual()
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.Changed())
        return True

    @work(thread=True, exit_on_error=False, group="roster-page")  # not exclusive: a read above and one below run together
    def _read_in_worker(self, gen: int, q: RosterQuery, page_no: int, count: int) -> None:
        self.post_message(self.PageLoaded(gen, page_no, self.read_page(q, page_no * PAGE, PAGE, count)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.post_message(self.Failed(event.worker.error))

    def _store(self, page_no: int, rows: list[RosterRow]) -> None:
        self._pages[page_no] = rows
        self._pages.move_to_end(page_no)
        while len(self._pages) > CACHE_PAGES:
            self._pages.popitem(last=False)

    def on_roster_view_page_loaded(self, msg: PageLoaded) -> None:
        self._pending.discard(msg.page)
        if msg.gen == self._gen:
            self._store(msg.page, msg.rows)
            self.refresh()
            self.post_message(self.Changed())

    def row(self, index: int) -> RosterRow | None:
        """The row at ``index`` if it is at hand; otherwise it is requested (None for now)."""
        if self.loading_rows or not 0 <= index < self.count:
            return None
        page_no, offset = divmod(index, PAGE)
        rows = self._pages.get(page_no)
        if rows is None:
            # an index-served window (the ends, unfiltered or by kind) is read at once; others in a worker
            quick = roster.quick_window(self.query, page_no * PAGE, PAGE, self.count)
            rows = self._request(page_no, sync=quick)
        else:
            self._pages.move_to_end(page_no)
        return rows[offset] if rows is not None and offset < len(rows) else None

    def _request(self, page_no: int, sync: bool) -> list[RosterRow] | None:
        """Read a page now (returned) or in a worker (None; it arrives as PageLoaded)."""
        if page_no in self._pending or not 0 <= page_no * PAGE < self.count:
            return None
        if sync:  # the one database read on the UI thread: an index walk of one window
            try:
                rows = self.read_page(self.query, page_no * PAGE, PAGE, self.count)
            except Exception as e:  # drawn as placeholders, not retried until a reload; the screen tells
                self._pending.add(page_no)
                self.post_message(self.Failed(e))
                return None
            self._store(page_no, rows)
            return rows
        self._pending.add(page_no)
        self._read_in_worker(self._gen, self.query, page_no, self.count)
        return None

    def _prefetch(self) -> None:
        """Read the pages a screen above and below the cursor before they are needed."""
        if self.loading_rows:
            return
        for index in (self.cursor - 2 * self._visible_rows, self.cursor + 2 * self._visible_rows):
            page_no = index // PAGE
            if index >= 0 and page_no not in self._pages:
                self._request(page_no, sync=False)

    @property
    def current(self) -> RosterRow | None:
        return self.row(self.cursor)

    # ---- geometry and cursor ------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self.count

    def _widths(self) -> list[Column]:
        """Columns fitted to the width: the name column takes what is left."""
        cols = list(self._columns)
        spare = self.scrollable_content_region.width - sum(c.width + 1 for c in cols)
        if spare > 0:
            cols[2] = Column(cols[2].key, cols[2].width + spare, True)
        return cols

    def column_widths(self) -> tuple[list[int], list[int]]:
        cols = self._widths()
        return [c.width for c in cols if c.frozen], [c.width for c in cols if not c.frozen]

    @property
    def scrolled_keys(self) -> list[str]:
        return [c.key for c in self._columns if not c.frozen]

    @property
    def current_column(self) -> str:
        return self.scrolled_keys[self.column]

    def show_columns(self, keys: list[str]) -> None:
        """Make the first of ``keys`` current, the leftmost of them right after the names (as far
        as the last column allows): the columns of a share entry."""
        order = self.scrolled_keys
        indexes = [order.index(k) for k in keys if k in order]
        if indexes:
            self.column, self.first = indexes[0], min(indexes)
            if self.is_mounted:
                self.show_column(self.column, self.first)

    def moved(self) -> None:
        self.call_after_refresh(self._prefetch)  # after the frame: the page it shows is read first
        self.post_message(self.Changed())

    # ---- rendering ---------------------------------------------------------------------------

    def _texts(self, index: int | None) -> tuple[list[str], list[str]]:
        row = None if index is None else self.row(index)
        frozen, rest = [], []
        visible = self.visible_columns()
        for c in self._columns:
            if not c.frozen and len(rest) not in visible:
                text = ""  # out of view: not formatted
            elif index is None:
                text = column_label(self.catalogs, c.key)
                if c.key == _sort_column(self.query):
                    text = f"{text}{'↓' if self.query.descending else '↑'}"
            elif row is None:
                text = "…" if c.key == "full_name" else ""
            else:
                text = cell_text(self.catalogs, row, c.key, row.id in self.selection)
            (frozen if c.frozen else rest).append(text)
        return frozen, rest

    def render_line(self, y: int) -> Strip:
        scroll_y = self.scroll_offset.y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            index, style = None, base + self.get_component_rich_style("roster-view--header")
        else:
            index = scroll_y + y - 1
            if index >= self.count or self.loading_rows and index > 0:
                return Strip.blank(width, base)
            style = self._row_style(base, index)
        if index is not None and self.loading_rows:
            return Strip([Segment(fit_cell(tr("roster.loading"), width), style)], width)
        frozen, rest = self._texts(index)
        if index is not None and self.row(index) is None:
            style = base + self.get_component_rich_style("roster-view--placeholder")
        return self.draw(frozen, rest, style, header=index is None)

    def _row_style(self, base: Style, index: int) -> Style:
        if index == self.cursor:
            return base + self.get_component_rich_style("roster-view--cursor")
        row = self.row(index)
        if row is not None and row.id in self.selection:
            return base + self.get_component_rich_style("roster-view--selected")
        return base


def _sort_column(q: RosterQuery) -> str:
    return "full_name" if q.sort == "name" else q.sort
