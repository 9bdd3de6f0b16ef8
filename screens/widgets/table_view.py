"""TableView: what the roster and the units overview share on Textual's line API — a sticky
header line, a cursor row, frozen left columns and the other columns scrolled by whole columns
(→/← move the view one column; the current column is the first one after the frozen ones, or
further right once the last column is in view). Subclasses say how many rows there are, how
wide each column is and what a line's cells read; ``fit_cell`` cuts a cell with an ellipsis."""

from __future__ import annotations

from rich.cells import cell_len, split_graphemes
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hoctap.screens.base import Localized

ELLIPSIS = "…"


def fit_cell(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with "…" (wide characters and
    combining marks measured as the terminal draws them; a mark stays on its letter)."""
    used = cell_len(text)
    if used <= width:
        return text + " " * (width - used)
    if width <= 0:
        return ""
    # whole graphemes (a letter with its marks, an emoji sequence), measured as Rich draws them
    end = used = 0
    for start, stop, w in split_graphemes(text)[0]:
        if used + w > width - 1:
            break
        end, used = stop, used + w
    return text[:end] + ELLIPSIS + " " * (width - 1 - used)


def navigation_bindings(prefix: str) -> list[Binding]:
    """The keys every table moves by (ids ``<prefix>.up`` …, so that each table's can be remapped)."""
    keys = [("up", "cursor(-1)", "up"), ("down", "cursor(1)", "down"), ("pageup", "page(-1)", "page_up"),
            ("pagedown", "page(1)", "page_down"), ("home,g", "first", "first"), ("end,G", "last", "last"),
            ("right,l", "column(1)", "column_right"), ("left,h", "column(-1)", "column_left"),
            ("shift+left,ctrl+left", "first_column", "first_column"),
            ("shift+right,ctrl+right", "last_column", "last_column")]
    return [Binding(key, action, f"roster.key.{name}", show=False, id=f"{prefix}.{name}") for key, action, name in keys]


class TableView(Localized, ScrollView, can_focus=True):
    """The subclass sets ``cursor`` rows through ``move_to`` and implements the geometry below."""

    # the current column's header cell, in every table
    COMPONENT_CLASSES = {"table-view--column"}
    DEFAULT_CSS = """
    TableView > .table-view--column {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cursor = 0
        self.column = 0  # the current scrolled column (an index into the scrolled widths)
        self.first = 0  # the scrolled column wanted right after the frozen ones

    # ---- what the subclass says -------------------------------------------------------------

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def column_widths(self) -> tuple[list[int], list[int]]:
        """The widths of the frozen columns and of the scrolled ones, fitted to the view."""
        raise NotImplementedError

    def moved(self) -> None:
        """The cursor moved (the subclass tells its screen)."""

    # ---- rows ---------------------------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _keep_cursor_visible(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + self._visible_rows:
            self.scroll_to(y=self.cursor - self._visible_rows + 1, animate=False)

    def move_to(self, index: int) -> None:
        self.cursor = max(0, min(index, self.row_count - 1))
        self._keep_cursor_visible()
        self.refresh()
        self.moved()

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self._visible_rows)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(round(self.scroll_y) + event.y - 1)

    # ---- columns ------------------------------------------------------------------------------

    def _column_starts(self) -> tuple[list[int], int]:
        """Where each scrolled column starts, and the last column that can be the first in view
        (from there on the rest fits: the view never scrolls past the last column)."""
        frozen, scrolled = self.column_widths()
        room = self.scrollable_content_region.width - sum(w + 1 for w in frozen)
        starts, x = [], 0
        for w in scrolled:
            starts.append(x)
            x += w + 1
        last_first = next((i for i, s in enumerate(starts) if x - s <= room), max(0, len(starts) - 1))
        return starts, last_first

    def _resize_virtual(self) -> None:
        frozen, scrolled = self.column_widths()
        starts, last_first = self._column_starts()
        width = sum(w + 1 for w in frozen) + sum(w + 1 for w in scrolled)
        if starts and width > self.scrollable_content_region.width:  # room to scroll to last_first exactly
            width = starts[last_first] + self.scrollable_content_region.width
        self.virtual_size = Size(width, self.row_count + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._resize_virtual()
        self.show_column(self.column, self.first)

    def show_column(self, index: int, first: int | None = None) -> None:
        """Make column ``index`` current and scroll it (or column ``first``, left of it) to
        just after the frozen columns, as far as the last column allows."""
        starts, last_first = self._column_starts()
        if not starts:
            return
        self.column = max(0, min(index, len(starts) - 1))
        self.first = self.column if first is None else max(0, min(first, self.column))
        self.scroll_to(x=starts[min(self.first, last_first)], animate=False, immediate=True, force=True)
        self.refresh()
        self.moved()

    def action_column(self, step: int) -> None:
        self.show_column(self.column + step)

    def action_first_column(self) -> None:
        self.show_column(0)

    def action_last_column(self) -> None:
        self.show_column(len(self.column_widths()[1]) - 1)

    # ---- drawing ------------------------------------------------------------------------------

    def visible_columns(self) -> range:
        """The scrolled columns at least partly in view (only their cells need a text)."""
        frozen, scrolled = self.column_widths()
        left = self.scroll_offset.x
        edge = left + max(0, self.scrollable_content_region.width - sum(w + 1 for w in frozen))
        first, x = len(scrolled), 0
        for i, w in enumerate(scrolled):
            if x + w + 1 > left and first == len(scrolled):
                first = i
            if x >= edge:
                return range(first, i)
            x += w + 1
        return range(first, len(scrolled))

    def draw(self, frozen: list[str], scrolled: list[str], style: Style, *, header: bool = False) -> Strip:
        """One line: the frozen cells, then the scrolled ones in view from the horizontal offset
        (``scrolled`` may hold only those: the others are not read)."""
        frozen_widths, scrolled_widths = self.column_widths()
        width = self.scrollable_content_region.width
        left_text = "".join(fit_cell(t, w) + " " for t, w in zip(frozen, frozen_widths))
        left_width = cell_len(left_text)
        offset = self.scroll_offset.x
        edge = offset + max(0, width - left_width)
        texts, x, x0, current = [], 0, None, None
        for i, w in enumerate(scrolled_widths):
            if x >= edge:
                break
            if x + w + 1 > offset:
                x0 = x if x0 is None else x0
                # the column the right edge cuts ends with "…" too, not with a clipped fragment
                text = fit_cell(scrolled[i], edge - x) if edge < x + w else fit_cell(scrolled[i], w) + " "
                if i == self.column:
                    current = len(texts)
                texts.append(text)
            x += w + 1
        if header and current is not None:
            column_style = style + self.get_component_rich_style("table-view--column")
            segments = [Segment("".join(texts[:current]), style), Segment(texts[current], column_style),
                        Segment("".join(texts[current + 1:]), style)]
        else:
            segments = [Segment("".join(texts), style)]
        skip = offset - (x0 or 0)
        right = Strip(segments).crop_extend(skip, skip + max(0, width - left_width), style)
        return Strip.join([Strip([Segment(left_text, style)], left_width), right]).crop_extend(0, width, style)
