"""Modals of the roster: pick a field and a value (filter), pick a column (sort), set facts for
the selected people with a preview of how many would change (batch), confirm."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from hoctap.models import roster
from hoctap.models.catalog import Catalogs
from hoctap.models.citizen import count_fully_scored
from hoctap.models.db import Database
from hoctap.models.fields import display_fact
from hoctap.models.i18n import lang, tr
import hoctap.screens.roster_strings  # noqa: F401  (registers the roster labels)
from hoctap.screens.commands import localize_bindings
from hoctap.screens.roster_view import column_label

MODAL_CSS = """
PickFieldValue, PickColumn, ConfirmModal, PersonForm { align: center middle; }
.roster-modal { width: 90%; max-width: 110; height: auto; max-height: 90%; border: thick $primary;
                background: $surface; padding: 0 1; }
PickFieldValue .roster-modal { height: 90%; }
.roster-modal Horizontal { height: 1fr; }
.roster-modal Horizontal OptionList { height: 100%; width: 1fr; }
.roster-modal OptionList { height: auto; max-height: 18; }
.roster-modal .roster-modal--status { color: $text-muted; height: auto; }
"""


def value_label(catalogs: Catalogs, name: str, value: str | None) -> str:
    """How a stored value reads in a picker or a summary."""
    if value is None:
        return tr("roster.no_value")
    if name in ("kind",):
        return tr(value)
    if name == "department":
        return value
    fact = catalogs.facts[name]
    if fact.type == "bool":
        return f"{display_fact(catalogs, name, value)} {tr('yes' if value == '1' else 'no')}"
    return display_fact(catalogs, name, value, lang())


def describe(catalogs: Catalogs, changes: dict[str, str | None]) -> str:
    return ", ".join(f"{column_label(catalogs, k)} = {value_label(catalogs, k, v)}" for k, v in changes.items())


class PickFieldValue(ModalScreen[tuple[str, str | None] | None]):
    """Two lists: fields on the left, the highlighted field's values on the right."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS = [Binding("escape", "cancel", "roster.key.cancel", id="roster.pick.cancel")]

    def __init__(self, title: str, fields: list[str], values: dict[str, list[str | None]], catalogs: Catalogs):
        super().__init__()
        localize_bindings(self)
        self.title_text, self.fields, self.values, self.catalogs = title, fields, values, catalogs

    def compose(self) -> ComposeResult:
        with Vertical(classes="roster-modal"):
            yield Static(self.title_text, id="pick-title", markup=False)
            with Horizontal():
                yield OptionList(*[Option(self._field_label(f)) for f in self.fields], id="pick-fields")
                yield OptionList(id="pick-values")
            yield Static("", id="pick-status", classes="roster-modal--status", markup=False)
        yield Footer()

    def _field_label(self, name: str) -> str:
        if name in self.catalogs.facts:
            fact = self.catalogs.facts[name]
            return f"{column_label(self.catalogs, name)} — {fact.label(lang())}"
        return column_label(self.catalogs, name)

    def on_mount(self) -> None:
        fields = self.query_one("#pick-fields", OptionList)
        fields.highlighted = 0
        self._show_values(0)
        fields.focus()

    @property
    def field(self) -> str:
        return self.fields[self.query_one("#pick-fields", OptionList).highlighted or 0]

    def _show_values(self, index: int) -> None:
        name = self.fields[index]
        values = self.query_one("#pick-values", OptionList)
        values.clear_options()
        values.add_options([Option(value_label(self.catalogs, name, v)) for v in self.values[name]])
        values.highlighted = 0 if self.values[name] else None

    @on(OptionList.OptionHighlighted, "#pick-fields")
    def _field_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_values(event.option_index)

    @on(OptionList.OptionSelected, "#pick-fields")
    def _field_chosen(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#pick-values", OptionList).focus()

    @on(OptionList.OptionSelected, "#pick-values")
    def _value_chosen(self, event: OptionList.OptionSelected) -> None:
        self.picked(self.field, self.values[self.field][event.option_index])

    def picked(self, name: str, value: str | None) -> None:
        self.dismiss((name, value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class BatchSetModal(PickFieldValue):
    """Choose facts and values for the selected people; shows how many would really change
    (a COUNT in a worker) before ctrl+s applies. Returns the changes, or None."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "roster.key.apply", id="roster.batch.apply"),
        Binding("delete,backspace", "remove", "roster.key.remove_change", id="roster.batch.remove"),
        Binding("escape", "cancel", "roster.key.cancel", id="roster.pick.cancel"),
    ]

    def __init__(self, db: Database, catalogs: Catalogs, assessment_id: int, selection: set[int]):
        facts = [n for n, f in catalogs.facts.items() if not f.computed]
        super().__init__(tr("roster.pick.batch_title", n=len(selection)), facts,
                         {n: roster.value_choices(catalogs, n) for n in facts}, catalogs)
        self.db, self.assessment_id, self.selection = db, assessment_id, frozenset(selection)
        self.changes: dict[str, str | None] = {}
        self.preview: int | None = None
        self.scored = 0  # selected people whose ten scores decide the title whatever the status says

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#pick-title", Static).update(
            f"{tr('roster.pick.batch_title', n=len(self.selection))}\n{tr('roster.pick.batch_help')}")
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
        self._count(dict(self.changes))

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

    @work(thread=True, exclusive=True, group="batch-preview", exit_on_error=False)
    def _count(self, changes: dict[str, str | None]) -> None:
        try:
            n = roster.count_changing(self.db, self.assessment_id, self.selection, changes)
            scored = count_fully_scored(self.db, self.catalogs, self.assessment_id, self.selection) \
                if self.catalogs.citizen.status_fact in changes else 0
        except Exception as e:
            self.app.call_from_thread(self.notify, str(e), severity="error")
            return
        self.app.call_from_thread(self._counted, changes, n, scored)

    def _counted(self, changes: dict[str, str | None], n: int, scored: int) -> None:
        if changes == self.changes and self.is_attached:
            self.preview, self.scored = n, scored
            self._show_status()

    def action_apply(self) -> None:
        if self.changes:
            self.dismiss(dict(self.changes))


class PickColumn(ModalScreen[str | None]):
    """Choose the column to sort by."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS = [Binding("escape", "cancel", "roster.key.cancel", id="roster.pick.cancel")]

    def __init__(self, catalogs: Catalogs, keys: list[str], current: str):
        super().__init__()
        localize_bindings(self)
        self.catalogs, self.keys, self.current = catalogs, keys, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="roster-modal"):
            yield Static(tr("roster.pick.sort_title"), markup=False)
            yield OptionList(*[Option(column_label(self.catalogs, k)) for k in self.keys], id="pick-columns")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.keys.index(self.current) if self.current in self.keys else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.keys[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """A question answered by y/Enter or n/Escape."""

    DEFAULT_CSS = MODAL_CSS
    BINDINGS = [
        Binding("y,enter", "answer(True)", "roster.key.yes", id="roster.confirm.yes"),
        Binding("n,escape", "answer(False)", "roster.key.no", id="roster.confirm.no"),
    ]

    def __init__(self, question: str):
        super().__init__()
        localize_bindings(self)
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="roster-modal"):
            yield Static(self.question, id="confirm-question", markup=False)
        yield Footer()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
