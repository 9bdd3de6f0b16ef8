"""TOML transfer files: lossless round trip into an empty database, and clear refusals."""

from __future__ import annotations

import io
import json
import tomllib

import pytest
from sqlalchemy import func, select

from hoctap.models.bundle import BundleError, bundle_document, export_bundle, import_bundle
from hoctap.models.checklist import check_entries
from hoctap.models.db import open_database
from hoctap.models.people import save_person
from hoctap.models.tables import AuditChange, Person, PersonFact, Unit, UnitEntryValue
from hoctap.models.units import add_unit, find_context
from hoctap.tui.cli import main


def status(capsys, url, level):
    capsys.readouterr()
    main(["--db", url, "status", "--unit", "THCS-LQD", "--year", "2024", "--level", str(level), "--json"])
    return json.loads(capsys.readouterr().out)


def counts(db):
    with db.read() as s:
        return [s.exec(select(func.count()).select_from(t)).scalar()
                for t in (Unit, Person, PersonFact, UnitEntryValue, AuditChange)]


@pytest.fixture
def other(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    db = open_database(url)
    yield url, db
    db.dispose()


def test_round_trip_into_an_empty_database(tmp_path, db, db_url, catalogs, demo, other, capsys):
    evidence = 'Biên bản số 3 "họp hội đồng"\nngày 5/1/2024 — =SUM(A1) \\ ghi chú'
    check_entries(db, catalogs, demo, {"C1.1": "có"}, evidence=evidence, documents="QĐ 12; KH 7")
    save_person(db, catalogs, demo, None, {"code": "HS-Ω1", "full_name": "Nguyễn Thị Ánh Tuyết", "kind": "learner"},
                {"lc_1": "9", "lc_2": "8", "lc_3": "10", "lc_4": "7", "lc_5": "8", "lc_6": "9", "lc_7": "8",
                 "lc_8": "8", "lc_9": "9", "lc_10": "6"})
    path = tmp_path / "lqd.toml"
    assert main(["--db", db_url, "bundle", "export", str(path), "--unit", "THCS-LQD", "--year", "2024"]) == 0
    url, target = other
    assert main(["--db", url, "bundle", "import", str(path)]) == 0
    for level in (1, 2):
        assert status(capsys, url, level) == status(capsys, db_url, level)
    ctx = find_context(target, "THCS-LQD", 2024)
    again = bundle_document(target, catalogs, ctx)
    first = tomllib.loads(path.read_text(encoding="utf-8"))
    for doc in (again, first):
        doc.pop("exported_at")
    assert again == first
    entry = next(e for e in first["entries"] if e["id"] == "C1.1")
    assert entry == {"id": "C1.1", "value": True, "evidence": evidence, "documents": "QĐ 12; KH 7"}
    person = next(p for p in first["people"] if p["code"] == "HS-Ω1")
    assert person["facts"]["lc_3"] == 10 and "lc_title" not in person["facts"]
    with target.read() as s:  # the computed title is rebuilt on import
        pid = s.exec(select(Person.id).where(Person.code == "HS-Ω1")).scalar()
        assert s.exec(select(PersonFact.value).where(PersonFact.person_id == pid, PersonFact.name == "lc_title")).scalar() == "1"


def _exported(db, catalogs, demo) -> str:
    buf = io.BytesIO()
    export_bundle(db, catalogs, demo, buf)
    return buf.getvalue().decode("utf-8")


def test_mismatched_catalog_version_is_refused(tmp_path, db, catalogs, demo, other, capsys):
    text = _exported(db, catalogs, demo).replace('version = "2024.1"', 'version = "2023.9"', 1)
    path = tmp_path / "old.toml"
    path.write_text(text, encoding="utf-8")
    url, target = other
    before = counts(target)
    assert main(["--db", url, "--lang", "en", "bundle", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "catalog c24-district-l1 version 2023.9" in err and "uses version 2024.1" in err and "nothing imported" in err
    assert counts(target) == before


def test_conflicting_unit_is_refused(tmp_path, db, catalogs, demo, other, capsys):
    path = tmp_path / "b.toml"
    path.write_text(_exported(db, catalogs, demo), encoding="utf-8")
    url, target = other
    add_unit(target, catalogs, "THCS-LQD", "Trường THCS khác", "district", ["public_service", "general_education"])
    before = counts(target)
    assert main(["--db", url, "--lang", "en", "bundle", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unit THCS-LQD exists here with a different name" in err
    assert counts(target) == before


def test_assessment_with_data_is_not_overwritten(db, catalogs, demo):
    before = counts(db)
    with pytest.raises(BundleError, match="đã có dữ liệu năm 2024"):
        import_bundle(db, catalogs, _exported(db, catalogs, demo).encode(), name="same.toml")
    assert counts(db) == before


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("discipline = true", 'discipline = "maybe"', 1), "people[0] (LQD00021).facts.discipline"),
    (lambda t: t.replace("lc_group = ", "lc_title = true\nlc_group = ", 1), "people[0] (LQD00021).facts.lc_title"),
    (lambda t: t.replace('id = "C3.3"', 'id = "C9.9"', 1), "entries[6].id"),
    (lambda t: t.replace('format = "hoctap-bundle"', 'format = "other"'), "not a hoctap transfer file"),
    (lambda t: t + "\n[[people]\n", "not a valid TOML file"),
])
def test_bad_files_name_the_key_and_write_nothing(db, catalogs, demo, other, edit, message):
    from hoctap.models import i18n

    i18n.set_lang("en")
    text = edit(_exported(db, catalogs, demo))
    _url, target = other
    before = counts(target)
    with pytest.raises(BundleError) as e:
        import_bundle(target, catalogs, text.encode(), name="bad.toml")
    assert message in str(e.value) and "bad.toml" in str(e.value)
    assert counts(target) == before


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("[[people]]", "[people.x]", 1).split("[[people]]")[0], "people: cần một danh sách"),
    (lambda t: t.replace("year = 2024", 'year = "2024"', 1), "assessment.year: cần một số nguyên"),
    (lambda t: t.replace("[assessment]", "assessment = 1\n[x]", 1), "assessment: cần một bảng"),
])
def test_bad_file_messages_are_all_vietnamese(db, catalogs, demo, other, edit, message):
    text = edit(_exported(db, catalogs, demo))
    _url, target = other
    with pytest.raises(BundleError) as e:
        import_bundle(target, catalogs, text.encode(), name="bad.toml")
    assert message in str(e.value)


def test_a_conflicting_unit_is_named_in_vietnamese(db, catalogs, demo, other):
    _url, target = other
    add_unit(target, catalogs, "THCS-LQD", "Trường THCS khác", "district", ["public_service", "general_education"])
    with pytest.raises(BundleError, match="đã có ở đây nhưng khác tên"):
        import_bundle(target, catalogs, _exported(db, catalogs, demo).encode(), name="b.toml")
