"""A yes/no question before a change that cannot be taken back in one key (a deletion)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Static

from hoctap.screens.base import BaseModal


class ConfirmModal(BaseModal):
    """A question answered by y/Enter or n/Escape: dismissed with True or False."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "roster.key.yes", id="roster.confirm.yes"),
        Binding("n,escape", "answer(False)", "cell.no", id="roster.confirm.no"),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="roster-modal"):
            yield Static(self.question, id="confirm-question", markup=False)
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
