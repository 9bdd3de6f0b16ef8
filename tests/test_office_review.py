"""The receiving office: intake register, review worksheet, units overview and combined report,
over units with known results built through the core."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from hoctap.models.checklist import check_entries
from hoctap.models.errors import HoctapError
from hoctap.models.fields import InputError
from hoctap.models.office import (findings_of, intake_of, mark_received, overview, review,
                                  set_finding)
from hoctap.models.importer import import_roster
from hoctap.models.dossier_check import check_dossier
from hoctap.models.undo import undo
from hoctap.models.units import add_unit, ensure_context, find_context
from hoctap.tui.cli import main

SHARE_FACTS = ("discipline", "required_training", "digital_training", "language_cert")
ALL_UNIT_L1 = {"C1.1": "yes", "C1.2": "yes", "C1.4": "yes", "C1.5": "yes", "C3.2": "yes", "C3.3": "advanced_collective"}


def build_unit(db, catalogs, tmp_path, code, *, tier="district", types="public_service", level=1, staff=10,
               short=0, learners=0, lc_learners=0, unit_values=None):
    """A unit whose members all qualify except ``short`` of them on discipline (C2.1)."""
    add_unit(db, catalogs, code, f"Đơn vị {code}", tier, [types])
    ensure_context(db, code, 2024, level)
    path = tmp_path / f"{code}.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["code", "full_name", "kind", *SHARE_FACTS, "emulation_title", "learning_citizen"])
        for i in range(staff):
            w.writerow([f"S{i}", f"Nguyễn Văn {i}", "staff", "no" if i < short else "yes", "yes", "yes", "yes",
                        "advanced_worker", "yes"])
        for i in range(learners):
            w.writerow([f"L{i}", f"Trần Thị {i}", "learner", "", "", "", "", "", "yes" if i < lc_learners else "no"])
    import_roster(db, catalogs, code, 2024, path)
    values = dict(ALL_UNIT_L1)
    if "public_service" in types or "state_agency" in types:
        values["C1.3"] = "yes"
    if "general_education" in types:
        values["C3.4"] = "basic"
    values.update(unit_values or {})
    check_entries(db, catalogs, find_context(db, code, 2024), values)
    return find_context(db, code, 2024)


@pytest.fixture
def units(db, catalogs, tmp_path):
    """Four units: A met; B short of 2 on C2.1 (90% of 10 needs 9, has 7); C a school, met,
    with 20 learners of whom 19 hold the title; D seeks level 2 (unconfirmed thresholds)."""
    return {
        "A": build_unit(db, catalogs, tmp_path, "A"),
        "B": build_unit(db, catalogs, tmp_path, "B", short=3),
        "C": build_unit(db, catalogs, tmp_path, "C", types="general_education", learners=20, lc_learners=19),
        "D": build_unit(db, catalogs, tmp_path, "D", level=2, unit_values={"C3.3": "excellent_collective",
                                                                         "C1.3": "yes"}),
    }


def test_intake_is_recorded_flagged_late_and_undoable(db, catalogs, units):
    a, b = units["A"], units["B"]
    assert intake_of(db, a).text() == "Chưa nhận"
    written = mark_received(db, [a.assessment.id, b.assessment.id], received_on="16/01/2025", channel="post",
                            received_by="Lê Văn Tâm")
    assert written.n == 2 and written.batch
    state = intake_of(db, a)
    assert (state.received_on, state.channel, state.received_by, state.late) == (date(2025, 1, 16), "post", "Lê Văn Tâm", True)
    assert state.text() == "Đã nhận 16/01/2025, Qua bưu điện, nộp muộn, chưa kiểm tra hồ sơ"
    mark_received(db, [a.assessment.id], received_on="2025-01-15", channel="trực tuyến")
    assert not intake_of(db, a).late  # 15 January itself is on time
    with pytest.raises(InputError, match="fax"):
        mark_received(db, [a.assessment.id], received_on="2025-01-10", channel="fax")
    with pytest.raises(InputError, match="32/01"):
        mark_received(db, [a.assessment.id], received_on="32/01/2025", channel="post")
    with pytest.raises(HoctapError):  # someone else's edit since the screen read version 1
        mark_received(db, [a.assessment.id], received_on="2025-01-11", channel="post", expected_versions={a.assessment.id: 1})
    undo(db, catalogs, find_last(db, "intake"))
    assert intake_of(db, a).received_on == date(2025, 1, 16)
    # what the dossier check found, kept beside the intake
    checked = mark_received(db, [a.assessment.id], received_on="2025-01-16", channel="post", received_by="Lê Văn Tâm",
                            checks={a.assessment.id: (False, "thiếu biên bản họp tổ đánh giá")})
    assert intake_of(db, a).text().endswith("thiếu hồ sơ") and intake_of(db, a).missing == "thiếu biên bản họp tổ đánh giá"
    undo(db, catalogs, checked.batch)
    assert intake_of(db, a).complete is None and intake_of(db, a).missing == ""
    undo(db, catalogs, written.batch)
    assert intake_of(db, a).received_on is None and intake_of(db, b).received_on is None


def find_last(db, action):
    from sqlalchemy import select

    from hoctap.models.tables import AuditBatch

    with db.read() as s:
        return s.execute(select(AuditBatch.id).where(AuditBatch.action == action, AuditBatch.undone_by.is_(None))
                         .order_by(AuditBatch.id.desc())).scalars().first()


def test_the_office_verdict_follows_its_corrections_with_the_same_engine(db, catalogs, units):
    a, b = units["A"], units["B"]
    first = review(db, catalogs, a)
    assert first.own.met and not first.reviewed
    # the office finds only 8 of 10 members disciplined: 80% < 90%, short of 1
    w = set_finding(db, catalogs, a, "C2.1", agree=False, count=8, note="biên bản thiếu 2 người")
    r = review(db, catalogs, a)
    assert r.own.met and not r.office.met
    assert r.office.entry("C2.1").shortfall == 1 and r.own.entry("C2.1").numerator == 10
    [(own, office, finding)] = r.disagreements()
    assert (own.entry.id, own.status, office.status, finding.note) == ("C2.1", "met", "not_met", "biên bản thiếu 2 người")
    # and a unit entry it reads differently
    set_finding(db, catalogs, a, "C3.3", agree=False, value="none")
    assert review(db, catalogs, a).office.entry("C3.3").status == "not_met"
    # agreeing clears the correction; B's self-assessment stays as the unit made it
    set_finding(db, catalogs, a, "C3.3", agree=True)
    assert review(db, catalogs, a).office.entry("C3.3").status == "met"
    assert findings_of(db, a)["C3.3"].value is None
    set_finding(db, catalogs, b, "C2.1", agree=False, count=9)
    rb = review(db, catalogs, b)
    assert not rb.own.met and rb.office.met
    with pytest.raises(InputError, match="11"):
        set_finding(db, catalogs, a, "C2.1", agree=False, count=11)
    with pytest.raises(InputError):
        set_finding(db, catalogs, a, "C2.1", agree=False, value="yes")
    with pytest.raises(InputError):
        set_finding(db, catalogs, a, "C9.9", agree=True)
    with pytest.raises(HoctapError):  # the screen read no finding, but one exists now
        set_finding(db, catalogs, a, "C2.1", agree=True, expected_version=0)
    undo(db, catalogs, w.batch)  # C2.1 was not touched since: the finding goes back to none
    assert findings_of(db, a)["C2.1"].agree is None and review(db, catalogs, a).office.met


def test_the_overview_lists_every_unit_with_its_results(db, catalogs, units):
    set_finding(db, catalogs, units["A"], "C2.1", agree=False, count=8)
    mark_received(db, [units["C"].assessment.id], received_on="2025-01-10", channel="in_person")
    rows = {r.unit.code: r for r in overview(db, catalogs, 2024)}
    assert list(rows) == ["A", "B", "C", "D"]
    assert (rows["A"].own_met, rows["A"].office_met, rows["A"].disagreements) == (True, False, ("C2.1",))
    assert (rows["B"].own_met, rows["B"].office_met) == (False, None)
    assert rows["B"].short_text() == "C2.1 (+2)"
    assert rows["C"].own_met and rows["C"].lc_holders == {"members": 10, "learners": 19}
    assert rows["C"].population == {"members": 10, "learners": 20}
    assert rows["C"].intake.received_on == date(2025, 1, 10) and not rows["C"].intake.late
    assert rows["D"].level == 2 and "C2.1" in rows["D"].unconfirmed() and not rows["A"].unconfirmed()
    assert overview(db, catalogs, 2023) == []


def test_units_cli_prints_the_overview_as_json_and_as_a_table(db, db_url, catalogs, units, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "240")
    set_finding(db, catalogs, units["A"], "C2.1", agree=False, count=8)
    capsys.readouterr()
    assert main(["--db", db_url, "--lang", "vi", "units", "--year", "2024", "--json"]) == 0
    data = {u["code"]: u for u in json.loads(capsys.readouterr().out)}
    assert data["A"]["own_met"] is True and data["A"]["office_met"] is False
    assert data["A"]["office_short"] == [{"entry": "C2.1", "status": "not_met", "shortfall": 1}]
    assert data["B"]["short"] == [{"entry": "C2.1", "status": "not_met", "shortfall": 2}]
    assert data["C"]["type_labels"] == [catalogs.unit_types["general_education"].vi]
    assert data["D"]["deadline"] == "2025-01-15" and data["D"]["received_on"] is None
    assert main(["--db", db_url, "--lang", "en", "units", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "C2.1 (+2)" in out and "Not reviewed" in out
    assert main(["--db", db_url, "units", "receive", "--year", "2024", "--unit", "B", "--unit", "C",
                 "--on", "2025-01-20", "--channel", "online", "--by", "Hà"]) == 0
    assert intake_of(db, find_context(db, "B", 2024)).late
    assert main(["--db", db_url, "--lang", "vi", "units", "receive", "--year", "2024", "--unit", "B", "--on", "2025-01-20",
                 "--channel", "fax"]) == 2
    assert "fax" in capsys.readouterr().err
    assert main(["--db", db_url, "units", "review", "--unit", "B", "--year", "2024", "--entry", "C2.1",
                 "--disagree", "--count", "9", "--note", "đã đối chiếu"]) == 0
    assert review(db, catalogs, find_context(db, "B", 2024)).office.met


def sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)


def test_the_combined_report_cell_by_cell_with_its_charts(db, db_url, catalogs, units, tmp_path):
    set_finding(db, catalogs, units["A"], "C2.1", agree=False, count=8)
    out = tmp_path / "units.xlsx"
    assert main(["--db", db_url, "--lang", "vi", "units", "report", str(out), "--year", "2024", "--per-unit"]) == 0
    rows = sheet(out, "Các đơn vị")
    head = next(i for i, r in enumerate(rows) if r[0] == "STT")
    body = {r[1]: r for r in rows[head + 1:] if r[1]}
    assert rows[head][:9] == ["STT", "Mã", "Đơn vị", "Cấp", "Loại hình", "Mức đề nghị", "Đơn vị tự đánh giá",
                              "Kết quả thẩm định", "Thành viên đạt CDHT"]
    assert body["A"][3:8] == ["Cấp huyện", catalogs.unit_types["public_service"].vi, 1.0, "Đạt", "Không đạt"]
    assert body["B"][6:8] == ["Không đạt", "Chưa thẩm định"]
    assert body["C"][8:10] == [1.0, 0.95]
    assert body["B"][10] == "C2.1 (cần thêm 2)"
    assert body["A"][12] == "C2.1"
    assert "C2.1" in body["D"][11]
    counts = sheet(out, "Thống kê")
    labels = {r[0]: r for r in counts if r and isinstance(r[0], str)}
    # by level sought: units, met by the office (not reviewed: the unit's own verdict)
    assert labels["Mức độ 1"][1:3] == [3.0, 1.0]  # A is not met by the office, B by itself; C met
    assert labels["Mức độ 2"][1:3] == [1.0, 1.0]
    gen = catalogs.unit_types["general_education"].vi
    assert labels[gen][1:3] == [1.0, 1.0]
    assert labels["Số Đơn vị học tập đạt Mức độ 1"][1] == 1.0
    assert labels["Tỉ lệ thành viên đạt Công dân học tập"][1] == 1.0
    assert labels["Tỉ lệ người học đạt Công dân học tập"][1] == 0.95
    names = CalamineWorkbook.from_path(str(out)).sheet_names
    assert names[:2] == ["Các đơn vị", "Thống kê"] and len(names) == 6  # and one per unit
    with zipfile.ZipFile(out) as z:
        charts = sorted(n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n))
        refs = [re.findall(r"<c:f>([^<]+)</c:f>", z.read(n).decode()) for n in charts]
    level_row = next(i for i, r in enumerate(counts) if r[0] == "Mức độ 1") + 1
    type_rows = [i + 1 for i, r in enumerate(counts) if r[0] in {catalogs.unit_types[t].vi for t in
                                                                  ("public_service", "general_education")}]
    assert f"'Thống kê'!$A${level_row}:$A${level_row + 1}" in refs[0]
    assert f"'Thống kê'!$C${level_row}:$C${level_row + 1}" in refs[0]
    assert f"'Thống kê'!$A${min(type_rows)}:$A${max(type_rows)}" in refs[1]


def test_the_overview_reads_set_based_whatever_the_number_of_units(db, catalogs, units, tmp_path):
    """As many statements for four units as for six: no query per unit."""
    from sqlalchemy import event

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert len(overview(db, catalogs, 2024)) >= 4
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    four = statements()
    build_unit(db, catalogs, tmp_path, "E")
    build_unit(db, catalogs, tmp_path, "F", short=1)
    set_finding(db, catalogs, find_context(db, "F", 2024), "C2.1", agree=True)
    assert statements() == four


def test_receiving_a_dossier_records_what_its_check_finds(db, db_url, catalogs, units):
    """The intake keeps the dossier check's verdict, in the same batch (one undo takes both back)."""
    from hoctap.models.dossier import add_member, set_info

    b = find_context(db, "B", 2024)
    expected = check_dossier(db, catalogs, b, None)
    assert not expected.complete  # no team, no head, no narrative
    assert main(["--db", db_url, "--lang", "vi", "units", "receive", "--year", "2024", "--unit", "B",
                 "--on", "2025-01-10", "--channel", "post"]) == 0
    state = intake_of(db, b)
    assert state.complete is False and state.missing == "; ".join(m.text for m in expected.items)
    # once the unit has a team and a head, the check at intake finds less missing
    add_member(db, b, "Nguyễn Thị Lan", position="Phó trưởng phòng", role="leader")
    set_info(db, b, {"head_name": "Trần Văn Hùng", "head_title": "Trưởng phòng"})
    assert main(["--db", db_url, "--lang", "vi", "units", "receive", "--year", "2024", "--unit", "B",
                 "--on", "2025-01-11", "--channel", "post"]) == 0
    assert intake_of(db, b).missing == "; ".join(m.text for m in check_dossier(db, catalogs, b, None).items)
    assert len(intake_of(db, b).missing) < len(state.missing)
    assert undo(db, catalogs, find_last(db, "intake")) and intake_of(db, b).missing == state.missing
