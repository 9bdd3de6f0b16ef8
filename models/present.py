"""Text renderings of results shared by the CLI, the TUI and the report."""

from __future__ import annotations

import math
from fractions import Fraction

from hoctap.models.catalog import Catalogs
from hoctap.models.evaluate import EntryResult
from hoctap.models.fields import display_entry_value
from hoctap.models.i18n import lang, tr

MARK = {"met": "✓", "not_met": "✗", "not_applicable": "–", "no_data": "?"}


def percent_text(value: Fraction | None, language: str | None = None) -> str:
    """One decimal, truncated: 89.95% shows as 89.9%, never as a 90.0% that is not met."""
    if value is None:
        return "—"
    tenths = math.floor(value * 10)
    return f"{tenths // 10}.{tenths % 10}%" if (language or lang()) == "en" else f"{tenths // 10},{tenths % 10}%"


def threshold_text(entry, language: str | None = None) -> str:
    """A share entry's threshold, "90%" or "92,5%" (in ``language``, else the process's)."""
    t = entry.threshold_percent
    text = str(int(t)) if float(t).is_integer() else str(t)
    return f"{text if (language or lang()) == 'en' else text.replace('.', ',')}%"


def value_text(catalogs: Catalogs, r: EntryResult) -> str:
    return display_entry_value(catalogs, r.entry, r.value, lang(), blank="—")


def meter_text(catalogs: Catalogs, r: EntryResult, *, compact: bool = False) -> str:
    """"172/190 = 90.5% ≥ 90% ✓" style, without the id. ``compact`` (one-line tables) leaves
    out the minimum of an ordered value, which the entry's label already says."""
    if not r.applicable:
        return tr("not_applicable")
    if r.entry.kind == "unit":
        if compact:
            # the mark must survive a narrow column: cut the value's label, not the line
            text = tr("no_data") if r.value is None else value_text(catalogs, r)
            return f"{text if len(text) <= 20 else text[:19] + '…'} {MARK[r.status]}"
        need = ""
        if r.entry.value != "bool":
            need = f" (≥ {display_entry_value(catalogs, r.entry, r.entry.at_least, lang())})"
        return f"{value_text(catalogs, r)}{need} {MARK[r.status]}"
    if r.status == "no_data":
        return f"0/0 — {tr('no_data')}"
    op = "≥" if r.status == "met" else "<"
    return f"{r.numerator}/{r.denominator} = {percent_text(r.percent)} {op} {threshold_text(r.entry)} {MARK[r.status]}"


def shortfall_text(r: EntryResult) -> str:
    return tr("needs_more", n=r.shortfall) if r.applicable and r.shortfall else ""
