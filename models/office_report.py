"""The receiving office's combined report (xlsx): one row per unit, the counts per level and
per kind of unit, the roll-up figures reported upward, native charts of the counts and, on
request, one summary sheet per unit. Computed from one ``office.overview``."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import BinaryIO

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.files import output
from hoctap.models.office import UnitRow, overview
from hoctap.models.xlsx import Book

VERDICT = {True: "met", False: "not_met", None: "office.not_reviewed"}


def final_met(r: UnitRow) -> bool:
    """What the office counts: its own verdict once it reviewed, else the unit's."""
    return bool(r.office_met if r.reviewed else r.own_met)


def write_units_report(db: Database, catalogs: Catalogs, year: int, target: str | Path | BinaryIO, *,
                       lang: str = "vi", per_unit: bool = False) -> list[UnitRow]:
    rows = overview(db, catalogs, year)
    with output(target) as out:
        book = Book(out.file, lang, out.tmpdir)
        try:
            _write(book, catalogs, year, rows, per_unit)
        except BaseException:
            with contextlib.suppress(Exception):  # the first error is the one to report
                book.wb.close()
            raise
        book.wb.close()
    return rows


def _write(book: Book, catalogs: Catalogs, year: int, rows: list[UnitRow], per_unit: bool) -> None:
    t, f, used = book.t, book.f, set()

    def type_label(tag: str) -> str:
        return catalogs.unit_types[tag].label(book.lang) if tag in catalogs.unit_types else tag

    def entries_text(results, with_shortfall: bool = True) -> str:
        return ", ".join(f"{r.entry.id} ({t('needs_more', n=r.shortfall)})" if with_shortfall and r.shortfall
                         else r.entry.id for r in results)

    ws = book.sheet(t("office.sheet_units"), used)
    ws.write_string(0, 0, t("office.title", year=year), f["title"])
    cols = [("report.col_no", 6), ("field.code", 12), ("report.unit", 30), ("unit.tier", 12), ("report.types", 24),
            ("report.level_sought", 10), ("office.col_own", 14), ("office.col_office", 14),
            ("office.col_members_lc", 12), ("office.col_learners_lc", 12), ("office.col_short", 28),
            ("office.col_unconfirmed", 20), ("office.col_disagree", 20), ("office.col_intake", 30)]
    for c, (key, width) in enumerate(cols):
        ws.set_column(c, c, width)
        ws.write_string(2, c, t(key), f["head"])
    for i, r in enumerate(rows):
        row = 3 + i
        ws.write_number(row, 0, i + 1, f["int"])
        book.text(ws, row, 1, r.unit.code)
        book.text(ws, row, 2, r.unit.name)
        book.text(ws, row, 3, t(r.unit.tier))
        book.text(ws, row, 4, ", ".join(type_label(x) for x in r.unit.type_list))
        ws.write_number(row, 5, r.level, f["int"])
        book.text(ws, row, 6, t(VERDICT[r.own_met]) if r.own is not None else t("office.no_catalog"), "center")
        book.text(ws, row, 7, t(VERDICT[r.office_met]), "center")
        for c, population in ((8, "members"), (9, "learners")):
            share = r.lc_share(population)
            if share is None:
                ws.write_blank(row, c, None, f["pct"])
            else:
                ws.write_number(row, c, float(share), f["pct"])
        book.text(ws, row, 10, entries_text(r.short()))
        book.text(ws, row, 11, ", ".join(r.unconfirmed()))
        book.text(ws, row, 12, ", ".join(r.disagreements))
        with _lang(book.lang):
            book.text(ws, row, 13, r.intake.text())
    ws.autofilter(2, 0, 2 + max(len(rows), 1), len(cols) - 1)
    ws.freeze_panes(3, 3)

    cs = book.sheet(t("office.sheet_counts"), used)
    name = cs.name
    cs.set_column(0, 0, 44)
    cs.set_column(1, 2, 16)
    levels = sorted({r.level for r in rows} | {1, 2})
    types = [tag for tag in catalogs.unit_types if any(tag in r.unit.type_list for r in rows)]
    row = 0

    def table(title: str, items: list[tuple[str, list[UnitRow]]]) -> tuple[int, int]:
        nonlocal row
        cs.write_string(row, 0, title, f["label"])
        cs.write_string(row + 1, 0, t("office.col_kind") if title == t("office.by_type") else t("report.level_sought"), f["head"])
        cs.write_string(row + 1, 1, t("office.col_count"), f["head"])
        cs.write_string(row + 1, 2, t("office.col_met"), f["head"])
        first = row + 2
        for j, (label, group) in enumerate(items):
            book.text(cs, first + j, 0, label)
            cs.write_number(first + j, 1, len(group), f["int"])
            cs.write_number(first + j, 2, sum(final_met(r) for r in group), f["int"])
        row = first + len(items) + 1
        return first, first + len(items) - 1

    by_level = table(t("office.by_level"), [(t("report.level_n", n=n), [r for r in rows if r.level == n])
                                             for n in levels])
    by_type = table(t("office.by_type"), [(type_label(tag), [r for r in rows if tag in r.unit.type_list])
                                           for tag in types])
    cs.write_string(row, 0, t("office.rollup"), f["label"])
    row += 1
    for n in levels:
        cs.write_string(row, 0, t("office.lu_level", level=t("report.level_n", n=n)), f["text"])
        cs.write_number(row, 1, sum(final_met(r) for r in rows if r.level == n), f["int"])
        row += 1
    for population, key in (("members", "office.lc_members"), ("learners", "office.lc_learners")):
        people = sum(r.population.get(population, 0) for r in rows)
        holders = sum(r.lc_holders.get(population, 0) for r in rows)
        cs.write_string(row, 0, t(key), f["text"])
        if people:
            cs.write_number(row, 1, holders / people, f["pct"])
        else:
            cs.write_blank(row, 1, None, f["pct"])
        row += 1
    for (first, last), title, anchor in ((by_level, "office.chart_level", 0), (by_type, "office.chart_type", 16)):
        if last < first:
            continue
        chart = book.wb.add_chart({"type": "column"})
        for col in (1, 2):
            chart.add_series({"name": [name, first - 1, col], "categories": [name, first, 0, last, 0],
                              "values": [name, first, col, last, col], "data_labels": {"value": True}})
        chart.set_title({"name": t(title)})
        chart.set_legend({"position": "bottom"})
        cs.insert_chart(anchor, 4, chart)

    if per_unit:
        for r in rows:
            _unit_sheet(book, catalogs, r, used)


