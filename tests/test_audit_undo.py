"""The audit trail (who, when, what, old -> new, batch), `hoctap log`, and undo of a batch:
exact restoration, clean refusal, imports and roster removals."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hoctap.models.audit import batch_changes, history
from hoctap.models.errors import UndoConflict
from hoctap.models.facts import set_facts
from hoctap.models.importer import import_roster
from hoctap.models.people import person_facts, remove_from_roster
from hoctap.models.sql import PF, PT, RE
from hoctap.models.tables import AuditBatch, AuditChange
from hoctap.models.undo import undo
from hoctap.models.units import add_unit, ensure_context
from hoctap.sample_data.generator import people, write_csv
from hoctap.tui.cli import main

TYPES = ["public_service", "general_education"]


@pytest.fixture
def school(db, db_url, catalogs, tmp_path):
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    import_roster(db, catalogs, "S1", 2024, write_csv(tmp_path / "roster.csv", people(12, seed=5, learner_share=0.5)))
    return ensure_context(db, "S1", 2024)


def _ids(db, ctx) -> list[int]:
    with db.read() as s:
        return sorted(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == ctx.assessment.id)).scalars())


def _state(db) -> dict:
    """Everything a user can see: people (without versions), rosters and facts."""
    with db.read() as s:
        persons = {r["id"]: {k: v for k, v in r.items() if k != "version"}
                   for r in s.execute(select(PT)).mappings()}
        roster = set(s.execute(select(RE.c.assessment_id, RE.c.person_id)).all())
        facts = {(a, p, n): v for a, p, n, v in s.execute(select(PF.c.assessment_id, PF.c.person_id, PF.c.name, PF.c.value))}
    return {"people": persons, "roster": roster, "facts": facts}


def _audit_size(db) -> tuple[int, int]:
    with db.read() as s:
        return (s.execute(select(func.count()).select_from(AuditBatch)).scalar(),
                s.execute(select(func.count()).select_from(AuditChange)).scalar())


def _cli(capsys, db_url, *args) -> tuple[int, str, str]:
    code = main(["--db", db_url, "--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_change_records_who_when_what_and_batch(db, catalogs, school):
    a, b = _ids(db, school)[:2]
    before = person_facts(db, school, [a, b])
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    batch, n = set_facts(db, catalogs, school, [a, b], {"digital_training": "0"})
    got = history(db, school, 1)[0]
    assert got.id == batch and got.user == getpass.getuser() and got.action == "set"
    assert got.at.replace(tzinfo=got.at.tzinfo or timezone.utc) >= started
    changes = {(c.entity, c.entity_id, c.field): (c.old, c.new) for c in batch_changes(db, batch)}
    expected = {("fact", pid, "digital_training"): (before[pid].get("digital_training"), "0")
                for pid in (a, b) if before[pid].get("digital_training") != "0"}
    assert changes == expected and n == len(expected)


def test_log_lists_batches_with_change_counts_and_one_batch_in_detail(db, db_url, catalogs, school, capsys):
    ids = _ids(db, school)
    batch, n = set_facts(db, catalogs, school, ids[:3], {"lc_1": "4"})  # also moves lc_title
    with db.read() as s:
        total = s.execute(select(func.count()).select_from(AuditChange).where(AuditChange.batch_id == batch)).scalar()
    code, out, _ = _cli(capsys, db_url, "log", "--unit", "S1", "--year", "2024")
    assert code == 0
    row = next(line for line in out.splitlines() if f"#{batch} " in line)
    assert f"│ {total} " in row and getpass.getuser() in row
    code, out, _ = _cli(capsys, db_url, "log", "--batch", str(batch))
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("│") and "Indicator 1 " in line]
    assert len(lines) == n == 3
    assert all(line.split("│")[4].strip() == "4" for line in lines)
    with db.read() as s:  # people by their code, as in the TUI
        codes = set(s.execute(select(PT.c.code).where(PT.c.id.in_(ids[:3]))).scalars())
    assert {line.split("│")[1].strip() for line in lines} == codes
    # an import batch names people by code only: names are personal data
    imported = next(b.id for b in history(db, school, 50) if b.action == "import")
    code, out, _ = _cli(capsys, db_url, "log", "--batch", str(imported))
    with db.read() as s:
        names = list(s.execute(select(PT.c.full_name)).scalars())
    assert code == 0 and "(personal data, not shown)" in out and not any(name in out for name in names)
    code, _, err = _cli(capsys, db_url, "log", "--batch", "999")
    assert code == 2 and err.startswith("hoctap: no change batch 999")


def test_undo_restores_exactly_after_other_edits_to_other_records(db, catalogs, school):
    ids = _ids(db, school)
    before = _state(db)
    first, _ = set_facts(db, catalogs, school, ids[:4], {"discipline": "0", "lc_2": "9"})
    set_facts(db, catalogs, school, ids[6:9], {"language_cert": "1"})  # someone else, other people
    after_other = _state(db)
    undo(db, catalogs, first)
    expected = dict(before["facts"])
    for key, value in after_other["facts"].items():
        if key[1] in ids[6:9]:
            expected[key] = value
    for key in list(expected):
        if key[1] in ids[6:9] and key not in after_other["facts"]:
            del expected[key]
    assert _state(db)["facts"] == expected
    assert history(db, school, 1)[0].action == "undo"
    with db.read() as s:
        assert s.get(AuditBatch, first).undone_by == history(db, school, 1)[0].id


def test_undo_is_refused_when_the_same_records_changed_since(db, db_url, catalogs, school, capsys):
    ids = _ids(db, school)
    first, _ = set_facts(db, catalogs, school, ids[:3], {"discipline": "0"})
    set_facts(db, catalogs, school, ids[2:4], {"discipline": "1"})  # touches one of the same records
    state, audit = _state(db), _audit_size(db)
    with pytest.raises(UndoConflict):
        undo(db, catalogs, first)
    code, out, err = _cli(capsys, db_url, "undo", "--unit", "S1", "--year", "2024", str(first))
    assert code == 2 and out == ""
    assert err.startswith(f"hoctap: cannot undo batch {first}: 1 ")
    assert "Traceback" not in err
    assert _state(db) == state and _audit_size(db) == audit  # nothing written
    code, _, err = _cli(capsys, db_url, "undo", "--unit", "S1", "--year", "2024")  # the newest batch: fine
    assert code == 0
    code, _, err = _cli(capsys, db_url, "undo", "--unit", "S1", "--year", "2024", str(first + 1))
    assert code == 2 and "already" in err


def test_undo_of_an_import_batch_restores_the_roster_before_it(db, catalogs, school, tmp_path):
    before = _state(db)
    rows = [*people(12, seed=5, learner_share=0.5), *people(4, seed=9, code_prefix="N")]  # 12 known, 4 new
    for row in rows[:6]:
        row["department"] = "Tổ mới"
        row["discipline"] = "0"
    result = import_roster(db, catalogs, "S1", 2024, write_csv(tmp_path / "second.csv", rows))
    assert (result.added, result.updated) == (4, 6)
    assert _state(db) != before
    undo(db, catalogs, result.batch_id)
    assert _state(db) == before


def test_undo_of_a_roster_removal_puts_people_and_their_facts_back(db, db_url, catalogs, school, capsys):
    ids = _ids(db, school)
    before = _state(db)
    assert remove_from_roster(db, school, ids[:5]).n == 5
    assert len(_ids(db, school)) == len(ids) - 5
    assert not any(p in ids[:5] for _, p, _ in _state(db)["facts"])
    code, out, _ = _cli(capsys, db_url, "undo", "--unit", "S1", "--year", "2024")
    assert code == 0 and "Undid batch" in out
    assert _state(db) == before


def test_changing_a_code_is_audited_and_undone(db, catalogs, demo):
    """A person's code changed in the form is in the audit trail, and undo puts it back
    (with the search key that finds them by code)."""
    from hoctap.models.audit import last_undoable
    from hoctap.models.people import save_person
    from hoctap.models.roster import RosterQuery, ids
    from hoctap.models.undo import undo

    pid = ids(db, RosterQuery(demo.assessment.id, search="LQD00005"))[0]
    save_person(db, catalogs, demo, pid, {"code": "NEW-0005"}, {})
    assert ids(db, RosterQuery(demo.assessment.id, search="NEW-0005")) == [pid]
    undo(db, catalogs, last_undoable(db, demo))
    assert ids(db, RosterQuery(demo.assessment.id, search="LQD00005")) == [pid]
    assert ids(db, RosterQuery(demo.assessment.id, search="NEW-0005")) == []


def test_undoing_an_import_keeps_people_another_year_uses(db, catalogs, demo, tmp_path):
    """A person added by one year's import and then imported into another year survives the
    undo of the first import: only that year's roster goes back."""
    from hoctap.models.importer import import_roster
    from hoctap.models.meters import evaluate_context
    from hoctap.models.undo import undo
    from hoctap.models.units import find_context

    csv = tmp_path / "one.csv"
    csv.write_text("Mã,Họ và tên,Đối tượng,Kỷ luật\nZ9,Nguyễn Văn Mới,thành viên,có\n", encoding="utf-8")
    first = import_roster(db, catalogs, "THCS-LQD", 2024, csv)
    import_roster(db, catalogs, "THCS-LQD", 2026, csv)
    undo(db, catalogs, first.batch_id)
    assert evaluate_context(db, catalogs, demo, 1).entry("C2.1").denominator == 60
    later = find_context(db, "THCS-LQD", 2026)
    c21 = evaluate_context(db, catalogs, later, 1).entry("C2.1")
    assert (c21.numerator, c21.denominator) == (1, 1)


