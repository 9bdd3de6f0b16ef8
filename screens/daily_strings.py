"""Screen words added for daily use (issue 14): score checks, hidden selections, moving between
failing entries and columns, asking before undo, switching language."""

from __future__ import annotations

from hoctap.models.i18n import Strings

DAILY = Strings("daily", {
    "lc.out_of_range": ("ô {cells}: điểm phải từ {low} đến {high}", "cell {cells}: a score must be {low} to {high}"),
    "log.undo_ask": ("Hoàn tác lô #{batch} ({when}): {what}?", "Undo batch #{batch} ({when}): {what}?"),
})
