"""End-to-end smoke checks of the core through its public functions."""

from models.store import evaluate_context


def test_demo_meters_land_where_designed(db, catalogs, demo):
    result = evaluate_context(db, catalogs, demo, 1)
    c23 = result.entry("C2.3")
    assert (c23.numerator, c23.denominator, c23.status, c23.shortfall) == (53, 60, "not_met", 1)
    learners = result.entry("C3.1-learners")
    assert (learners.numerator, learners.denominator, learners.shortfall) == (757, 800, 3)
    assert result.entry("C3.1").status == "met"  # 54/60 is exactly 90%
    assert result.entry("C3.5").applicable is False  # not a vocational school
    assert result.met is False
