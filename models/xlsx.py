"""XlsxWriter helpers shared by the dossier workbook and the roster export: a workbook with
its formats, safe sheet names, range references and formula literals. User text that looks
like a formula is written quote-prefixed, never evaluated."""

from __future__ import annotations

import re
from functools import partial

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from hoctap.models.i18n import tr_in

HOSTILE = ("=", "+", "-", "@")  # a cell starting with these would be read as a formula


def sheet_name(text: str, used: set[str]) -> str:
    """A name Excel accepts: no []:*?/\\, no leading/trailing apostrophe, ≤ 31 chars, unique."""
    name = re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", text).strip().strip("'").strip() or "Sheet"
    name = " ".join(name.split())[:31]
    base, n = name, 2
    while name.casefold() in {u.casefold() for u in used}:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def column_range(sheet: str, col: int, first: int, last: int) -> str:
    quoted = "'" + sheet.replace("'", "''") + "'"
    c = xl_col_to_name(col)
    return f"{quoted}!${c}${first + 1}:${c}${last + 1}"


def criterion_text(text: str) -> str:
    """A COUNTIFS criterion matching exactly this text (wildcards escaped), as a formula literal."""
    escaped = "=" + re.sub(r"([~*?])", r"~\1", text)
    return '"' + escaped.replace('"', '""') + '"'


def literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Book:
    """The workbook and the formats, created once and reused."""

    def __init__(self, target, lang: str, tmpdir: str | None = None):
        # tmpdir: the export's private scratch folder (XlsxWriter's temporary files hold the data)
        self.wb = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False,
                                               "tmpdir": tmpdir})
        self.lang = "en" if lang == "en" else "vi"
        self.t = t = partial(tr_in, self.lang)  # the workbook's language, not the process's
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
        cell = {**base, "border": 1, "text_wrap": True}
        fmt = self.wb.add_format
        self.f = {
            "text": fmt(cell), "center": fmt({**cell, "align": "center"}), "int": fmt({**cell, "num_format": "0"}),
            "pct": fmt({**cell, "num_format": "0.0%"}),
            "bool": fmt({**cell, "align": "center", "num_format": f'"{t("cell.yes")}";"{t("cell.yes")}";"{t("cell.no")}"'}),
            "head": fmt({**cell, "bold": True, "align": "center", "valign": "vcenter", "bg_color": "#D9E1F2"}),
            "crit": fmt({**cell, "bold": True, "bg_color": "#F2F2F2"}),
            "crit_center": fmt({**cell, "bold": True, "bg_color": "#F2F2F2", "align": "center"}),
            "title": fmt({**base, "bold": True, "font_size": 14, "align": "center"}),
            "subtitle": fmt({**base, "italic": True, "align": "center"}),
            "label": fmt({**base, "bold": True}), "plain": fmt({**base, "text_wrap": True}),
            "nation": fmt({**base, "bold": True, "align": "center"}),
            "motto": fmt({**base, "bold": True, "underline": True, "align": "center"}),
            "sign": fmt({**base, "bold": True, "align": "center"}),
            "sign_note": fmt({**base, "italic": True, "align": "center"}),
            "verdict": fmt({**base, "bold": True, "font_size": 12}),
            # roster-sized sheets: no borders (gridlines are printed instead) and no blank cells
            # written, which keeps 100,000-row sheets fast to write
            "dtext": fmt(base), "dcenter": fmt({**base, "align": "center"}), "dint": fmt({**base, "num_format": "0"}),
            "dbool": fmt({**base, "align": "center", "num_format": f'"{t("cell.yes")}";"{t("cell.yes")}";"{t("cell.no")}"'}),
        }
        # the quote-prefixed twin of every text format: user text that looks like a formula
        self.quoted = {k: fmt({**(cell if k in ("text", "center", "crit") else base),
                               **({"bold": True} if k == "crit" else {}),
                               **({"align": "center"} if k in ("center", "dcenter") else {}), "quote_prefix": True})
                       for k in ("text", "center", "crit", "plain", "dtext", "dcenter")}
        self.quoted["nation"] = fmt({**base, "bold": True, "align": "center", "quote_prefix": True})

    def text(self, ws, row: int, col: int, value, style: str = "text") -> None:
        """User text: always a string cell; formula-looking text gets the quote prefix."""
        value = "" if value is None else str(value)
        if value == "":
            if not style.startswith("d"):
                ws.write_blank(row, col, None, self.f[style])
        elif value.startswith(HOSTILE) and style in self.quoted:
            ws.write_string(row, col, value, self.quoted[style])
        else:
            ws.write_string(row, col, value, self.f[style])

    def merged_text(self, ws, row: int, first_col: int, last_col: int, value: str, style: str) -> None:
        """User text over merged cells, quote-prefixed like ``text`` when it looks like a formula."""
        ws.merge_range(row, first_col, row, last_col, "", self.f[style])
        quoted = value.startswith(HOSTILE) and style in self.quoted
        ws.write_string(row, first_col, value, self.quoted[style] if quoted else self.f[style])

    def sheet(self, name: str, used: set[str]):
        ws = self.wb.add_worksheet(sheet_name(name, used))
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C" + self.t("report.page"))
        return ws
