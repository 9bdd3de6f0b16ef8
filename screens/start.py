"""Start: pick a unit's assessment year, or create a unit and a year (optionally from last
year's roster)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from hoctap.models.db import Database
from hoctap.models.i18n import lang, tr
from hoctap.models.units import Context, add_unit, ensure_context, find_context, list_assessments, list_units, start_year_from
from hoctap.screens.base import BaseModal, BaseScreen


@dataclass(frozen=True)
class UnitYears:
    code: str
    name: str
    years: list[tuple[int, int]]  # (year, level), newest first


def units_and_years(db: Database) -> list[UnitYears]:
    return [UnitYears(u.code, u.name, [(a.year, a.level) for a in list_assessments(db, u.id)])
            for u in list_units(db)]


class UnitsLoaded(Message):
    def __init__(self, units: list[UnitYears]) -> None:
        super().__init__()
        self.units = units


class Opened(Message):
    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx


class StartScreen(BaseScreen):
    BINDINGS = [
        Binding("n", "new_unit", "key.new_unit", id="start.new_unit"),
        Binding("y", "new_year", "key.new_year", id="start.new_year"),
        Binding("l", "level_sought", "key.level_sought", id="start.level"),
        # the receiving office's keys stay out of the footer so that it fits 80 columns (? lists them)
        Binding("o", "units", "key.office_units", id="start.units", show=False),
        Binding("c", "collect", "key.collect", id="start.collect", show=False),
        Binding("Y", "rollover", "key.rollover", id="start.rollover", show=False),
        Binding("q", "app.quit", "key.quit", id="start.quit"),
        # shown on the line under the title, in the other language
        Binding("ctrl+t", "app.switch_language", "key.language", id="start.language", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.units: list[UnitYears] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(tr("start.title"), id="start-title")
        yield Static(id="start-language")
        yield OptionList(id="assessments")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.title = tr("screen.start")
        # how to read this in the other language, said in that language (a new user sees it first)
        key = next((self.app.get_key_display(a.binding) for a in self.active_bindings.values()
                    if a.binding.id == "start.language"), "ctrl+t")
        self.query_one("#start-language", Static).update(tr("start.language", key=key))
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def data_changed(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        self.post_message(UnitsLoaded(units_and_years(self.app.db)))

    @on(UnitsLoaded)
    def _loaded(self, message: UnitsLoaded) -> None:
        self.units = message.units
        options = self.query_one("#assessments", OptionList)
        highlighted = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        for u in self.units:
            if not u.years:
                options.add_option(Option(tr("start.no_year", code=u.code, name=u.name), id=f"{u.code}|"))
            for year, level in u.years:
                options.add_option(Option(tr("start.row", code=u.code, name=u.name, year=year, level=level),
                                          id=f"{u.code}|{year}"))
        if not self.units:
            options.add_option(Option(tr("start.none"), disabled=True))
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index(highlighted) if highlighted in ids else 0
        options.focus()

    def _highlighted_unit(self) -> UnitYears | None:
        option = self.query_one("#assessments", OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        code = option.id.split("|")[0]
        return next((u for u in self.units if u.code == code), None)

    @on(OptionList.OptionSelected, "#assessments")
    def _open(self, event: OptionList.OptionSelected) -> None:
        code, _, year = (event.option.id or "").partition("|")
        if not year:
            self.action_new_year()
            return
        self.open_year(code, int(year))

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_year(self, code: str, year: int) -> None:
        self.post_message(Opened(find_context(self.app.db, code, year)))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        self.app.open_context(message.ctx)

    def action_level_sought(self) -> None:
        """Switch the highlighted year's level sought between 1 and 2."""
        option = self.query_one("#assessments", OptionList).highlighted_option
        code, _, year = (option.id or "").partition("|") if option is not None else ("", "", "")
        unit = self._highlighted_unit()
        if unit is not None and year:
            level = dict(unit.years)[int(year)]
            self.set_level(code, int(year), 2 if level == 1 else 1)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def set_level(self, code: str, year: int, level: int) -> None:
        ensure_context(self.app.db, code, year, level, source="tui")
        self.post_message(UnitsLoaded(units_and_years(self.app.db)))

    def action_units(self) -> None:
        """The receiving office's overview of the highlighted year (else the newest one)."""
        from hoctap.screens.units import UnitsScreen

        option = self.query_one("#assessments", OptionList).highlighted_option
        year = (option.id or "").partition("|")[2] if option is not None else ""
        years = [y for u in self.units for y, _ in u.years]
        self.app.push_screen(UnitsScreen(int(year) if year else max(years, default=date.today().year)))
    def action_collect(self) -> None:
        from hoctap.screens.collect import CollectForm

        self.app.push_screen(CollectForm(), lambda came_in: self.load() if came_in else None)

    def action_rollover(self) -> None:
        from hoctap.screens.rollover import RolloverForm

        units = [(u.code, u.name, [y for y, _ in u.years]) for u in self.units]
        self.app.push_screen(RolloverForm(units), lambda started: self.load() if started else None)

    def action_new_unit(self) -> None:
        def created(code: str | None) -> None:
            if code:
                self.load()
                self.app.push_screen(YearForm(code, []), self._year_created)

        self.app.push_screen(UnitForm(), created)

    def action_new_year(self) -> None:
        unit = self._highlighted_unit()
        if unit is not None:
            self.app.push_screen(YearForm(unit.code, [y for y, _ in unit.years]), self._year_created)

    def _year_created(self, ctx: Context | None) -> None:
        if ctx is not None:
            self.app.open_context(ctx)


