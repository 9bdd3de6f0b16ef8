"""The share-entry condition is defined once (``qualify.Qualifies``) and rendered three ways:
the evaluation's count (Python), the roster's "not yet counted" filter (SQL) and the dossier's
COUNTIFS (Excel). For every share entry of every shipped catalog, and an integer-fact entry
added here (none is shipped), the three agree on a roster holding every stored value of the
fact (below, at and above the minimum, accepted and not) and people without one."""

from __future__ import annotations

import copy
import re

import openpyxl
import pytest

from hoctap.models import roster
from hoctap.models.catalog import Entry, load_catalogs
from hoctap.models.meters import evaluate_context
from hoctap.models.people import upsert_people
from hoctap.models.qualify import KIND_OF_POPULATION, POPULATION_OF_KIND, Qualifies
from hoctap.models.report import write_report
from hoctap.models.roster import RosterQuery
from hoctap.models.sql import PF, insert_many
from hoctap.models.units import add_unit, ensure_context

INT_ENTRY = Entry(id="T.int", kind="share", population="members", fact="lc_5", threshold_percent=50, at_least=6,
                  source="test", confirmed=False, vi="Điểm chỉ số 5 từ 6", en="Indicator 5 scored 6 or more")


def _catalogs():
    """The shipped catalogs, with an integer-fact share entry in each Learning Unit catalog."""
    cats = copy.deepcopy(load_catalogs())
    for cat in cats.units.values():
        cat.criteria[-1].entries.append(INT_ENTRY)
    return cats


def _stored_values(catalogs, fact_name: str) -> list[str | None]:
    fact = catalogs.facts[fact_name]
    if fact.type == "bool":
        return ["1", "0", None]
    if fact.type == "scale":
        return [*catalogs.scale_ids(fact.scale), None]
    return [*map(str, range(fact.min, fact.max + 1)), None]  # 5, 6, 7 around the minimum among them


def test_the_mapping_goes_both_ways():
    assert POPULATION_OF_KIND == {"staff": "members", "learner": "learners"}
    assert {KIND_OF_POPULATION[p] for p in POPULATION_OF_KIND.values()} == set(POPULATION_OF_KIND)


def test_the_int_condition_at_its_edges():
    q = Qualifies.of(_catalogs(), INT_ENTRY)
    assert [q.accepts(v) for v in ("5", "6", "7", None)] == [False, True, True, False]
    assert q.kind == "staff" and q.population == "members"


# ---- a tiny COUNTIFS over the written workbook ----------------------------------------------

_RANGE = re.compile(r"^'((?:[^']|'')+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$")


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside quotes and parentheses."""
    parts, depth, quoted, cur = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == sep and not quoted and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [*parts, cur]


def _column(wb, ref: str) -> list:
    sheet, c1, r1, c2, r2 = _RANGE.match(ref).groups()
    assert c1 == c2
    ws = wb[sheet.replace("''", "'")]
    return [ws[f"{c1}{r}"].value for r in range(int(r1), int(r2) + 1)]


def _matches(criterion: str, cell) -> bool:
    if criterion.startswith('"'):
        text = criterion[1:-1].replace('""', '"')
        if text.startswith(">="):
            return isinstance(cell, (int, float)) and cell >= float(text[2:])
        assert text.startswith("=")
        wanted = re.sub(r"~([~*?])", r"\1", text[1:])
        return isinstance(cell, str) and cell.casefold() == wanted.casefold()  # Excel ignores case
    return isinstance(cell, (int, float)) and cell == float(criterion)


def countifs(wb, formula: str) -> int:
    total = 0
    for term in _split_top(formula.lstrip("="), "+"):
        if term == "0":
            continue
        assert term.startswith("COUNTIFS(") and term.endswith(")"), term
        args = _split_top(term[len("COUNTIFS("):-1], ",")
        pairs = [(_column(wb, args[i]), args[i + 1]) for i in range(0, len(args), 2)]
        total += sum(all(_matches(crit, col[row]) for col, crit in pairs) for row in range(len(pairs[0][0])))
    return total


# ---- the agreement ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_python_sql_and_excel_agree_on_every_share_entry(db, tmp_path, lang):
    catalogs = _catalogs()
    facts = sorted({e.fact for cat in catalogs.units.values() for e in cat.entries() if e.kind == "share"})
    for tier in ("district", "provincial"):
        code = f"Q-{tier}"
        add_unit(db, catalogs, code, f"Đơn vị {tier}", tier, ["general_education"])
        ctx = ensure_context(db, code, 2024)
        rows, stored = [], []
        for kind in ("staff", "learner"):
            for name in facts:
                for i, value in enumerate(_stored_values(catalogs, name)):
                    person = f"{kind[0]}-{name}-{i}"
                    rows.append(({"code": person, "full_name": f"Người {person}", "kind": kind}, {}))
                    stored.append((person, name, value))
        with db.write() as s:
            upsert_people(s, catalogs, ctx, rows)
        ids = roster.people_by_code(db, ctx, [p for p, _, _ in stored])
        with db.write() as s:  # stored values as they are, computed facts (lc_title) included
            insert_many(s, PF, [dict(assessment_id=ctx.assessment.id, person_id=ids[p], name=n, value=v)
                                for p, n, v in stored if v is not None])
        for cat in (c for c in catalogs.units.values() if c.tier == tier):
            path = tmp_path / f"{cat.id}-{lang}.xlsx"
            write_report(db, catalogs, ctx, cat.level, path, lang=lang)
            formulas, cached = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
            summary = formulas.worksheets[0]
            row_of = {r[0].value: r[0].row for r in summary.iter_rows(min_col=1, max_col=1) if r[0].value}
            result = evaluate_context(db, catalogs, ctx, cat.level)
            shares = [e for e in cat.entries() if e.kind == "share"]
            assert INT_ENTRY.id in {e.id for e in shares}
            for entry in shares:
                q = Qualifies.of(catalogs, entry)
                python = result.entry(entry.id).numerator
                everyone = roster.count(db, RosterQuery(ctx.assessment.id, kind=q.kind), catalogs)
                sql = everyone - roster.count(db, RosterQuery(ctx.assessment.id, not_qualifying=entry.id), catalogs)
                cell = f"F{row_of[entry.id]}"
                excel = countifs(formulas, summary[cell].value)
                assert python == sql == excel == cached.worksheets[0][cell].value, (cat.id, entry.id, lang)
                assert 0 < python < everyone, (cat.id, entry.id)  # the edges split the people
                by_hand = sum(1 for _, n, v in stored if n == q.fact and q.accepts(v)) // 2  # both kinds alike
                assert python == by_hand
                population = countifs(formulas, summary[f"G{row_of[entry.id]}"].value)
                assert population == result.entry(entry.id).denominator == everyone
