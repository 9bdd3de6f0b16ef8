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
    assert "7 file(s) came in, 3 refused" in out and "--replace" in out
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
