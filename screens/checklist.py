"""The unit checklist: each unit-level entry's value, evidence and documents, saved as you go.

A value is saved when it changes; evidence and documents when you press Enter or leave the
field. Every save carries the version the screen loaded, so an entry changed meanwhile by
someone else is reported (and reloaded), never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Footer, Header, Input, Select, Static

from hoctap.models.catalog import Entry
from hoctap.models.evaluate import applicable
from hoctap.models.i18n import lang, tr
from hoctap.models.checklist import check_entries
from hoctap.models.errors import StaleEdit
from hoctap.models.meters import unit_entry_rows
from hoctap.models.units import catalog_for
from hoctap.screens.base import BaseScreen, Localized
from hoctap.screens.messages import DataChanged


@dataclass(frozen=True)
class Stored:
    value: str | None = None
    evidence: str = ""
    documents: str = ""
    version: int = 0


def dom_id(entry_id: str) -> str:
    return "e-" + entry_id.replace(".", "_")


class YesNo(Localized, Static, can_focus=True):
    """A yes/no value: space flips it (an entry never ticked shows as not set)."""

    BINDINGS = [Binding("space", "toggle", "key.toggle", id="checklist.toggle")]
    value: reactive[str | None] = reactive(None)

    class Changed(Message):
        def __init__(self, widget: "YesNo") -> None:
            super().__init__()
            self.widget = widget

    def render(self) -> str:
        if self.value is None:
            return f"[ ] {tr('check.unset')}"
        return f"[✓] {tr('yes')}" if self.value == "1" else f"[✗] {tr('no')}"

    def action_toggle(self) -> None:
        self.value = "0" if self.value == "1" else "1"
        self.post_message(self.Changed(self))


class Loaded(Message):
    def __init__(self, rows: dict[str, Stored], focus: str | None, force: bool) -> None:
        super().__init__()
        self.rows, self.focus, self.force = rows, focus, force


class EvidenceRegistered(Message):
    def __init__(self, batch: int | None, entry_id: str, codes: list[str]) -> None:
        super().__init__()
        self.batch, self.entry_id, self.codes = batch, entry_id, codes


class Refused(Message):
    """Someone else changed the entry since it was loaded: nothing was written."""

    def __init__(self, error: StaleEdit) -> None:
        super().__init__()
        self.error = error


class ChecklistScreen(BaseScreen):
    AUTO_FOCUS = ".value"
    BINDINGS = [
        Binding("q,escape", "back", "key.back", id="checklist.back"),
        Binding("ctrl+r", "reload", "key.refresh", id="checklist.reload"),
        # priority: a closed Select would take ↑/↓ to open its list (check_action lets an
        # open list keep them)
        Binding("down", "entry(1)", "check.key.down", id="checklist.next", show=False, priority=True),
        Binding("up", "entry(-1)", "check.key.up", id="checklist.previous", show=False, priority=True),
        Binding("tab", "app.focus_next", "check.key.tab", id="checklist.tab", show=False),
        Binding("enter", "save_field", "check.key.enter", id="checklist.enter", show=False),
        Binding("ctrl+n", "register_evidence", "check.key.register", id="checklist.register", show=False),
    ]

    def __init__(self, level: int, focus_entry: str | None = None) -> None:
        super().__init__()
        self.level = level
        self.focus_entry = focus_entry
        self.rows: dict[str, Stored] = {}
        self.entries: list[Entry] = []

    def compose(self) -> ComposeResult:
        app = self.app
        ctx = app.ctx
        catalog = catalog_for(app.catalogs, ctx.unit, self.level)
        education = app.catalogs.education_types()
        yield Header()
        yield Static(tr("check.title", level=self.level), id="check-title")
        with VerticalScroll(id="checklist"):
            for crit in catalog.criteria:
                for e in crit.entries:
                    if e.kind != "unit":
                        continue
                    self.entries.append(e)
                    usable = applicable(e, set(ctx.types), education)
                    with Vertical(id=dom_id(e.id), classes="entry" if usable else "entry -not-applicable"):
                        yield Static(self._heading(e, usable), classes="entry-label")
                        with Horizontal(classes="entry-fields"):
                            if e.value == "bool":
                                yield YesNo(classes="value", disabled=not usable)
                            else:
                                scale = app.catalogs.scales[e.value]
                                yield Select([(v.label(lang()), v.id) for v in scale], prompt=tr("check.unset"),
                                             classes="value", compact=True, disabled=not usable)
                            with Vertical(classes="entry-texts"):  # a whole line each: they hold sentences
                                yield Input(placeholder=tr("evidence"), classes="evidence", compact=True,
                                            disabled=not usable)
                                yield Input(placeholder=tr("check.documents"), classes="documents", compact=True,
                                            disabled=not usable)
        yield Footer(show_command_palette=False)

    def _heading(self, e: Entry, usable: bool) -> str:
        need = ""
        if e.value != "bool":
            need = f" ({tr('check.need', value=self.app.catalogs.scale_label(e.value, e.at_least, lang()))})"
        marks = "" if e.confirmed else f" [dim]{tr('unconfirmed_mark')}[/]"
        if not usable:
            marks += f" [b]— {tr('not_applicable')}[/]"
        return f"[b]{e.id}[/] {escape(e.label(lang()) + need)}{marks}"

    def on_mount(self) -> None:
        self.title = tr("screen.checklist")
        self.sub_title = f"{self.app.ctx.unit.code} · {self.app.ctx.assessment.year}"
        self.load(self.focus_entry)

    # ---- loading -------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self, focus: str | None = None, force: bool = False) -> None:
        """Stored values; ``force`` also replaces what the user typed but did not save."""
        rows = {k: Stored(r.value, r.evidence or "", r.documents or "", r.version)
                for k, r in unit_entry_rows(self.app.db, self.app.ctx).items()}
        self.post_message(Loaded(rows, focus, force))

    def data_changed(self) -> None:
        self.load()

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        """Show stored values, except in fields the user is editing and has not saved yet."""
        old, self.rows = self.rows, message.rows
        force = message.force or not old
        for e in self.entries:
            new = self.rows.get(e.id, Stored())
            before = old.get(e.id, Stored())
            box = self.query_one(f"#{dom_id(e.id)}")
            value = box.query_one(".value")
            if force or self._widget_value(value) == before.value:
                self._set_value(value, new.value)
            for name in ("evidence", "documents"):
                field = box.query_one(f".{name}", Input)
                if force or field.value == getattr(before, name):
                    field.value = getattr(new, name)
        if message.focus:
            box = self.query_one(f"#{dom_id(message.focus)}")
            box.query_one(".value").focus()
            box.scroll_visible(top=True, animate=False)

    @staticmethod
    def _widget_value(widget) -> str | None:
        if isinstance(widget, YesNo):
            return widget.value
        return None if widget.value == Select.NULL else widget.value

    @staticmethod
    def _set_value(widget, value: str | None) -> None:
        if isinstance(widget, YesNo):
            widget.value = value
        else:
            with widget.prevent(Select.Changed):
                widget.value = Select.NULL if value is None else value

    # ---- saving --------------------------------------------------------------------------------

    def _entry_of(self, widget) -> str:
        box = next(a for a in widget.ancestors if "entry" in a.classes)
        return next(e.id for e in self.entries if dom_id(e.id) == box.id)

    def _save_from(self, widget) -> None:
        entry_id = self._entry_of(widget)
        box = self.query_one(f"#{dom_id(entry_id)}")
        value = self._widget_value(box.query_one(".value"))
        evidence = box.query_one(".evidence", Input).value
        documents = box.query_one(".documents", Input).value
        stored = self.rows.get(entry_id, Stored())
        if (value, evidence, documents) != (stored.value, stored.evidence, stored.documents):
            self.save(entry_id, value, evidence, documents, stored.version)
            # what the database will hold: a second edit (or leaving the field after Enter)
            # must not be taken for someone else's change
            self.rows[entry_id] = Stored(value, evidence, documents, stored.version + 1)

    @on(YesNo.Changed)
    def _yes_no(self, event: YesNo.Changed) -> None:
        self._save_from(event.widget)

    @on(Select.Changed, ".value")
    def _select(self, event: Select.Changed) -> None:
        self._save_from(event.select)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self._save_from(event.input)

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        if self.is_attached and event.input.is_attached:
            self._save_from(event.input)

    # not exclusive: a save must never cancel another entry's save still on its way
    @work(thread=True, exit_on_error=False, group="save")
    def save(self, entry_id: str, value: str | None, evidence: str, documents: str, version: int) -> None:
        app = self.app
        try:
            written = check_entries(app.db, app.catalogs, app.ctx, {entry_id: value or ""}, evidence, documents,
                                    level=self.level, expected_versions={entry_id: version}, source="tui")
        except StaleEdit as e:
            self.post_message(Refused(e))
            return
        # to the app, not this screen: q right after a change closes it before the save is back
        app.remember(written.batch)
        app.notify(tr("check.saved", entry=entry_id), timeout=2)
        app.post_message(DataChanged())

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.app.show_error(message.error)
        self.load(force=True)

    # ---- actions -------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load(force=True)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "entry":
            focused = self.focused
            return not any(isinstance(n, Select) and n.expanded for n in (focused, *(focused.ancestors if focused else ())))
        return True

    def action_entry(self, step: int) -> None:
        """Focus the value of the next (step 1) or previous usable entry, from wherever the focus
        is in the current one."""
        usable = [e for e in self.entries if not self.query_one(f"#{dom_id(e.id)}").has_class("-not-applicable")]
        if not usable:
            return
        focused = self.focused
        ids = [e.id for e in usable]
        here = self._entry_of(focused) if focused is not None and focused.id != "checklist" \
            and any("entry" in a.classes for a in focused.ancestors) else None
        index = 0 if here not in ids else max(0, min(len(ids) - 1, ids.index(here) + step))
        box = self.query_one(f"#{dom_id(ids[index])}")
        box.query_one(".value").focus()
        box.scroll_visible(animate=False)

    def action_register_evidence(self) -> None:
        """A piece of the evidence register (danh mục minh chứng) citing the current entry."""
        from hoctap.screens.dossier import FieldsForm

        focused = self.focused
        if focused is None or not any("entry" in a.classes for a in focused.ancestors):
            return
        entry_id = self._entry_of(focused)
        fields = [("title", tr("evidence.title"), ""), ("entries", tr("evidence.entries"), entry_id),
                  ("number", tr("evidence.number"), ""), ("issued_on", tr("evidence.issued_on"), ""),
                  ("issuer", tr("evidence.issuer"), "")]

        def done(values: dict | None) -> None:
            if values is not None:
                self.register(entry_id, values)

        self.app.push_screen(FieldsForm(tr("dossier.evidence_form"), fields), done)

    @work(thread=True, exit_on_error=False, group="checklist-evidence")
    def register(self, entry_id: str, values: dict) -> None:
        from hoctap.models import dossier as d

        entries = values.pop("entries").replace(";", ",").split(",")
        written = d.add_evidence(self.app.db, self.app.catalogs, self.app.ctx, values.pop("title"), entries=entries,
                                 level=self.level, scheme=self.app.config.evidence_code, source="tui", **values)
        codes = d.evidence_by_entry(self.app.db, self.app.ctx).get(entry_id, [])
        self.post_message(EvidenceRegistered(written.batch, entry_id, codes))

    @on(EvidenceRegistered)
    def _registered(self, message: EvidenceRegistered) -> None:
        if message.batch is not None:
            self.notify(tr("check.registered", entry=message.entry_id, codes=", ".join(message.codes)))
            self.app.post_message(DataChanged(message.batch))

    def action_save_field(self) -> None:
        if isinstance(self.focused, Input):
            self._save_from(self.focused)

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, Input):
            self._save_from(focused)
        self.app.pop_screen()