def test_setting_facts_for_people_taken_off_the_roster(db, catalogs, demo):
    """A batch whose people were all removed meanwhile is refused as stale; a mixed one
    changes only the people still on the roster."""
    import pytest

    from hoctap.models.errors import StaleEdit
    from hoctap.models.facts import set_facts
    from hoctap.models.people import remove_from_roster
    from hoctap.models.roster import RosterQuery, ids

    gone, kept = ids(db, RosterQuery(demo.assessment.id, kind="staff"))[:2]
    remove_from_roster(db, demo, [gone])
    with pytest.raises(StaleEdit):
        set_facts(db, catalogs, demo, [gone], {"discipline": "0"})
    batch, n = set_facts(db, catalogs, demo, [gone, kept], {"lc_group": "worker"})
    assert batch is not None and n == 1


def test_batch_summaries_are_shown_in_the_readers_language(db, db_url, catalogs, school, capsys):
    ids = _ids(db, school)
    assert remove_from_roster(db, school, ids[:2]).n == 2
    assert _cli(capsys, db_url, "undo", "--unit", "S1", "--year", "2024")[0] == 0
    batches = [b.id for b in history(db, school, 10)]
    removal = batches[1]
    logs = {}
    for lang in ("vi", "en"):
        logs[lang] = ""
        for batch in batches:
            assert main(["--db", db_url, "--lang", lang, "log", "--batch", str(batch)]) == 0
            logs[lang] += capsys.readouterr().out
    for text in ("bỏ 2 người", f"hoàn tác #{removal}", "roster.csv (12 dòng)"):
        assert text in logs["vi"], text
    for text in ("removed 2", f"undo #{removal}", "roster.csv (12 rows)"):
        assert text in logs["en"] and text not in logs["vi"], text
