"""Threshold meters as table cells: a bar, the numbers and the verdict, coloured by theme."""

from __future__ import annotations

from rich.text import Text

from models.catalog import Catalogs
from models.evaluate import EntryResult
from models.i18n import lang, tr
from models.present import MARK, percent_text, shortfall_text, threshold_text, value_text

BAR_WIDTH = 10
# theme colour per verdict (resolved against the running theme, so ansi themes stay ansi)
TONE = {"met": "success", "not_met": "error", "no_data": "warning", "not_applicable": "muted"}


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def bar(r: EntryResult, colours: dict[str, str]) -> Text:
    if r.entry.kind != "share" or not r.applicable or not r.denominator:
        return Text("")
    filled = min(BAR_WIDTH, r.numerator * BAR_WIDTH // r.denominator)
    out = Text("█" * filled, style=colours[TONE[r.status]])
    out.append("░" * (BAR_WIDTH - filled), style=colours["muted"])
    return out


def verdict(status: str, colours: dict[str, str]) -> Text:
    return Text(f"{MARK[status]} {tr(status)}", style=colours[TONE[status]])


def entry_cells(catalogs: Catalogs, r: EntryResult, colours: dict[str, str]) -> list:
    """Entry id, bar, value (n/N or the ticked value), percent, threshold, verdict, shortfall, label."""
    e = r.entry
    ident = e.id + ("*" if not e.confirmed else "")
    if e.kind == "share":
        value = f"{r.numerator}/{r.denominator}" if r.applicable else ""
        percent = percent_text(r.percent) if r.applicable and r.denominator else ""
        threshold = f"≥ {threshold_text(e)}"
    else:
        value = clip(value_text(catalogs, r), 14) if r.applicable else ""
        percent = ""
        threshold = f"≥ {clip(catalogs.scale_label(e.value, e.at_least, lang()), 10)}" if e.value != "bool" else ""
    short = Text(shortfall_text(r), style=colours[TONE["not_met"]])
    return [Text(ident), bar(r, colours), Text(value, justify="right"), Text(percent, justify="right"),
            Text(threshold), verdict(r.status, colours), short, Text(e.label(lang()))]
