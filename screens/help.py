"""Help: the keys of the screen underneath, as bound now (after the user's keymap)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from hoctap.models.i18n import tr
from hoctap.screens.base import BaseModal
from hoctap.screens.commands import screen_keys


class HelpScreen(BaseModal):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "key.close", id="help.close")]

    def __init__(self, target: Screen):
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(tr("help.title", screen=self.target.title or ""),
                         id="help-title")
            table = DataTable(cursor_type="row", zebra_stripes=True, id="help-keys")
            table.add_columns(tr("help.key"), tr("help.action"))
            table.add_rows((k.keys, k.description) for k in screen_keys(self.target))
            yield table
