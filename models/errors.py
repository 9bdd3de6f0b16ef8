"""The errors a user can cause. Their messages are already translated: a face shows them as
they are; any other exception is a bug (logged, never shown raw)."""

from __future__ import annotations

from hoctap.models.catalog import CatalogError
from hoctap.models.db import DatabaseError
from hoctap.models.fields import InputError


class HoctapError(Exception):
    """A user-facing failure (bad reference, conflict); the message is already translated."""


class StaleEdit(HoctapError):
    pass


class UndoConflict(HoctapError):
    pass


# every exception type a user's input or data can cause: what a face reports instead of crashing
USER_ERRORS = (HoctapError, InputError, DatabaseError, CatalogError)
