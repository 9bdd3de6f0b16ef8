"""What every hoctap screen shares: a typed app, translated key labels, and worker failures
shown as notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from hoctap.screens.commands import localize_bindings

if TYPE_CHECKING:
    from hoctap.tui.app import HoctapApp


class WorkerErrors:
    """Workers run with exit_on_error=False: their errors end up here, never as a traceback."""

    app: "HoctapApp"

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
