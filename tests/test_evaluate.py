"""The evaluation engine against every entry of every shipped catalog, on both sides of its
threshold: purely (ShareCounts) for all entries, and through the database for a subset."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from hoctap.models.catalog import EDUCATION, CatalogError, load_catalogs
from hoctap.models.checklist import check_entries
from hoctap.models.evaluate import ShareCounts, applicable, evaluate, evaluate_entry, share_met, shortfall
from hoctap.models.facts import set_facts
from hoctap.models.meters import evaluate_context
from hoctap.models.people import upsert_people
from hoctap.models.roster import RosterQuery
from hoctap.models.roster import ids as roster_ids
from hoctap.models.units import add_unit, ensure_context

CATALOGS = load_catalogs()  # collected at import: the parameters come from the shipped data
ENTRIES = [(cat, e) for cat in CATALOGS.units.values() for e in cat.entries()]
SHARE = [(c, e) for c, e in ENTRIES if e.kind == "share"]
UNIT_BOOL = [(c, e) for c, e in ENTRIES if e.kind == "unit" and e.value == "bool"]
UNIT_SCALE = [(c, e) for c, e in ENTRIES if e.kind == "unit" and e.value != "bool"]
TYPED = [(c, e) for c, e in ENTRIES if e.applies_to or e.not_for]


def ids(pairs):
    return [f"{c.id}:{e.id}" for c, e in pairs]


def types_where_applicable(entry) -> set[str]:
    """A unit type set for which the entry applies."""
    education = sorted(CATALOGS.education_types())
    for tag in entry.applies_to or ["public_service", "state_agency", "economic_org"]:
        tag = education[0] if tag == EDUCATION else tag
        if tag not in entry.not_for and not (EDUCATION in entry.not_for and tag in education):
            return {tag}
    raise AssertionError(f"{entry.id} applies to nothing")


def counts_for(entry, population: int, qualifying: int) -> ShareCounts:
    """``qualifying`` people with the lowest qualifying value, the rest one step below it."""
    fact = CATALOGS.facts[entry.fact]
    if fact.type == "bool":
        yes, no = "1", "0"
    else:
        scale = CATALOGS.scale_ids(fact.scale)
        rank = scale.index(entry.at_least)
        yes, no = scale[rank], scale[rank - 1]
    values = {(entry.population, entry.fact, yes): qualifying}
    if population - qualifying:
        values[(entry.population, entry.fact, no)] = population - qualifying
    return ShareCounts({entry.population: population}, values)


def at_threshold(entry, population: int) -> int:
    """The fewest qualifying people that meet the threshold, from the rule itself."""
    return math.ceil(entry.threshold * population / 100)


def test_every_catalog_and_entry_is_covered():
    assert {c.id for c in CATALOGS.units.values()} == {
        "c24-district-l1", "c24-district-l2", "c24-provincial-l1", "c24-provincial-l2"}
    assert len(SHARE) == 28 and len(UNIT_BOOL) + len(UNIT_SCALE) == len(ENTRIES) - 28
    assert UNIT_SCALE and TYPED


# ---- share entries ---------------------------------------------------------------------------

@pytest.mark.parametrize("population", [1, 60, 199, 800, 100_000])
@pytest.mark.parametrize("cat,entry", SHARE, ids=ids(SHARE))
def test_share_entry_at_threshold_and_one_below(cat, entry, population):
    types = types_where_applicable(entry)
    need = at_threshold(entry, population)
    met = evaluate_entry(CATALOGS, entry, types, counts_for(entry, population, need), {})
    assert (met.status, met.met, met.numerator, met.denominator, met.shortfall) == ("met", True, need, population, 0)
    assert met.percent == Fraction(need * 100, population) >= entry.threshold
    if need == 0:
        return
    below = evaluate_entry(CATALOGS, entry, types, counts_for(entry, population, need - 1), {})
    assert (below.status, below.met, below.numerator, below.shortfall) == ("not_met", False, need - 1, 1)
    assert below.percent < entry.threshold


@pytest.mark.parametrize("cat,entry", SHARE, ids=ids(SHARE))
def test_share_entry_empty_population_is_no_data(cat, entry):
    r = evaluate_entry(CATALOGS, entry, types_where_applicable(entry), ShareCounts(), {})
    assert (r.status, r.met, r.numerator, r.denominator, r.shortfall, r.percent) == ("no_data", False, 0, 0, 0, None)


@pytest.mark.parametrize("cat,entry", SHARE, ids=ids(SHARE))
def test_share_entry_counts_only_its_population_and_fact(cat, entry):
    other_pop = "learners" if entry.population == "members" else "members"
    counts = ShareCounts({entry.population: 10, other_pop: 10},
                         {(other_pop, entry.fact, "1"): 10, (entry.population, "some_other_fact", "1"): 10})
    r = evaluate_entry(CATALOGS, entry, types_where_applicable(entry), counts, {})
    assert (r.numerator, r.denominator, r.status) == (0, 10, "not_met")


def test_179_of_199_does_not_meet_90_percent():
    assert not share_met(179, 199, 90) and shortfall(179, 199, 90) == 1
    assert share_met(180, 199, 90) and shortfall(180, 199, 90) == 0
    assert share_met(54, 60, 90) and not share_met(0, 0, 90) and shortfall(0, 0, 90) == 0
    # a decimal threshold is exact too: 97.5% of 40 is 39
    assert share_met(39, 40, Fraction("97.5")) and not share_met(38, 40, Fraction("97.5"))
    assert shortfall(38, 40, Fraction("97.5")) == 1


def test_ordered_fact_counts_values_at_and_above_the_minimum():
    entry = CATALOGS.for_level("district", 1).entry("C2.5")
    counts = ShareCounts({"members": 5}, {
        ("members", "emulation_title", "none"): 1, ("members", "emulation_title", "advanced_worker"): 1,
        ("members", "emulation_title", "grassroots_fighter"): 1, ("members", "emulation_title", "provincial_fighter"): 1,
        ("members", "emulation_title", "national_fighter"): 1})
    assert counts.qualifying(CATALOGS, entry) == 4


# ---- unit entries ----------------------------------------------------------------------------

@pytest.mark.parametrize("cat,entry", UNIT_BOOL, ids=ids(UNIT_BOOL))
def test_bool_unit_entry_yes_no_unset(cat, entry):
    types = types_where_applicable(entry)
    got = {v: evaluate_entry(CATALOGS, entry, types, ShareCounts(), {entry.id: v} if v else {})
           for v in ("1", "0", None)}
    assert (got["1"].status, got["1"].met) == ("met", True)
    assert (got["0"].status, got["0"].met) == ("not_met", False)
    assert (got[None].status, got[None].met, got[None].value) == ("no_data", False, None)


@pytest.mark.parametrize("cat,entry", UNIT_SCALE, ids=ids(UNIT_SCALE))
def test_ordered_unit_entry_below_at_and_above_minimum(cat, entry):
    types = types_where_applicable(entry)
    scale = CATALOGS.scale_ids(entry.value)
    rank = scale.index(entry.at_least)
    assert rank > 0, "a minimum at the bottom of its scale would always be met"
    for i, value in enumerate(scale):
        r = evaluate_entry(CATALOGS, entry, types, ShareCounts(), {entry.id: value})
        assert r.met is (i >= rank), (value, r.status)
    assert evaluate_entry(CATALOGS, entry, types, ShareCounts(), {}).status == "no_data"


# ---- applicability ---------------------------------------------------------------------------

@pytest.mark.parametrize("cat,entry", TYPED, ids=ids(TYPED))
def test_typed_entry_applies_exactly_to_its_types(cat, entry):
    education = CATALOGS.education_types()

    def expected(tag: str) -> bool:
        def hit(tokens):
            return any(t == tag or (t == EDUCATION and tag in education) for t in tokens)
        return not hit(entry.not_for) and (not entry.applies_to or hit(entry.applies_to))

    for tag in CATALOGS.unit_types:
        r = evaluate_entry(CATALOGS, entry, {tag}, ShareCounts(), {})
        assert r.applicable is expected(tag), tag
        if not r.applicable:
            assert (r.status, r.met) == ("not_applicable", None)
    assert any(expected(t) for t in CATALOGS.unit_types) and not all(expected(t) for t in CATALOGS.unit_types)


@pytest.mark.parametrize("cat,entry", [(c, e) for c, e in ENTRIES if not (e.applies_to or e.not_for)],
                         ids=ids([(c, e) for c, e in ENTRIES if not (e.applies_to or e.not_for)]))
def test_untyped_entry_applies_to_every_unit_type(cat, entry):
    assert all(applicable(entry, {tag}, CATALOGS.education_types()) for tag in CATALOGS.unit_types)


# The applicability table of regulations.md 2.4-2.7, written out by hand as the spec check.
EDU = {"preschool", "general_education", "upper_secondary", "continuing_education", "vocational", "higher_education"}
ALL = set(CATALOGS.unit_types)
SPEC_APPLIES = {
    "C1.3": {"state_agency", "public_service"},
    "C2.4": ALL - {"economic_org"},
    "C3.1-learners": EDU,
    ("district", "C3.4"): {"general_education"},
    ("district", "C3.5"): {"vocational"},
    ("provincial", "C3.4"): {"upper_secondary", "continuing_education"},
    ("provincial", "C3.5"): {"higher_education"},
    ("provincial", "C3.6"): {"vocational"},
}


@pytest.mark.parametrize("cat", list(CATALOGS.units.values()), ids=list(CATALOGS.units))
def test_applicability_matches_regulations(cat):
    for e in cat.entries():
        want = SPEC_APPLIES.get((cat.tier, e.id), SPEC_APPLIES.get(e.id, ALL))
        got = {tag for tag in ALL if applicable(e, {tag}, CATALOGS.education_types())}
        assert got == want, e.id


def test_thresholds_and_minimums_match_regulations():
    def share(cat):
        return {e.id: e.threshold_percent for e in cat.entries() if e.kind == "share"}

    l1 = {"C2.1": 90, "C2.2": 90, "C2.3": 90, "C2.4": 50, "C2.5": 90, "C3.1": 90, "C3.1-learners": 95}
    l2 = {**l1, "C3.1": 95, "C3.1-learners": 97}
    assert share(CATALOGS.for_level("district", 1)) == share(CATALOGS.for_level("provincial", 1)) == l1
    assert share(CATALOGS.for_level("district", 2)) == share(CATALOGS.for_level("provincial", 2)) == l2
    for tier, level, collective, digital in (("district", 1, "advanced_collective", "basic"),
                                             ("provincial", 1, "advanced_collective", "basic"),
                                             ("district", 2, "excellent_collective", "satisfactory"),
                                             ("provincial", 2, "excellent_collective", "satisfactory")):
        cat = CATALOGS.for_level(tier, level)
        assert cat.entry("C3.3").at_least == collective
        assert cat.entry("C3.4").at_least == digital
        assert cat.entry("C2.5").at_least == "advanced_worker"


def test_confirmed_marks_follow_the_provenance_of_regulations():
    """[seed]/[seen] values are confirmed, [inferred] ones are not (regulations.md)."""
    def unconfirmed(tier, level):
        return {e.id for e in CATALOGS.for_level(tier, level).entries() if not e.confirmed}

    assert unconfirmed("district", 1) == set() and unconfirmed("provincial", 1) == set()
    assert unconfirmed("district", 2) == {e.id for e in CATALOGS.for_level("district", 2).entries()}
    assert unconfirmed("provincial", 2) == {"C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C3.5", "C3.6"}
    assert [v.id for v in CATALOGS.scales["lc_group"] if not v.confirmed] == ["student"]
    assert CATALOGS.citizen.confirmed


# ---- criterion and level roll-up -------------------------------------------------------------

def all_met_data(cat):
    """Values and counts that meet every applicable entry of a catalog."""
    values, pops, counts = {}, {}, {}
    for e in cat.entries():
        if e.kind == "unit":
            values[e.id] = "1" if e.value == "bool" else e.at_least
        else:
            pops[e.population] = 100
            yes = "1" if CATALOGS.facts[e.fact].type == "bool" else e.at_least
            counts[(e.population, e.fact, yes)] = 100
    return values, ShareCounts(pops, counts)


@pytest.mark.parametrize("cat", list(CATALOGS.units.values()), ids=list(CATALOGS.units))
def test_level_met_only_when_every_criterion_is(cat):
    types = {"public_service", "general_education"}
    values, counts = all_met_data(cat)
    result = evaluate(CATALOGS, cat, types, counts, values)
    assert result.met and all(c.met for c in result.criteria)
    assert [e.entry.id for e in result.entries()] == [e.id for e in cat.entries()]
    for e in cat.entries():
        r = result.entry(e.id)
        if r.applicable and e.kind == "unit":
            broken = evaluate(CATALOGS, cat, types, counts, {**values, e.id: None})
            crit = next(c for c in broken.criteria if any(x.entry.id == e.id for x in c.entries))
            assert not crit.met and not broken.met
            assert all(c.met for c in broken.criteria if c is not crit)


def test_not_applicable_entry_does_not_block_its_criterion():
    cat = CATALOGS.for_level("district", 1)
    values, counts = all_met_data(cat)
    values.pop("C1.3")  # only for state agencies and public service providers
    result = evaluate(CATALOGS, cat, {"economic_org"}, ShareCounts({"members": 100}, counts.values), values)
    assert result.entry("C1.3").status == "not_applicable"
    assert result.entry("C3.1-learners").status == "not_applicable"  # no learners: not an education unit
    assert result.met


def test_no_data_share_entry_fails_its_criterion():
    cat = CATALOGS.for_level("district", 1)
    types = {"public_service", "general_education"}
    values, counts = all_met_data(cat)
    result = evaluate(CATALOGS, cat, types, ShareCounts({"members": 100}, counts.values), values)
    assert result.entry("C3.1-learners").status == "no_data"
    assert [c.met for c in result.criteria] == [True, True, False] and not result.met


RULE_CATALOG = """
kind = "learning-unit"
id = "c24-district-l1"
version = "test"
tier = "district"
level = 1
vi = "Thử"
en = "Test"
source = "test"
rule = "{level_rule}"

