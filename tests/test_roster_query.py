"""models/roster.py: the roster as queries (count, windows in order, filters, preview counts)."""

from __future__ import annotations

import pytest

from hoctap.models import roster
from hoctap.models.facts import set_facts
from hoctap.models.meters import evaluate_context
from hoctap.models.roster import FactFilter, RosterQuery


def entry(db, catalogs, ctx, entry_id):
    result = evaluate_context(db, catalogs, ctx)
    return next(e for c in result.criteria for e in c.entries if e.entry.id == entry_id)


def test_count_and_filters(db, catalogs, demo):
    aid = demo.assessment.id
    assert roster.count(db, RosterQuery(aid)) == 860
    staff = RosterQuery(aid, kind="staff")
    assert roster.count(db, staff) == 60
    c23 = entry(db, catalogs, demo, "C2.3")
    not_trained = roster.with_filter(staff, "digital_training", "0")
    assert roster.count(db, not_trained) == c23.denominator - c23.numerator
    # the dashboard's drill-down: who does not yet count for C2.3
    assert roster.count(db, RosterQuery(aid, not_qualifying="C2.3"), catalogs) == 7


def test_with_filter_replaces_a_filter_and_no_value(db, demo):
    aid = demo.assessment.id
    q = roster.with_filter(RosterQuery(aid), "digital_training", "1")
    q = roster.with_filter(q, "digital_training", "0")
    assert q.facts == (FactFilter("digital_training", "eq", "0"),)
    learners_without = roster.with_filter(RosterQuery(aid, kind="learner"), "digital_training", None)
    assert roster.count(db, learners_without) == 800  # pupils have no digital_training fact
    dept = roster.departments(db, demo)[0]
    assert roster.count(db, roster.with_filter(RosterQuery(aid), "department", dept)) > 0
    assert roster.count(db, roster.with_filter(RosterQuery(aid), "department", None)) == 0


def test_search_ignores_diacritics(db, demo):
    aid = demo.assessment.id
    rows = roster.page(db, RosterQuery(aid, search="nguyen"), 0, 1000)
    assert rows and all("Nguyễn" in r.full_name for r in rows)
    nfd = roster.count(db, RosterQuery(aid, search="Nguye\u0302\u0303n"))
    assert nfd == len(rows)


@pytest.mark.parametrize("sort,descending", [("name", False), ("code", True), ("department", False),
                                             ("digital_training", False), ("emulation_title", True)])
def test_window_from_either_end_matches_page(db, demo, sort, descending):
    q = RosterQuery(demo.assessment.id, sort=sort, descending=descending)
    total = roster.count(db, q)
    every = [r.id for r in roster.page(db, q, 0, total)]
    for offset in (0, 400, 430, 700, 855):
        assert [r.id for r in roster.window(db, q, offset, 50, total)] == every[offset:offset + 50]
    assert roster.ids(db, q) == every


def test_sort_by_code_both_ways(db, demo):
    q = RosterQuery(demo.assessment.id, sort="code")
    first = roster.page(db, q, 0, 1)[0].code
    last = roster.page(db, q.with_(descending=True), 0, 1)[0].code
    assert first < last and first == min(r.code for r in roster.page(db, q, 0, 1000))


def test_count_changing_counts_only_real_changes(db, catalogs, demo):
    aid = demo.assessment.id
    staff = roster.ids(db, RosterQuery(aid, kind="staff"))
    assert roster.count_changing(db, demo, staff, {"digital_training": "1"}) == 7
    assert roster.count_changing(db, demo, staff, {"digital_training": None}) == 60
    assert roster.count_changing(db, demo, staff, {}) == 0
    batch, n = set_facts(db, catalogs, demo, staff, {"digital_training": "1"}, source="tui")
    assert n == 7
    assert roster.count_changing(db, demo, staff, {"digital_training": "1"}) == 0


def test_value_choices_and_person(db, catalogs, demo):
    assert roster.value_choices(catalogs, "digital_training") == ["1", "0", None]
    assert roster.value_choices(catalogs, "kind") == ["staff", "learner"]
    assert roster.value_choices(catalogs, "lc_1")[:2] == ["0", "1"]
    assert roster.value_choices(catalogs, "emulation_title")[-1] is None
    aid = demo.assessment.id
    row = roster.page(db, RosterQuery(aid, kind="staff"), 0, 1)[0]
    again = roster.person(db, demo, row.id)
    assert again.code == row.code and again.facts == row.facts
    assert roster.person(db, demo, 10**9) is None


def test_quick_window_is_the_index_walk(demo):
    q = RosterQuery(demo.assessment.id)
    assert roster.quick_window(q, 0, 100, 100_000) and roster.quick_window(q, 99_900, 100, 100_000)
    assert not roster.quick_window(q, 50_000, 100, 100_000)
    assert not roster.quick_window(q.with_(search="an"), 0, 100, 100_000)
    assert not roster.quick_window(q.with_(sort="digital_training"), 0, 100, 100_000)
    assert not roster.quick_window(roster.with_filter(q, "digital_training", "0"), 0, 100, 100_000)
    assert roster.quick_window(q.with_(kind="staff"), 0, 100, 100_000)


def test_set_where_accepts_labels_like_ids(db, db_url, catalogs, demo, capsys):
    """`--where` names a person column or fact by id, label or alias, NFC or NFD, as `set` does."""
    import unicodedata

    from sqlalchemy import select

    from hoctap.models.people import person_facts
    from hoctap.models.tables import Person
    from hoctap.tui.cli import main

    base = ["--db", db_url, "--lang", "en", "set", "--unit", "THCS-LQD", "--year", "2024"]
    with db.read() as s:
        people = {p.code: p for p in s.exec(select(Person)).scalars()}
    office = [p.id for p in people.values() if p.department == "Tổ Văn phòng"]
    assert len(office) == 5
    assert main(base + ["--where", "Phòng ban=Tổ Văn phòng", "Ngoại ngữ=không"]) == 0, capsys.readouterr().err
    nfd = unicodedata.normalize("NFD", "HỌ VÀ TÊN=Phan Gia Ngân")
    assert main(base + ["--where", nfd, "--where", "Chuyển đổi số=có", "language_cert=có"]) == 0
    facts = person_facts(db, demo, office)
    assert {code: facts[people[code].id].get("language_cert") for code in ("LQD00003",)} == {"LQD00003": "1"}
    assert sorted(facts[i].get("language_cert") for i in office) == ["0", "0", "0", "0", "1"]
    # a computed fact is a filter by its label too
    assert facts[people["LQD00003"].id].get("discipline") == "0"
    assert main(base + ["--where", f"{catalogs.facts['lc_title'].vi}=có", "--where", "code=LQD00003",
                        "discipline=có"]) == 0
    assert person_facts(db, demo, [people["LQD00003"].id])[people["LQD00003"].id]["discipline"] == "1"
    capsys.readouterr()
    assert main(base + ["--where", "Không có=1", "discipline=có"]) == 2
    assert "no field or fact named 'Không có'" in capsys.readouterr().err
