"""Ten score cells in one widget: digits type, Tab/Enter/→ move on, shift+Tab/← move back.
The first digit typed into a cell just reached replaces what it held (as in a spreadsheet);
further digits append, Backspace edits.

One widget (not ten inputs) receives every key, so a fast typist's "9⇥8⇥…" can never land
in the wrong cell while focus is still moving between widgets.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

PER_ROW = 5


class ScoreEntry(Widget, can_focus=True):
    values: reactive[tuple[str, ...]] = reactive(tuple, always_update=True)
    cell: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, entry: "ScoreEntry") -> None:
            super().__init__()
            self.entry = entry

        @property
        def control(self) -> "ScoreEntry":
            return self.entry

    def __init__(self, count: int, low: int, high: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.count, self.low, self.high = count, low, high
        self.set_reactive(ScoreEntry.values, ("",) * count)
        self.fresh = True  # the cursor just reached the cell: the next digit replaces it

    def watch_cell(self) -> None:
        self.fresh = True

    def watch_values(self) -> None:
        self.fresh = True  # loaded or cleared from outside; _set clears it after typing

    def invalid(self) -> list[int]:
        """The 1-based numbers of the cells holding a value out of range."""
        return [i + 1 for i, v in enumerate(self.values) if not self.valid(v)]

    def valid(self, text: str) -> bool:
        return text == "" or (text.isdigit() and self.low <= int(text) <= self.high)

    def render(self) -> Text:
        out = Text()
        for i, value in enumerate(self.values):
            if i and i % PER_ROW == 0:
                out.append("\n\n")
            out.append(f"{i + 1:>2} ", style="dim")
            style = "reverse" if self.has_focus and i == self.cell else "underline"
            if not self.valid(value):
                style += " bold red"
            out.append(f"{value:>3}", style=style)
            out.append("   ")
        return out

    def _set(self, index: int, text: str) -> None:
        values = list(self.values)
        values[index] = text
        self.values = tuple(values)
        self.fresh = False
        self.post_message(self.Changed(self))

    def move(self, step: int) -> None:
        target = self.cell + step
        if 0 <= target < self.count:
            self.cell = target
            self.post_message(self.Changed(self))
        elif target >= self.count:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()

    def on_key(self, event: events.Key) -> None:
        key = event.key
        current = self.values[self.cell]
        if event.character and event.character.isdigit():
            keep = current if not self.fresh and len(current) < 2 else ""
            self._set(self.cell, keep + event.character)
        elif key == "backspace":
            self._set(self.cell, current[:-1])
        elif key == "delete":
            self._set(self.cell, "")
        elif key in ("tab", "enter", "right"):
            self.move(1)
        elif key in ("shift+tab", "left"):
            self.move(-1)
        elif key == "home":
            self.cell = 0
        elif key == "end":
            self.cell = self.count - 1
        else:
            return
        event.stop()
        event.prevent_default()

    def on_focus(self) -> None:
        self.fresh = True
        self.post_message(self.Changed(self))
