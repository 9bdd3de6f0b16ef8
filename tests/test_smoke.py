"""End-to-end smoke checks of the core through its public functions."""

import json

from hoctap.models.meters import evaluate_context


def test_demo_meters_land_where_designed(db, catalogs, demo):
    result = evaluate_context(db, catalogs, demo, 1)
    c23 = result.entry("C2.3")
    assert (c23.numerator, c23.denominator, c23.status, c23.shortfall) == (53, 60, "not_met", 1)
    learners = result.entry("C3.1-learners")
    assert (learners.numerator, learners.denominator, learners.shortfall) == (757, 800, 3)
    assert result.entry("C3.1").status == "met"  # 54/60 is exactly 90%
    assert result.entry("C3.5").applicable is False  # not a vocational school
    assert result.met is False


def test_demo_again_keeps_the_users_edits(capsys):
    """On the default database: demo, an edit, demo again: the edit stays, and it says so."""
    from hoctap.tui.cli import main

    assert main(["--lang", "en", "demo", "--no-tui"]) == 0
    assert "Demo data built" in capsys.readouterr().out
    assert main(["set", "--unit", "THCS-LQD", "--year", "2024", "--where", "kind=staff", "digital_training=1"]) == 0
    assert main(["--lang", "en", "demo", "--no-tui"]) == 0
    assert "already in" in capsys.readouterr().out
    assert main(["status", "--unit", "THCS-LQD", "--year", "2024", "--json"]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    c23 = next(e for c in doc["criteria"] for e in c["entries"] if e["id"] == "C2.3")
    assert c23["numerator"] == 60
