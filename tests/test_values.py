"""Values at every entrance (CLI arguments, core calls the TUI makes, roster import, bundle):
codes normalised (NFC, trimmed, upper-case) and without control or invisible characters,
names without control characters, years from 2000 to 2100; data printed without escapes."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import func, select

from hoctap.models import i18n
from hoctap.models.bundle import BundleError, export_bundle, import_bundle
from hoctap.models.errors import USER_ERRORS
from hoctap.models.fields import InputError, parse_code, parse_person_field, parse_year
from hoctap.models.importer import ImportFailed, import_roster
from hoctap.models.tables import Assessment, AuditChange, Person, PersonFact, Unit, UnitEntryValue
from hoctap.models.text import safe
from hoctap.models.units import add_unit, ensure_context, find_context
from hoctap.tui.cli import main

TYPES = ["public_service", "general_education"]


def counts(db):
    with db.read() as s:
        return [s.execute(select(func.count()).select_from(t)).scalar()
                for t in (Unit, Assessment, Person, PersonFact, UnitEntryValue, AuditChange)]


def _cli(capsys, lang, *args):
    capsys.readouterr()
    code = main(["--lang", lang, *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Internal error" not in err and "Lỗi nội bộ" not in err
    return code, out, err


@pytest.fixture
def unit(db, catalogs):
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    return db


def _csv(tmp_path, rows, name="r.csv"):
    path = tmp_path / name
    path.write_text("Mã,Họ và tên\n" + "".join(f"{c},{n}\n" for c, n in rows), encoding="utf-8")
    return path


# ---- the core's rules ------------------------------------------------------------------------

@pytest.mark.parametrize("raw,stored", [(" d001 ", "D001"), ("Lqd-7", "LQD-7"), ("e\u0301a", "ÉA"), (1001.0, "1001"),
                                        ("gv   01", "GV 01")])
def test_codes_are_stored_nfc_trimmed_and_upper_case(raw, stored):
    assert parse_code(raw) == stored


@pytest.mark.parametrize("raw", ["P\u200b00001", "P00001\ufeff", "A\x1b[31m", "A\x07", "A\x00", "\u202eA", "   ", "",
                                 True, ["a"], "A" * 65])
def test_look_alike_and_invalid_codes_are_refused(raw):
    with pytest.raises(InputError):
        parse_code(raw)


def test_names_with_control_characters_are_refused_in_both_languages():
    i18n.set_lang("en")
    with pytest.raises(InputError, match=r"Full name: contains a control or invisible character U\+0007"):
        parse_person_field("full_name", "An\x07")
    i18n.set_lang("vi")
    with pytest.raises(InputError, match=r"Họ và tên: có ký tự điều khiển hoặc ký tự ẩn U\+001B"):
        parse_person_field("full_name", "\x1b]0;x\x07An")


@pytest.mark.parametrize("raw", [0, -1, 1999, 2101, 10**10, 2**31, "99999999999999999999", "２０２４", True, "20 24"])
def test_years_outside_2000_to_2100_are_refused(raw):
    with pytest.raises(InputError):
        parse_year(raw)


def test_safe_shows_escapes_instead_of_sending_them():
    assert safe("Tên\x1b]0;pwned\x07 \u202e") == "Tên\\x1b]0;pwned\\x07 \\u202e"
    assert safe("Nguyễn Văn A") == "Nguyễn Văn A"


# ---- the entrances ---------------------------------------------------------------------------

def test_the_core_the_tui_calls_refuses_bad_units_and_years(db, catalogs):
    before = counts(db)
    for code, name in (("S\u200b1", "Trường"), ("S1", "Trường\x1b[2J")):
        with pytest.raises(InputError):
            add_unit(db, catalogs, code, name, "district", TYPES)
    add_unit(db, catalogs, "s1", "Trường", "district", TYPES)
    with pytest.raises(USER_ERRORS, match="S1"):  # same code but for case: one unit
        add_unit(db, catalogs, "S1", "Trường khác", "district", TYPES)
    for year in (0, -1, 10**10, 2**31):
        with pytest.raises(InputError):
            ensure_context(db, "S1", year, source="tui")
        with pytest.raises(InputError):
            find_context(db, "S1", year)
    assert counts(db) == [before[0] + 1, *before[1:5], before[5] + 1]
    assert find_context(db, "s1", ensure_context(db, "S1", 2024).assessment.year).unit.code == "S1"


@pytest.mark.parametrize("year", ["0", "-1", "10000000000", "99999999999999999999", "1999"])
@pytest.mark.parametrize("lang,words", [("en", "is not valid (2000 to 2100)"), ("vi", "không hợp lệ (từ 2000 đến 2100)")])
def test_cli_years_out_of_range_exit_2_and_change_nothing(unit, db_url, tmp_path, capsys, year, lang, words):
    before = counts(unit)
    path = _csv(tmp_path, [("A1", "An")])
    for args in (["import", str(path)], ["status"], ["bundle", "export", str(tmp_path / "x.toml")]):
        code, _out, err = _cli(capsys, lang, "--db", db_url, *args, "--unit", "S1", f"--year={year}")
        assert code == 2 and words in err
    assert counts(unit) == before and not (tmp_path / "x.toml").exists()


def test_an_import_folds_case_and_refuses_look_alikes(unit, db, db_url, catalogs, tmp_path, capsys):
    import_roster(db, catalogs, "S1", 2024, _csv(tmp_path, [("d001", "An"), ("P00001", "Bình")]))
    before = counts(db)
    with pytest.raises(ImportFailed) as failed:
        import_roster(db, catalogs, "S1", 2024, _csv(tmp_path, [("P\u200b00001", "Bình"), ("P2", "An\x1b[31m")], "b.csv"))
    assert len(failed.value.problems) == 2 and counts(db) == before
    code, _out, err = _cli(capsys, "en", "--db", db_url, "import", str(tmp_path / "b.csv"), "--unit", "S1", "--year", "2024")
    assert code == 2 and "U+200B ZERO WIDTH SPACE" in err and "U+001B" in err and "\x1b" not in err
    import_roster(db, catalogs, "S1", 2024, _csv(tmp_path, [("D001", "An"), (" p00001 ", "Bình")], "c.csv"))
    with db.read() as s:
        assert sorted(s.execute(select(Person.code)).scalars()) == ["D001", "P00001"]


def test_data_printed_by_the_cli_carries_no_escape_sequences(db, db_url, capsys):
    with db.write() as s:  # written before this release, or by another program
        s.add(Unit(code="EVIL\x1b]0;t\x07", name="Tên\x1b[2J\x07", tier="district", types="state_agency"))
    code, out, _err = _cli(capsys, "en", "--db", db_url, "unit", "list")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\\x1b" in out


# ---- bundles -------------------------------------------------------------------------------

@pytest.fixture
def bundle_text(db, catalogs, tmp_path):
    add_unit(db, catalogs, "S1", "Trường thử", "district", TYPES)
    import_roster(db, catalogs, "S1", 2024, _csv(tmp_path, [("A1", "An"), ("A2", "Bình")]))
    buf = io.BytesIO()
    export_bundle(db, catalogs, find_context(db, "S1", 2024), buf)
    return buf.getvalue().decode("utf-8")


@pytest.fixture
def target(tmp_path):
    from hoctap.models.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'target.db'}")
    yield db
    db.dispose()


@pytest.mark.parametrize("edit,en,vi", [
    (lambda t: t.replace('code = "S1"', 'code = "   "', 1), "unit.code: code: required", "unit.code: code: bắt buộc"),
    (lambda t: t.replace('code = "S1"', 'code = ["a"]', 1), "unit.code: expected text", "unit.code: cần văn bản"),
    (lambda t: t.replace("year = 2024", "year = -5", 1), "assessment.year: year '-5' is not valid", "assessment.year: năm '-5'"),
    (lambda t: t.replace("year = 2024", f"year = {10**18}", 1), "assessment.year: year", "assessment.year: năm"),
    (lambda t: t.replace("year = 2024", "year = 2147483648", 1), "assessment.year", "assessment.year"),
    (lambda t: t.replace("level = 1", "level = 7", 1), "assessment.level: level 7 is not valid", "assessment.level: mức 7"),
    (lambda t: t.replace('code = "A1"', 'code = "A\\u0000"', 1), "U+0000", "U+0000"),
    (lambda t: t.replace('full_name = "An"', 'full_name = "An\\u001b[2J"', 1), "people[0] (A1).full_name", "people[0] (A1).full_name"),
    (lambda t: t.replace('full_name = "An"', 'full_name = ["An"]', 1), "people[0] (A1).full_name: expected text",
     "people[0] (A1).full_name: cần văn bản"),
    (lambda t: t.replace('code = "A2"', 'code = "a1"', 1), "code 'A1' repeats", "mã 'A1' lặp lại"),
    (lambda t: t.replace('code = "A1",', 'code = "A1", facts = { lc_1 = true },', 1),
     "people[0] (A1).facts.lc_1: expected an integer", "people[0] (A1).facts.lc_1: cần một số nguyên"),
    (lambda t: t.replace("entries = []", 'entries = "x"'),
     "entries: expected a list", "entries: cần một danh sách"),
    (lambda t: t.replace('tier = "district"', 'tier = "galactic"', 1), "unit.tier", "unit.tier"),
    (lambda t: t.replace("format_version = 1", "format_version = true", 1), "format version True", "phiên bản định dạng True"),
    (lambda t: "a = " + "[" * 2000 + "]" * 2000, "nested too deeply", "lồng nhau quá sâu"),
    (lambda t: t[: len(t) // 2] + "\x00", "not a valid TOML file", "không phải tệp TOML hợp lệ"),
])
def test_bad_bundles_are_refused_naming_file_and_key(bundle_text, target, tmp_path, capsys, edit, en, vi):
    text = edit(bundle_text)
    assert text != bundle_text
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    before = counts(target)
    for lang, words in (("en", en), ("vi", vi)):
        i18n.set_lang(lang)
        with pytest.raises(BundleError) as e:
            import_bundle(target, _catalogs(), path)
        assert words in str(e.value) and str(path) in str(e.value)
        code, _out, err = _cli(capsys, lang, "--db", f"sqlite:///{tmp_path / 'target.db'}", "bundle", "import", str(path))
        assert code == 2 and words in err
    assert counts(target) == before


def _catalogs():
    from hoctap.models.catalog import load_catalogs

    return load_catalogs()


def test_a_deeply_nested_bundle_writes_no_crash_log(bundle_text, target, tmp_path, capsys):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "{a=" * 3000 + "1" + "}" * 3000, encoding="utf-8")
    code, _out, err = _cli(capsys, "en", "--db", f"sqlite:///{tmp_path / 'target.db'}", "bundle", "import", str(path))
    assert code == 2 and "nested too deeply" in err
    assert not list(tmp_path.rglob("crash.log"))


def test_a_bundle_over_the_size_limit_is_refused_before_reading(bundle_text, target, tmp_path, monkeypatch):
    monkeypatch.setattr("hoctap.models.bundle.MAX_BUNDLE_BYTES", 1000)
    path = tmp_path / "big.toml"
    path.write_bytes(os.urandom(2000))
    i18n.set_lang("en")
    with pytest.raises(BundleError, match="larger than"):
        import_bundle(target, _catalogs(), path)
