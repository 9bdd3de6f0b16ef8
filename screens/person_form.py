"""Add or edit one person: every person field and every fact a user may set, each parsed by
models.fields as it is saved, with its error shown under the field. An edit carries the
versions it was loaded with, so a concurrent change is reported (StaleEdit), not overwritten."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from hoctap.models import roster
from hoctap.models.fields import PERSON_FIELDS, InputError, display_fact, parse_fact, parse_person_field
from hoctap.models.i18n import lang, tr
from hoctap.models.roster import RosterRow
from hoctap.models.db import DatabaseError
from hoctap.models.store import HoctapError, StaleEdit, save_person
import hoctap.screens.roster_strings  # noqa: F401  (registers the roster labels)
from hoctap.screens.commands import localize_bindings
from hoctap.screens.batch import MODAL_CSS


class PersonForm(ModalScreen[int | None]):
    """Returns the saved person's id, or None when cancelled."""

    DEFAULT_CSS = MODAL_CSS + """
    PersonForm .roster-modal { height: 90%; }
    PersonForm .form-row { height: auto; }
    PersonForm .form-row Label { width: 24; padding: 1 1 0 0; }
    PersonForm .form-row Input { width: 1fr; }
    PersonForm .form-error { color: $error; padding-left: 24; height: auto; }
    PersonForm .form-error.-empty { display: none; }
    PersonForm #form-message { color: $warning; height: auto; }
    PersonForm .form-section { text-style: bold; padding-top: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="roster.form.save"),
        Binding("escape", "cancel", "roster.key.cancel", id="roster.form.cancel"),
    ]

    def __init__(self, person_id: int | None = None):
        super().__init__()
        localize_bindings(self)
        self.person_id = person_id
        self.loaded: RosterRow | None = None

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
        self._load()
        self.query_one("#in-code", Input).focus()

    def _load(self) -> None:
        """Fill the form from the database (again after a stale edit)."""
        if self.person_id is None:
            self.query_one("#form-title", Static).update(tr("roster.form.add_title"))
            self.query_one("#in-kind", Input).value = tr("staff")
            return
        self.loaded = roster.person(self.app.db, self.app.ctx.assessment.id, self.person_id)
        if self.loaded is None:
            self._message(tr("roster.form.gone"))
            return
        row = self.loaded
        self.query_one("#form-title", Static).update(tr("roster.form.edit_title", name=row.full_name))
        for name in PERSON_FIELDS:
            value = getattr(row, name)
            text = "" if value is None else tr(value) if PERSON_FIELDS[name].choices else str(value)
            self.query_one(f"#in-{name}", Input).value = text
        for name in self.facts:
            self.query_one(f"#in-{name}", Input).value = self._fact_text(name, row.facts.get(name))

    def _fact_text(self, name: str, value: str | None) -> str:
        fact = self.app.catalogs.facts[name]
        if value is None:
            return ""
        if fact.type == "bool":
            return tr("yes" if value == "1" else "no")
        return display_fact(self.app.catalogs, name, value, lang())

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
        fields, facts, errors = self._parse()
        if errors:
            self._message(tr("roster.form.fix_errors", n=errors))
            return
        app = self.app
        try:
            if self.person_id is None:
                pid = app.write_here(lambda: save_person(app.db, app.catalogs, app.ctx, None, fields, facts,
                                                         source="tui"))
            else:
                if self.loaded is None:
                    return
                loaded = self.loaded
                pid = app.write_here(lambda: save_person(app.db, app.catalogs, app.ctx, self.person_id, fields, facts,
                                                         expected_version=loaded.version,
                                                         expected_roster_version=loaded.roster_version, source="tui"))
        except StaleEdit as e:
            self._message(f"{e} — {tr('roster.form.reloaded')}")
            self.notify(str(e), severity="warning")
            self._load()
            return
        except InputError as e:  # the code is taken: shown on the code field
            self._error("code", str(e))
            self._message(str(e))
            return
        except (HoctapError, DatabaseError) as e:
            self._message(str(e))
            self.notify(str(e), severity="error")
            return
        self.dismiss(pid)

    def action_cancel(self) -> None:
        self.dismiss(None)
