"""A write that selects people by a condition decides whom it touches inside its own write
transaction: a colleague's commit made while it waited for the lock is neither overwritten
nor missed (the lost update of ``set --where``)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select, update

from hoctap.models.db import open_database
from hoctap.models.errors import StaleEdit
from hoctap.models.facts import set_facts
from hoctap.models.importer import import_roster
from hoctap.models.people import person_facts
from hoctap.models.roster import Matching, Picked, RosterQuery, ids, parse_where
from hoctap.models.sql import PF, PT
from hoctap.models.units import Context, add_unit, ensure_context
from hoctap.sample_data.generator import people, write_csv

TRIALS = 20
TYPES = ["public_service", "general_education"]


@pytest.fixture
def school(db, catalogs, tmp_path):
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    import_roster(db, catalogs, "S1", 2024, write_csv(tmp_path / "roster.csv", people(12, seed=3, learner_share=0)))
    ctx = ensure_context(db, "S1", 2024)
    with db.read() as s:
        codes = dict(s.execute(select(PT.c.code, PT.c.id)).all())
    return ctx, codes


def _set_all(db, catalogs, ctx: Context, pids, value: str) -> None:
    set_facts(db, catalogs, ctx, list(pids), {"emulation_title": value})


def _race(db_url, catalogs, ctx: Context, colleague_pid: int, make_people) -> tuple[int | None, int]:
    """A colleague holds the write lock with an uncommitted change to one person; our write
    starts, and the colleague commits only once our write is about to take the lock — after
    any selection made outside the write transaction would already have been read."""
    colleague, ours = open_database(db_url), open_database(db_url)
    ours_waiting = threading.Event()

    def about_to_lock(conn):
        if conn.get_execution_options().get("hoctap_write"):
            ours_waiting.set()

    event.listen(ours.write_engine, "begin", about_to_lock, insert=True)
    result: dict = {}

    def run_ours():
        try:
            result["value"] = set_facts(ours, catalogs, ctx, make_people(), {"emulation_title": "advanced_worker"})
        except Exception as e:  # noqa: BLE001 - handed to the test thread
            result["error"] = e

    try:
        with colleague.write() as s:
            s.execute(update(PF).where(PF.c.assessment_id == ctx.assessment.id, PF.c.name == "emulation_title",
                                       PF.c.person_id == colleague_pid).values(value="national_fighter"))
            worker = threading.Thread(target=run_ours)
            worker.start()
            assert ours_waiting.wait(30), "our write never started"
        worker.join(60)
        assert not worker.is_alive()
    finally:
        colleague.dispose()
        ours.dispose()
    if "error" in result:
        raise result["error"]
    return result["value"]


def _trials(db, catalogs, school):
    """Each trial starts from everyone at "none" and the query ``emulation_title=none``."""
    ctx, codes = school
    everyone = list(codes.values())
    for _ in range(TRIALS):
        _set_all(db, catalogs, ctx, everyone, "none")
        yield ctx, codes["P00008"], everyone, parse_where(catalogs, RosterQuery(ctx.assessment.id),
                                                          ["emulation_title=none"])


def test_set_where_that_waited_does_not_overwrite_a_colleagues_commit(db, db_url, catalogs, school):
    for ctx, target, everyone, query in _trials(db, catalogs, school):
        selection = Matching(query, catalogs)
        batch, n = _race(db_url, catalogs, ctx, target, lambda: selection)
        facts = person_facts(db, ctx, everyone)
        assert facts[target]["emulation_title"] == "national_fighter"
        assert {facts[p]["emulation_title"] for p in everyone if p != target} == {"advanced_worker"}
        assert selection.matched == len(everyone) - 1 and n == len(everyone) - 1 and batch is not None


def test_select_all_matching_refuses_when_the_matching_people_changed(db, db_url, catalogs, school):
    for ctx, target, everyone, query in _trials(db, catalogs, school):
        matched = frozenset(ids(db, query, catalogs))  # what the screen selected
        picked = Picked(matched, catalogs, ((query, matched),))
        with pytest.raises(StaleEdit, match="chọn lại"):
            _race(db_url, catalogs, ctx, target, lambda: picked)
        facts = person_facts(db, ctx, everyone)
        assert facts[target]["emulation_title"] == "national_fighter"
        assert {facts[p]["emulation_title"] for p in everyone if p != target} == {"none"}  # nothing written


def test_a_selection_nobody_changed_is_written(db, catalogs, school):
    ctx, codes = school
    everyone = list(codes.values())
    _set_all(db, catalogs, ctx, everyone, "none")
    query = parse_where(catalogs, RosterQuery(ctx.assessment.id), ["emulation_title=none"])
    matched = frozenset(ids(db, query, catalogs))
    picked = Picked(matched - {codes["P00001"]}, catalogs, ((query, matched),))  # one unticked by hand
    batch, n = set_facts(db, catalogs, ctx, picked, {"emulation_title": "advanced_worker"})
    assert batch is not None and n == len(everyone) - 1
    assert person_facts(db, ctx, [codes["P00001"]])[codes["P00001"]]["emulation_title"] == "none"


def test_set_where_matching_nobody_writes_nothing(db, catalogs, school):
    ctx, _codes = school
    query = parse_where(catalogs, RosterQuery(ctx.assessment.id), ["emulation_title=national_fighter"])
    _set_all(db, catalogs, ctx, _codes.values(), "none")
    selection = Matching(query, catalogs)
    assert set_facts(db, catalogs, ctx, selection, {"emulation_title": "advanced_worker"}) == (None, 0)
    assert selection.matched == 0
