"""CSV cells that a spreadsheet never runs as a formula, read back exactly (OWASP "CSV injection").

The rule, shared by the roster export and the importer:

- export: a text cell beginning with ``=`` ``+`` ``-`` ``@``, a tab, a carriage return **or an
  apostrophe** gets one ``'`` in front (Excel and LibreOffice then show it as text);
- import (CSV only): a cell beginning with ``'`` loses exactly one ``'``.

Escaping the apostrophe too is what makes the round trip lossless: ``'abc`` is written
``''abc`` and read back as ``'abc``; ``=1+1`` is written ``'=1+1`` and read back as ``=1+1``.
Numbers are written as numbers (``-3`` is not text and not a formula).
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value):
    """A value as it goes into a CSV cell."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, QUOTE)):
        return QUOTE + value
    return value


def restore(value: str) -> str:
    """A CSV cell as the exporter's value: the one quote it may have added removed."""
    return value[1:] if value.startswith(QUOTE) else value

