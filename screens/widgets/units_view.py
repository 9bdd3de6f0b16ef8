"""UnitsView: the units overview's rows on Textual's line API. The screen hands over the rows
as plain cell texts (a thousand units are a few hundred kilobytes); only the lines on screen
are drawn, nothing is measured per cell beyond one pass for the column widths. Line 0 is a
sticky header; the mark and code columns stay put while the others scroll by whole columns
(``TableView``)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.message import Message
from textual.strip import Strip

from hoctap.screens.widgets.table_view import TableView, navigation_bindings

FROZEN = 2  # the mark and the code
MAX_WIDTH = 40  # a long name or shortfall list is cut, the whole text is in the report


class UnitsView(TableView):
    COMPONENT_CLASSES = {"units-view--header", "units-view--cursor", "units-view--selected"}
    BINDINGS = navigation_bindings("units")

    class Moved(Message):
        """The cursor moved (the screen may redraw its header)."""

    def __init__(self, headers: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.headers = headers
        self.rows: list[list[str]] = []
        self.keys: list[int] = []
        self.marked: set[int] = set()
        self.widths = [cell_len(h) for h in headers]

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def column_widths(self) -> tuple[list[int], list[int]]:
        return self.widths[:FROZEN], self.widths[FROZEN:]

    def moved(self) -> None:
        self.post_message(self.Moved())

    def set_rows(self, rows: list[list[str]], keys: list[int], marked: set[int]) -> None:
        """New rows (after a load, a search, a filter or a sort); the cursor stays on its unit."""
        current = self.keys[self.cursor] if self.keys and self.cursor < len(self.keys) else None
        self.rows, self.keys, self.marked = rows, keys, marked
        self.widths = [min(MAX_WIDTH, max([cell_len(h)] + [cell_len(r[i]) for r in rows]))
                       for i, h in enumerate(self.headers)]
        self.cursor = keys.index(current) if current in keys else min(self.cursor, max(len(keys) - 1, 0))
        self._resize_virtual()
        self._keep_cursor_visible()
        self.refresh()

    def text_of(self, key: int) -> str:
        """One row's cells joined by " | " (what a test reads)."""
        return " | ".join(self.rows[self.keys.index(key)])

    def render_line(self, y: int) -> Strip:
        scroll_y = self.scroll_offset.y
        base = self.rich_style
        if y == 0:
            cells, style = self.headers, base + self.get_component_rich_style("units-view--header")
        else:
            index = scroll_y + y - 1
            if index >= len(self.rows):
                return Strip.blank(self.scrollable_content_region.width, base)
            cells, style = self.rows[index], base
            if index == self.cursor:
                style = base + self.get_component_rich_style("units-view--cursor")
            elif self.keys[index] in self.marked:
                style = base + self.get_component_rich_style("units-view--selected")
        return self.draw(cells[:FROZEN], cells[FROZEN:], style, header=y == 0)
