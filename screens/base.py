"""What every hoctap screen shares: the app as screens know it (``Workstation``), translated key
labels, and worker failures shown as notifications."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from hoctap.models.config import crash_log
from hoctap.models.errors import USER_ERRORS
from hoctap.models.i18n import tr
from hoctap.screens.commands import localize_bindings

if TYPE_CHECKING:
    from hoctap.models.catalog import Catalogs
    from hoctap.models.config import Config
    from hoctap.models.db import Database
    from hoctap.models.roster import Opening, RosterQuery
    from hoctap.models.units import Context


class Workstation(App):
    """The app as the screens use it: its data, the batches written in this session, and the ways
    between screens. ``tui.app.HoctapApp`` is the one; screens never import it (it imports them)."""

    db: Database
    catalogs: Catalogs
    config: Config
    ctx: Context | None
    made_here: list[int]  # audit batches written in this session: what roster `U` undoes
    # how often the dashboard asks the database whether anyone changed the assessment (None: never
    # by itself; tests call the dashboard's poll() when they mean it)
    poll_seconds: float | None = 2.0
    # where exports are saved in a terminal (None: the user's downloads folder)
    download_dir: Path | None = None
    open_context: Callable[[Context], None]  # make it the current assessment, show its dashboard

    # the opening of a roster query, read ahead while the dashboard was open; taken once
    roster_ahead: tuple[RosterQuery, Opening] | None = None

    def open_roster(self, query: RosterQuery | None = None) -> None:
        from hoctap.screens.roster import RosterScreen

        ahead = None
        if self.roster_ahead is not None and self.roster_ahead[0] == query:
            ahead, self.roster_ahead = self.roster_ahead[1], None
        self.push_screen(RosterScreen(query, ahead))

    def open_export(self, what: str, level: int) -> None:
        """Export the dossier workbook (``what="report"``) or the roster."""
        from hoctap.screens.export import ExportForm

        self.push_screen(ExportForm(what, level))

    def open_import(self) -> None:
        from hoctap.screens.importer import ImportForm

        self.push_screen(ImportForm())

    def open_log(self) -> None:
        from hoctap.screens.log import LogScreen

        self.push_screen(LogScreen())

    def remember(self, batch: int | None) -> None:
        """Record a batch this session wrote (every core write returns its batch; None when
        nothing changed)."""
        if batch is not None:
            self.made_here.append(batch)

    def show_error(self, error: BaseException) -> None:
        """A user-facing error as a notification; anything else is a bug, logged to disk."""
        if isinstance(error, USER_ERRORS):
            self.notify(str(error), severity="error", timeout=8)
            return
        path = crash_log(error)
        self.notify(tr("err.internal", name=type(error).__name__, path=path), severity="error", timeout=12)


class WorkerErrors:
    """Workers run with exit_on_error=False: their errors end up here, never as a traceback."""

    app: Workstation

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.show_error(event.worker.error)
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker) -> None:
        """Hook: a screen puts itself back in a usable state after a failed worker."""


class Localized:
    """Binding labels (i18n keys in BINDINGS) in the user's language, per instance."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self)


class BaseScreen(WorkerErrors, Localized, Screen):
    pass


class BaseModal(WorkerErrors, Localized, ModalScreen):
    pass
