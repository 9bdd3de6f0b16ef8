"""Set facts for the selected people in one step (VisiData's set-column-for-selected), with a
preview of how many would really change before it is applied."""

from __future__ import annotations

from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList, Static

from hoctap.models import roster
from hoctap.models.units import Context
from hoctap.models.catalog import Catalogs
from hoctap.models.citizen import count_fully_scored
from hoctap.models.i18n import tr
from hoctap.screens.pickers import PickFieldValue, value_label
from hoctap.screens.widgets.roster_view import column_label


def describe(catalogs: Catalogs, changes: dict[str, str | None]) -> str:
    """``Column = value, …``: a batch's changes (or the filters) as the header and the log show them."""
    return ", ".join(f"{column_label(catalogs, k)} = {value_label(catalogs, k, v)}" for k, v in changes.items())


class Counted(Message):
    """How many of the selected people ``changes`` would change (and how many have all ten scores)."""

    def __init__(self, changes: dict[str, str | None], n: int, scored: int) -> None:
        super().__init__()
        self.changes, self.n, self.scored = changes, n, scored


class BatchSetModal(PickFieldValue):
    """Choose facts and values for the selected people; shows how many would really change
    (a COUNT in a worker) before ctrl+s applies. Dismissed with the changes, or None."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "roster.key.apply", id="roster.batch.apply"),
        Binding("delete,backspace", "remove", "roster.key.remove_change", id="roster.batch.remove"),
        Binding("escape", "cancel", "roster.key.cancel", id="roster.pick.cancel"),
    ]

    def __init__(self, catalogs: Catalogs, ctx: Context, selection: set[int], hidden: int = 0):
        facts = [n for n, f in catalogs.facts.items() if not f.computed]
        super().__init__(tr("roster.pick.batch_title", n=len(selection)), facts,
                         {n: roster.value_choices(catalogs, n) for n in facts}, catalogs)
        self.ctx, self.selection, self.hidden = ctx, frozenset(selection), hidden
        self.changes: dict[str, str | None] = {}
        self.preview: int | None = None
        self.scored = 0  # selected people whose ten scores decide the title whatever the status says

    def on_mount(self) -> None:
        super().on_mount()
        hidden = f"\n{tr('roster.pick.hidden', n=self.hidden)}" if self.hidden else ""
        self.query_one("#pick-title", Static).update(
            f"{tr('roster.pick.batch_title', n=len(self.selection))}{hidden}\n{tr('roster.pick.batch_help')}")
        self._show_status()

    def picked(self, name: str, value: str | None) -> None:
        self.changes[name] = value
        self.query_one("#pick-fields", OptionList).focus()
        self._changed()

    def action_remove(self) -> None:
        if self.changes.pop(self.field, "absent") != "absent":
            self._changed()

    def _changed(self) -> None:
        self.preview = None
        self._show_status()
        if self.changes:
            self.count(dict(self.changes))

    def _show_status(self) -> None:
        if not self.changes:
            text = tr("roster.pick.no_changes")
        else:
            preview = tr("roster.pick.counting") if self.preview is None else \
                tr("roster.pick.preview", n=self.preview, total=len(self.selection))
            if self.preview is not None and self.scored:
                preview += "\n" + tr("roster.pick.scored", n=self.scored)
            text = f"{tr('roster.pick.changes', changes=describe(self.catalogs, self.changes))}\n{preview}"
        self.query_one("#pick-status", Static).update(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="batch-preview")
    def count(self, changes: dict[str, str | None]) -> None:
        db = self.app.db
        n = roster.count_changing(db, self.ctx, self.selection, changes)
        scored = count_fully_scored(db, self.catalogs, self.ctx, self.selection) \
            if self.catalogs.citizen.status_fact in changes else 0
        self.post_message(Counted(changes, n, scored))

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        if message.changes == self.changes:  # an older count of changes since edited is dropped
            self.preview, self.scored = message.n, message.scored
            self._show_status()

    def action_apply(self) -> None:
        if self.changes:
            self.dismiss(dict(self.changes))
