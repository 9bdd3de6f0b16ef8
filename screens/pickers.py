"""Pickers of the roster: a field and one of its values (what the filter and the batch edit
start from), a column (what the roster sorts by)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from hoctap.models.catalog import Catalogs
from hoctap.models.fields import display_fact
from hoctap.models.i18n import lang, tr
from hoctap.screens.base import BaseModal
from hoctap.screens.widgets.roster_view import column_label


def described_label(catalogs: Catalogs, key: str) -> str:
    """A column as a picker lists it: its header, and the fact's whole label where the header is
    shorter ("I1 — Indicator 1: …")."""
    header = column_label(catalogs, key)
    fact = catalogs.facts.get(key)
    if fact is not None and fact.label(lang()) != header:
        return f"{header} — {fact.label(lang())}"
    return header


def value_label(catalogs: Catalogs, name: str, value: str | None) -> str:
    """How a stored value reads in a picker or a summary."""
    return display_fact(catalogs, name, value, lang(), bools="marked", blank=tr("roster.no_value"))


class PickFieldValue(BaseModal):
    """Two lists: fields on the left, the highlighted field's values on the right; dismissed
    with (field, value), or None."""

    BINDINGS = [Binding("escape", "cancel", "roster.key.cancel", id="roster.pick.cancel")]

    def __init__(self, title: str, fields: list[str], values: dict[str, list[str | None]], catalogs: Catalogs):
        super().__init__()
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
        return described_label(self.catalogs, name)

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


class PickColumn(BaseModal):
    """Choose the column to sort by: dismissed with its key, or None."""

    BINDINGS = [Binding("escape", "cancel", "roster.key.cancel", id="roster.pick.cancel")]

    def __init__(self, catalogs: Catalogs, keys: list[str], current: str):
        super().__init__()
        self.catalogs, self.keys, self.current = catalogs, keys, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="roster-modal"):
            yield Static(tr("roster.pick.sort_title"), markup=False)
            yield OptionList(*[Option(described_label(self.catalogs, k)) for k in self.keys], id="pick-columns")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.keys.index(self.current) if self.current in self.keys else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.keys[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
