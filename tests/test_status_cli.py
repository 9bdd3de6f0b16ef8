"""`hoctap status`: the --json contract of product.md, exit codes, and the human table at 80
columns in both languages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from rich.cells import cell_len

from hoctap.models.catalog import load_catalogs
from hoctap.tui.cli import main

CATALOGS = load_catalogs()


def run_json(capsys, db_url, *extra) -> tuple[int, dict]:
    code = main(["--db", db_url, "status", "--unit", "THCS-LQD", "--year", "2024", "--json", *extra])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


def entries_of(doc) -> dict:
    return {e["id"]: e for c in doc["criteria"] for e in c["entries"]}


@pytest.mark.parametrize("level", [1, 2])
def test_json_matches_the_contract(db_url, demo, capsys, level):
    code, doc = run_json(capsys, db_url, "--level", str(level))
    assert code == 1 and doc["met"] is False
    assert list(doc) == ["unit", "year", "level", "catalog", "met", "criteria"]
    assert doc["unit"] == {"code": "THCS-LQD", "name": "Trường THCS Lê Quý Đôn", "tier": "district",
                           "types": ["public_service", "general_education"]}
    assert (doc["year"], doc["level"], doc["catalog"]) == (2024, level, f"c24-district-l{level}")
    catalog = CATALOGS.units[doc["catalog"]]
    assert [c["id"] for c in doc["criteria"]] == [c.id for c in catalog.criteria]
    for crit, spec in zip(doc["criteria"], catalog.criteria):
        assert list(crit) == ["id", "met", "entries"] and isinstance(crit["met"], bool)
        assert [e["id"] for e in crit["entries"]] == [e.id for e in spec.entries]  # every entry, in order
        for e, entry in zip(crit["entries"], spec.entries):
            assert e["kind"] == entry.kind
            if not e["applicable"]:
                assert e == {"id": entry.id, "kind": entry.kind, "applicable": False, "met": None}
            elif entry.kind == "unit":
                assert list(e) == ["id", "kind", "applicable", "met", "value"] and isinstance(e["met"], bool)
                assert isinstance(e["value"], bool if entry.value == "bool" else str)
            else:
                assert list(e) == ["id", "kind", "applicable", "met", "numerator", "denominator",
                                   "threshold_percent", "shortfall"]
                assert all(type(e[k]) is int for k in ("numerator", "denominator", "threshold_percent", "shortfall"))
                assert isinstance(e["met"], bool)
    entries = entries_of(doc)
    assert entries["C2.3"] == {"id": "C2.3", "kind": "share", "applicable": True, "met": False, "numerator": 53,
                               "denominator": 60, "threshold_percent": 90, "shortfall": 1}
    assert entries["C1.3"] == {"id": "C1.3", "kind": "unit", "applicable": True, "met": True, "value": True}
    assert entries["C3.5"] == {"id": "C3.5", "kind": "unit", "applicable": False, "met": None}
    assert entries["C3.3"]["value"] == "advanced_collective"
    assert [c["met"] for c in doc["criteria"]] == [True, False, False]


def test_json_empty_population_and_unticked_entries(db_url, tmp_path, capsys):
    assert main(["--db", db_url, "unit", "add", "CTY-A", "--name", "Công ty A", "--tier", "provincial",
                 "--type", "economic_org"]) == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("code,full_name,kind\n", encoding="utf-8")
    assert main(["--db", db_url, "import", str(empty), "--unit", "CTY-A", "--year", "2025"]) == 0  # starts the year
    assert main(["--db", db_url, "check", "--unit", "CTY-A", "--year", "2025", "C1.1=có"]) == 0
    capsys.readouterr()
    code = main(["--db", db_url, "status", "--unit", "CTY-A", "--year", "2025", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and doc["catalog"] == "c24-provincial-l1" and doc["unit"]["types"] == ["economic_org"]
    entries = entries_of(doc)
    assert entries["C2.1"] == {"id": "C2.1", "kind": "share", "applicable": True, "met": False, "numerator": 0,
                               "denominator": 0, "threshold_percent": 90, "shortfall": 0}
    assert entries["C2.4"]["applicable"] is False and entries["C1.3"]["applicable"] is False
    assert entries["C1.1"]["value"] is True
    assert entries["C1.2"] == {"id": "C1.2", "kind": "unit", "applicable": True, "met": False, "value": None}


ROSTER = "code,full_name,kind,discipline,required_training,digital_training,language_cert,emulation_title,learning_citizen\n" + \
    "".join(f"CB{i:02},Phạm Văn {i},staff,x,x,x,x,Lao động tiên tiến,có\n" for i in range(10))


def test_exit_code_follows_the_verdict(db_url, tmp_path, capsys):
    base = ["--db", db_url]
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert main(base + ["unit", "add", "SO-A", "--name", "Sở A", "--tier", "provincial", "--type", "state_agency"]) == 0
    assert main(base + ["import", str(roster), "--unit", "SO-A", "--year", "2024"]) == 0
    assert main(base + ["check", "--unit", "SO-A", "--year", "2024", "C1.1=1", "C1.2=1", "C1.3=1", "C1.4=1", "C1.5=1",
                        "C3.2=1", "C3.3=Tập thể lao động tiên tiến"]) == 0
    status = base + ["status", "--unit", "SO-A", "--year", "2024"]
    capsys.readouterr()
    assert main(status + ["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["met"] is True
    assert main(status) == 0
    assert main(status + ["--level", "2"]) == 1  # Level 2 wants an Excellent Labour Collective
    assert main(base + ["check", "--unit", "SO-A", "--year", "2024", "--level", "2", "C3.3=excellent_collective"]) == 0
    assert main(status + ["--level", "2"]) == 0
    set_ = base + ["set", "--unit", "SO-A", "--year", "2024"]
    assert main(set_ + ["--where", "code=CB01", "digital_training=không"]) == 0
    assert main(status) == 0  # 9/10 = 90% still meets 90%
    assert main(set_ + ["--where", "code=CB02", "digital_training=không"]) == 0
    assert main(status) == 1  # 8/10 does not
    capsys.readouterr()
    assert main(status + ["--json"]) == 1
    assert entries_of(json.loads(capsys.readouterr().out))["C2.3"] == {
        "id": "C2.3", "kind": "share", "applicable": True, "met": False, "numerator": 8, "denominator": 10,
        "threshold_percent": 90, "shortfall": 1}


@pytest.mark.parametrize("args,words", [
    (["--unit", "NOPE", "--year", "2024"], "NOPE"),
    (["--unit", "THCS-LQD", "--year", "1999"], "1999"),
    (["--unit", "THCS-LQD", "--year", "1999", "--json"], "1999"),
])
def test_errors_exit_2_with_a_message_on_stderr(db_url, demo, capsys, args, words):
    assert main(["--db", db_url, "status", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("hoctap: ") and words in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_database_url_exits_2(capsys):
    assert main(["--db", "nosuchdriver://x", "status", "--unit", "A", "--year", "2024"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hoctap: ") and "Traceback" not in err


# ---- the human table -----------------------------------------------------------------------------

def run_cli(db_url, *args, colour=False) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "80", "LINES": "50"}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    if colour:
        env["FORCE_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "hoctap.tui.cli", "--db", db_url, *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=60)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize("lang,c23,c31l,verdicts,conclusion", [
    ("en", "53/60 = 88.3% < 90% ✗", "757/800 = 94.6% < 95% ✗", ("Met", "Not met", "needs 1 more", "needs 3 more"),
     "CONCLUSION: level 1 NOT MET"),
    ("vi", "53/60 = 88,3% < 90% ✗", "757/800 = 94,6% < 95% ✗", ("Đạt", "Không đạt", "cần thêm 1", "cần thêm 3"),
     "KẾT LUẬN: CHƯA ĐẠT mức 1"),
], ids=["en", "vi"])
def test_human_table_one_line_per_entry_at_80_columns(db_url, demo, lang, c23, c31l, verdicts, conclusion):
    proc = run_cli(db_url, "--lang", lang, "status", "--unit", "THCS-LQD", "--year", "2024")
    assert proc.returncode == 1 and proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert "\x1b[" not in proc.stdout  # no colour codes when not on a terminal
    assert all(cell_len(line) <= 80 for line in lines)
    met, not_met, short1, short3 = verdicts
    catalog = CATALOGS.units["c24-district-l1"]
    by_id = {}
    for e in catalog.entries():
        matching = [line for line in lines if line.split(" ", 1)[0] == e.id]
        assert len(matching) == 1, e.id  # exactly one line per entry
        by_id[e.id] = matching[0]
    assert c23 in by_id["C2.3"] and not_met in by_id["C2.3"] and short1 in by_id["C2.3"]
    assert c31l in by_id["C3.1-learners"] and short3 in by_id["C3.1-learners"]
    assert re.search(rf"54/60 = 90[.,]0% ≥ 90% ✓\s+{met}\s", by_id["C3.1"])
    assert "✓" in by_id["C1.1"] and "–" in by_id["C3.5"]  # C3.5: not a vocational school
    assert all(line.rstrip().endswith("…") for line in by_id.values())  # labels cut to the width left
    label = catalog.entry("C1.1").label(lang)
    assert by_id["C1.1"].rstrip()[:-1].split()[-1] in label
    assert lines[-1].strip() == conclusion
    assert lines[0].startswith("Trường THCS Lê Quý Đôn (THCS-LQD) — 2024")


def test_human_table_marks_unconfirmed_entries(db_url, demo):
    proc = run_cli(db_url, "--lang", "en", "status", "--unit", "THCS-LQD", "--year", "2024", "--level", "2")
    assert proc.returncode == 1
    assert re.search(r"^C2\.3\* +53/60 = 88\.3% < 90% ✗", proc.stdout, re.M)
    assert re.search(r"^\* unconfirmed", proc.stdout, re.M)
    level1 = run_cli(db_url, "--lang", "en", "status", "--unit", "THCS-LQD", "--year", "2024").stdout
    assert "*" not in level1  # every district Level 1 entry is confirmed


def test_human_table_colours(db_url, demo):
    proc = run_cli(db_url, "--lang", "en", "status", "--unit", "THCS-LQD", "--year", "2024", colour=True)
    line = next(line for line in proc.stdout.splitlines() if ANSI.sub("", line).startswith("C2.3 "))
    red, green = "\x1b[31m", "\x1b[32m"
    assert red + "53/60 = 88.3% < 90% ✗" in line and red + "Not met" in line
    c21 = next(line for line in proc.stdout.splitlines() if ANSI.sub("", line).startswith("C2.1 "))
    assert green + "58/60 = 96.6% ≥ 90% ✓" in c21
    assert all(cell_len(ANSI.sub("", line)) <= 80 for line in proc.stdout.splitlines())


# ---- unit, check and set -------------------------------------------------------------------------

@pytest.mark.parametrize("args,words", [
    (["check", "--unit", "THCS-LQD", "--year", "2024", "C9.9=1"], "C9.9"),
    (["check", "--unit", "THCS-LQD", "--year", "2024", "C2.3=1"], "C2.3"),
    (["check", "--unit", "THCS-LQD", "--year", "2024", "C3.3=gold"], "gold"),
    (["check", "--unit", "THCS-LQD", "--year", "2024", "C1.1"], "C1.1"),
    (["check", "--unit", "NOPE", "--year", "2024", "C1.1=1"], "NOPE"),
    (["set", "--unit", "THCS-LQD", "--year", "2024", "colour=red"], "colour"),
    (["set", "--unit", "THCS-LQD", "--year", "2024", "discipline=maybe"], "maybe"),
    (["set", "--unit", "THCS-LQD", "--year", "2024", "--where", "height=2", "discipline=1"], "height"),
    (["set", "--unit", "THCS-LQD", "--year", "2030", "discipline=1"], "2030"),
    (["unit", "add", "THCS-LQD", "--name", "X", "--tier", "district", "--type", "preschool"], "THCS-LQD"),
    (["unit", "add", "MN-1", "--name", "X", "--tier", "district", "--type", "bank"], "bank"),
])
def test_command_errors_exit_2_and_change_nothing(db_url, db, catalogs, demo, capsys, args, words):
    from hoctap.models.audit import history

    before = len(history(db, None, 1000))
    assert main(["--db", db_url, *args]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("hoctap: ") and words in err and "Traceback" not in err
    assert len(history(db, None, 1000)) == before


@pytest.mark.parametrize("assignment", ["C9=1", "C1.1=1"])
def test_check_on_a_missing_year_creates_no_assessment(db_url, db, demo, capsys, assignment):
    """A typo in --year is an error, whether or not the rest of the command is valid."""
    from sqlalchemy import select

    from hoctap.models.tables import Assessment

    assert main(["--db", db_url, "check", "--unit", "THCS-LQD", "--year", "2031", assignment]) == 2
    assert "2031" in capsys.readouterr().err
    with db.read() as s:
        assert s.execute(select(Assessment.year)).scalars().all() == [2024]


def test_check_set_and_unit_list(db_url, db, catalogs, demo, capsys):
    from hoctap.models.meters import evaluate_context

    base = ["--db", db_url]
    assert main(base + ["check", "--unit", "THCS-LQD", "--year", "2024", "C3.4=Đáp ứng tốt", "--evidence", "QĐ số 12"]) == 0
    assert evaluate_context(db, catalogs, demo, 1).entry("C3.4").value == "good"
    # Vietnamese label of a fact and of a value, NFD input
    import unicodedata
    nfd = unicodedata.normalize("NFD", "Chuyển đổi số=có")
    assert main(base + ["set", "--unit", "THCS-LQD", "--year", "2024", "--where", "kind=staff", nfd]) == 0
    assert evaluate_context(db, catalogs, demo, 1).entry("C2.3").numerator == 60
    assert main(base + ["--lang", "en", "unit", "list"]) == 0
    out = capsys.readouterr().out
    assert "THCS-LQD" in out and "Types" in out and "General-education school" in out and "general_education" not in out


@pytest.mark.parametrize("lang,args,words", [
    ("vi", [], "nhập danh sách người (CSV hoặc XLSX)"),
    ("en", [], "import a roster (CSV or XLSX)"),
    ("vi", ["check"], "mức của bộ tiêu chí có các chỉ tiêu này"),
    ("en", ["check"], "the level whose catalog holds these entries"),
])
def test_help_is_in_the_users_language(capsys, lang, args, words):
    with pytest.raises(SystemExit) as done:
        main(["--lang", lang, *args, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0 and words in out


def test_status_defaults_to_the_level_sought(db, db_url, demo, capsys):
    from hoctap.models.units import ensure_context

    ensure_context(db, "THCS-LQD", 2025, 2)  # this year the school seeks Level 2
    capsys.readouterr()
    main(["--db", db_url, "status", "--unit", "THCS-LQD", "--year", "2025", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert (doc["level"], doc["catalog"]) == (2, "c24-district-l2")
    main(["--db", db_url, "status", "--unit", "THCS-LQD", "--year", "2024", "--json"])
    assert json.loads(capsys.readouterr().out)["level"] == 1  # the demo seeks Level 1
