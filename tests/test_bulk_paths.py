"""The fast paths behind the benchmarks give the same data as the general ones: a first import
(bulk insert of new people) against the compare-and-update path (reading old values by IN lists
or whole), the meters' aggregate against a count by hand, and the covering index migration."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest
from sqlalchemy import inspect

from hoctap.models import facts

from hoctap.models.db import open_database
from hoctap.models.importer import import_roster
from hoctap.models.meters import share_counts
from hoctap.models.qualify import POPULATION_OF_KIND
from hoctap.models.undo import undo
from hoctap.models.units import add_unit, find_context
from hoctap.sample_data.generator import FACT_COLUMNS, people, write_csv

TYPES = ["public_service", "general_education"]


def _db_with_unit(url, catalogs):
    db = open_database(url)
    add_unit(db, catalogs, "U", "Unit", "district", TYPES)
    return db


def _facts(path) -> set[tuple]:
    with sqlite3.connect(path) as con:
        return set(con.execute("SELECT p.code, f.name, f.value FROM person_fact f JOIN person p ON p.id = f.person_id"))


def _people(path) -> set[tuple]:
    with sqlite3.connect(path) as con:
        return set(con.execute("SELECT code, full_name, kind, department, position, birth_year, gender, search, "
                               "sort_key FROM person"))


@pytest.mark.parametrize("bulk_read", [0, 10**9], ids=["whole-fact-reads", "in-list-reads"])
def test_first_import_matches_the_update_path(tmp_path, catalogs, monkeypatch, bulk_read):
    monkeypatch.setattr(facts, "BULK_READ", bulk_read)
    rows = list(people(400, seed=11, learner_share=0.6))
    full = write_csv(tmp_path / "full.csv", rows)
    bare = write_csv(tmp_path / "bare.csv", [{k: v for k, v in r.items() if k not in FACT_COLUMNS} for r in rows])

    fast = _db_with_unit(f"sqlite:///{tmp_path / 'fast.db'}", catalogs)
    result = import_roster(fast, catalogs, "U", 2024, full)  # everyone new: bulk path

    slow = _db_with_unit(f"sqlite:///{tmp_path / 'slow.db'}", catalogs)
    import_roster(slow, catalogs, "U", 2024, bare)
    again = import_roster(slow, catalogs, "U", 2024, full)  # everyone known: compare and update

    assert _facts(tmp_path / "fast.db") == _facts(tmp_path / "slow.db")
    assert _people(tmp_path / "fast.db") == _people(tmp_path / "slow.db")
    assert result.facts == again.facts == sum(1 for r in rows for k in FACT_COLUMNS if r.get(k))
    lc = catalogs.citizen
    titles = {code: value for code, name, value in _facts(tmp_path / "fast.db") if name == lc.result_fact}
    for r in rows:
        scores = [int(r[f]) if r.get(f) else None for f in lc.score_facts]
        recorded = None if not r.get(lc.status_fact) else r[lc.status_fact] == "1"
        title = lc.title(scores, recorded)
        assert titles.get(r["code"]) == (None if title is None else ("1" if title else "0"))

    undo(fast, catalogs, result.batch_id)
    assert _facts(tmp_path / "fast.db") == set()
    with sqlite3.connect(tmp_path / "fast.db") as con:
        assert con.execute("SELECT count(*) FROM roster_entry").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM person").fetchone() == (0,)
    fast.dispose()
    slow.dispose()


def test_share_counts_match_a_count_by_hand(tmp_path, catalogs):
    rows = list(people(500, seed=12, learner_share=0.7))
    db = _db_with_unit(f"sqlite:///{tmp_path / 'h.db'}", catalogs)
    import_roster(db, catalogs, "U", 2024, write_csv(tmp_path / "r.csv", rows))
    ctx = find_context(db, "U", 2024)
    names = ["digital_training", "emulation_title", "learning_citizen", "lc_title"]
    counts = share_counts(db, ctx, names)
    assert counts.population == Counter(POPULATION_OF_KIND[r["kind"]] for r in rows)
    by_code = {r["code"]: POPULATION_OF_KIND[r["kind"]] for r in rows}
    expected = Counter((by_code[code], name, value) for code, name, value in _facts(tmp_path / "h.db")
                       if name in names)
    assert counts.values == expected
    db.dispose()


def test_covering_index_replaces_the_old_one(db):
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("person_fact")}
    assert indexes.get("ix_person_fact_cover") == ["assessment_id", "name", "value", "person_id"]
    assert "ix_person_fact_name_value" not in indexes


def test_upgrade_from_0001_keeps_the_data(tmp_path, catalogs):
    from alembic import command

    from hoctap.models.db import Database, _alembic_config, current_revision
    from hoctap.models.migrations import HEAD

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database(url)
    command.upgrade(_alembic_config(old), "0001")
    add_unit(old, catalogs, "U", "Unit", "district", TYPES)
    import_roster(old, catalogs, "U", 2024, write_csv(tmp_path / "r.csv", people(50, seed=13)))
    before = _facts(tmp_path / "old.db")
    old.dispose()

    db = open_database(url)
    assert current_revision(db) == HEAD
    assert _facts(tmp_path / "old.db") == before
    assert "ix_person_fact_cover" in {ix["name"] for ix in inspect(db.engine).get_indexes("person_fact")}
    db.dispose()


def test_batch_set_and_undo_over_many_chunks(db, catalogs, demo, monkeypatch):
    """More people than one IN list (SQLite: chunks; PostgreSQL: one ANY array), some with the
    fact stored and some without; undo puts every value back."""
    from sqlalchemy import select

    from hoctap.models.people import person_facts
    from hoctap.models.sql import RE

    monkeypatch.setattr(facts, "BULK_READ", 100)  # the whole-fact read of SQLite too
    with db.read() as s:
        ids = list(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == demo.assessment.id)).scalars())
        versions = dict(s.execute(select(RE.c.person_id, RE.c.version).where(RE.c.assessment_id == demo.assessment.id)).all())
    assert len(ids) > 600
    before = person_facts(db, demo, ids)
    had = sum(1 for pid in ids if "lc_3" in before[pid])
    written = facts.set_facts(db, catalogs, demo, ids, {"lc_3": "7", "digital_training": None})
    after = person_facts(db, demo, ids)
    assert all(after[pid]["lc_3"] == "7" and "digital_training" not in after[pid] for pid in ids)
    assert written.n == (len(ids) - sum(1 for pid in ids if before[pid].get("lc_3") == "7")
                         + sum(1 for pid in ids if "digital_training" in before[pid]))
    assert had < len(ids)  # some were inserted, not updated
    with db.read() as s:
        bumped = dict(s.execute(select(RE.c.person_id, RE.c.version).where(RE.c.assessment_id == demo.assessment.id)).all())
    assert any(bumped[pid] > versions[pid] for pid in ids)
    undo(db, catalogs, written.batch)
    assert person_facts(db, demo, ids) == before
