"""Catalog files: validation errors (one message naming the file and the key), user catalogs
overriding shipped ones and adding facts without a schema change, and `hoctap catalog`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hoctap.models import i18n
from hoctap.models.catalog import SHIPPED_DIR, CatalogError, check_file, load_catalogs
from hoctap.models.facts import set_facts
from hoctap.models.meters import evaluate_context
from hoctap.models.roster import RosterQuery, ids
from hoctap.tui.cli import main

DISTRICT_L1 = (SHIPPED_DIR / "c24-district-l1.toml").read_text(encoding="utf-8")
VOCABULARY = (SHIPPED_DIR / "vocabulary.toml").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English here (one test checks the Vietnamese ones)."""
    i18n.set_lang("en")


def edited(old: str, new: str, text: str = DISTRICT_L1) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (file text, expected key, words of the message)
BAD_CATALOGS = {
    "unknown key": (edited('rule = "all"\n', 'rule = "all"\ncolour = "red"\n'), "colour", "unknown key"),
    "unknown key in an entry": (edited('id = "C1.1"\n', 'id = "C1.1"\nweight = 2\n'),
                                "criteria[0].entries[0].weight", "unknown key"),
    "wrong type (number as text)": (edited("threshold_percent = 50", 'threshold_percent = "50"'),
                                    "criteria[1].entries[3].threshold_percent", "must be a number"),
    "wrong type (boolean as number)": (edited("confirmed = true", "confirmed = 1"),
                                       "criteria[0].entries[0].confirmed", "must be true or false"),
    "threshold above 100": (edited("threshold_percent = 50", "threshold_percent = 150"),
                            "criteria[1].entries[3].threshold_percent", "must be at most 100"),
    "unknown fact": (edited('fact = "language_cert"', 'fact = "language_certificate"'),
                     "criteria[1].entries[3].fact", "unknown fact 'language_certificate'"),
    "unknown scale value": (edited('at_least = "advanced_worker"', 'at_least = "hero"'),
                            "criteria[1].entries[4].at_least", "'hero' is not a value of scale 'emulation_title'"),
    "unknown scale": (edited('value = "collective_title"', 'value = "team_title"'),
                      "criteria[2].entries[3].value", "'team_title'"),
    "duplicate entry id": (edited('id = "C1.4"', 'id = "C1.3"'), "criteria[0].entries[3].id", "duplicate id 'C1.3'"),
    "duplicate criterion id": (edited('id = "C2"\n', 'id = "C1"\n'), "criteria[1].id", "duplicate id 'C1'"),
    "missing required key": (edited('source = "TT 24/2023, Điều 6 khoản 1 điểm a"\n', ""),
                             "criteria[0].entries[0].source", "required key is missing"),
    "share entry without threshold": (edited("threshold_percent = 50\n", ""), "criteria[1].entries[3]",
                                      "a share entry needs threshold_percent"),
    "broken TOML": (edited('id = "C1.4"', 'id = "C1.4'), "", "not valid TOML"),
    "unknown unit type": (edited('not_for = ["economic_org"]', 'not_for = ["bank"]'),
                          "criteria[1].entries[3].not_for", "unknown unit type 'bank'"),
    "bad rule": (edited('rule = "all"', 'rule = "most"'), "rule", "'at_least:N'"),
    "unknown kind": (edited('kind = "learning-unit"', 'kind = "learning-units"'), "kind", "learning-unit"),
    "no kind": (edited('kind = "learning-unit"\n', ""), "kind", "required key is missing"),
    "kind as a list": (edited('kind = "learning-unit"', 'kind = ["learning-unit"]'), "kind", "learning-unit"),
    "second catalog for one tier and level": (edited('id = "c24-district-l1"', 'id = "my-district-l1"'), "id",
                                              "already covers district level 1"),
}


@pytest.mark.parametrize("case", list(BAD_CATALOGS))
def test_bad_catalog_gives_one_message_naming_file_and_key(tmp_path, case):
    text, key, words = BAD_CATALOGS[case]
    path = tmp_path / "c24-district-l1.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalogs([tmp_path])
    e = err.value
    assert (Path(e.path), e.key) == (path, key)
    assert words in e.message
    assert str(e).startswith(f"{path}: {key + ': ' if key else ''}") and "\n" not in str(e)


