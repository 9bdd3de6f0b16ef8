"""The receiving office collects a folder of transfer files: each file all or nothing, the run
going on past a refused one; ``--replace`` swaps a unit/year in one undoable batch."""

from __future__ import annotations

import pytest
import tomli_w
from sqlalchemy import func, select

from hoctap.models.collect import collect_folder
from hoctap.models.tables import Assessment, Person, PersonFact, RosterEntry, Unit
from hoctap.models.undo import undo
from hoctap.models.units import find_context
from hoctap.tui.cli import main

TYPES = ["public_service", "general_education"]


def bundle(catalogs, code: str, n: int, *, version: str = "2024.1", year: int = 2025, cert_every: int = 2) -> dict:
    """A unit's transfer file: ``n`` people, every ``cert_every``-th holding a language certificate."""
    return {
        "format": "hoctap-bundle", "format_version": 1,
        "unit": {"code": code, "name": f"Trường {code}", "tier": "district", "types": TYPES},
        "assessment": {"year": year, "level": 1},
        "catalog": {"id": "c24-district-l1", "version": version},
        "citizen_catalog": {"id": catalogs.citizen.id, "version": catalogs.citizen.version},
        "entries": [{"id": "C1.1", "value": True, "evidence": f"Biên bản {code}", "documents": ""}],
        "people": [{"code": f"{code}-{i:03}", "full_name": f"Người {i}", "kind": "staff",
                    "facts": {"language_cert": i % cert_every == 0}} for i in range(n)],
    }


def write(path, doc) -> None:
    path.write_text(tomli_w.dumps(doc), encoding="utf-8")


@pytest.fixture
def folder(tmp_path, catalogs):
    """Ten files: seven good units, one damaged, one of another catalog version, one duplicate."""
    d = tmp_path / "inbox"
    d.mkdir()
    for k in range(1, 8):
        write(d / f"u{k:02}.toml", bundle(catalogs, f"U{k:02}", 10 * k))
    (d / "u08.toml").write_text(tomli_w.dumps(bundle(catalogs, "U08", 5))[:-40], encoding="utf-8")  # cut short
    write(d / "u09.toml", bundle(catalogs, "U09", 5, version="2023.9"))
    write(d / "u10-again.toml", bundle(catalogs, "U03", 4))  # U03 2025 a second time
    (d / "notes.txt").write_text("not a transfer file", encoding="utf-8")  # not *.toml: not looked at
    return d


def people_of(db, code: str, year: int = 2025) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(RosterEntry).join(Assessment, Assessment.id == RosterEntry.assessment_id).join(Unit, Unit.id == Assessment.unit_id)
                         .where(Unit.code == code, Assessment.year == year)).scalar()


def certs_of(db, code: str, year: int = 2025) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(PersonFact).join(Assessment, Assessment.id == PersonFact.assessment_id).join(Unit, Unit.id == Assessment.unit_id)
                         .where(Unit.code == code, Assessment.year == year, PersonFact.name == "language_cert",
                                PersonFact.value == "1")).scalar()


def test_a_folder_comes_in_file_by_file_and_names_each_refusal(db, db_url, catalogs, folder, capsys):
    assert main(["--db", db_url, "--lang", "en", "bundle", "import", str(folder)]) == 2
    out = capsys.readouterr().out
    lines = {line.split(":")[0]: line for line in out.splitlines() if line[:1] in "✓✗"}
    assert sorted(lines) == ["✓ u01.toml", "✓ u02.toml", "✓ u03.toml", "✓ u04.toml", "✓ u05.toml", "✓ u06.toml",
                             "✓ u07.toml", "✗ u08.toml", "✗ u09.toml", "✗ u10-again.toml"]
    assert "U02 2025, 20 people, 1 unit entries" in lines["✓ u02.toml"]
    assert "damaged file" in lines["✗ u08.toml"] and "not a valid TOML file" in lines["✗ u08.toml"]
    assert "another catalog version" in lines["✗ u09.toml"] and "2023.9" in lines["✗ u09.toml"]
    assert "unit/year already present" in lines["✗ u10-again.toml"] and "U03" in lines["✗ u10-again.toml"]
    assert "7 files came in, 3 refused" in out and "--replace" in out
    assert "notes.txt" not in out
    assert [people_of(db, f"U{k:02}") for k in range(1, 10)] == [10, 20, 30, 40, 50, 60, 70, 0, 0]
    assert certs_of(db, "U03") == 15
    with db.read() as s:  # the refused files left nothing behind, not even their unit
        assert sorted(s.exec(select(Unit.code)).scalars()) == [f"U{k:02}" for k in range(1, 8)]