[[criteria]]
id = "A"
vi = "A"
en = "A"
rule = "{rule}"
{entries}

[[criteria]]
id = "B"
vi = "B"
en = "B"
[[criteria.entries]]
id = "B.1"
kind = "unit"
value = "bool"
vi = "B.1"
en = "B.1"
source = "test"
confirmed = false
"""


def rule_catalogs(tmp_path, rule: str, level_rule: str = "all"):
    entries = "".join(f"""
[[criteria.entries]]
id = "A.{i}"
kind = "unit"
value = "bool"
vi = "A.{i}"
en = "A.{i}"
source = "test"
confirmed = false
""" for i in range(1, 5))
    (tmp_path / "rules.toml").write_text(RULE_CATALOG.format(rule=rule, level_rule=level_rule, entries=entries),
                                         encoding="utf-8")
    return load_catalogs([tmp_path])


@pytest.mark.parametrize("rule,ticks,met", [
    ("at_least:3", 2, False), ("at_least:3", 3, True), ("at_least:3", 4, True),
    ("any", 0, False), ("any", 1, True), ("all", 3, False), ("all", 4, True)])
def test_criterion_rule_comes_from_the_catalog(tmp_path, rule, ticks, met):
    cats = rule_catalogs(tmp_path, rule)
    cat = cats.for_level("district", 1)
    values = {f"A.{i}": "1" if i <= ticks else "0" for i in range(1, 5)} | {"B.1": "1"}
    result = evaluate(cats, cat, {"public_service"}, ShareCounts(), values)
    assert result.criteria[0].met is met and result.met is met


def test_level_rule_comes_from_the_catalog(tmp_path):
    cats = rule_catalogs(tmp_path, "all", level_rule="any")
    cat = cats.for_level("district", 1)
    result = evaluate(cats, cat, {"public_service"}, ShareCounts(), {"B.1": "1"})
    assert [c.met for c in result.criteria] == [False, True] and result.met


# ---- through the database --------------------------------------------------------------------

def enrol(db, catalogs, ctx, staff: int, learners: int = 0) -> tuple[list[int], list[int]]:
    rows = [({"code": f"S{i:04}", "full_name": f"Nguyễn Văn {i}", "kind": "staff"}, {}) for i in range(staff)]
    rows += [({"code": f"L{i:04}", "full_name": f"Trần Thị {i}", "kind": "learner"}, {}) for i in range(learners)]
    with db.write() as s:
        upsert_people(s, catalogs, ctx, rows)
    return (roster_ids(db, RosterQuery(ctx.assessment.id, kind="staff"), catalogs),
            roster_ids(db, RosterQuery(ctx.assessment.id, kind="learner"), catalogs))


@pytest.fixture
def school(db, catalogs):
    add_unit(db, catalogs, "THCS-TEST", "Trường THCS Thử", "district", ["public_service,general_education"])
    return ensure_context(db, "THCS-TEST", 2024, 1)


DB_SHARE = [(c, e) for c, e in SHARE if c.id in ("c24-district-l1", "c24-district-l2")]


@pytest.mark.parametrize("cat,entry", DB_SHARE, ids=ids(DB_SHARE))
def test_share_entry_through_the_database(db, catalogs, school, cat, entry):
    staff, learners = enrol(db, catalogs, school, 199, 40 if entry.population == "learners" else 0)
    people = staff if entry.population == "members" else learners
    level = cat.level
    r = evaluate_context(db, catalogs, school, level).entry(entry.id)
    assert (r.status, r.met, r.numerator, r.denominator) == ("not_met", False, 0, len(people))

    need = at_threshold(entry, len(people))
    fact = catalogs.facts.get(entry.fact)
    if entry.fact == catalogs.citizen.result_fact:  # computed: reach it through the recorded title
        name, yes, no = catalogs.citizen.status_fact, "1", "0"
    elif fact.type == "bool":
        name, yes, no = entry.fact, "1", "0"
    else:
        scale = catalogs.scale_ids(fact.scale)
        name, yes, no = entry.fact, entry.at_least, scale[scale.index(entry.at_least) - 1]
    set_facts(db, catalogs, school, people, {name: no})
    set_facts(db, catalogs, school, people[:need - 1], {name: yes})
    r = evaluate_context(db, catalogs, school, level).entry(entry.id)
    assert (r.status, r.numerator, r.denominator, r.shortfall) == ("not_met", need - 1, len(people), 1)
    set_facts(db, catalogs, school, people[need - 1:need], {name: yes})
    r = evaluate_context(db, catalogs, school, level).entry(entry.id)
    assert (r.status, r.met, r.numerator, r.shortfall) == ("met", True, need, 0)


def test_179_of_199_through_the_database(db, catalogs, school):
    staff, _ = enrol(db, catalogs, school, 199)
    set_facts(db, catalogs, school, staff[:179], {"discipline": "1"})
    r = evaluate_context(db, catalogs, school, 1).entry("C2.1")
    assert (r.numerator, r.denominator, r.met, r.shortfall) == (179, 199, False, 1)


def test_empty_population_through_the_database(db, catalogs, school):
    result = evaluate_context(db, catalogs, school, 1)
    for r in result.entries():
        if r.entry.kind == "share":
            assert (r.status, r.met, r.denominator) == ("no_data", False, 0)
    assert not result.met


DB_UNIT = [(c, e) for c, e in ENTRIES if e.kind == "unit" and c.id == "c24-district-l1" and not e.not_for
           and (not e.applies_to or {"public_service", "general_education"} & set(e.applies_to))]


@pytest.mark.parametrize("cat,entry", DB_UNIT, ids=ids(DB_UNIT))
def test_unit_entry_through_the_database(db, catalogs, school, cat, entry):
    assert evaluate_context(db, catalogs, school, 1).entry(entry.id).status == "no_data"
    if entry.value == "bool":
        below, at = "không", "có"
    else:
        scale = catalogs.scale_ids(entry.value)
        below = catalogs.scale_label(entry.value, scale[scale.index(entry.at_least) - 1])  # by Vietnamese label
        at = entry.at_least
    check_entries(db, catalogs, school, {entry.id: below}, evidence="Biên bản số 1")
    assert evaluate_context(db, catalogs, school, 1).entry(entry.id).status == "not_met"
    check_entries(db, catalogs, school, {entry.id: at})
    r = evaluate_context(db, catalogs, school, 1).entry(entry.id)
    assert (r.status, r.met) == ("met", True)


def test_inapplicable_entry_through_the_database(db, catalogs, school):
    result = evaluate_context(db, catalogs, school, 1)
    assert result.entry("C3.5").applicable is False and result.entry("C3.5").met is None
    assert result.entry("C3.4").applicable and result.entry("C3.1-learners").applicable


def test_numeric_fact_and_decimal_threshold_from_a_catalog(tmp_path):
    """A share entry may count an int fact (here indicator 5 of the Learning Citizen form) with
    an integer minimum, against a decimal threshold."""
    entry = """