class Created(Message):
    def __init__(self, value) -> None:
        super().__init__()
        self.value = value


class UnitForm(BaseModal):
    BINDINGS = [
        Binding("ctrl+s", "create", "key.save", id="unit_form.save"),
        Binding("escape", "dismiss(None)", "key.close", id="unit_form.close"),
    ]

    def compose(self) -> ComposeResult:
        catalogs = self.app.catalogs
        with Vertical(classes="form"):
            yield Static(tr("unit.title"), classes="form-title")
            with Grid(classes="form-grid"):
                yield Label(tr("unit.code"))
                yield Input(id="unit-code", compact=True)
                yield Label(tr("unit.name"))
                yield Input(id="unit-name", compact=True)
                yield Label(tr("unit.tier"))
                yield Select([(self.app.catalogs.tier_label(t, lang()), t) for t in ("district", "provincial")], value="district",
                             allow_blank=False, id="unit-tier", compact=True)
            yield Label(tr("unit.types"))
            yield SelectionList(*[(t.label(lang()), tag) for tag, t in catalogs.unit_types.items()], id="unit-types")
            with Horizontal(classes="form-buttons"):
                yield Button(tr("form.ok"), id="ok", variant="primary", compact=True)
                yield Button(tr("form.cancel"), id="cancel", compact=True)

    @on(Button.Pressed, "#ok")
    def action_create(self) -> None:
        self.create(self.query_one("#unit-code", Input).value, self.query_one("#unit-name", Input).value,
                    self.query_one("#unit-tier", Select).value, list(self.query_one("#unit-types", SelectionList).selected))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def create(self, code: str, name: str, tier: str, types: list[str]) -> None:
        unit = add_unit(self.app.db, self.app.catalogs, code, name, tier, types, source="tui")
        self.post_message(Created(unit.code))

    @on(Created)
    def _created(self, message: Created) -> None:
        self.notify(tr("unit.created", code=message.value))
        self.dismiss(message.value)


class YearForm(BaseModal):
    BINDINGS = [
        Binding("ctrl+s", "create", "key.save", id="year_form.save"),
        Binding("escape", "dismiss(None)", "key.close", id="year_form.close"),
    ]

    def __init__(self, code: str, years: list[int]) -> None:
        super().__init__()
        self.code = code
        self.years = sorted(years)

    def compose(self) -> ComposeResult:
        last = self.years[-1] if self.years else None
        with Vertical(classes="form"):
            yield Static(tr("year.title", code=self.code), classes="form-title")
            with Grid(classes="form-grid"):
                yield Label(tr("year.year"))
                yield Input(str(last + 1 if last else date.today().year), id="year", type="integer",
                            max_length=4, compact=True)
                yield Label(tr("report.level_sought"))
                yield Select([(tr("year.level_n", n=n), n) for n in (1, 2)], value=1, allow_blank=False,
                             id="year-level", compact=True)
            if last is not None:
                yield Checkbox(tr("year.copy", year=last), value=True, id="year-copy")
            with Horizontal(classes="form-buttons"):
                yield Button(tr("form.ok"), id="ok", variant="primary", compact=True)
                yield Button(tr("form.cancel"), id="cancel", compact=True)

    @on(Button.Pressed, "#ok")
    def action_create(self) -> None:
        text = self.query_one("#year", Input).value.strip()
        year = int(text) if text.isdigit() else 0
        if not 2000 <= year <= 2100:
            self.notify(tr("year.bad"), severity="error")
            return
        if year in self.years:
            self.notify(tr("year.exists", code=self.code, year=year), severity="error")
            return
        copy = self.query("#year-copy") and self.query_one("#year-copy", Checkbox).value
        self.create(year, self.query_one("#year-level", Select).value, self.years[-1] if copy else None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def create(self, year: int, level: int, from_year: int | None) -> None:
        db = self.app.db
        if from_year is None:
            ctx = ensure_context(db, self.code, year, level, source="tui")
        else:
            ctx = start_year_from(db, find_context(db, self.code, from_year), year, source="tui")
            if ctx.assessment.level != level:
                ctx = ensure_context(db, self.code, year, level, source="tui")
        self.post_message(Created(ctx))

    @on(Created)
    def _created(self, message: Created) -> None:
        self.dismiss(message.value)