def test_a_foreign_file_and_a_conflicting_unit_are_refused_as_such(db, catalogs, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write(d / "a.toml", bundle(catalogs, "U01", 3))
    other = bundle(catalogs, "U01", 3, year=2026)
    other["unit"]["name"] = "Một trường khác"
    write(d / "b.toml", other)
    write(d / "c.toml", {"title": "a TOML file of something else"})
    results = collect_folder(db, catalogs, d)
    assert [(r.path.name, r.ok, r.reason) for r in results] == [
        ("a.toml", True, None), ("b.toml", False, "conflict"), ("c.toml", False, "foreign")]
    assert "Một trường khác" in results[1].message


def test_replace_swaps_a_unit_year_in_one_batch_that_undo_reverts(db, db_url, catalogs, folder, tmp_path, capsys):
    collect_folder(db, catalogs, folder)
    d = tmp_path / "resent"
    d.mkdir()
    write(d / "u03.toml", bundle(catalogs, "U03", 4, cert_every=1))  # U03 sends a corrected file
    assert main(["--db", db_url, "--lang", "en", "bundle", "import", str(d)]) == 2
    assert people_of(db, "U03") == 30
    capsys.readouterr()
    assert main(["--db", db_url, "--lang", "en", "bundle", "import", str(d), "--replace"]) == 0
    assert "(replaced the old data)" in capsys.readouterr().out
    assert (people_of(db, "U03"), certs_of(db, "U03")) == (4, 4)
    assert people_of(db, "U02") == 20  # the other units untouched
    with db.read() as s:  # the people records stay with the unit; only the 2025 roster changed
        assert s.execute(select(func.count()).select_from(Person).join(Unit, Unit.id == Person.unit_id).where(Unit.code == "U03")).scalar() == 30
    [result] = collect_folder(db, catalogs, d, replace=True)  # the same file again: a no-op swap
    undo(db, catalogs, result.result.batch_id)
    assert (people_of(db, "U03"), certs_of(db, "U03")) == (4, 4)
    ctx = find_context(db, "U03", 2025)
    from hoctap.models.audit import history
    replace_batch = [b for b in history(db, ctx) if b.action == "import" and b.undone_by is None][0].id
    undo(db, catalogs, replace_batch)
    assert (people_of(db, "U03"), certs_of(db, "U03")) == (30, 15)


def test_a_missing_folder_is_an_error_not_a_traceback(db_url, tmp_path, capsys):
    assert main(["--db", db_url, "--lang", "en", "bundle", "import", str(tmp_path / "nowhere")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


# ---- recognition history -------------------------------------------------------------------------

from datetime import date  # noqa: E402

from hoctap.models.recognition import Rules, add_recognition, standing_of, standings  # noqa: E402
from hoctap.models.i18n import tr  # noqa: E402
from hoctap.models.tables import Recognition  # noqa: E402

RULES = Rules(kept_years=3, level2_after_years=1)


def decision(level, year, on):
    return Recognition(unit_id=1, level=level, year=year, decision_no="12/QĐ", decision_date=on, issuer="UBND")


@pytest.mark.parametrize("on, in_force, warning", [
    (date(2027, 12, 31), True, ("recog.lapses", "2027-12-31")),  # the last day of the third year after 2024
    (date(2028, 1, 1), False, ("recog.lapsed", "2027-12-31")),
    (date(2026, 6, 1), True, None),
])
def test_a_recognition_is_kept_for_the_three_years_after_its_year(on, in_force, warning):
    st = standing_of(RULES, "U01", [decision(1, 2024, date(2025, 1, 20))], on)
    assert (st.in_force is not None, st.kept_until) == (in_force, date(2027, 12, 31))
    assert st.warnings == ([] if warning is None else [tr(warning[0], until=warning[1])])


@pytest.mark.parametrize("on, allowed", [(date(2026, 1, 19), False), (date(2026, 1, 20), True)])
def test_level_2_may_be_sought_one_year_after_the_level_1_decision(on, allowed):
    st = standing_of(RULES, "U01", [decision(1, 2025, date(2025, 1, 20))], on, seeks_level=2)
    assert st.level2_from == date(2026, 1, 20) and st.level2_allowed is allowed
    assert st.warnings == ([] if allowed else [tr("recog.level2_early", since="2026-01-20")])


def test_level_2_without_level_1_is_warned_and_the_rules_are_data():
    assert standing_of(RULES, "U01", [], date(2026, 1, 1), seeks_level=2).warnings == [tr("recog.level2_no_level1")]
    longer = Rules(kept_years=5, level2_after_years=2)
    st = standing_of(longer, "U01", [decision(1, 2024, date(2024, 12, 1))], date(2029, 12, 31))
    assert st.in_force is not None and st.level2_from == date(2026, 12, 1)


def test_recognition_add_and_list_on_the_command_line_undoably(db, db_url, catalogs, tmp_path, capsys, monkeypatch):
    from hoctap.tui import cli
    monkeypatch.setattr(cli.console, "width", 250)  # the whole table on one line per row
    d = tmp_path / "in"
    d.mkdir()
    write(d / "u01.toml", bundle(catalogs, "U01", 2))
    collect_folder(db, catalogs, d)
    args = ["--db", db_url, "--lang", "en", "recognition"]
    assert main([*args, "add", "--unit", "u01", "--level", "1", "--year", "2024", "--number", "125/QĐ-UBND",
                 "--date", "2025-01-20", "--issuer", "UBND huyện Bình Chánh"]) == 0
    assert "batch #" in capsys.readouterr().out
    assert main([*args, "add", "--unit", "U01", "--level", "1", "--year", "2024", "--number", "9",
                 "--date", "2025-01-20"]) == 2
    assert "already has a level 1 recognition for 2024" in capsys.readouterr().err
    assert main([*args, "add", "--unit", "U01", "--level", "1", "--year", "2024", "--number", "9",
                 "--date", "2025-13-01"]) == 2
    assert "write 2025-03-15 or 15/03/2025" in capsys.readouterr().err
    assert main([*args, "add", "--unit", "U01", "--level", "1", "--year", "2024", "--number", "9",
                 "--date", "2999-01-01"]) == 2
    assert "is still to come" in capsys.readouterr().err
    assert main([*args, "add", "--unit", "U01", "--level", "2", "--year", "2025", "--number", "10",
                 "--date", "20/01/2026"]) == 0  # the Vietnamese way of writing it
    capsys.readouterr()
    assert main([*args, "list", "--on", "2026-01-19"]) == 0
    out = capsys.readouterr().out
    assert "125/QĐ-UBND" in out and "2027-12-31" in out and "2026-01-20" in out and "(unconfirmed)" in out
    [st] = standings(db, RULES, date(2026, 1, 19))
    assert st.unit == "U01" and st.in_force.decision_no == "125/QĐ-UBND"
    batch = add_recognition(db, "U01", 2, 2026, "7/QĐ", date(2026, 3, 1), "UBND")
    undo(db, catalogs, batch)
    with db.read() as s:
        assert sorted((r.level, r.year) for r in s.exec(select(Recognition)).scalars()) == [(1, 2024), (2, 2025)]


# ---- new year ----------------------------------------------------------------------------------

def facts_in_year(db, code, year):
    with db.read() as s:
        return sorted(s.execute(select(Person.code, PersonFact.name, PersonFact.value)
                                .join(Person, Person.id == PersonFact.person_id)
                                .join(Assessment, Assessment.id == PersonFact.assessment_id)
                                .join(Unit, Unit.id == Assessment.unit_id)
                                .where(Unit.code == code, Assessment.year == year)).all())


def test_a_rollover_carries_exactly_the_chosen_facts(db, db_url, catalogs, tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    for k in (1, 2, 3):
        doc = bundle(catalogs, f"U0{k}", 4)
        for i, p in enumerate(doc["people"]):
            p["facts"].update(emulation_title="advanced_worker", digital_training=i % 2 == 1)
        write(d / f"u0{k}.toml", doc)
    collect_folder(db, catalogs, d)
    args = ["--db", db_url, "--lang", "en", "newyear", "--from", "2025", "--to", "2026"]
    assert main([*args, "--all", "--carry", "language_cert,lc_title"]) == 2  # a computed title is never carried
    assert main([*args, "--unit", "U01", "--unit", "U02", "--carry", "language_cert,digital_training"]) == 0
    out = capsys.readouterr().out
    assert "U01 2026: 4 people, 8 facts carried" in out and "Started 2 units" in out
    carried = {(c, n, v) for c, n, v in facts_in_year(db, "U01", 2025) if n in ("language_cert", "digital_training")}
    assert set(facts_in_year(db, "U01", 2026)) == carried  # no emulation title
    assert people_of(db, "U01", 2026) == 4 and people_of(db, "U03", 2026) == 0
    assert main([*args, "--all"]) == 0  # U01, U02 already started; U03 with its roster only
    out = capsys.readouterr().out
    assert "U01: left alone, 2026 already has a roster" in out and "U03 2026: 4 people, 0 facts carried" in out
    assert facts_in_year(db, "U03", 2026) == [] and people_of(db, "U03", 2026) == 4
    ctx = find_context(db, "U03", 2026)
    from hoctap.models.audit import history
    undo(db, catalogs, next(b.id for b in history(db, ctx) if b.action == "rollover"))
    assert people_of(db, "U03", 2026) == 0
