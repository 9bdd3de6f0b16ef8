"""The xlsx workbook for the dossier (XlsxWriter, constant memory).

Sheets: the summary table (one row per entry, criterion roll-ups, the conclusion, a signature
block), the roster with every person's facts, the Learning Citizen scores and the evidence
list. The roster is streamed from one read transaction in pages; the counts behind the summary
are tallied from exactly the rows written, so the ``COUNTIFS`` formulas of the summary and
their cached values always agree with the Roster sheet, and with ``status``.

Roster cells are written so that every share entry is countable with ``COUNTIFS``: the kind
column holds the population label, yes/no facts are the numbers 1/0 (shown as có/không by
a number format), ordered facts their label, numeric facts numbers.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from fractions import Fraction
from datetime import date
from pathlib import Path
from typing import BinaryIO

from xlsxwriter.utility import xl_rowcol_to_cell

from hoctap.models.catalog import Catalogs
from hoctap.models.db import Database
from hoctap.models.evaluate import EntryResult, LevelResult, ShareCounts, evaluate
from hoctap.models.fields import PERSON_FIELDS, bool_text, display_entry_value, display_fact
from hoctap.models.files import output
from hoctap.models.meters import unit_entry_rows
from hoctap.models.people import Progress, iter_people
from hoctap.models.present import threshold_text
from hoctap.models.qualify import POPULATION_OF_KIND, Qualifies
from hoctap.models.units import Context, catalog_for
from hoctap.models.xlsx import HOSTILE, Book, column_range, criterion_text, literal


# ---- the workbook --------------------------------------------------------------------------

class _Report:
    def __init__(self, db: Database, catalogs: Catalogs, ctx: Context, level: int, book: Book, made: date):
        self.db, self.catalogs, self.ctx, self.level, self.book, self.made = db, catalogs, ctx, level, book, made
        self.t = book.t
        self.lang = book.lang
        self.catalog = catalog_for(catalogs, ctx.unit, level)
        lc = catalogs.citizen
        self.lc = lc
        used_by_entries = {e.fact for e in self.catalog.entries() if e.kind == "share"}
        self.facts = [n for n in catalogs.facts if n not in lc.score_facts or n in used_by_entries]
        self.fields = list(PERSON_FIELDS)
        self.names: set[str] = set()
        self.unit_label = f"{ctx.unit.name} ({ctx.unit.code})"

    # -- cell values --
    def cell_text(self, name: str, value) -> str:
        """A person field's or fact's value as the workbook words it."""
        return display_fact(self.catalogs, name, value, self.lang)

    def fact_label(self, name: str) -> str:
        if name == self.lc.result_fact:
            return self.t("report.lc_title_col")
        return self.catalogs.facts[name].label(self.lang)

    def _fact_writers(self) -> dict:
        """Per fact, a function writing one stored value: a bool as 1/0 (shown Yes/No by its
        format), an int as a number, a scale value as its label (looked up once, not per cell)."""
        f, out = self.book.f, {}
        for name, fact in self.catalogs.facts.items():
            if fact.type == "bool":
                out[name] = lambda ws, r, c, v, fmt=f["dbool"]: ws.write_number(r, c, 1 if v == "1" else 0, fmt)
            elif fact.type == "int":
                out[name] = lambda ws, r, c, v, fmt=f["dint"]: ws.write_number(r, c, int(v), fmt)
            else:
                labels = {v: self.cell_text(name, v) for v in self.catalogs.scale_ids(fact.scale)}
                out[name] = (lambda ws, r, c, v, fmt=f["dtext"], labels=labels, name=name:
                             ws.write_string(r, c, labels[v] if v in labels else self.cell_text(name, v), fmt))
        return out

    def _text_writer(self):
        """``Book.text`` for the roster-sized sheets' plain text cells ("dtext")."""
        plain, quoted = self.book.f["dtext"], self.book.quoted["dtext"]

        def put(ws, row: int, col: int, value) -> None:
            value = "" if value is None else str(value)
            if value:
                ws.write_string(row, col, value, quoted if value.startswith(HOSTILE) else plain)
        return put

    # -- sheets --
    def write(self, progress: Progress | None) -> LevelResult:
        t = self.t
        summary_name = t("report.sheet_summary")
        self.summary_ws = self.book.sheet(summary_name, self.names)
        self.roster_ws = self.book.sheet(t("report.sheet_roster"), self.names)
        self.lc_ws = self.book.sheet(t("report.sheet_lc"), self.names)
        self.evidence_ws = self.book.sheet(t("evidence"), self.names)
        self.roster_ws.set_footer("&L" + self.unit_label.replace("&", "&&") + "&C" + t("report.page"))
        self.share_counts = self.write_people(progress)
        self.entry_rows = unit_entry_rows(self.db, self.ctx)
        values = {k: r.value for k, r in self.entry_rows.items()}
        result = evaluate(self.catalogs, self.catalog, self.ctx.types, self.share_counts, values)
        self.write_summary(result)
        self.write_evidence(result)
        return result

    ROSTER_HEAD = 2  # row of the column headers on the Roster and LC sheets

    def write_people(self, progress: Progress | None) -> ShareCounts:
        """Roster and Learning Citizen rows, tallying the counts the summary's formulas make."""
        t, f, book = self.t, self.book.f, self.book
        ws, lc_ws = self.roster_ws, self.lc_ws
        head = self.ROSTER_HEAD
        self.roster_cols = ["#", *self.fields, *self.facts]
        self.col_of = {name: i for i, name in enumerate(self.roster_cols)}
        headers = [t("report.col_no"), *(t(f"field.{n}") for n in self.fields), *(self.fact_label(n) for n in self.facts)]
        ncol = len(headers)
        ws.merge_range(0, 0, 0, min(ncol - 1, 10), t("report.roster_title", unit=self.unit_label.upper(),
                                                       year=self.ctx.assessment.year), f["title"])
        for c, h in enumerate(headers):
            ws.write_string(head, c, h, f["head"])
        widths = {"#": 6, "code": 12, "full_name": 26, "kind": 12, "department": 20, "position": 16,
                  "birth_year": 8, "gender": 8}
        for c, name in enumerate(self.roster_cols):
            ws.set_column(c, c, widths.get(name, 14))
        ws.set_row(head, 45)
        ws.hide_gridlines(0)  # printed gridlines stand in for cell borders
        ws.freeze_panes(head + 1, 3)
        ws.repeat_rows(head)

        lc = self.lc
        lc_cols = ["#", "code", "full_name", "kind", lc.group_fact, *lc.score_facts, "total", lc.status_fact,
                   lc.result_fact, "basis"]
        lc_headers = [t("report.col_no"), t("field.code"), t("field.full_name"), t("field.kind"), t("report.col_group"),
                      *[f"{i}" for i in range(1, len(lc.score_facts) + 1)],
                      t("report.col_total"), t("report.col_recorded"), t("col.result"), t("report.col_basis")]
        lc_ws.merge_range(0, 0, 0, len(lc_headers) - 1, t("report.lc_title", unit=self.unit_label.upper(),
                                                          year=self.ctx.assessment.year), f["title"])
        for c, h in enumerate(lc_headers):
            lc_ws.write_string(head, c, h, f["head"])
        lc_ws.set_column(0, 0, 6)
        lc_ws.set_column(1, 1, 12)
        lc_ws.set_column(2, 2, 26)
        lc_ws.set_column(3, 4, 16)
        lc_ws.set_column(5, 4 + len(lc.score_facts), 5)
        lc_ws.set_column(5 + len(lc.score_facts), len(lc_cols) - 1, 12)
        lc_ws.hide_gridlines(0)
        lc_ws.freeze_panes(head + 1, 3)
        lc_ws.repeat_rows(head)
        first_score = lc_cols.index(lc.score_facts[0])
        last_score = lc_cols.index(lc.score_facts[-1])

        population: Counter = Counter()
        values: Counter = Counter()
        put_text, fact_writer = self._text_writer(), self._fact_writers()
        person_cols = [(c, name, PERSON_FIELDS[name].choices) for c, name in enumerate(self.fields, start=1)]
        fact_cols = [(c, fact_writer[name], name) for c, name in enumerate(self.facts, start=1 + len(self.fields))]
        score_cols = [(c, fact_writer[name], name) for c, name in enumerate(lc.score_facts, start=first_score)]
        dint = f["dint"]
        total_col = last_score + 1
        status_writer, group_writer = fact_writer[lc.status_fact], fact_writer[lc.group_fact]
        titles = {"1": t("met"), "0": t("not_met")}
        basis_scores, basis_recorded = t("report.basis_scores"), t("report.basis_recorded")
        row = head
        for n, (person, facts) in enumerate(iter_people(self.db, self.ctx, progress), start=1):
            row = head + n
            pop = POPULATION_OF_KIND[person["kind"]]
            population[pop] += 1
            for name, value in facts.items():
                values[(pop, name, value)] += 1
            ws.write_number(row, 0, n, dint)
            for c, name, labelled in person_cols:
                value = person[name]
                if value is None:
                    continue
                if name == "birth_year":
                    ws.write_number(row, c, value, dint)
                else:
                    put_text(ws, row, c, self.cell_text(name, value) if labelled else value)
            for c, write, name in fact_cols:
                value = facts.get(name)
                if value is not None:
                    write(ws, row, c, value)
            # the Learning Citizen sheet, same people, same order
            lc_ws.write_number(row, 0, n, dint)
            put_text(lc_ws, row, 1, person["code"])
            put_text(lc_ws, row, 2, person["full_name"])
            put_text(lc_ws, row, 3, self.cell_text("kind", person["kind"]))
            if (value := facts.get(lc.group_fact)) is not None:
                group_writer(lc_ws, row, 4, value)
            scored = 0
            for c, write, name in score_cols:
                value = facts.get(name)
                if value is not None:
                    write(lc_ws, row, c, value)
                    scored += 1
            if scored == len(score_cols):
                rng = f"{xl_rowcol_to_cell(row, first_score)}:{xl_rowcol_to_cell(row, last_score)}"
                lc_ws.write_formula(row, total_col, f"=SUM({rng})", dint, sum(int(facts[s]) for _, _, s in score_cols))
                basis = basis_scores
            else:
                basis = basis_recorded if facts.get(lc.status_fact) is not None else ""
            if (value := facts.get(lc.status_fact)) is not None:
                status_writer(lc_ws, row, total_col + 1, value)
            title = facts.get(lc.result_fact)
            book.text(lc_ws, row, total_col + 2, "" if title is None else titles["1" if title == "1" else "0"], "dcenter")
            put_text(lc_ws, row, total_col + 3, basis)
        self.last_row = max(row, head + 1)  # an empty roster still gets a (blank) range to count
        ws.autofilter(head, 0, max(row, head), ncol - 1)
        lc_ws.autofilter(head, 0, max(row, head), len(lc_cols) - 1)
        return ShareCounts(dict(population), dict(values))

    # -- formulas over the roster --
    def roster_range(self, name: str) -> str:
        return column_range(self.roster_ws.name, self.col_of[name], self.ROSTER_HEAD + 1, self.last_row)

    def population_formula(self, entry) -> str:
        return Qualifies.of(self.catalogs, entry).population_countifs(self.roster_range("kind"), criterion_text,
                                                                      self.cell_text)

    def qualifying_formula(self, entry) -> str:
        return Qualifies.of(self.catalogs, entry).countifs(self.roster_range("kind"), self.roster_range(entry.fact),
                                                           criterion_text, self.cell_text)

    # -- summary --
    def requirement(self, entry) -> str:
        t = self.t
        if entry.kind == "share":
            text = t("report.at_least_share", threshold=threshold_text(entry, self.lang), population=t(entry.population))
            if self.catalogs.facts[entry.fact].type == "scale":
                text += f" ({t('report.at_least_value', label=self.cell_text(entry.fact, entry.at_least))})"
            return text
        if entry.value == "bool":
            return t("cell.yes")
        return t("report.at_least_value", label=display_entry_value(self.catalogs, entry, entry.at_least, self.lang))

    def value_text(self, r: EntryResult) -> str:
        stored = self.entry_rows.get(r.entry.id)
        return display_entry_value(self.catalogs, r.entry, stored.value if stored else None, self.lang, bools="cell",
                                   blank=self.t("no_data"))

    def result_text(self, r: EntryResult) -> str:
        if not r.applicable:
            return self.t("not_applicable")
        return self.t("met" if r.status == "met" else "not_met")

    COLS = ["report.col_id", "col.content", "report.col_requirement", "report.col_applicable", "report.col_value",
            "report.col_qualifying", "report.col_population", "report.col_percent", "col.result", "col.shortfall",
            "evidence"]

    def write_summary(self, result: LevelResult) -> None:
        t, f, book, ws = self.t, self.book.f, self.book, self.summary_ws
        ctx, ncol = self.ctx, len(self.COLS)
        for c, w in enumerate((11, 46, 16, 9, 16, 8, 8, 9, 11, 9, 36)):
            ws.set_column(c, c, w)
        book.merged_text(ws, 0, 0, 2, ctx.unit.name.upper(), "nation")
        ws.merge_range(0, 4, 0, ncol - 1, t("report.nation"), f["nation"])
        ws.merge_range(1, 4, 1, ncol - 1, t("report.motto"), f["motto"])
        ws.merge_range(3, 0, 3, ncol - 1, t("report.title"), f["title"])
        ws.merge_range(4, 0, 4, ncol - 1, self.catalog.label(self.lang), f["subtitle"])
        types = ", ".join(self.catalogs.unit_types[x].label(self.lang) if x in self.catalogs.unit_types else x
                          for x in ctx.types)
        info = [
            ("report.unit", self.unit_label),
            ("unit.tier", self.catalogs.tier_label(ctx.unit.tier, self.lang)),
            ("report.types", types),
            ("report.level_sought", t("report.level_n", n=ctx.assessment.level)),
            ("report.catalog", f"{self.catalog.id} ({self.catalog.version}) — {self.catalog.source}"),
            ("report.year", t("report.period", year=ctx.assessment.year)),
            ("report.made", self.made.strftime("%d/%m/%Y")),
        ]
        row = 6
        for key, value in info:
            ws.merge_range(row, 0, row, 1, t(key) + ":", f["label"])
            ws.merge_range(row, 2, row, ncol - 1, "", f["plain"])
            book.text(ws, row, 2, value, "plain")
            row += 1
        row += 1
        head = row
        for c, key in enumerate(self.COLS):
            ws.write_string(head, c, t(key), f["head"])
        ws.set_row(head, 32)
        ws.repeat_rows(head)
        row = head + 1
        met_text, not_met_text, na_text = t("met"), t("not_met"), t("not_applicable")
        crit_cells = []
        self.summary_rows: dict[str, int] = {}
        for crit in result.criteria:
            crit_row = row
            crit_cells.append(xl_rowcol_to_cell(crit_row, 8))
            first, last = crit_row + 1, crit_row + len(crit.entries)
            rng = f"{xl_rowcol_to_cell(first, 8)}:{xl_rowcol_to_cell(last, 8)}"
            rule = crit.criterion.rule
            if rule == "all":
                test = f"COUNTIF({rng},{literal(not_met_text)})=0"
            else:
                need = 1 if rule == "any" else int(rule.split(":")[1])
                test = f"COUNTIF({rng},{literal(met_text)})>={need}"
            book.text(ws, crit_row, 0, crit.id, "crit")
            ws.merge_range(crit_row, 1, crit_row, 7, "", f["crit"])
            book.text(ws, crit_row, 1, crit.criterion.label(self.lang), "crit")
            ws.write_formula(crit_row, 8, f"=IF({test},{literal(met_text)},{literal(not_met_text)})", f["crit_center"],
                             met_text if crit.met else not_met_text)
            ws.write_blank(crit_row, 9, None, f["crit"])
            ws.write_blank(crit_row, 10, None, f["crit"])
            self.summary_rows[crit.id] = crit_row
            row += 1
            for r in crit.entries:
                self.write_entry_row(ws, row, r, met_text, not_met_text, na_text)
                self.summary_rows[r.entry.id] = row
                row += 1
        row += 1
        self.level_row = row
        level_label = t("report.level_n", n=self.level)
        ws.merge_range(row, 0, row, 7, t("report.level_result", level=level_label), f["verdict"])
        all_met = "+".join(f"({c}={literal(met_text)})" for c in crit_cells)
        rule = self.catalog.rule
        need = len(crit_cells) if rule == "all" else 1 if rule == "any" else int(rule.split(":")[1])
        ws.write_formula(row, 8, f"=IF({all_met}>={need},{literal(met_text)},{literal(not_met_text)})", f["verdict"],
                         met_text if result.met else not_met_text)
        row += 1
        # the conclusion: the highest level whose criteria this year's data meets
        verdicts = {self.level: result.met}
        for other in (1, 2):
            if other == self.level:
                continue
            try:
                cat = self.catalogs.for_level(ctx.unit.tier, other)
            except KeyError:
                continue
            values = {k: v.value for k, v in self.entry_rows.items()}
            verdicts[other] = evaluate(self.catalogs, cat, ctx.types, self.share_counts, values).met
            ws.merge_range(row, 0, row, 7, t("report.level_result", level=t("report.level_n", n=other)), f["verdict"])
            ws.write_string(row, 8, met_text if verdicts[other] else not_met_text, f["verdict"])
            row += 1
        self.verdicts = verdicts
        reached = max((lv for lv, ok in verdicts.items() if ok), default=None)
        conclusion = (t("report.may_request", level=t("report.level_n", n=reached)) if reached
                      else t("report.may_not_request"))
        self.conclusion = conclusion
        ws.merge_range(row, 0, row, 1, t("report.conclusion") + ":", f["verdict"])
        ws.merge_range(row, 2, row, ncol - 1, conclusion, f["verdict"])
        row += 2
        self.write_signatures(ws, row, ncol)

    def write_entry_row(self, ws, row: int, r: EntryResult, met_text: str, not_met_text: str, na_text: str) -> None:
        book, f, t, e = self.book, self.book.f, self.t, r.entry
        book.text(ws, row, 0, e.id, "center")
        book.text(ws, row, 1, e.label(self.lang))
        book.text(ws, row, 2, self.requirement(e))
        book.text(ws, row, 3, bool_text(r.applicable, self.lang, "cell"), "center")
        q, p = xl_rowcol_to_cell(row, 5), xl_rowcol_to_cell(row, 6)
        if not r.applicable:
            for c in (4, 5, 6, 7, 9):
                ws.write_blank(row, c, None, f["text"])
            book.text(ws, row, 8, na_text, "center")
            book.text(ws, row, 10, self.evidence_text(e))
            return
        if e.kind == "unit":
            book.text(ws, row, 4, self.value_text(r), "center")
            for c in (5, 6, 7, 9):
                ws.write_blank(row, c, None, f["text"])
            book.text(ws, row, 8, met_text if r.status == "met" else not_met_text, "center")
            book.text(ws, row, 10, self.evidence_text(e))
            return
        ws.write_blank(row, 4, None, f["text"])
        ws.write_formula(row, 5, "=" + self.qualifying_formula(e), f["int"], r.numerator)
        ws.write_formula(row, 6, "=" + self.population_formula(e), f["int"], r.denominator)
        # truncated to 0.1% like the CLI and TUI: 89.99% must not show as a met-looking 90.0%
        ws.write_formula(row, 7, f'=IF({p}>0,TRUNC({q}/{p},3),"")', f["pct"],
                         math.floor(Fraction(r.numerator * 1000, r.denominator)) / 1000 if r.denominator else "")
        pct = str(e.threshold_percent)
        ws.write_formula(row, 8, f"=IF(AND({p}>0,{q}*100>={pct}*{p}),{literal(met_text)},{literal(not_met_text)})",
                         f["center"], met_text if r.status == "met" else not_met_text)
        ws.write_formula(row, 9, f"=MAX(0,CEILING({pct}*{p}/100,1)-{q})", f["int"], r.shortfall)
        book.text(ws, row, 10, t("report.see_roster", sheet=self.roster_ws.name, column=self.fact_label(e.fact)))

    def evidence_text(self, entry) -> str:
        row = self.entry_rows.get(entry.id)
        if row is None:
            return ""
        return "\n".join(x for x in (row.evidence, row.documents) if x)

    def write_signatures(self, ws, row: int, ncol: int) -> None:
        t, f = self.t, self.book.f
        ws.merge_range(row, 7, row, ncol - 1, t("report.place_date"), f["sign_note"])
        row += 1
        ws.merge_range(row, 0, row, 2, t("report.preparer"), f["sign"])
        ws.merge_range(row, 7, row, ncol - 1, t("report.head"), f["sign"])
        row += 1
        ws.merge_range(row, 0, row, 2, t("report.sign_name"), f["sign_note"])
        ws.merge_range(row, 7, row, ncol - 1, t("report.sign_seal"), f["sign_note"])
        ws.print_area(0, 0, row + 5, ncol - 1)

    def write_evidence(self, result: LevelResult) -> None:
        t, f, book, ws = self.t, self.book.f, self.book, self.evidence_ws
        cols = ["report.col_id", "col.content", "report.col_requirement", "report.col_applicable", "report.col_value",
                "col.result", "evidence", "report.col_documents", "report.col_updated"]
        for c, w in enumerate((10, 44, 16, 9, 16, 11, 40, 30, 12)):
            ws.set_column(c, c, w)
        ws.merge_range(0, 0, 0, len(cols) - 1, t("report.evidence_title", unit=self.unit_label.upper(),
                                                  year=self.ctx.assessment.year), f["title"])
        head = 2
        for c, key in enumerate(cols):
            ws.write_string(head, c, t(key), f["head"])
        ws.freeze_panes(head + 1, 0)
        ws.repeat_rows(head)
        row = head
        for r in result.entries():
            if r.entry.kind != "unit":
                continue
            row += 1
            stored = self.entry_rows.get(r.entry.id)
            book.text(ws, row, 0, r.entry.id, "center")
            book.text(ws, row, 1, r.entry.label(self.lang))
            book.text(ws, row, 2, self.requirement(r.entry))
            book.text(ws, row, 3, bool_text(r.applicable, self.lang, "cell"), "center")
            book.text(ws, row, 4, self.value_text(r), "center")
            book.text(ws, row, 5, self.result_text(r), "center")
            book.text(ws, row, 6, stored.evidence if stored else "")
            book.text(ws, row, 7, stored.documents if stored else "")
            book.text(ws, row, 8, stored.updated_at.strftime("%d/%m/%Y") if stored and stored.updated_at else "", "center")
        ws.autofilter(head, 0, max(row, head), len(cols) - 1)


def write_report(db: Database, catalogs: Catalogs, ctx: Context, level: int | None, target: str | Path | BinaryIO, *,
                 lang: str = "vi", progress: Progress | None = None, made: date | None = None) -> LevelResult:
    """Write the dossier workbook for one assessment to a path (replaced only once complete)
    or a binary file object. ``level`` defaults to the level sought. Returns the evaluation
    the summary shows (computed from the very rows written)."""
    level = ctx.level_or(level)
    catalog_for(catalogs, ctx.unit, level)  # fail before creating anything
    with output(target) as out:
        return _write(db, catalogs, ctx, level, out.file, lang, progress, made, out.tmpdir)


def _write(db, catalogs, ctx, level, target, lang, progress, made, tmpdir) -> LevelResult:
    book = Book(target, lang, tmpdir)
    report = _Report(db, catalogs, ctx, level, book, made or date.today())
    try:
        result = report.write(progress)
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to report
            book.wb.close()
        raise
    book.wb.close()  # a full disk shows here: output() names the file and the cause
    return result
