"""Learning Citizen (Decision 324): ten 0-10 scores decide the title (total >= 80 and every
indicator >= 5), else the recorded title does; and the title feeds C3.1."""

from __future__ import annotations

import pytest

from hoctap.models.facts import set_facts
from hoctap.models.fields import InputError, parse_fact
from hoctap.models.meters import evaluate_context
from hoctap.models.people import person_facts, upsert_people
from hoctap.models.roster import RosterQuery, ids
from hoctap.models.units import add_unit, ensure_context


@pytest.mark.parametrize("scores,passes", [
    ([8] * 10, True),                      # 80, every indicator 8
    ([5, 9, 9, 9, 9, 9, 8, 8, 7, 7], True),  # 80 with a 5
    ([10] * 9 + [5], True),                # 95 with a 5
    ([4] + [9] * 9, False),                # 85 with a 4
    ([10] * 9 + [4], False),               # 94 with a 4
    ([8] * 9 + [7], False),                # 79
    ([10] * 10, True),
    ([0] * 10, False),
])
def test_pass_rule(catalogs, scores, passes):
    lc = catalogs.citizen
    assert len(scores) == 10
    assert lc.passes(scores) is passes
    assert lc.title(scores, recorded=not passes) is passes  # scores win over the recorded title


@pytest.mark.parametrize("scores", [[8] * 9 + [None], [None] * 10, [8] * 9, []])
@pytest.mark.parametrize("recorded", [True, False, None])
def test_incomplete_scores_fall_back_to_the_recorded_title(catalogs, scores, recorded):
    assert catalogs.citizen.passes(scores) is None
    assert catalogs.citizen.title(scores, recorded) is recorded


def test_catalog_numbers_match_decision_324(catalogs):
    lc = catalogs.citizen
    assert (lc.min_score, lc.max_score, lc.pass_total, lc.pass_each) == (0, 10, 80, 5)
    assert [c.indicators for c in lc.competences] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
    assert lc.score_facts == [f"lc_{i}" for i in range(1, 11)]
    assert catalogs.facts["lc_title"].computed


@pytest.mark.parametrize("raw", ["-1", "11", "7.5", "tám"])
def test_scores_outside_0_10_are_refused(catalogs, raw):
    with pytest.raises(InputError):
        parse_fact(catalogs, "lc_3", raw)


def test_computed_title_cannot_be_set(catalogs):
    with pytest.raises(InputError):
        parse_fact(catalogs, "lc_title", "1")


@pytest.fixture
def office(db, catalogs):
    """A state agency with 10 members (no learners)."""
    add_unit(db, catalogs, "UB-TEST", "Ủy ban Thử", "district", ["state_agency"])
    ctx = ensure_context(db, "UB-TEST", 2024, 1)
    rows = [({"code": f"CB{i:02}", "full_name": f"Lê Thị {i}", "kind": "staff"}, {}) for i in range(10)]
    with db.write() as s:
        upsert_people(s, catalogs, ctx, rows)
    return ctx, ids(db, RosterQuery(ctx.assessment.id), catalogs)


def scores(values: list[int]) -> dict[str, str]:
    return {f"lc_{i}": str(v) for i, v in enumerate(values, 1)}


def title_of(db, ctx, pid):
    return person_facts(db, ctx, [pid])[pid].get("lc_title")


def c31(db, catalogs, ctx):
    r = evaluate_context(db, catalogs, ctx, 1).entry("C3.1")
    return r.numerator, r.denominator, r.status


def test_scores_set_in_the_database_flip_the_title_and_c31(db, catalogs, office):
    ctx, people = office
    set_facts(db, catalogs, ctx, people[:8], {"learning_citizen": "1"})
    assert c31(db, catalogs, ctx) == (8, 10, "not_met")
    first, ninth = people[0], people[8]

    # nine of ten scores: the recorded title still decides
    set_facts(db, catalogs, ctx, [first], {k: v for k, v in scores([4] + [9] * 9).items() if k != "lc_10"})
    assert title_of(db, ctx, first) == "1"
    # the tenth score makes 85 with a 4: fails, although the recorded title says yes
    set_facts(db, catalogs, ctx, [first], {"lc_10": "9"})
    assert title_of(db, ctx, first) == "0"
    assert c31(db, catalogs, ctx) == (7, 10, "not_met")
    # raise the 4 to a 5: passes
    set_facts(db, catalogs, ctx, [first], {"lc_1": "5"})
    assert title_of(db, ctx, first) == "1"

    # 80 with a 5 passes for someone with no recorded title; 79 fails
    eighty = [5, 9, 9, 9, 9, 9, 8, 8, 7, 7]
    assert sum(eighty) == 80
    set_facts(db, catalogs, ctx, [ninth], scores(eighty))
    assert title_of(db, ctx, ninth) == "1"
    assert c31(db, catalogs, ctx) == (9, 10, "met")  # 9/10 = 90%
    set_facts(db, catalogs, ctx, [ninth], {"lc_10": "6"})  # 79
    assert title_of(db, ctx, ninth) == "0"
    assert c31(db, catalogs, ctx) == (8, 10, "not_met")

    # clearing a score falls back to the recorded title (none recorded: no title at all)
    set_facts(db, catalogs, ctx, [ninth], {"lc_10": None})
    assert title_of(db, ctx, ninth) is None
    set_facts(db, catalogs, ctx, [ninth], {"learning_citizen": "1"})
    assert title_of(db, ctx, ninth) == "1"
    assert c31(db, catalogs, ctx) == (9, 10, "met")


def test_batch_of_scores_through_the_cli(db_url, db, catalogs, office, capsys):
    from hoctap.tui.cli import main

    ctx, people = office
    args = ["--db", db_url, "set", "--unit", "UB-TEST", "--year", "2024"]
    assert main(args + [f"lc_{i}=8" for i in range(1, 11)]) == 0
    assert c31(db, catalogs, ctx) == (10, 10, "met")
    assert main(args + ["lc_4=4"]) == 0  # 84 with a 4 for everyone
    assert c31(db, catalogs, ctx) == (0, 10, "not_met")
    assert main(args + ["lc_title=1"]) == 2
    assert "lc_title" in capsys.readouterr().err
