"""The new year for many units at once: the year to copy from and the new year, the units
(those assessed in the year copied from), and the facts to carry over (none ticked: each is a
choice). One transaction in a thread worker (models/rollover.py)."""

from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, SelectionList, Static

from hoctap.models.i18n import lang, tr
from hoctap.models.rollover import Rollover, rollover
from hoctap.screens.base import BaseModal


class RolledOver(Message):
    def __init__(self, result: Rollover) -> None:
        super().__init__()
        self.result = result


class RolloverForm(BaseModal):
    """``units``: (code, name, years) of every unit; dismissed with the units started."""

    BINDINGS = [
        Binding("ctrl+s", "start", "key.save", id="rollover.run"),
        Binding("escape", "dismiss(None)", "key.close", id="rollover.close"),
    ]

    def __init__(self, units: list[tuple[str, str, list[int]]]) -> None:
        super().__init__()
        self.units = units
        years = [y for _c, _n, ys in units for y in ys]
        self.from_year = max(years) if years else date.today().year

    def compose(self) -> ComposeResult:
        facts = [(f.label(lang()), name) for name, f in self.app.catalogs.facts.items() if not f.computed]
        with Vertical(classes="form", id="rollover-form"):
            yield Static(tr("rollover.title"), classes="form-title")
            with Grid(classes="form-grid"):
                yield Label(tr("rollover.from"))
                yield Input(str(self.from_year), id="rollover-from", type="integer", max_length=4, compact=True)
                yield Label(tr("rollover.to"))
                yield Input(str(self.from_year + 1), id="rollover-to", type="integer", max_length=4, compact=True)
            yield Label(tr("office.sheet_units"))
            yield SelectionList(*[(f"{code} — {name}", code, self.from_year in years)
                                  for code, name, years in self.units], id="rollover-units")
            yield Label(tr("rollover.carry"))
            yield SelectionList(*facts, id="rollover-carry")
            with Horizontal(classes="form-buttons"):
                yield Button(tr("form.ok"), id="ok", variant="primary", compact=True)
                yield Button(tr("form.cancel"), id="cancel", compact=True)

    @on(Button.Pressed, "#ok")
    def action_start(self) -> None:
        years = [self.query_one(f"#rollover-{k}", Input).value.strip() for k in ("from", "to")]
        if not all(y.isdigit() for y in years):
            self.notify(tr("year.bad"), severity="error")
            return
        units = list(self.query_one("#rollover-units", SelectionList).selected)
        if not units:
            self.notify(tr("rollover.no_units"), severity="error")
            return
        self.query_one("#ok", Button).disabled = True
        self.start(int(years[0]), int(years[1]), units, list(self.query_one("#rollover-carry", SelectionList).selected))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def start(self, from_year: int, to_year: int, units: list[str], carry: list[str]) -> None:
        self.post_message(RolledOver(rollover(self.app.db, self.app.catalogs, from_year, to_year, units, carry,
                                              source="tui")))

    @on(RolledOver)
    def _done(self, message: RolledOver) -> None:
        r = message.result
        skipped = "; ".join(f"{code}: {why}" for code, why in r.skipped)
        self.app.notify(tr("rollover.done", n=len(r.started), skipped=skipped or "—"), timeout=10)
        self.dismiss([code for code, _n, _f in r.started])

    def worker_failed(self, worker) -> None:
        self.query_one("#ok", Button).disabled = False
