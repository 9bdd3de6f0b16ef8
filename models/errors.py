"""The errors a user can cause. Their messages are already translated: a face shows them as
they are; any other exception is a bug (logged, never shown raw).

Every class lives here, and this module imports nothing, so that a face can catch
``USER_ERRORS`` without loading the catalogs' validation or the database drivers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class HoctapError(Exception):
    """A user-facing failure (bad reference, conflict); the message is already translated."""


class StaleEdit(HoctapError):
    pass


class UndoConflict(HoctapError):
    pass


class InputError(ValueError):
    """A value typed or imported by a user is not acceptable; the message says why."""


class DatabaseError(Exception):
    """The database cannot be used; the message says why, without personal data."""


class CatalogError(Exception):
    """A catalog file is wrong; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str, message: str):
        self.path, self.key, self.message = str(path), key, message
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")


# every exception type a user's input or data can cause: what a face reports instead of crashing
USER_ERRORS = (HoctapError, InputError, DatabaseError, CatalogError)
