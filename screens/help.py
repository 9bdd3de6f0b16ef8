"""Help: the keys of the screen underneath, as bound now (after the user's keymap)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from models.i18n import tr
from screens.base import BaseModal


def screen_keys(app, screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every described binding active on ``screen``, one row per action."""
    rows: dict[str, tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        b = active.binding
        if not b.description:
            continue
        keys, _ = rows.setdefault(f"{id(active.node)}:{b.action}", ([], b.description))
        display = app.get_key_display(b)
        if display not in keys:
            keys.append(display)
    return [(" ".join(keys), description) for keys, description in rows.values()]


class HelpScreen(BaseModal):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", tr("key.close"), id="help.close")]

    def __init__(self, target: Screen):
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(tr("help.title", screen=self.target.title or ""),
                         id="help-title")
            table = DataTable(cursor_type="row", zebra_stripes=True, id="help-keys")
            table.add_columns(tr("help.key"), tr("help.action"))
            table.add_rows(screen_keys(self.app, self.target))
            yield table
