"""Names in Vietnamese alphabetical order (text.collation_key), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from hoctap.models import roster
from hoctap.models.people import save_person
from hoctap.models.roster import RosterQuery
from hoctap.models.text import collation_key
from hoctap.models.units import add_unit, ensure_context

# given names, each with the family name "Trần" (lists are ordered by given name first)
ORDER = ["An", "Anh", "Ảnh", "Ánh", "Anha", "Ăn", "Ân", "Bình", "Dương", "Đặng", "Đinh", "Đô", "Đồ", "Đổ",
         "Đỗ", "Đố", "Độ", "Hà", "O'Neil", "Ôn", "Ơn", "Uy", "Ưu", "Vy", "Xuân", "Yến", "Zoe"]


def test_the_key_orders_letters_then_tones():
    assert sorted(ORDER, key=collation_key) == ORDER
    assert collation_key("ÁNH") == collation_key("ánh") == collation_key("a\u0301nh")  # case and NFD
    assert collation_key("Anh Ba") < collation_key("Anh Bà") < collation_key("Anha")  # word by word


def test_the_roster_sorts_vietnamese_names_in_sql(db, catalogs):
    add_unit(db, catalogs, "S1", "Trường thử", "district", ["public_service", "general_education"])
    ctx = ensure_context(db, "S1", 2024)
    for i, given in enumerate(reversed(ORDER)):
        save_person(db, catalogs, ctx, None, {"code": f"P{i:02}", "full_name": f"Trần {given}", "kind": "staff"}, {})
    rows = roster.page(db, RosterQuery(ctx.assessment.id), 0, 100)
    assert [r.full_name for r in rows] == [f"Trần {g}" for g in ORDER]
    back = roster.page(db, RosterQuery(ctx.assessment.id, descending=True), 0, 100)
    assert [r.full_name for r in back] == [f"Trần {g}" for g in reversed(ORDER)]
    with db.read() as s:  # the database's own ORDER BY, not a sort in Python
        names = s.execute(text("SELECT full_name FROM person ORDER BY sort_key")).scalars().all()
    assert names == [f"Trần {g}" for g in ORDER]


def test_the_search_finds_every_person_whose_key_holds_every_word(db, catalogs, demo):
    aid = demo.assessment.id
    with db.read() as s:
        keys = s.execute(text("SELECT id, search FROM person")).all()
    for typed in ("nguyen", "Nguyễn Thị", "lqd0001", "an", "h", "thi a", "xyzq", 'a"b', "%", "_"):
        words = roster.search_key(typed).split()
        expected = sorted(pid for pid, key in keys if all(w in key for w in words))
        assert sorted(roster.ids(db, RosterQuery(aid, search=typed))) == expected, typed


def test_the_migration_recomputes_the_keys_of_people_already_there(db, db_url, catalogs):
    from alembic import command

    from hoctap.models.db import _alembic_config, open_database

    add_unit(db, catalogs, "S1", "Trường thử", "district", ["public_service", "general_education"])
    ctx = ensure_context(db, "S1", 2024)
    for i, given in enumerate(["Đinh", "Dương", "Đặng"]):
        save_person(db, catalogs, ctx, None, {"code": f"P{i}", "full_name": f"Lê {given}", "kind": "staff"}, {})
    command.downgrade(_alembic_config(db), "0004")
    with db.write() as s:  # the keys of before: accents stripped
        s.execute(text("UPDATE person SET sort_key = ''"))
    db.dispose()
    again = open_database(db_url)
    try:
        rows = roster.page(again, RosterQuery(ctx.assessment.id), 0, 10)
        assert [r.full_name for r in rows] == ["Lê Dương", "Lê Đặng", "Lê Đinh"]
        assert [r.full_name for r in roster.page(again, RosterQuery(ctx.assessment.id, search="dang"), 0, 10)] == ["Lê Đặng"]
    finally:
        again.dispose()