def _unit_sheet(book: Book, catalogs: Catalogs, r: UnitRow, used: set[str]) -> None:
    from hoctap.models.present import meter_text

    t, f = book.t, book.f
    ws = book.sheet(r.unit.code, used)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 50)
    ws.set_column(2, 3, 34)
    ws.write_string(0, 0, f"{r.unit.code} — {r.unit.name}", f["label"])
    ws.write_string(1, 0, f"{t('report.level_sought')}: {t('report.level_n', n=r.level)}", f["plain"])
    for c, key in enumerate(("col.entry", "col.content", "office.col_own", "office.col_office")):
        ws.write_string(3, c, t(key), f["head"])
    if r.own is None:
        return
    office = {e.entry.id: e for e in r.office.entries()}
    row = 4
    with _lang(book.lang):
        for e in r.own.entries():
            book.text(ws, row, 0, e.entry.id)
            book.text(ws, row, 1, e.entry.label(book.lang))
            book.text(ws, row, 2, meter_text(catalogs, e, compact=True))
            book.text(ws, row, 3, meter_text(catalogs, office[e.entry.id], compact=True) if r.reviewed else "")
            row += 1
        book.text(ws, row, 1, t("col.result"), "crit")
        book.text(ws, row, 2, t(VERDICT[r.own_met]), "crit")
        book.text(ws, row, 3, t(VERDICT[r.office_met]), "crit")


@contextlib.contextmanager
def _lang(language: str):
    """Texts worded by shared helpers (``tr``) in the workbook's language."""
    from hoctap.models import i18n

    before = i18n.lang()
    i18n.set_lang(language)
    try:
        yield
    finally:
        i18n.set_lang(before)

