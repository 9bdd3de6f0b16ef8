"""Messages shared by screens (posted by workers or screens, handled by the app/screens)."""

from __future__ import annotations

from textual.message import Message


class DataChanged(Message):
    """The current assessment's data changed (here or by another user): meters must refresh."""

    def __init__(self, batch_id: int | None = None) -> None:
        super().__init__()
        self.batch_id = batch_id


class Progress(Message):
    """A long job's progress (people read or written); a newer one replaces one not yet shown."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done, self.total = done, total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Progress)
