"""Learning Citizen entry: find a person by code or name, type ten scores (digits and Tab),
see the total and the verdict as you type, choose the citizen group, or record the title
directly; ctrl+s saves and returns to the search for the next person."""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from hoctap.models import roster
from hoctap.models.audit import change_counts
from hoctap.models.fields import InputError, display_fact, parse_fact
from hoctap.models.i18n import lang, tr
from hoctap.models.errors import StaleEdit
from hoctap.models.people import save_person
from hoctap.screens.base import BaseScreen
from hoctap.screens.widgets.scores import ScoreEntry
from hoctap.screens.messages import DataChanged

MATCHES = 6  # people listed for a search: type more of the code to narrow it


@dataclass(frozen=True)
class Person:
    id: int
    code: str
    full_name: str
    facts: dict[str, str]
    roster_version: int  # as loaded: a colleague's change in between makes the save stale


class Found(Message):
    def __init__(self, text: str, total: int, people: list[Person]) -> None:
        super().__init__()
        self.text, self.total, self.people = text, total, people

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Found)


class Picked(Message):
    def __init__(self, person: Person, focus: bool) -> None:
        super().__init__()
        self.person, self.focus = person, focus


class Saved(Message):
    def __init__(self, code: str, changed: int, stale: str | None = None) -> None:
        super().__init__()
        self.code, self.changed, self.stale = code, changed, stale