[[criteria.entries]]
id = "A.1"
kind = "share"
population = "members"
fact = "lc_5"
at_least = 7
threshold_percent = 62.5
vi = "Ít nhất 62,5% thành viên đạt 7 điểm chỉ số 5"
en = "At least 62.5% of members score 7 on indicator 5"
source = "test"
confirmed = false
"""
    (tmp_path / "rules.toml").write_text(RULE_CATALOG.format(rule="all", level_rule="all", entries=entry),
                                         encoding="utf-8")
    cats = load_catalogs([tmp_path])
    e = cats.for_level("district", 1).entry("A.1")
    counts = ShareCounts({"members": 8}, {("members", "lc_5", "6"): 3, ("members", "lc_5", "7"): 4,
                                          ("members", "lc_5", "10"): 1})
    r = evaluate_entry(cats, e, {"public_service"}, counts, {})
    assert (r.numerator, r.denominator, r.status, r.shortfall) == (5, 8, "met", 0)  # 5/8 is exactly 62.5%
    counts = ShareCounts({"members": 8}, {("members", "lc_5", "6"): 4, ("members", "lc_5", "9"): 4})
    r = evaluate_entry(cats, e, {"public_service"}, counts, {})
    assert (r.numerator, r.status, r.shortfall) == (4, "not_met", 1)

    from hoctap.models import i18n
    from hoctap.models.present import meter_text

    i18n.set_lang("vi")
    assert meter_text(cats, r) == "4/8 = 50,0% < 62,5% ✗"
    i18n.set_lang("en")
    assert meter_text(cats, r) == "4/8 = 50.0% < 62.5% ✗"

    (tmp_path / "rules.toml").write_text(RULE_CATALOG.format(rule="all", level_rule="all",
                                                             entries=entry.replace("at_least = 7", 'at_least = "7"')),
                                         encoding="utf-8")
    with pytest.raises(CatalogError, match=r"criteria\[0\]\.entries\[0\]\.at_least: an integer is required"):
        load_catalogs([tmp_path])
