"""The roster search by index (migration 0006, models/search_index.py): the same people in the
same order as the LIKE scan, on SQLite and PostgreSQL, however people changed since indexing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hoctap.models import roster, search_index
from hoctap.models.db import open_database
from hoctap.models.people import save_person
from hoctap.models.roster import RosterQuery
from hoctap.models.units import ensure_context

# codes, whole names, parts, short words (no trigram: scanned), LIKE's own characters, nothing
SEARCHES = ["lqd00012", "LQD0001", "nguyễn thị", "nguyen van", "KHANH", "uyen", "an", "a", "ng h", "thi hoa an",
            "100%", "_", '"', "đặng", "zzzz"]


def found(db, aid, word, scan=False, monkeypatch=None):
    if scan:
        monkeypatch.setattr(search_index, "candidates", lambda words: [])
        monkeypatch.setattr(search_index, "matching", lambda words: None)
    try:
        q = RosterQuery(aid, search=word)
        return roster.count(db, q), roster.ids(db, q), [r.id for r in roster.page(db, q, 0, 50)]
    finally:
        if scan:
            monkeypatch.undo()


def test_the_index_finds_what_the_scan_finds_in_the_same_order(db, demo, monkeypatch):
    aid = demo.assessment.id
    for word in SEARCHES:
        assert found(db, aid, word) == found(db, aid, word, scan=True, monkeypatch=monkeypatch), word
    assert found(db, aid, "nguyen")[0] > 0


def test_sqlite_and_postgresql_find_the_same_people(catalogs, sqlite_url, pg_url):
    from hoctap.sample_data.demo import build_demo

    codes = []
    for url in (sqlite_url, pg_url):
        db = open_database(url)
        try:
            build_demo(db, catalogs)
            ctx = ensure_context(db, "THCS-LQD", 2024)
            by_word = {}
            for word in SEARCHES:
                q = RosterQuery(ctx.assessment.id, search=word)
                by_word[word] = [r.code for r in roster.page(db, q, 0, 1000)]
            codes.append(by_word)
        finally:
            db.dispose()
    assert codes[0] == codes[1]
    assert codes[0]["nguyen van"]


def _codes(db, aid, word):
    q = RosterQuery(aid, search=word)
    codes = {r.code for r in roster.page(db, q, 0, 1000)}
    assert roster.count(db, q) == len(codes)
    return codes


def test_people_changed_after_indexing_are_found_as_they_are_now(db, catalogs, demo):
    aid = demo.assessment.id
    search_index.catch_up(db)
    with db.read() as s:
        pid, code, old = s.execute(text("SELECT id, code, full_name FROM person ORDER BY id LIMIT 1")).one()
    assert code in _codes(db, aid, old)
    save_person(db, catalogs, demo, pid, {"full_name": "Quách Thị Xoan"}, {})
    save_person(db, catalogs, demo, None, {"code": "HS-MOI1", "full_name": "Tạ Văn Yểng", "kind": "learner"}, {})
    for _ in range(2):  # before the index caught up (scanned), then after (indexed)
        assert _codes(db, aid, "xoan") == {code}
        assert code not in _codes(db, aid, old)
        assert _codes(db, aid, "yeng") == {"HS-MOI1"} == _codes(db, aid, "hs-moi")
        search_index.catch_up(db)
    # a person deleted, and another inserted under the same id (SQLite reuses the highest id)
    with db.read() as s:
        last, last_code = s.execute(text("SELECT id, code FROM person ORDER BY id DESC LIMIT 1")).one()
    old_name = last_code.lower()
    with db.write() as s:
        s.execute(text("DELETE FROM person WHERE id = :id"), {"id": last})
    assert _codes(db, aid, old_name) == set()
    with db.write() as s:
        s.execute(text("INSERT INTO person (id, unit_id, code, full_name, kind, search, sort_key, version) "
                       "SELECT :id, unit_id, 'HS-LAI', 'Lại Văn Khoẻ', 'learner', 'hs-lai lai van khoe', 'x', 1 "
                       "FROM person WHERE id = :pid"), {"id": last, "pid": pid})
        s.execute(text("INSERT INTO roster_entry (assessment_id, person_id, version) VALUES (:a, :id, 1)"),
                  {"a": aid, "id": last})
    for _ in range(2):
        assert _codes(db, aid, "khoe") == {"HS-LAI"}
        assert _codes(db, aid, old_name) == set()
        search_index.catch_up(db)


def test_the_index_is_filled_after_the_import_in_short_transactions(db, catalogs, demo, monkeypatch):
    if not db.is_sqlite:
        pytest.skip("PostgreSQL's pg_trgm index needs no filling")
    with db.read() as s:
        top = s.execute(text("SELECT max(id) FROM person")).scalar()
        assert s.execute(text("SELECT watermark FROM person_search_state")).scalar() == top
        assert s.execute(text("SELECT count(*) FROM person_search")).scalar() == 860
        assert s.execute(text("SELECT count(*) FROM person_search_dirty")).scalar() == 0
    with db.write() as s:  # as if 860 people were added and never indexed
        s.execute(text("DELETE FROM person_search"))
        s.execute(text("UPDATE person_search_state SET watermark = 0"))
    monkeypatch.setattr(search_index, "BATCH", 100)
    writes = []
    real = type(db).write

    def counted(self):
        writes.append(1)
        return real(self)

    monkeypatch.setattr(type(db), "write", counted)
    assert search_index.catch_up(db) == 860
    assert len(writes) == 10  # nine of 100 and the last 60, then one that finds nothing
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM person_search")).scalar() == 860


def test_postgresql_has_the_trigram_index(db):
    if db.is_sqlite:
        pytest.skip("SQLite's index is person_search")
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_person_search_trgm'")).scalar() == 1


@pytest.mark.parametrize("sort,descending", [("name", False), ("name", True), ("code", False), ("code", True)])
def test_a_common_words_window_from_the_prefix_walk_is_the_sorted_one(db, demo, monkeypatch, sort, descending):
    aid = demo.assessment.id
    monkeypatch.setattr(roster, "PREFIX_FROM", 1)  # the demo's 860 people: walk a prefix of 400
    monkeypatch.setattr(roster, "INDEX_WALK_LIMIT", 400)
    walked = []
    real = roster._walk_prefix
    monkeypatch.setattr(roster, "_walk_prefix", lambda *a: walked.append(real(*a)) or walked[-1])
    for word in ("nguyen", "thi", "an", "lqd008", "yen", "lqd0001", "lqd00012", "zzzz"):
        q = RosterQuery(aid, search=word, sort=sort, descending=descending)
        every = roster.ids(db, q)
        n = len(every)
        for offset in (0, 7, max(0, n - 10)):
            assert [r.id for r in roster.window(db, q, offset, 10, n)] == every[offset:offset + 10], (word, offset)
    assert any(w is not None for w in walked) and any(w is None for w in walked)


def test_a_word_in_a_fifth_of_the_people_or_more_is_scanned(db, demo, monkeypatch):
    if not db.is_sqlite:
        pytest.skip("PostgreSQL's planner chooses")
    monkeypatch.setattr(search_index, "COMMON", 1)  # the demo's 860 people: a fifth is 172
    with db.read() as s:
        assert not search_index.helps(s, ["lqd"])  # every code
        assert search_index.helps(s, ["lqd00012"]) and search_index.helps(s, ["lqd", "khanh"])
        assert not search_index.helps(s, ["an"])  # no trigram
    aid = demo.assessment.id
    for word in ("lqd", "lqd00012", "khanh", "lqd khanh"):
        assert found(db, aid, word) == found(db, aid, word, scan=True, monkeypatch=monkeypatch), word


def test_an_undo_that_brings_names_back_indexes_them_again(db, catalogs, demo):
    from hoctap.models.undo import undo

    if not db.is_sqlite:
        pytest.skip("PostgreSQL's pg_trgm index needs no filling")
    aid = demo.assessment.id
    search_index.catch_up(db)
    with db.read() as s:
        pid, code, old = s.execute(text("SELECT id, code, full_name FROM person ORDER BY id LIMIT 1")).one()
    save_person(db, catalogs, demo, pid, {"full_name": "Quách Thị Xoan"}, {})
    search_index.catch_up(db)
    with db.read() as s:
        batch = s.execute(text("SELECT max(id) FROM audit_batch")).scalar()
    undo(db, catalogs, batch)
    with db.read() as s:  # the rename undone is marked, then indexed at once by the undo itself
        assert s.execute(text("SELECT count(*) FROM person_search_dirty")).scalar() == 0
    assert code in _codes(db, aid, old) and _codes(db, aid, "xoan") == set()