@pytest.mark.parametrize("case", ["unknown key", "unknown fact", "broken TOML", "unknown unit type"])
def test_catalog_check_reports_on_stderr_with_exit_2(tmp_path, capsys, case):
    text, key, words = BAD_CATALOGS[case]
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["--lang", "en", "catalog", "check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"hoctap: {path}: {key}") and words in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_messages_are_in_vietnamese_too(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(BAD_CATALOGS["unknown fact"][0], encoding="utf-8")
    assert main(["--lang", "vi", "catalog", "check", str(path)]) == 2
    assert "criteria[1].entries[3].fact: không có dữ kiện 'language_certificate'" in capsys.readouterr().err
    path.write_text(BAD_CATALOGS["wrong type (boolean as number)"][0], encoding="utf-8")
    assert main(["--lang", "vi", "catalog", "check", str(path)]) == 2
    assert "confirmed: phải là true hoặc false" in capsys.readouterr().err


def test_catalog_check_valid_file(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(edited('threshold_percent = 50', 'threshold_percent = 60'), encoding="utf-8")
    assert main(["--lang", "en", "catalog", "check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert f"{path}: valid (learning-unit c24-district-l1)" in out.replace("\n", "") and err == ""


def test_catalog_check_missing_file(tmp_path, capsys):
    assert main(["--lang", "en", "catalog", "check", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: no such file" in capsys.readouterr().err


def test_not_utf8(tmp_path):
    (tmp_path / "x.toml").write_bytes(DISTRICT_L1.encode("utf-16"))
    with pytest.raises(CatalogError, match="not UTF-8"):
        load_catalogs([tmp_path])


def test_vocabulary_errors(tmp_path):
    user = tmp_path / "vocab.toml"
    user.write_text('kind = "vocabulary"\nid = "mine"\nversion = "1"\n'
                    '[facts.discipline]\ntype = "bool"\nvi = "x"\nen = "x"\n', encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalogs([tmp_path])
    assert (Path(err.value.path), err.value.key) == (user, "facts.discipline")
    assert "already defined" in err.value.message

    user.write_text('kind = "vocabulary"\nid = "mine"\nversion = "1"\n'
                    '[facts.belt]\ntype = "scale"\nscale = "belt_colour"\nvi = "Đai"\nen = "Belt"\n', encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalogs([tmp_path])
    assert (Path(err.value.path), err.value.key) == (user, "facts.belt.scale")

    user.write_text('kind = "vocabulary"\nid = "mine"\nversion = "1"\n'
                    '[[scales.belt]]\nid = "white"\nvi = "Trắng"\nen = "White"\n'
                    '[[scales.belt]]\nid = "white"\nvi = "Đen"\nen = "Black"\n', encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalogs([tmp_path])
    assert (err.value.key, err.value.message) == ("scales.belt[1].id", "duplicate id 'white'")

    user.write_text('kind = "vocabulary"\nid = "mine"\nversion = "1"\n'
                    '[facts.belt]\ntype = "bool"\nscale = "x"\nvi = "Đai"\nen = "Belt"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"facts\.belt: `scale` is required for type 'scale' and only for it"):
        load_catalogs([tmp_path])


def test_labels_are_required_in_both_languages(tmp_path):
    (tmp_path / "x.toml").write_text(edited('en = "Issues an annual learning plan for its members and carries it out"\n', ""),
                                     encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalogs([tmp_path])
    assert err.value.key == "criteria[0].entries[0].en"


def test_every_shipped_label_is_bilingual():
    cats = load_catalogs()
    labelled = [*cats.units.values(), cats.citizen, *cats.unit_types.values(), *cats.facts.values(),
                *(v for scale in cats.scales.values() for v in scale)]
    for cat in cats.units.values():
        labelled += [*cat.criteria, *cat.entries()]
    labelled += [*cats.citizen.competences, *cats.citizen.indicators]
    for item in labelled:
        assert item.vi.strip() and item.en.strip() and item.label("vi") == item.vi and item.label("en") == item.en


# ---- user catalogs -----------------------------------------------------------------------------

FIRST_AID_VOCAB = """kind = "vocabulary"
id = "my-facts"
version = "1"

[facts.first_aid]
type = "bool"
vi = "Có chứng chỉ sơ cứu"
en = "Holds a first-aid certificate"
aliases = ["Sơ cứu"]
"""

FIRST_AID_ENTRY = """
[[criteria.entries]]
id = "C2.6"
kind = "share"
population = "members"
fact = "first_aid"
threshold_percent = 50
vi = "Ít nhất 50% thành viên có chứng chỉ sơ cứu"
en = "At least 50% of members hold a first-aid certificate"
source = "Quy chế nội bộ"
confirmed = false
"""


def write_user_catalogs(directory: Path) -> None:
    """An override of district Level 1 (C2.3 at 80%, a new entry C2.6) and the fact it uses."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "facts.toml").write_text(FIRST_AID_VOCAB, encoding="utf-8")
    text = edited('fact = "digital_training"\nthreshold_percent = 90', 'fact = "digital_training"\nthreshold_percent = 80')
    text = edited('version = "2024.1"', 'version = "local.1"', text)
    text = edited('\n[[criteria]]\nid = "C3"', FIRST_AID_ENTRY + '\n[[criteria]]\nid = "C3"', text)
    (directory / "district-l1.toml").write_text(text, encoding="utf-8")


def test_user_catalog_overrides_by_id_and_adds_a_fact(tmp_path):
    write_user_catalogs(tmp_path / "mine")
    cats = load_catalogs([tmp_path / "mine"])
    cat = cats.for_level("district", 1)
    assert cat.version == "local.1" and cats.paths[cat.id] == tmp_path / "mine" / "district-l1.toml"
    assert cat.entry("C2.3").threshold_percent == 80 and cat.entry("C2.6").fact == "first_aid"
    assert cats.facts["first_aid"].type == "bool"
    assert len(cats.units) == 4  # replaced, not added
    assert load_catalogs().for_level("district", 1).entry("C2.3").threshold_percent == 90


def test_new_fact_is_counted_without_a_schema_change(db, demo, tmp_path):
    write_user_catalogs(tmp_path / "mine")
    cats = load_catalogs([tmp_path / "mine"])
    before = evaluate_context(db, cats, demo, 1)
    assert before.entry("C2.3").met  # 53/60 = 88.3% >= 80%
    assert (before.entry("C2.6").numerator, before.entry("C2.6").denominator) == (0, 60)
    staff = ids(db, RosterQuery(demo.assessment.id, kind="staff"), cats)
    set_facts(db, cats, demo, staff[:30], {"first_aid": "1"})
    after = evaluate_context(db, cats, demo, 1).entry("C2.6")
    assert (after.numerator, after.denominator, after.status) == (30, 60, "met")


def test_config_catalog_dir_is_used_by_the_cli(db_url, demo, capsys):
    # the config's directory: $HOCTAP_CONFIG's folder / "catalogs" (set per test by conftest)
    write_user_catalogs(Path(os.environ["HOCTAP_CONFIG"]).parent / "catalogs")
    base = ["--db", db_url]
    assert main(base + ["set", "--unit", "THCS-LQD", "--year", "2024", "--where", "kind=staff", "Sơ cứu=có"]) == 0
    capsys.readouterr()
    main(base + ["status", "--unit", "THCS-LQD", "--year", "2024", "--json"])
    import json

    doc = json.loads(capsys.readouterr().out)
    entries = {e["id"]: e for c in doc["criteria"] for e in c["entries"]}
    assert entries["C2.6"]["numerator"] == 60 and entries["C2.6"]["met"] is True
    assert entries["C2.3"]["threshold_percent"] == 80 and entries["C2.3"]["met"] is True


def test_check_file_validates_against_the_catalogs_in_force(tmp_path):
    """A catalog using a user fact is valid only with that fact's vocabulary in force."""
    write_user_catalogs(tmp_path / "mine")
    path = tmp_path / "mine" / "district-l1.toml"
    assert check_file(path, [tmp_path / "mine"]).id == "c24-district-l1"
    lonely = tmp_path / "lonely.toml"
    lonely.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogError, match="unknown fact 'first_aid'"):
        check_file(lonely)


# ---- hoctap catalog list | show ------------------------------------------------------------------

def test_catalog_list(capsys):
    assert main(["--lang", "en", "catalog", "list"]) == 0
    out = capsys.readouterr().out
    for cid in ("c24-district-l1", "c24-district-l2", "c24-provincial-l1", "c24-provincial-l2", "lc-324"):
        assert cid in out


def test_catalog_list_shows_the_user_file(capsys):
    write_user_catalogs(Path(os.environ["HOCTAP_CONFIG"]).parent / "catalogs")
    assert main(["--lang", "en", "catalog", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"c24-district-l1\s+local\.1", out)


@pytest.mark.parametrize("lang,words", [("en", "Conditions for building"), ("vi", "Điều kiện xây dựng")])
def test_catalog_show(capsys, lang, words):
    assert main(["--lang", lang, "catalog", "show", "c24-provincial-l2"]) == 0
    out = capsys.readouterr().out
    assert words in out
    for eid in ("C1.1", "C2.5", "C3.1-learners", "C3.6"):
        assert eid in out


def test_catalog_show_citizen(capsys):
    assert main(["--lang", "en", "catalog", "show", "lc-324"]) == 0
    out = capsys.readouterr().out
    assert "total ≥ 80, each ≥ 5" in out and "lc_10" in out


def test_catalog_show_unknown(capsys):
    assert main(["--lang", "en", "catalog", "show", "c24-district-l9"]) == 2
    out, err = capsys.readouterr()
    assert "c24-district-l9" in err and "c24-district-l1" in err and "Traceback" not in err


def test_broken_user_catalog_stops_other_commands_cleanly(db_url, capsys):
    directory = Path(os.environ["HOCTAP_CONFIG"]).parent / "catalogs"
    directory.mkdir(parents=True)
    (directory / "bad.toml").write_text(BAD_CATALOGS["unknown fact"][0], encoding="utf-8")
    assert main(["--db", db_url, "--lang", "en", "catalog", "list"]) == 2
    err = capsys.readouterr().err
    assert f"{directory / 'bad.toml'}: criteria[1].entries[3].fact: unknown fact" in err
