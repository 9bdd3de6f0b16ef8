"""The paths rewritten for speed give what the plain definitions give, on a generated roster:
fact filters (``person.id IN`` the covering index, not a correlated EXISTS) against a filter by
hand, facts read by primary key against a whole-table read, the import's per-column parse cache
against parsing every cell, and the audit rows written through executemany against the data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hoctap.models import roster
from hoctap.models.fields import PERSON_FIELDS
from hoctap.models.importer import _parse, find_header, import_roster, parse_file, read_rows
from hoctap.models.people import person_facts
from hoctap.models.qualify import KIND_OF_POPULATION, Qualifies
from hoctap.models.roster import FactFilter, RosterQuery
from hoctap.models.sql import AC, PF, PT
from hoctap.models.units import add_unit, find_context
from hoctap.sample_data.generator import people, write_csv

TYPES = ["public_service", "general_education"]


@pytest.fixture
def loaded(db, catalogs, tmp_path):
    rows = list(people(300, seed=5, learner_share=0.5))
    for r in rows[::7]:  # some people without a value for these facts at all
        r["digital_training"] = r["emulation_title"] = ""
    add_unit(db, catalogs, "U", "Unit", "district", TYPES)
    path = write_csv(tmp_path / "roster.csv", rows)
    import_roster(db, catalogs, "U", 2024, path)
    ctx = find_context(db, "U", 2024)
    with db.read() as s:
        kinds = dict(s.execute(select(PT.c.id, PT.c.kind)).all())
        facts: dict[int, dict[str, str]] = {pid: {} for pid in kinds}
        for pid, name, value in s.execute(select(PF.c.person_id, PF.c.name, PF.c.value)):
            facts[pid][name] = value
    return ctx, kinds, facts, path


def _by_hand(f: FactFilter, facts: dict[str, str]) -> bool:
    value = facts.get(f.name)
    if f.op == "eq":
        return value == f.value
    if f.op == "ne":
        return value != f.value
    return (value is None) == (f.op == "missing")


@pytest.mark.parametrize("f", [FactFilter("digital_training", "eq", "0"), FactFilter("digital_training", "eq", "1"),
                               FactFilter("digital_training", "eq", None), FactFilter("digital_training", "ne", "1"),
                               FactFilter("emulation_title", "missing"), FactFilter("emulation_title", "present"),
                               FactFilter("emulation_title", "ne", "none")],
                         ids=lambda f: f"{f.name}-{f.op}-{f.value}")
def test_fact_filters_match_a_filter_by_hand(db, catalogs, loaded, f):
    ctx, kinds, facts, _ = loaded
    q = RosterQuery(ctx.assessment.id, facts=(f,))
    expected = {pid for pid in kinds if _by_hand(f, facts[pid])}
    assert expected and expected != set(kinds)  # the filter does filter
    assert set(roster.ids(db, q, catalogs)) == expected
    assert roster.count(db, q, catalogs) == len(expected)


def test_not_qualifying_matches_a_count_by_hand(db, catalogs, loaded):
    ctx, kinds, facts, _ = loaded
    catalog = catalogs.for_level("district", 1)
    shares = [e for e in catalog.entries() if e.kind == "share"]
    assert shares
    for entry in shares:
        kind = KIND_OF_POPULATION[entry.population]
        accepted = Qualifies.of(catalogs, entry).values

        def qualifies(value: str | None) -> bool:
            if value is None:
                return False
            return int(value) >= int(entry.at_least) if accepted is None else value in accepted

        expected = {pid for pid, k in kinds.items() if k == kind and not qualifies(facts[pid].get(entry.fact))}
        q = RosterQuery(ctx.assessment.id, not_qualifying=entry.id)
        assert set(roster.ids(db, q, catalogs)) == expected, entry.id


def test_facts_by_primary_key_match_a_whole_read(db, loaded):
    ctx, kinds, facts, _ = loaded
    ids = sorted(kinds)[::3]
    assert person_facts(db, ctx, ids) == {pid: facts[pid] for pid in ids}


def test_parse_cache_matches_parsing_every_cell(catalogs, loaded):
    *_, path = loaded
    parsed, _ = parse_file(catalogs, path)
    rows, _ = read_rows(catalogs, path)
    header_idx, columns, _ = find_header(catalogs, rows)
    expected = []
    for _line, record in rows[header_idx + 1:]:
        values = {name: _parse(catalogs, name, record[col] if col < len(record) else None)
                  for col, name in columns.items()}
        fields = {k: v for k, v in values.items() if k in PERSON_FIELDS}
        expected.append((fields, {k: v for k, v in values.items() if k not in fields}))
    assert parsed == expected


def test_import_audit_rows_match_the_data(db, loaded):
    ctx, kinds, facts, _ = loaded
    with db.read() as s:
        audit = s.execute(select(AC.c.entity, AC.c.entity_id, AC.c.field, AC.c.old, AC.c.new)).all()
    assert {(pid, name, value) for e, pid, name, old, value in audit if e == "fact"} == \
        {(pid, name, value) for pid, fs in facts.items() for name, value in fs.items()}
    assert sorted(pid for e, pid, *_ in audit if e == "roster") == sorted(kinds)
    assert sorted(pid for e, pid, *_ in audit if e == "person") == sorted(kinds)
