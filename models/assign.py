"""``NAME=VALUE`` text, as typed on the command line (``set``, ``check``, ``--where``): the
one parser of it. The value may be blank ("no value") and may itself contain "="."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from hoctap.models.fields import InputError
from hoctap.models.i18n import tr


@dataclass(frozen=True)
class Assignment:
    name: str  # stripped, as typed (not yet matched to a field)
    value: str  # as typed: the field's parser strips and checks it
    negated: bool = False  # NAME!=VALUE


def parse_assignment(text: str, *, negatable: bool = False) -> Assignment:
    """Split at the first "="; with ``negatable``, "!=" there means "is not"."""
    name, sep, value = text.partition("=")
    negated = negatable and name.endswith("!")
    name = (name[:-1] if negated else name).strip()
    if not sep or not name:
        raise InputError(tr("err.bad_assignment", text=text))
    return Assignment(name, value, negated)


def parse_assignments(items: Iterable[str], *, negatable: bool = False) -> list[Assignment]:
    return [parse_assignment(item, negatable=negatable) for item in items]
