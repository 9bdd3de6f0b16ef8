"""Threshold meters as table cells: a bar, the numbers and the verdict, coloured by theme."""

from __future__ import annotations

from rich.text import Text

from hoctap.models.catalog import Catalogs
from hoctap.models.evaluate import EntryResult
from hoctap.models.i18n import lang, tr
from hoctap.models.present import MARK, percent_text, shortfall_text, threshold_text, value_text

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


def verdict(status: str, colours: dict[str, str], narrow: bool = False) -> Text:
    """✓ Met, ✗ Not met, …; ``narrow``: the mark alone."""
    return Text(MARK[status] if narrow else f"{MARK[status]} {tr(status)}", style=colours[TONE[status]])


def entry_cells(catalogs: Catalogs, r: EntryResult, colours: dict[str, str], narrow: bool = False) -> list:
    """Entry id, value (n/N or the ticked value), percent, threshold, verdict, shortfall, bar, label:
    the numbers first, so that an 80-column terminal shows every one of them. ``narrow``: no bar
    and the verdict as its mark alone."""
    e = r.entry
    ident = e.id + ("*" if not e.confirmed else "")
    if e.kind == "share":
        value = f"{r.numerator}/{r.denominator}" if r.applicable else ""
        percent = percent_text(r.percent) if r.applicable and r.denominator else ""
        threshold = f"≥ {threshold_text(e)}"
    else:
        value = clip(value_text(catalogs, r), 8) if r.applicable else ""
        percent = threshold = ""  # an ordered value's minimum is in the detail line
    short = Text(shortfall_text(r), style=colours[TONE["not_met"]])
    cells = [Text(ident), Text(value, justify="right"), Text(percent, justify="right"),
             Text(threshold), verdict(r.status, colours, narrow), short, bar(r, colours), Text(e.label(lang()))]
    return [c for i, c in enumerate(cells) if not (narrow and i == 6)]
