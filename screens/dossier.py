"""The dossier screen: what the dossier still lacks (the completeness check and the deadline),
the evaluation team, the dossier details and the narrative per criterion and section.

Every read and write runs in a worker; a write posts ``Saved`` and the screen reloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Label, Static, TextArea

from hoctap.models import dossier as d
from hoctap.models.audit import Written
from hoctap.models.dossier_check import DossierCheck, check_dossier
from hoctap.models.files import safe_name
from hoctap.models.i18n import lang, tr
from hoctap.models.tables import DossierInfo, Narrative, TeamMember
from hoctap.models.units import catalog_for
from hoctap.screens.base import BaseModal, BaseScreen
from hoctap.screens.messages import DataChanged


@dataclass(frozen=True)
class DossierData:
    check: DossierCheck
    team: list[TeamMember]
    info: DossierInfo
    criteria: list[tuple[str, str]]  # (id, label)
    narrative: dict[tuple[str, str], Narrative]


class Loaded(Message):
    def __init__(self, data: DossierData) -> None:
        super().__init__()
        self.data = data


class ExportStep(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total


class Exported(Message):
    def __init__(self, folder: Path, n: int) -> None:
        super().__init__()
        self.folder, self.n = folder, n


class Saved(Message):
    def __init__(self, written: Written, text: str | None = None) -> None:
        super().__init__()
        self.written, self.text = written, text


class DossierScreen(BaseScreen):
    BINDINGS = [
        Binding("a", "team_add", "dossier.key.team_add", id="dossier.team_add"),
        Binding("e", "team_edit", "dossier.key.team_edit", id="dossier.team_edit"),
        Binding("delete", "team_remove", "dossier.key.team_remove", id="dossier.team_remove", show=False),
        Binding("i", "info", "dossier.key.info", id="dossier.info"),
        Binding("w", "write", "dossier.key.write", id="dossier.write"),
        Binding("v", "evidence_add", "dossier.key.evidence_add", id="dossier.evidence_add"),
        Binding("m", "convert", "dossier.key.convert", id="dossier.convert", show=False),
        Binding("x", "export", "dossier.key.export", id="dossier.export"),
        Binding("q,escape", "back", "key.back", id="dossier.back"),
    ]

    def __init__(self, level: int | None = None) -> None:
        super().__init__()
        self.level = level
        self.data: DossierData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dossier-body"):
            yield Static(id="dossier-check", markup=False)
            yield Static(id="dossier-exported", markup=False)
            yield Static(tr("dossier.team_title"), classes="form-section")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="dossier-team")
            yield Static(tr("dossier.narrative_title"), classes="form-section")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="dossier-narrative")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        ctx = self.app.ctx
        self.title = tr("screen.dossier")
        self.sub_title = f"{ctx.unit.code} · {ctx.assessment.year}"
        team = self.query_one("#dossier-team", DataTable)
        for key, label in (("no", "report.col_no"), ("name", "field.full_name"), ("position", "field.position"),
                           ("role", "col.role")):
            team.add_column(tr(label), key=key)
        narrative = self.query_one("#dossier-narrative", DataTable)
        for key, label in (("criterion", "col.criterion"), ("section", "col.section"),
                           ("text", "col.content")):
            narrative.add_column(tr(label), key=key)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dossier")
    def load(self) -> None:
        db, catalogs, ctx = self.app.db, self.app.catalogs, self.app.ctx
        catalog = catalog_for(catalogs, ctx.unit, ctx.level_or(self.level))
        self.post_message(Loaded(DossierData(
            check_dossier(db, catalogs, ctx, self.level), d.list_team(db, ctx), d.get_info(db, ctx),
            [(c.id, c.label(lang())) for c in catalog.criteria], d.get_narrative(db, ctx))))

    def data_changed(self) -> None:
        self.load()

    def action_export(self) -> None:
        self.export_set(lang())

    @work(thread=True, exclusive=True, exit_on_error=False, group="dossier-export")
    def export_set(self, language: str) -> None:
        """The four documents and the workbook into a new folder of the downloads folder (a new
        one each time: an earlier set is never overwritten)."""
        from platformdirs import user_downloads_path

        from hoctap.models.dossier_export import export_dossier

        ctx = self.app.ctx
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = Path(self.app.download_dir or user_downloads_path())
        name = safe_name(tr("dossier.export_folder", code=ctx.unit.code, year=ctx.assessment.year, stamp=stamp))
        folder, n = base / name, 1
        while folder.exists():  # two exports in one second
            n += 1
            folder = base / f"{name}-{n}"
        paths = export_dossier(self.app.db, self.app.catalogs, ctx, folder, level=self.level, lang=language,
                               progress=lambda done, total: self.post_message(ExportStep(done, total)))
        self.post_message(Exported(folder, len(paths)))

    @on(ExportStep)
    def _export_step(self, message: ExportStep) -> None:
        self.query_one("#dossier-exported", Static).update(
            tr("dossier.exporting", done=message.done, total=message.total))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        # stays on the screen (a notice would vanish): the folder is what the user looks for next
        self.query_one("#dossier-exported", Static).update(
            Text(tr("dossier.exported", n=message.n, path=message.folder), style="bold"))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.data = data = message.data
        check = data.check
        lines = [tr("check.complete") if check.complete else tr("check.incomplete", n=len(check.items)),
                 check.deadline_text(), *(f"• {m.text}" for m in check.items)]
        status = self.query_one("#dossier-check", Static)
        status.update(Text("\n".join(lines), style="green" if check.complete else ""))
        team = self.query_one("#dossier-team", DataTable)
        row = team.cursor_row
        team.clear()
        for n, m in enumerate(data.team, 1):
            team.add_row(str(n), m.full_name, m.position, d.role_label(m.role), key=str(n))
        if not data.team:
            team.add_row("", tr("dossier.no_team"), "", "", key="none")
        team.move_cursor(row=min(row, team.row_count - 1), scroll=False)
        narrative = self.query_one("#dossier-narrative", DataTable)
        row = narrative.cursor_row
        narrative.clear()
        for crit, _label in data.criteria:
            for section in d.SECTIONS:
                written = data.narrative.get((crit, section))
                text = " ".join(written.text.split()) if written else ""
                narrative.add_row(crit, d.section_label(section), text[:60] + ("…" if len(text) > 60 else ""),
                                  key=f"{crit}/{section}")
        narrative.move_cursor(row=min(row, narrative.row_count - 1), scroll=False)

    # ---- the team ------------------------------------------------------------------------------

    def _member(self) -> tuple[int, TeamMember] | None:
        if not self.data or not self.data.team:
            return None
        n = self.query_one("#dossier-team", DataTable).cursor_row + 1
        return n, self.data.team[n - 1]

    def _member_fields(self, m: TeamMember | None) -> list[tuple[str, str, str]]:
        return [("full_name", tr("field.full_name"), m.full_name if m else ""),
                ("position", tr("field.position"), m.position if m else ""),
                ("role", tr("col.role"), d.role_label(m.role if m else "member"))]

    def action_team_add(self) -> None:
        def done(values: dict | None) -> None:
            if values is not None:
                self.save(d.add_member, self.app.ctx, values["full_name"], values["position"], values["role"],
                          source="tui")

        self.app.push_screen(FieldsForm(tr("dossier.member_form"), self._member_fields(None)), done)

    def action_team_edit(self) -> None:
        picked = self._member()
        if picked is None:
            return
        n, m = picked

        def done(values: dict | None) -> None:
            if values is not None:
                self.save(d.edit_member, self.app.ctx, n, **values, expected_version=m.version, source="tui")

        self.app.push_screen(FieldsForm(tr("dossier.member_form"), self._member_fields(m)), done)

    def action_team_remove(self) -> None:
        picked = self._member()
        if picked is not None:
            n, m = picked
            self.save(d.remove_member, self.app.ctx, n, expected_version=m.version, source="tui")

    # ---- details, narrative, evidence ----------------------------------------------------------

    def action_info(self) -> None:
        if self.data is None:
            return
        info = self.data.info
        fields = [(name, d.info_label(name), d.iso(getattr(info, name)) or "") for name in d.INFO_FIELDS]

        def done(values: dict | None) -> None:
            if values is not None:
                self.save(d.set_info, self.app.ctx, values, expected_version=info.version or None, source="tui")

        self.app.push_screen(FieldsForm(tr("dossier.key.info"), fields, changed_only=True), done)

    @on(DataTable.RowSelected, "#dossier-narrative")
    def action_write(self) -> None:
        table = self.query_one("#dossier-narrative", DataTable)
        if self.data is None or not table.row_count:
            return
        crit, section = table.ordered_rows[table.cursor_row].key.value.split("/")
        row = self.data.narrative.get((crit, section))

        def done(text: str | None) -> None:
            if text is not None:
                self.save(d.set_narrative, self.app.catalogs, self.app.ctx, crit, section, text,
                          level=self.level, expected_version=row.version if row else 0, source="tui")

        title = tr("dossier.text_form", criterion=crit, section=d.section_label(section))
        self.app.push_screen(TextForm(title, row.text if row else ""), done)

    def action_evidence_add(self) -> None:
        fields = [("title", tr("evidence.title"), ""), ("entries", tr("evidence.entries"), ""),
                  ("number", tr("evidence.number"), ""), ("issued_on", tr("evidence.issued_on"), ""),
                  ("issuer", tr("evidence.issuer"), "")]

        def done(values: dict | None) -> None:
            if values is not None:
                entries = values.pop("entries").replace(";", ",").split(",")
                self.save(d.add_evidence, self.app.catalogs, self.app.ctx, values.pop("title"), entries=entries,
                          level=self.level, scheme=self.app.config.evidence_code, source="tui", **values)

        self.app.push_screen(FieldsForm(tr("dossier.evidence_form"), fields), done)

    def action_convert(self) -> None:
        self.save(d.convert_free_text, self.app.catalogs, self.app.ctx, level=self.level, source="tui",
                  text="dossier.converted")

    @work(thread=True, exit_on_error=False, group="dossier-save")
    def save(self, write, *args, text: str | None = None, **kwargs) -> None:
        self.post_message(Saved(write(self.app.db, *args, **kwargs), text))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        w = message.written
        if w.batch is None:
            self.notify(tr("dossier.unchanged"))
            return
        self.notify(tr(message.text, n=w.n) if message.text else tr("dossier.saved", batch=w.batch))
        self.app.post_message(DataChanged(w.batch))

    def action_back(self) -> None:
        self.app.pop_screen()


class FieldsForm(BaseModal):
    """One line of text per field; ctrl+s returns {name: text} (only the changed ones when
    ``changed_only``: a form of many fields must not overwrite another user's edit of the others),
    escape None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="dossier.form.save"),
        Binding("escape", "cancel", "roster.key.cancel", id="dossier.form.cancel"),
    ]

    def __init__(self, title: str, fields: list[tuple[str, str, str]], *, changed_only: bool = False) -> None:
        super().__init__()
        self.form_title, self.fields, self.changed_only = title, fields, changed_only

    def compose(self) -> ComposeResult:
        with Vertical(classes="dossier-modal"):
            yield Static(self.form_title, classes="form-section", markup=False)
            for name, label, value in self.fields:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label", markup=False)
                    yield Input(value, id=f"f-{name}")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_save(self) -> None:
        old = {name: value for name, _label, value in self.fields}
        new = {name: self.query_one(f"#f-{name}", Input).value for name in old}
        self.dismiss({k: v for k, v in new.items() if v != old[k]} if self.changed_only else new)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextForm(BaseModal):
    """A text of several lines; ctrl+s returns it, escape None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "key.save", id="dossier.text.save"),
        Binding("escape", "cancel", "roster.key.cancel", id="dossier.text.cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.form_title, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dossier-modal"):
            yield Static(self.form_title, classes="form-section", markup=False)
            yield TextArea(self.text, id="dossier-text")

    def action_save(self) -> None:
        self.dismiss(self.query_one("#dossier-text", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