class CitizenScreen(BaseScreen):
    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="citizen.save"),
        Binding("ctrl+f,f2", "search", "key.search", id="citizen.search"),
        Binding("ctrl+l", "clear_scores", "key.clear", id="citizen.clear"),
        Binding("escape", "back", "key.back", id="citizen.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.people: list[Person] = []
        self.searched = ""  # the text self.people was found for
        self.pick_when_found = False  # Enter came before the search finished
        self.person: Person | None = None

    def compose(self) -> ComposeResult:
        lc = self.app.catalogs.citizen
        yield Header()
        with Horizontal(id="lc-find"):
            yield Input(placeholder=tr("lc.search"), id="lc-search", compact=True)
            yield Static(id="lc-count")
        yield OptionList(id="lc-matches", compact=True)
        yield Static(tr("lc.pick_first"), id="lc-person")
        yield ScoreEntry(len(lc.indicators), lc.min_score, lc.max_score, id="lc-scores")
        yield Static(id="lc-indicator")
        yield Static(id="lc-total")
        with Horizontal(id="lc-choices"):
            yield Label(tr("roster.fact.lc_group"))
            yield Select([(v.label(lang()), v.id) for v in self.app.catalogs.scales["lc_group"]],
                         prompt=tr("lc.none"), id="lc-group", compact=True)
            yield Label(tr("lc.status"))
            yield Select([(tr("yes"), "1"), (tr("no"), "0")], prompt=tr("lc.none"), id="lc-status", compact=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.title = tr("report.sheet_lc")
        self.sub_title = f"{self.app.ctx.unit.code} · {self.app.ctx.assessment.year}"
        self.show_total()
        self.query_one("#lc-search").focus()

    # ---- finding a person ------------------------------------------------------------------

    @on(Input.Changed, "#lc-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.find(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="find")
    def find(self, text: str) -> None:
        if not text.strip():
            self.post_message(Found(text, 0, []))
            return
        app = self.app
        q = roster.RosterQuery(app.ctx.assessment.id, search=text, sort="code")
        total = roster.count(app.db, q)
        rows = roster.page(app.db, q, 0, MATCHES)
        if not get_current_worker().is_cancelled:
            self.post_message(Found(text, total, [Person(r.id, r.code, r.full_name, r.facts, r.roster_version) for r in rows]))

    @on(Found)
    def _found(self, message: Found) -> None:
        self.people, self.searched = message.people, message.text
        matches = self.query_one("#lc-matches", OptionList)
        matches.clear_options()
        matches.add_options(Option(f"{escape(p.code)}  {escape(p.full_name)}", id=str(i))
                            for i, p in enumerate(self.people))
        if self.people:
            matches.highlighted = 0
        self.query_one("#lc-count", Static).update(tr("lc.matches", n=message.total) if message.total else "")
        if self.pick_when_found and message.text == self.query_one("#lc-search", Input).value:
            self.pick_when_found = False
            self._take_highlighted()

    @on(Input.Submitted, "#lc-search")
    def _take_highlighted(self) -> None:
        if self.searched != self.query_one("#lc-search", Input).value:
            self.pick_when_found = True
            return
        matches = self.query_one("#lc-matches", OptionList)
        if matches.highlighted is not None and self.people:
            self.pick(self.people[matches.highlighted])

    @on(OptionList.OptionSelected, "#lc-matches")
    def _take_selected(self, event: OptionList.OptionSelected) -> None:
        self.pick(self.people[int(event.option.id)])

    def on_key(self, event) -> None:
        """Up/down in the search box move through the matches, so the hands stay on the keys."""
        if self.focused is self.query_one("#lc-search") and event.key in ("up", "down"):
            matches = self.query_one("#lc-matches", OptionList)
            matches.action_cursor_down() if event.key == "down" else matches.action_cursor_up()
            event.stop()

    def pick(self, person: Person) -> None:
        self.reload_person(person.id, focus=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="person")
    def reload_person(self, person_id: int, focus: bool = False) -> None:
        """The person's current facts (the search result may be older); ``focus``: start typing."""
        app = self.app
        q = roster.RosterQuery(app.ctx.assessment.id, fields=(("id", person_id),))
        rows = roster.page(app.db, q, 0, 1)
        if rows:
            r = rows[0]
            self.post_message(Picked(Person(r.id, r.code, r.full_name, r.facts, r.roster_version), focus))

    @on(Picked)
    def _picked(self, message: Picked) -> None:
        self.person = p = message.person
        lc = self.app.catalogs.citizen
        self.query_one(ScoreEntry).values = tuple(p.facts.get(name, "") for name in lc.score_facts)
        self.query_one("#lc-group", Select).value = p.facts.get(lc.group_fact, Select.NULL)
        self.query_one("#lc-status", Select).value = p.facts.get(lc.status_fact, Select.NULL)
        self.show_person()
        if message.focus:
            entry = self.query_one(ScoreEntry)
            entry.cell = 0
            entry.focus()

    def show_person(self) -> None:
        p, lc = self.person, self.app.catalogs.citizen
        title = display_fact(self.app.catalogs, lc.result_fact, p.facts.get(lc.result_fact), lang()) or "—"
        self.query_one("#lc-person", Static).update(
            f"[b]{escape(tr('lc.person', code=p.code, name=p.full_name))}[/]  ·  "
            f"{escape(self.app.catalogs.facts[lc.result_fact].label(lang()))}: {title}")

    # ---- scores ----------------------------------------------------------------------------

    @on(ScoreEntry.Changed)
    def _scores_changed(self, event: ScoreEntry.Changed) -> None:
        """The live total, and the wording of the indicator being scored (the cells show numbers)."""
        lc = self.app.catalogs.citizen
        n = event.entry.cell + 1
        comp = next(c for c in lc.competences if n in c.indicators)
        self.query_one("#lc-indicator", Static).update(
            f"[b]{n}.[/] {escape(lc.indicators[n - 1].label(lang()))} [dim]({comp.id} {escape(comp.label(lang()))})[/]")
        self.show_total()

    def scores(self) -> list[int | None]:
        lc = self.app.catalogs.citizen
        out = []
        for text in self.query_one(ScoreEntry).values:
            value = int(text) if text.isdigit() else None
            out.append(value if value is not None and lc.min_score <= value <= lc.max_score else None)
        return out

    def show_total(self) -> None:
        lc = self.app.catalogs.citizen
        scores = self.scores()
        total = sum(s for s in scores if s is not None)
        passes = lc.passes(scores)
        bad = self.query_one(ScoreEntry).invalid()
        if bad:  # flagged while typing, not only when saving
            verdict = f"[b $text-error]✗ {escape(tr('lc.out_of_range', cells=', '.join(map(str, bad)), low=lc.min_score, high=lc.max_score))}[/]"
        elif passes is None:
            verdict = f"[$text-warning]{tr('lc.incomplete')}[/]"
        elif passes:
            verdict = f"[b $text-success]✓ {tr('lc.pass')}[/]"
        else:
            verdict = f"[b $text-error]✗ {tr('lc.fail')}[/]"
        top = lc.max_score * len(lc.indicators)
        rule = tr("lc.rule", total=lc.pass_total, each=lc.pass_each)
        self.query_one("#lc-total", Static).update(
            f"[b]{tr('lc.total', total=total, max=top)}[/]  {verdict}  [dim]({escape(rule)})[/]")

    # ---- saving ----------------------------------------------------------------------------

    def changes(self) -> dict[str, str | None]:
        """The facts typed on the screen, in stored form (InputError names the bad one)."""
        catalogs, lc = self.app.catalogs, self.app.catalogs.citizen
        out = {name: parse_fact(catalogs, name, text)
               for name, text in zip(lc.score_facts, self.query_one(ScoreEntry).values)}
        for fact, widget in ((lc.group_fact, "#lc-group"), (lc.status_fact, "#lc-status")):
            value = self.query_one(widget, Select).value
            out[fact] = None if value == Select.NULL else value
        return out

    def action_save(self) -> None:
        if self.person is None:
            self.notify(tr("lc.pick_first"), severity="warning")
            return
        try:
            changes = self.changes()
        except InputError as e:
            self.notify(str(e), severity="error")
            return
        self.save(self.person, changes)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, person: Person, changes: dict[str, str | None]) -> None:
        """Only the facts typed differently from what was loaded, and only if nobody changed the
        person since (their roster version): a colleague's other scores are not overwritten."""
        app = self.app
        changed = {name: value for name, value in changes.items() if person.facts.get(name) != value}
        if changed:
            try:
                _pid, batch = save_person(app.db, app.catalogs, app.ctx, person.id, {}, changed,
                                          expected_roster_version=person.roster_version, source="tui")
                app.remember(batch)
                # what the batch wrote (the title computed from the scores too), as the log shows it
                written = change_counts(app.db, [batch]).get(batch, 0) if batch is not None else 0
            except StaleEdit as e:
                self.post_message(Saved(person.code, 0, stale=str(e)))
                return
            app.post_message(DataChanged())
            self.post_message(Saved(person.code, written))
            return
        self.post_message(Saved(person.code, 0))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        if message.stale:  # show what is there now; the user types again over it
            self.notify(f"{message.stale} — {tr('roster.form.reloaded')}", severity="warning", timeout=8)
            if self.person is not None:
                self.reload_person(self.person.id, focus=True)
            return
        self.notify(tr("lc.saved", code=message.code, n=message.changed) if message.changed else tr("nothing_changed"))
        if self.person is not None:
            self.reload_person(self.person.id)
        search = self.query_one("#lc-search", Input)
        search.value = ""
        search.focus()

    def action_clear_scores(self) -> None:
        entry = self.query_one(ScoreEntry)
        entry.values = ("",) * entry.count
        self.show_total()

    def action_search(self) -> None:
        self.query_one("#lc-search", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
