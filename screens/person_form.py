"""Add or edit one person: every person field and every fact a user may set, each parsed by
models.fields as it is saved, with its error shown under the field. An edit carries the
versions it was loaded with, so a concurrent change is reported (StaleEdit), not overwritten."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, Label, Static
from textual.worker import Worker

from hoctap.models import roster
from hoctap.models.fields import PERSON_FIELDS, InputError, display_fact, parse_fact, parse_person_field
from hoctap.models.i18n import lang, tr
from hoctap.models.roster import RosterRow
from hoctap.models.errors import StaleEdit
from hoctap.models.people import DEFAULT_KIND, save_person
from hoctap.screens.base import BaseModal


class PersonLoaded(Message):
    def __init__(self, row: RosterRow | None, stale: str = "") -> None:
        super().__init__()
        self.row, self.stale = row, stale  # stale: why it was read again (someone saved meanwhile)


class PersonSaved(Message):
    def __init__(self, name: str, batch: int | None) -> None:
        super().__init__()
        self.name, self.batch = name, batch


class CodeTaken(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class PersonForm(BaseModal):
    """Dismissed with the saved person's full name, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="roster.form.save"),
        Binding("escape", "cancel", "roster.key.cancel", id="roster.form.cancel"),
    ]

    def __init__(self, person_id: int | None = None):
        super().__init__()
        self.person_id = person_id
        self.loaded: RosterRow | None = None
        self.busy = False

    @property
    def facts(self) -> list[str]:
        return [n for n, f in self.app.catalogs.facts.items() if not f.computed]

    def compose(self) -> ComposeResult:
        catalogs = self.app.catalogs
        with Vertical(classes="roster-modal"):
            yield Static("", id="form-title", markup=False)
            yield Static("", id="form-message", markup=False)
            with VerticalScroll():
                for name in PERSON_FIELDS:
                    yield from self._row(name, tr(f"field.{name}"), self._field_hint(name))
                yield Static(tr("roster.form.facts"), classes="form-section")
                for name in self.facts:
                    yield from self._row(name, catalogs.facts[name].label(lang()), self._fact_hint(name))
        yield Footer()

    def _row(self, name: str, label: str, hint: str) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, markup=False)
            yield Input(placeholder=hint, id=f"in-{name}")
        yield Static("", id=f"err-{name}", classes="form-error -empty", markup=False)

    def _field_hint(self, name: str) -> str:
        spec = PERSON_FIELDS[name]
        if spec.choices:
            return " / ".join(tr(c) for c, _ in spec.choices)
        return tr("roster.form.hint_range", lo=1900, hi="…") if spec.integer else ""

    def _fact_hint(self, name: str) -> str:
        catalogs = self.app.catalogs
        fact = catalogs.facts[name]
        if fact.type == "bool":
            return tr("roster.form.hint_bool")
        if fact.type == "scale":
            return " / ".join(catalogs.scale_label(fact.scale, v, lang()) for v in catalogs.scale_ids(fact.scale))
        return tr("roster.form.hint_range", lo=fact.min, hi=fact.max) if fact.min is not None else ""

    def on_mount(self) -> None:
        if self.person_id is None:
            self.query_one("#form-title", Static).update(tr("roster.form.add_title"))
            self.query_one("#in-kind", Input).value = display_fact(self.app.catalogs, "kind", DEFAULT_KIND, lang())
            self.query_one("#in-code", Input).focus()
            return
        self.query_one(VerticalScroll).disabled = True  # nothing typed before the person is there
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="person-load")
    def load(self) -> None:
        self.post_message(PersonLoaded(roster.person(self.app.db, self.app.ctx, self.person_id)))

    @on(PersonLoaded)
    def _loaded(self, message: PersonLoaded) -> None:
        self.busy = False
        self.loaded = row = message.row
        if message.stale:
            self._message(f"{message.stale} — {tr('roster.form.reloaded')}")
            self.notify(message.stale, severity="warning")
        if row is None:
            self._message(tr("roster.form.gone"))
            return
        self.query_one("#form-title", Static).update(tr("roster.form.edit_title", name=row.full_name))
        for name in PERSON_FIELDS:
            self.query_one(f"#in-{name}", Input).value = display_fact(self.app.catalogs, name, getattr(row, name), lang())
        for name in self.facts:  # words, not marks: the field parses them back
            self.query_one(f"#in-{name}", Input).value = display_fact(self.app.catalogs, name, row.facts.get(name),
                                                                      lang(), bools="words")
        scroll = self.query_one(VerticalScroll)
        if scroll.disabled:  # the first load: the form opens on the code
            scroll.disabled = False
            self.query_one("#in-code", Input).focus()

    def _message(self, text: str) -> None:
        self.query_one("#form-message", Static).update(text)

    def _error(self, name: str, text: str) -> None:
        err = self.query_one(f"#err-{name}", Static)
        err.update(text)
        err.set_class(not text, "-empty")

    def _parse(self) -> tuple[dict, dict, int]:
        fields, facts, errors = {}, {}, 0
        for name in [*PERSON_FIELDS, *self.facts]:
            raw = self.query_one(f"#in-{name}", Input).value
            try:
                if name in PERSON_FIELDS:
                    fields[name] = parse_person_field(name, raw)
                    if name == "kind" and fields[name] is None:  # every person is staff or learner
                        raise InputError(tr("err.required", name=tr("field.kind")))
                else:
                    facts[name] = parse_fact(self.app.catalogs, name, raw)
                self._error(name, "")
            except InputError as e:
                self._error(name, str(e))
                errors += 1
        return fields, facts, errors

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        if self.busy or self.person_id is not None and self.loaded is None:
            return
        fields, facts, errors = self._parse()
        if errors:
            self._message(tr("roster.form.fix_errors", n=errors))
            return
        self.busy = True
        self.save(fields, facts, self.loaded)

    @work(thread=True, exclusive=True, exit_on_error=False, group="person-save")
    def save(self, fields: dict, facts: dict, loaded: RosterRow | None) -> None:
        app = self.app
        try:
            saved = save_person(app.db, app.catalogs, app.ctx, self.person_id, fields, facts,
                                expected_version=loaded.version if loaded else None,
                                expected_roster_version=loaded.roster_version if loaded else None, source="tui")
        except StaleEdit as e:  # someone else saved meanwhile: show theirs, keep the form open
            self.post_message(PersonLoaded(roster.person(app.db, app.ctx, self.person_id), str(e)))
            return
        except InputError as e:  # the code is taken: shown on the code field
            self.post_message(CodeTaken(str(e)))
            return
        self.post_message(PersonSaved(fields["full_name"], saved.batch))

    @on(CodeTaken)
    def _code_taken(self, message: CodeTaken) -> None:
        self.busy = False
        self._error("code", message.error)
        self._message(message.error)

    @on(PersonSaved)
    def _saved(self, message: PersonSaved) -> None:
        self.app.remember(message.batch)  # what roster `U` may undo: this session's own batches
        self.dismiss(message.name)

    def worker_failed(self, worker: Worker) -> None:
        self.busy = False  # the error is a notification; it also stays on the form
        self._message(str(worker.error))

    def action_cancel(self) -> None:
        self.dismiss(None)
