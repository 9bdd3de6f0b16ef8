"""benchmarks/run.py keeps going when a row or a baseline fails, says so in its table and JSON,
and writes the JSON after every row (a run cut short keeps what it measured)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import run

    return run


def test_a_failing_row_and_a_failing_baseline_are_recorded_and_the_suite_goes_on(run, monkeypatch, tmp_path, capsys):
    out = tmp_path / "bench.json"
    seen_before_last: list[dict] = []

    def broken(w, runs):
        """a row whose operation times out"""
        raise TimeoutError("'C3.1' not on screen after 120 s")

    def half(w, runs):
        """a row with one failing floor"""
        res = run.Result("half", "a row with one failing floor", None, runs=[0.5])
        res.measure("floor that works", lambda: [0.25])
        res.measure("floor that breaks", lambda: 1 / 0)
        return res

    def last(w, runs):
        """the last row"""
        seen_before_last.append(json.loads(out.read_text()))  # what a run killed here would have kept
        return run.Result("last", "the last row", None, runs=[0.1])

    monkeypatch.setattr(run, "BENCHMARKS", [run.Bench("broken", broken), run.Bench("half", half),
                                            run.Bench("last", last)])
    assert run.main(["--size", "20", "--runs", "1", "--json", str(out)]) == 0

    [partial] = seen_before_last
    assert [r["id"] for r in partial["results"]] == ["broken", "half"]
    doc = json.loads(out.read_text())
    rows = {r["id"]: r for r in doc["results"]}
    assert list(rows) == ["broken", "half", "last"]
    assert rows["broken"]["failed"] == "TimeoutError: 'C3.1' not on screen after 120 s"
    assert rows["half"]["baseline_median_s"] == {"floor that works": 0.25}
    assert rows["half"]["failed_baselines"] == {"floor that breaks": "ZeroDivisionError: division by zero"}
    assert rows["last"]["median_s"] == 0.1 and doc["machine"]["backend"] == "sqlite"
    table = capsys.readouterr().out
    assert "| a row whose operation times out | **failed**: TimeoutError" in table
    assert "floor that works: 250.0 ms" in table and "(×2.0)" in table
    assert "floor that breaks: **failed** (ZeroDivisionError: division by zero)" in table


def test_the_set_floor_commits_what_set_and_undo_commit(run, db_url, db, catalogs, tmp_path):
    """Run on either backend, the floor leaves the facts as they were, with the set's batch
    marked undone, the undo's batch, and one change per changed person in each."""
    from hoctap.models.importer import import_roster
    from hoctap.models.units import add_unit, find_context
    from hoctap.sample_data.generator import people, write_csv

    add_unit(db, catalogs, run.UNIT, "Unit", "district", run.TYPES)
    import_roster(db, catalogs, run.UNIT, run.YEAR, write_csv(tmp_path / "r.csv", list(people(40, seed=6))))
    aid = find_context(db, run.UNIT, run.YEAR).assessment.id
    con = run.Bare(db_url)
    ids = [r[0] for r in con.execute("SELECT person_id FROM roster_entry ORDER BY person_id LIMIT 10").fetchall()]
    facts = "SELECT person_id, value FROM person_fact WHERE name = 'digital_training' ORDER BY person_id"
    before = con.execute(facts).fetchall()
    changed = len(ids) - sum(1 for pid, v in before if pid in ids and v == "0")
    assert changed  # the set does change something
    run._bare_set_undo(con, aid, ids, "digital_training", "0")
    assert con.execute(facts).fetchall() == before
    batches = con.execute("SELECT id, action, undone_by FROM audit_batch WHERE source = 'bench' ORDER BY id").fetchall()
    assert [(action, undone is not None) for _, action, undone in batches] == [("set", True), ("undo", False)]
    counts = [con.execute("SELECT count(*) FROM audit_change WHERE batch_id = ?", (b,)).fetchone()[0] for b, _, _ in batches]
    assert counts == [changed, changed]
    con.close()
