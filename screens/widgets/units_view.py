"""UnitsView: the units overview's rows on Textual's line API. The screen hands over the rows
as plain cell texts (a thousand units are a few hundred kilobytes); only the lines on screen
are drawn, nothing is measured per cell beyond one pass for the column widths. Line 0 is a
sticky header; the mark and code columns stay put when the others scroll horizontally."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hoctap.screens.base import Localized

FROZEN = 2  # the mark and the code
MAX_WIDTH = 40  # a long name or shortfall list is cut, the whole text is in the report


class UnitsView(Localized, ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"units-view--header", "units-view--cursor", "units-view--selected"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "roster.key.up", show=False, id="units.up"),
        Binding("down", "cursor(1)", "roster.key.down", show=False, id="units.down"),
        Binding("pageup", "page(-1)", "roster.key.page_up", show=False, id="units.page_up"),
        Binding("pagedown", "page(1)", "roster.key.page_down", show=False, id="units.page_down"),
        Binding("home,g", "first", "roster.key.first", show=False, id="units.first"),
        Binding("end,G", "last", "roster.key.last", show=False, id="units.last"),
    ]

    class Moved(Message):
        """The cursor moved (the screen may redraw its header)."""

    def __init__(self, headers: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.headers = headers
        self.rows: list[list[str]] = []
        self.keys: list[int] = []
        self.marked: set[int] = set()
        self.cursor = 0
        self.widths = [cell_len(h) for h in headers]

    def set_rows(self, rows: list[list[str]], keys: list[int], marked: set[int]) -> None:
        """New rows (after a load, a search, a filter or a sort); the cursor stays on its unit."""
        current = self.keys[self.cursor] if self.keys and self.cursor < len(self.keys) else None
        self.rows, self.keys, self.marked = rows, keys, marked
        self.widths = [min(MAX_WIDTH, max([cell_len(h)] + [cell_len(r[i]) for r in rows]))
                       for i, h in enumerate(self.headers)]
        self.cursor = keys.index(current) if current in keys else min(self.cursor, max(len(keys) - 1, 0))
        self.virtual_size = Size(sum(self.widths) + len(self.widths), len(rows) + 1)
        self._keep_cursor_visible()
        self.refresh()

    def text_of(self, key: int) -> str:
        """One row's cells joined by " | " (what a test reads)."""
        return " | ".join(self.rows[self.keys.index(key)])

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
        self.cursor = max(0, min(index, len(self.rows) - 1))
        self._keep_cursor_visible()
        self.refresh()
        self.post_message(self.Moved())

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self._visible_rows)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(round(self.scroll_y) + event.y - 1)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            cells, style = self.headers, base + self.get_component_rich_style("units-view--header")
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(width, base)
            cells, style = self.rows[index], base
            if index == self.cursor:
                style = base + self.get_component_rich_style("units-view--cursor")
            elif self.keys[index] in self.marked:
                style = base + self.get_component_rich_style("units-view--selected")
        texts = [set_cell_size(c, w) + " " for c, w in zip(cells, self.widths)]
        frozen_width = sum(w + 1 for w in self.widths[:FROZEN])
        left = Strip([Segment("".join(texts[:FROZEN]), style)], frozen_width)
        right = Strip([Segment("".join(texts[FROZEN:]), style)]).crop_extend(
            scroll_x, scroll_x + max(0, width - frozen_width), style)
        return Strip.join([left, right]).crop_extend(0, width, style)
