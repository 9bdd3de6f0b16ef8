"""The dossier beyond its workbook: team, head and numbers, evidence register, narrative (core,
audit, undo, version checks) and its completeness check (core and `hoctap dossier check`)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from hoctap.models import dossier as d
from hoctap.models import i18n
from hoctap.models.audit import change_lines, history
from hoctap.models.dossier_check import check_dossier
from hoctap.models.errors import HoctapError, StaleEdit
from hoctap.models.fields import InputError
from hoctap.models.undo import undo
from hoctap.models.units import add_unit, ensure_context
from hoctap.tui.cli import build_parser, main
from hoctap.tui.cli_dossier_strings import CLI_DOSSIER

U = ["--unit", "THCS-LQD", "--year", "2024"]


def cli(capsys, db_url, *args) -> tuple[int, str, str]:
    code = main(["--db", db_url, "--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def codes(db, ctx) -> dict[str, tuple[str, ...]]:
    return {i.row.code: i.entries for i in d.list_evidence(db, ctx)}


def complete(db, catalogs, ctx) -> None:
    """What the demo lacks at level 1: evidence, a leader, the head, every narrative section."""
    d.convert_free_text(db, catalogs, ctx)
    d.add_member(db, ctx, "Trần Thị Bình", "Phó hiệu trưởng", "tổ trưởng")
    d.set_info(db, ctx, {"head_name": "Nguyễn Văn An", "head_title": "Hiệu trưởng"})
    for crit in ("C1", "C2", "C3"):
        for section in d.SECTIONS:
            d.set_narrative(db, catalogs, ctx, crit, section, f"{crit} {section}")


# ---- core ---------------------------------------------------------------------------------------

def test_info_is_set_audited_version_checked_and_undone(db, catalogs, demo):
    w = d.set_info(db, demo, {"head_name": "  Nguyễn Văn An ", "team_decision_date": "05/01/2025",
                              "conclusion": "Đạt mức 1.\nĐề nghị công nhận.\n"})
    info = d.get_info(db, demo)
    assert (info.head_name, info.team_decision_date, info.conclusion) == (
        "Nguyễn Văn An", date(2025, 1, 5), "Đạt mức 1.\nĐề nghị công nhận.")
    assert {(c.field, c.new) for c in change_lines(db, catalogs, w.batch)} >= {("head_name", "Nguyễn Văn An"),
                                                                      ("team_decision_date", "2025-01-05")}
    with pytest.raises(StaleEdit):
        d.set_info(db, demo, {"place": "Hà Nội"}, expected_version=info.version - 1)
    with pytest.raises(InputError):
        d.set_info(db, demo, {"team_decision_date": "31/02/2025"})
    undo(db, catalogs, w.batch)
    info = d.get_info(db, demo)
    assert (info.head_name, info.team_decision_date, info.conclusion) == ("", None, "")


def test_team_add_edit_move_remove_and_undo_each(db, catalogs, demo):
    d.add_member(db, demo, "An", "Hiệu trưởng", "leader")
    d.add_member(db, demo, "Bình", "Giáo viên", "Thư ký")
    d.add_member(db, demo, "Chi", "Giáo viên")

    def team():
        return [(m.full_name, m.role) for m in d.list_team(db, demo)]

    assert team() == [("An", "leader"), ("Bình", "secretary"), ("Chi", "member")]
    assert d.role_label("secretary") == "Thư ký"
    moved = d.move_member(db, demo, 3, 1).batch
    assert team() == [("Chi", "member"), ("An", "leader"), ("Bình", "secretary")]
    edited = d.edit_member(db, demo, 3, role="member", full_name="Bình Minh").batch
    assert team()[2] == ("Bình Minh", "member")
    removed = d.remove_member(db, demo, 2).batch
    assert team() == [("Chi", "member"), ("Bình Minh", "member")]
    for batch in (removed, edited, moved):
        undo(db, catalogs, batch)
    assert team() == [("An", "leader"), ("Bình", "secretary"), ("Chi", "member")]
    with pytest.raises(InputError):
        d.add_member(db, demo, "Dũng", role="chairman")
    with pytest.raises(HoctapError):
        d.remove_member(db, demo, 9)
    stale = d.list_team(db, demo)[0].version - 1
    with pytest.raises(StaleEdit):
        d.edit_member(db, demo, 1, position="x", expected_version=stale)


def test_evidence_codes_follow_the_scheme_links_are_many_to_many_and_undo(db, catalogs, demo):
    d.add_evidence(db, catalogs, demo, "Kế hoạch học tập", entries=["C1.1", "C1.2"], number="12/KH",
                   issued_on="2024-01-05", issuer="Trường THCS Lê Quý Đôn")
    d.add_evidence(db, catalogs, demo, "Quy chế", criterion="C1", entries=["C1.2"])
    d.add_evidence(db, catalogs, demo, "Báo cáo", criterion="3", scheme="MC{criterion}.{nn:03}")
    assert codes(db, demo) == {"H1-01": ("C1.1", "C1.2"), "H1-02": ("C1.2",), "MC3.001": ()}
    assert d.evidence_by_entry(db, demo)["C1.2"] == ["H1-01", "H1-02"]
    linked = d.edit_evidence(db, catalogs, demo, "MC3.001", link=["C3.2", "C3.3"]).batch
    d.edit_evidence(db, catalogs, demo, "H1-01", unlink=["C1.1"])
    assert codes(db, demo)["MC3.001"] == ("C3.2", "C3.3") and codes(db, demo)["H1-01"] == ("C1.2",)
    removed = d.remove_evidence(db, demo, "H1-01").batch
    assert "H1-01" not in codes(db, demo)
    undo(db, catalogs, removed)
    item = next(i for i in d.list_evidence(db, demo) if i.row.code == "H1-01")
    assert (item.entries, item.row.number, item.row.issued_on) == (("C1.2",), "12/KH", date(2024, 1, 5))
    undo(db, catalogs, linked)
    assert codes(db, demo)["MC3.001"] == ()
    with pytest.raises(HoctapError):
        d.add_evidence(db, catalogs, demo, "Trùng", code="H1-02")
    with pytest.raises(InputError):
        d.add_evidence(db, catalogs, demo, "Sai chỉ tiêu", entries=["C9.9"])
    with pytest.raises(InputError):
        d.add_evidence(db, catalogs, demo, "Không mã")
    with pytest.raises(HoctapError):
        d.add_evidence(db, catalogs, demo, "Mẫu hỏng", criterion="C2", scheme="H{chapter}")


def test_free_text_evidence_converts_in_one_batch_once(db, catalogs, demo):
    w = d.convert_free_text(db, catalogs, demo)
    got = codes(db, demo)
    assert w.n == len(got) == 8
    assert got["H1-01"] == ("C1.1",) and got["H3-01"] == ("C3.2",)
    assert len(change_lines(db, catalogs, w.batch)) == 8
    assert d.convert_free_text(db, catalogs, demo) == (None, 0)  # entries already cited are left alone
    undo(db, catalogs, w.batch)
    assert codes(db, demo) == {}


def test_narrative_is_written_per_criterion_and_section_and_undone(db, catalogs, demo):
    first = d.set_narrative(db, catalogs, demo, "c1", "Điểm mạnh", "Có kế hoạch\nrõ ràng  ").batch
    second = d.set_narrative(db, catalogs, demo, "C1", "strengths", "Khác").batch
    assert d.get_narrative(db, demo)[("C1", "strengths")].text == "Khác"
    with pytest.raises(HoctapError):  # undoing the first would lose the second
        undo(db, catalogs, first)
    undo(db, catalogs, second)
    assert d.get_narrative(db, demo)[("C1", "strengths")].text == "Có kế hoạch\nrõ ràng"
    with pytest.raises(InputError):
        d.set_narrative(db, catalogs, demo, "C9", "plan", "x")
    with pytest.raises(InputError):
        d.set_narrative(db, catalogs, demo, "C1", "summary", "x")
    assert history(db, demo, 1)[0].action == "undo"


# ---- completeness -------------------------------------------------------------------------------

def test_check_reports_each_kind_of_missing_item(db, catalogs):
    add_unit(db, catalogs, "S1", "Trường Thử", "district", ["general_education"])
    ctx = ensure_context(db, "S1", 2024, 2)  # nobody on the roster; level 2 has unconfirmed entries
    d.add_member(db, ctx, "An")  # a team without a leader
    check = check_dossier(db, catalogs, ctx, None, today=date(2025, 1, 10))
    kinds = {m.kind for m in check.items}
    assert kinds == {"no_evidence", "no_data", "unconfirmed", "no_leader", "no_head", "empty_narrative"}
    assert not check.complete and (check.deadline, check.days_left) == (date(2025, 1, 15), 5)
    assert "Hạn nộp hồ sơ: 15/01/2025 (còn 5 ngày)" == check.deadline_text()
    d.remove_member(db, ctx, 1)
    assert "no_team" in {m.kind for m in check_dossier(db, catalogs, ctx, 2).items}
    late = check_dossier(db, catalogs, ctx, 2, today=date(2025, 1, 20))
    assert late.days_left == -5 and "đã quá 5 ngày" in late.deadline_text()


def test_check_is_complete_when_nothing_is_missing(db, catalogs, demo):
    complete(db, catalogs, demo)
    check = check_dossier(db, catalogs, demo, 1)
    assert check.complete, [m.text for m in check.items]


# ---- CLI ----------------------------------------------------------------------------------------

def test_cli_dossier_check_exit_codes_and_json(db_url, db, catalogs, demo, capsys):
    code, out, err = cli(capsys, db_url, "dossier", "check", *U)
    assert code == 1 and err == ""
    assert "Entry C1.1 has no evidence" in out and "No evaluation team" in out and "Deadline: 15/01/2025" in out
    code, out, _ = cli(capsys, db_url, "dossier", "check", *U, "--json")
    doc = json.loads(out)
    assert code == 1 and doc["complete"] is False and doc["deadline"] == "2025-01-15"
    assert {m["kind"] for m in doc["missing"]} == {"no_evidence", "no_team", "no_head", "empty_narrative"}
    complete(db, catalogs, demo)
    code, out, _ = cli(capsys, db_url, "dossier", "check", *U)
    assert code == 0 and "The dossier is complete" in out
    code, _, err = cli(capsys, db_url, "dossier", "check", "--unit", "NOPE", "--year", "2024")
    assert code == 2 and "NOPE" in err and "Traceback" not in err


def test_cli_edits_the_team_info_evidence_and_narrative(db_url, db, demo, capsys, tmp_path):
    assert cli(capsys, db_url, "team", "add", *U, "Trần Thị Bình", "--role", "leader", "--position", "Hiệu phó")[0] == 0
    assert cli(capsys, db_url, "team", "add", *U, "Lê Chi")[0] == 0
    assert cli(capsys, db_url, "team", "move", *U, "2", "1")[0] == 0
    code, out, _ = cli(capsys, db_url, "team", "list", *U)
    assert code == 0 and out.index("Lê Chi") < out.index("Trần Thị Bình") and "Team leader" in out
    code, _, err = cli(capsys, db_url, "team", "remove", *U, "7")
    assert code == 2 and "no member number 7" in err
    assert cli(capsys, db_url, "dossier", "info", *U, "--head-name", "Nguyễn Văn An", "--place", "Hà Nội")[0] == 0
    code, out, _ = cli(capsys, db_url, "dossier", "info", *U, "--json")
    assert json.loads(out)["head_name"] == "Nguyễn Văn An" and json.loads(out)["place"] == "Hà Nội"
    assert cli(capsys, db_url, "evidence", "add", *U, "Kế hoạch", "--entry", "C1.1", "--date", "05/01/2024")[0] == 0
    assert cli(capsys, db_url, "evidence", "link", *U, "H1-01", "C1.3")[0] == 0
    code, out, _ = cli(capsys, db_url, "evidence", "convert", *U)
    assert code == 0 and "6 pieces of evidence registered" in out  # C1.1 and C1.3 are cited
    code, out, _ = cli(capsys, db_url, "evidence", "list", *U, "--json")
    rows = {r["code"]: r for r in json.loads(out)}
    assert rows["H1-01"]["entries"] == ["C1.1", "C1.3"] and rows["H1-01"]["issued_on"] == "2024-01-05"
    assert cli(capsys, db_url, "evidence", "remove", *U, "H1-02")[0] == 0
    code, _, err = cli(capsys, db_url, "evidence", "remove", *U, "H1-02")
    assert code == 2 and "H1-02" in err
    text = tmp_path / "plan.txt"
    text.write_text("Bồi dưỡng thêm\nngoại ngữ", encoding="utf-8")
    assert cli(capsys, db_url, "narrative", "set", *U, "--criterion", "C2", "--section", "plan", "--file", str(text))[0] == 0
    code, out, _ = cli(capsys, db_url, "narrative", "show", *U)
    assert code == 0 and "Bồi dưỡng thêm" in out and "Plan to improve" in out
    code, _, err = cli(capsys, db_url, "narrative", "set", *U, "--criterion", "C2", "--section", "plan")
    assert code == 2 and "--file" in err
    code, _, _ = cli(capsys, db_url, "undo", *U)  # the newest batch: the narrative
    assert code == 0 and d.get_narrative(db, demo)[("C2", "plan")].text == ""


def test_every_dossier_option_has_help_in_both_languages():
    i18n.register(CLI_DOSSIER)
    for lang in ("vi", "en"):
        i18n.set_lang(lang)
        parser = build_parser()
        sub = next(a for a in parser._actions if a.dest == "command")
        for name in ("dossier", "team", "evidence", "narrative"):
            group = sub.choices[name]
            actions = next(a for a in group._actions if a.dest.endswith("_command"))
            for action_parser in actions.choices.values():
                for a in action_parser._actions:
                    assert a.help, (lang, name, a.dest)


def test_the_tier_is_data_a_local_vocabulary_renames_it(db, demo, tmp_path, capsys, db_url):
    from hoctap.models.catalog import load_catalogs

    shipped = load_catalogs()
    info = d.get_info(db, demo)
    assert shipped.tier_label("district") == "Cấp huyện"
    assert d.authority_of(shipped, demo, info) == "Chủ tịch Uỷ ban nhân dân cấp huyện"
    assert d.send_to_of(shipped, demo, info, "en") == "the district Division of Education and Training"
    (tmp_path / "local.toml").write_text('''kind = "vocabulary"
id = "local"
version = "1"
[tiers.district]
vi = "Cấp xã"
en = "Commune"
authority_vi = "Chủ tịch Uỷ ban nhân dân xã"
authority_en = "Chairman of the commune People's Committee"
send_to_vi = "Uỷ ban nhân dân xã"
send_to_en = "the commune People's Committee"
''', encoding="utf-8")
    local = load_catalogs([tmp_path])
    assert local.tier_label("district", "en") == "Commune"
    assert d.authority_of(local, demo, info) == "Chủ tịch Uỷ ban nhân dân xã"
    d.set_info(db, demo, {"authority": "Giám đốc Sở Giáo dục và Đào tạo"})
    assert d.authority_of(local, demo, d.get_info(db, demo)) == "Giám đốc Sở Giáo dục và Đào tạo"
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(f'catalog_dirs = ["{tmp_path}"]\n', encoding="utf-8")
    code, out, _ = cli(capsys, db_url, "unit", "list")
    assert code == 0 and "Commune" in out
