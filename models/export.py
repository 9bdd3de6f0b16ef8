"""Roster export to CSV or XLSX, in the shape the importer reads back without loss.

Headers are the Vietnamese (or English) labels of the person columns and of every fact a user
can set (computed facts such as ``lc_title`` are left out: the import recomputes them); values
are labels (có/không, scale labels, Thành viên/Người học). A blank cell means "no value", as on
import. CSV is UTF-8 with a BOM so that Excel shows Vietnamese correctly.
"""

from __future__ import annotations

import csv
import io
from functools import partial
from pathlib import Path
from typing import BinaryIO

import xlsxwriter

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.errors import HoctapError
from hoctap.models.fields import PERSON_FIELDS, display_fact
from hoctap.models.csvcells import neutralise
from hoctap.models.files import output
from hoctap.models.i18n import tr, tr_in
from hoctap.models.people import Progress, iter_people
from hoctap.models.units import Context
from hoctap.models.xlsx import HOSTILE

FORMATS = ("csv", "xlsx")


def export_columns(catalogs: Catalogs) -> list[str]:
    return [*PERSON_FIELDS, *(n for n, f in catalogs.facts.items() if not f.computed)]


def _cells(catalogs: Catalogs, lang: str, columns: list[str], person, facts: dict[str, str]) -> list:
    """One row: text for labels, int for numbers, None for blanks."""
    out: list = []
    for name in columns:
        value = person[name] if name in PERSON_FIELDS else facts.get(name)
        fact = catalogs.facts.get(name)
        if value is None or isinstance(value, int):
            out.append(value)
        elif fact is not None and fact.type == "int":
            out.append(int(value))
        else:  # words, not marks: the importer reads có/không back
            out.append(display_fact(catalogs, name, value, lang, bools="words"))
    return out


def export_roster(db: Database, catalogs: Catalogs, ctx: Context, target: str | Path | BinaryIO, *,
                  fmt: str | None = None, lang: str = "vi", progress: Progress | None = None) -> int:
    """Write the assessment's roster; ``fmt`` defaults to the file suffix. Returns the number of
    people written. A path is replaced only once the file is complete."""
    if fmt is None:
        fmt = Path(target).suffix.lower().lstrip(".") if isinstance(target, (str, Path)) else "xlsx"
    if fmt not in FORMATS:
        raise HoctapError(tr("err.export_format", fmt=fmt))
    with output(target) as out:
        return _write(db, catalogs, ctx, out.file, fmt, lang, progress, out.tmpdir)


def _write(db, catalogs, ctx, f: BinaryIO, fmt: str, lang: str, progress, tmpdir: str) -> int:
    lang = "en" if lang == "en" else "vi"
    t = partial(tr_in, lang)
    columns = export_columns(catalogs)
    headers = [t(f"field.{n}") if n in PERSON_FIELDS else catalogs.facts[n].label(lang) for n in columns]
    rows = (_cells(catalogs, lang, columns, p, facts) for p, facts in iter_people(db, ctx, progress))
    if fmt == "csv":
        text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
        w = csv.writer(text)
        w.writerow([neutralise(h) for h in headers])
        n = 0
        for n, row in enumerate(rows, start=1):
            w.writerow(["" if v is None else neutralise(v) for v in row])
        text.flush()
        text.detach()
        return n
    wb = xlsxwriter.Workbook(f, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                 "strings_to_numbers": False, "tmpdir": tmpdir})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top"})
    quoted = wb.add_format({"quote_prefix": True})
    ws = wb.add_worksheet(t("report.sheet_roster"))
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, head)
        ws.set_column(c, c, 26 if columns[c] == "full_name" else 14)
    n = 0
    for n, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, int):
                ws.write_number(n, c, v)
            elif v is not None:
                ws.write_string(n, c, v, quoted if v.startswith(HOSTILE) else None)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(n, 1), len(columns) - 1)
    wb.close()
    return n
