"""Export from the TUI: the dossier workbook, or the roster as XLSX/CSV.

The file is written in a thread worker (a progress bar follows the people written). Under
``textual serve`` it is written into memory and handed over with ``App.deliver_binary`` (a
download in the browser); in a terminal it is saved in the downloads folder and the app says
where."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from platformdirs import user_downloads_path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, ProgressBar, Select, Static

from hoctap.models.export import export_roster
from hoctap.models.files import inside, os_reason, safe_name
from hoctap.models.i18n import lang, tr
from hoctap.models.errors import HoctapError
from hoctap.models.report import write_report
from hoctap.screens.base import BaseModal
from hoctap.screens.confirm import ConfirmModal
from hoctap.screens.messages import Progress

LANGUAGES = (("Tiếng Việt", "vi"), ("English", "en"))


class Written(Message):
    """The file is complete: saved at ``path`` (a terminal), or in ``data`` for the browser."""

    def __init__(self, name: str, path: Path | None = None, data: BytesIO | None = None) -> None:
        super().__init__()
        self.name, self.path, self.data = name, path, data


class ExportForm(BaseModal):
    """``what`` is "report" (the dossier) or "roster"; dismissed with the file name delivered."""

    BINDINGS = [
        Binding("ctrl+s", "export", "key.export", id="export.run"),
        Binding("escape", "dismiss(None)", "key.close", id="export.close"),
    ]

    def __init__(self, what: str, level: int) -> None:
        super().__init__()
        self.what = what
        self.level = level
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Static(tr(f"export.{self.what}_title"), classes="form-title")
            with Grid(classes="form-grid"):
                if self.what == "report":
                    yield Label(tr("report.level_sought"))
                    yield Select([(tr("year.level_n", n=n), n) for n in (1, 2)], value=self.level,
                                 allow_blank=False, id="export-level", compact=True)
                else:
                    yield Label(tr("export.format"))
                    yield Select([("XLSX", "xlsx"), ("CSV", "csv")], value="xlsx", allow_blank=False,
                                 id="export-format", compact=True)
                yield Label(tr("export.language"))
                yield Select(LANGUAGES, value=lang(), allow_blank=False, id="export-lang", compact=True)
            yield ProgressBar(id="export-progress", show_eta=False)
            with Horizontal(classes="form-buttons"):
                yield Button(tr("export.ok"), id="ok", variant="primary", compact=True)
                yield Button(tr("form.cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False

    def folder(self) -> Path:
        return Path(self.app.download_dir or user_downloads_path())

    @on(Button.Pressed, "#ok")
    def action_export(self) -> None:
        if self.running:
            return
        language = self.query_one("#export-lang", Select).value
        level = self.query_one("#export-level", Select).value if self.what == "report" else None
        fmt = "xlsx" if self.what == "report" else self.query_one("#export-format", Select).value
        target = self.folder() / self.file_name(level, language, fmt)
        if not self.app.is_web and target.exists():  # an earlier export is not lost without asking
            def answered(yes: bool | None) -> None:
                if yes:
                    self.start()
            self.app.push_screen(ConfirmModal(tr("export.overwrite", name=target.name, folder=target.parent)), answered)
            return
        self.start()

    def start(self) -> None:
        self.running = True
        self.query_one("#ok", Button).disabled = True
        self.query_one("#export-progress").display = True
        language = self.query_one("#export-lang", Select).value
        if self.what == "report":
            self.write(self.query_one("#export-level", Select).value, language, "xlsx")
        else:
            self.write(None, language, self.query_one("#export-format", Select).value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def file_name(self, level: int | None, language: str, fmt: str) -> str:
        ctx = self.app.ctx
        name = tr(f"export.{self.what}_file", code=ctx.unit.code, year=ctx.assessment.year, level=level)
        return safe_name(f"{name}-{language}", f".{fmt}")  # the unit code is data (a bundle may bring "../x")

    @work(thread=True, exclusive=True, exit_on_error=False)
    def write(self, level: int | None, language: str, fmt: str) -> None:
        app = self.app
        name = self.file_name(level, language, fmt)

        def progress(done: int, total: int) -> None:
            self.post_message(Progress(done, total))

        def produce(target) -> None:
            if self.what == "report":
                write_report(app.db, app.catalogs, app.ctx, level, target, lang=language, progress=progress)
            else:
                export_roster(app.db, app.catalogs, app.ctx, target, fmt=fmt, lang=language, progress=progress)

        if app.is_web:  # a download in the browser
            out = BytesIO()
            produce(out)
            out.seek(0)
            self.post_message(Written(name, data=out))
            return
        # In a terminal the file goes to the downloads folder, written in place (complete or not at
        # all): Textual 8.2.8's terminal deliver_binary opens its target in text mode and fails.
        folder = self.folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            produce(inside(folder, name))
        except OSError as e:  # a read-only or full disk: a message naming the user's file, not the temporary one
            raise HoctapError(tr("files.write_failed", path=folder / name, reason=os_reason(e))) from None
        self.post_message(Written(name, path=folder / name))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)

    @on(Written)
    def _written(self, message: Written) -> None:
        if message.data is not None:
            self.app.deliver_binary(message.data, save_filename=message.name, name="export")
        else:
            # name and folder on lines of their own: a long path is never cut mid-word
            self.app.notify(tr("export.saved_in", name=message.path.name, folder=message.path.parent), timeout=15)
        self.dismiss(message.name)

    def worker_failed(self, worker) -> None:
        self.running = False
        self.query_one("#ok", Button).disabled = False
        self.query_one("#export-progress").display = False
