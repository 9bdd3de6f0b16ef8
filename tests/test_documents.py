"""The dossier documents: rendered from templates, read back with python-docx. The numbers equal
``status --json``, evidence codes and the team appear, English leaves no Vietnamese label, a
user template wins, a broken one names its file and line and writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from hoctap.models.documents_strings import DOCUMENTS
from hoctap.models.dossier_context import labels
from hoctap.models.meters import unit_entry_rows
from hoctap.models.tables import DossierInfo, Evidence, EvidenceLink, Narrative, Recognition, TeamMember
from hoctap.tui.cli import main

TEAM = [("Nguyễn Văn An", "Hiệu trưởng", "leader"), ("Trần Thị Bình", "Văn thư", "secretary"),
        ("Lê Minh Châu", "Giáo viên", "member")]
EVIDENCE = [("H1-01", "Kế hoạch học tập năm 2024", "12/KH-THCSLQD", date(2024, 1, 5), "Trường THCS Lê Quý Đôn",
             ["C1.1"]),
            ("H1-02", "Quy chế chi tiêu nội bộ", "03/QC-THCSLQD", date(2024, 1, 10), "Trường THCS Lê Quý Đôn",
             ["C1.2", "C1.3"]),
            ("H2-01", "Danh sách viên chức hoàn thành bồi dưỡng", "", None, "Phòng GD&ĐT", ["C2.2"])]


def user_templates() -> Path:
    return Path(os.environ["HOCTAP_CONFIG"]).parent / "templates"


@pytest.fixture
def dossier(db, demo):
    """The demo assessment with a head, a team, an evidence register and a narrative."""
    aid = demo.assessment.id
    with db.write() as s:
        s.add(DossierInfo(assessment_id=aid, head_name="Nguyễn Văn An", head_title="Hiệu trưởng",
                          governing_body="Phòng Giáo dục và Đào tạo quận Ba Đình",
                          authority="Ủy ban nhân dân quận Ba Đình", place="Hà Nội", team_decision_no="05/QĐ-THCSLQD",
                          report_no="15/BC-THCSLQD", request_no="16/TTr-THCSLQD", conclusion="Đơn vị cơ bản đạt."))
        for seq, (name, position, role) in enumerate(TEAM, 1):
            s.add(TeamMember(assessment_id=aid, seq=seq, full_name=name, position=position, role=role))
        for code, title, number, issued, issuer, entries in EVIDENCE:
            piece = Evidence(assessment_id=aid, code=code, title=title, number=number, issued_on=issued, issuer=issuer)
            s.add(piece)
            s.flush()
            for entry in entries:
                s.add(EvidenceLink(evidence_id=piece.id, entry_id=entry))
        s.add(Narrative(assessment_id=aid, criterion_id="C1", section="strengths", text="Lãnh đạo quan tâm."))
    return demo


def export(db_url, out: Path, *extra) -> int:
    return main(["--db", db_url, "dossier", "export", str(out), "--unit", "THCS-LQD", "--year", "2024", *extra])


def status(capsys, db_url) -> dict:
    capsys.readouterr()
    main(["--db", db_url, "status", "--unit", "THCS-LQD", "--year", "2024", "--json"])
    return json.loads(capsys.readouterr().out)


def texts(path: Path) -> list[str]:
    """Every paragraph of a document, those in tables included, in order."""
    doc = Document(path)
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                out += [p.text for p in cell.paragraphs]
    return out


def files(out: Path) -> dict[str, Path]:
    return {p.name.split("_")[2]: p for p in sorted(out.iterdir())}


def test_the_set_shows_the_header_the_status_numbers_the_evidence_and_the_team(db_url, dossier, capsys, tmp_path,
                                                                                 catalogs):
    out = tmp_path / "dossier"
    assert export(db_url, out) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["THCS-LQD_2024_01_quyet-dinh-thanh-lap-to-danh-gia.docx", "THCS-LQD_2024_02_bao-cao-tu-danh-gia.docx",
                     "THCS-LQD_2024_03_to-trinh-de-nghi-cong-nhan.docx", "THCS-LQD_2024_04_danh-muc-minh-chung.docx",
                     "THCS-LQD_2024_05_bang-tong-hop-ket-qua.xlsx"]
    f = files(out)
    report = Document(f["02"])
    header = [p.text for cell in report.tables[0]._cells for p in cell.paragraphs]
    assert "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO QUẬN BA ĐÌNH" in header
    assert "TRƯỜNG THCS LÊ QUÝ ĐÔN" in header
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header and "Độc lập - Tự do - Hạnh phúc" in header
    assert "Số: 15/BC-THCSLQD" in header
    assert any(t.startswith("Hà Nội, ngày ") and t.endswith(f"năm {date.today().year}") for t in header)
    body = [p.text for p in report.paragraphs]
    assert "BÁO CÁO TỰ ĐÁNH GIÁ" in body

    doc = status(capsys, db_url)
    catalog = {e.id: e for e in catalogs.units[doc["catalog"]].entries()}
    headings = [p.text for p in report.paragraphs if p.style.name == "Heading 1"]
    assert [h.split(".")[0] for h in headings[:-1]] == [f"Tiêu chí {c['id']}" for c in doc["criteria"]]
    cited = {e: [code for code, *_, entries in EVIDENCE if e in entries] for e in ("C1.1", "C1.2", "C1.3", "C2.2")}
    for crit in doc["criteria"]:
        for e in crit["entries"]:
            line = [t for t in body if t.startswith(f"Chỉ tiêu {e['id']}. ")]
            if not e["applicable"]:
                assert line == []
                continue
            assert len(line) == 1, e["id"]
            if e["kind"] == "share":
                assert f"Kết quả: {e['numerator']}/{e['denominator']} = " in line[0]
            elif isinstance(e["value"], bool):
                assert "Kết quả: " + ("có" if e["value"] else "không") in line[0]
            else:  # a value of a scale: its label
                entry = catalog[e["id"]]
                assert "Kết quả: " + catalogs.scale_label(entry.value, e["value"], "vi") + "." in line[0]
            assert line[0].endswith("Tự đánh giá: " + ("Đạt." if e["met"] else "Không đạt."))
            for code in cited.get(e["id"], []):
                assert code in line[0]
    assert "Điểm mạnh: Lãnh đạo quan tâm." in body
    assert "Đơn vị cơ bản đạt." in body
    assert any(t.startswith("Đề nghị công nhận: ") for t in body)

    decision = texts(f["01"])
    for i, (name, position, _) in enumerate(TEAM, 1):
        assert any(t.startswith(f"{i}. {name}, {position} — ") for t in decision)
    assert "HIỆU TRƯỞNG" in decision and "Nguyễn Văn An" in decision  # the signature block
    assert "Số: 05/QĐ-THCSLQD" in decision
    signatures = [t for t in texts(f["02"]) if t.startswith(("Tổ trưởng: ", "Thư ký: ", "Thành viên: "))]
    assert [s.split(": ")[1].split(" …")[0] for s in signatures] == [name for name, *_ in TEAM]

    request = texts(f["03"])
    assert "Kính gửi: Ủy ban nhân dân quận Ba Đình" in request
    assert any("Danh mục minh chứng (3 minh chứng)" in t for t in request)

    table = Document(f["04"]).tables[1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][1] == "Mã minh chứng"
    assert [r[1] for r in rows[1:]] == ["H1-01", "H1-02", "H2-01"]
    assert rows[2][3] == "03/QC-THCSLQD, 10/01/2024" and rows[2][5] == "C1.2, C1.3"


def test_an_english_set_leaves_no_vietnamese_label(db, db_url, dossier, tmp_path):
    out = tmp_path / "en"
    assert export(db_url, out, "--lang", "en") == 0
    # every label, and every fixed piece of a sentence with fields, of the Vietnamese documents
    vi_words = {v for k, v in labels("vi").items() if v != labels("en")[k]}
    vi_words |= {piece.split("}")[-1].strip(" ,.:") for vi, en in DOCUMENTS.texts.values() if vi != en
                 for piece in vi.split("{")}
    vi_words = {w for w in vi_words if len(w) > 2}  # "TT" (No.) is also in the circular's number
    # what the user typed stays as typed: the demo's evidence notes, the fixture's rows
    typed = [r.evidence for r in unit_entry_rows(db, dossier).values() if r.evidence]
    with db.read() as s:
        info = s.get(DossierInfo, dossier.assessment.id)
        typed += [info.conclusion, info.head_title, info.place, "Lãnh đạo quan tâm."]
    typed += [x for title, _, _, issuer, _ in (e[1:] for e in EVIDENCE) for x in (title, issuer)]
    typed += [x for member in TEAM for x in member[:2]]
    f = files(out)
    assert f["02"].name == "THCS-LQD_2024_02_self-assessment-report.docx"
    for path in (f["01"], f["02"], f["03"], f["04"]):
        text = "\n".join(texts(path))
        for words in typed:
            text = text.replace(words, "")
        left = sorted(w for w in vi_words if w in text)
        assert left == [], (path.name, left)
    report = "\n".join(texts(f["02"]))
    assert "SELF-ASSESSMENT REPORT" in report and "SOCIALIST REPUBLIC OF VIET NAM" in report
    assert "Strengths: Lãnh đạo quan tâm." in report  # what the user typed stays as typed


def write_template(path: Path, *paragraphs: str) -> None:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


def test_a_user_template_overrides_the_shipped_one(db_url, dossier, tmp_path):
    write_template(user_templates() / "02_report.docx", "CUSTOM {{ unit.code }} {{ year }}",
                   "{%p for c in criteria %}", "{{ c.id }}={{ c.verdict }}", "{%p endfor %}")
    out = tmp_path / "out"
    assert export(db_url, out) == 0
    report = texts(files(out)["02"])
    assert report[0] == "CUSTOM THCS-LQD 2024"
    assert report[1:] == ["C1=Đạt", "C2=Không đạt", "C3=Không đạt"]
    assert texts(files(out)["01"])[0] != "CUSTOM THCS-LQD 2024"  # the others stay shipped


@pytest.mark.parametrize("broken, message", [
    ("{{ unit.name }", "dòng (đoạn văn) 3: lỗi cú pháp: unexpected '}'"),
    ("{{ unit.nmae }}", "dòng (đoạn văn) 3: trường không có: 'dict object' has no attribute 'nmae'"),
    # a block left open is found at the end: the message names it
    ("{%p for c in criteria %}", "lỗi cú pháp: Unexpected end of template. Jinja was looking for"),
])
def test_a_broken_template_names_its_file_and_line_and_writes_nothing(db_url, dossier, tmp_path, capsys, broken,
                                                                        message):
    path = user_templates() / "03_request.docx"
    write_template(path, "{{ unit.code }}", "Năm {{ year }}", broken, "end")
    out = tmp_path / "out"
    capsys.readouterr()
    assert export(db_url, out, "--lang", "vi") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"hoctap: Mẫu {path}, ")
    assert message in " ".join(err.split())
    assert "Traceback" not in err
    assert not out.exists()


needs_office = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                  reason="LibreOffice or pdftotext absent")


@needs_office
def test_the_report_opens_in_libreoffice_with_the_criterion_headings_in_order(sqlite_url, tmp_path, catalogs):
    from hoctap.models.db import open_database
    from hoctap.sample_data.demo import build_demo

    db = open_database(sqlite_url)
    build_demo(db, catalogs)
    out = tmp_path / "out"
    assert export(sqlite_url, out) == 0
    db.dispose()
    report = files(out)["02"]
    env = {**os.environ, "HOME": str(tmp_path)}  # LibreOffice's profile, private to the test
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(report)],
                   check=True, capture_output=True, timeout=300, env=env)
    pdf = tmp_path / report.with_suffix(".pdf").name
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    positions = [text.find(f"Tiêu chí {c}.") for c in ("C1", "C2", "C3")]
    assert -1 not in positions and positions == sorted(positions)
    assert "BÁO CÁO TỰ ĐÁNH GIÁ" in text


def test_the_recognition_decision_annex_lists_exactly_the_units_recognised(db, tmp_path):
    from hoctap.models.recognition_docs import render_recognition_decision
    from hoctap.models.tables import Unit

    units = {}
    with db.write() as s:
        for code, name in (("UB-A", "Ủy ban nhân dân xã An Bình"), ("THCS-B", "Trường THCS Bình Minh"),
                           ("MN-C", "Trường Mầm non Cát Tiên"), ("TH-D", "Trường Tiểu học Đông Hòa")):
            unit = Unit(code=code, name=name, tier="district", types="public_service")
            s.add(unit)
            s.flush()
            units[code] = unit.id
        when = date(2025, 2, 10)
        for code, level, year in (("UB-A", 1, 2024), ("THCS-B", 2, 2024), ("MN-C", 1, 2024), ("TH-D", 1, 2023)):
            s.add(Recognition(unit_id=units[code], level=level, year=year, decision_no="45/QĐ-UBND",
                              decision_date=when, issuer="Ủy ban nhân dân quận Ba Đình"))
    path = render_recognition_decision(db, 2024, tmp_path / "qd.docx")
    doc = Document(path)
    body = [p.text for p in doc.paragraphs]
    assert "Điều 1. Công nhận 3 đơn vị đạt “Đơn vị học tập” năm 2024 (có danh sách kèm theo)." in body
    assert "(Kèm theo Quyết định số 45/QĐ-UBND ngày 10/02/2025 của Ủy ban nhân dân quận Ba Đình)" in body
    header = [p.text for cell in doc.tables[0]._cells for p in cell.paragraphs]
    assert "ỦY BAN NHÂN DÂN QUẬN BA ĐÌNH" in header and "Số: 45/QĐ-UBND" in header
    rows = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert rows[1:] == [["1", "Mức độ 1", "MN-C", "Trường Mầm non Cát Tiên", "45/QĐ-UBND, 10/02/2025"],
                        ["2", "Mức độ 1", "UB-A", "Ủy ban nhân dân xã An Bình", "45/QĐ-UBND, 10/02/2025"],
                        ["3", "Mức độ 2", "THCS-B", "Trường THCS Bình Minh", "45/QĐ-UBND, 10/02/2025"]]
    english = Document(render_recognition_decision(db, 2024, tmp_path / "en.docx", lang="en"))
    assert "Article 1. 3 units are recognised as “Learning Units”, year 2024 (list annexed)." in \
        [p.text for p in english.paragraphs]


def test_an_authority_left_empty_is_the_tiers_from_the_vocabulary(db, db_url, dossier, tmp_path, catalogs):
    with db.write() as s:
        s.get(DossierInfo, dossier.assessment.id).authority = ""
    out = tmp_path / "dossier"
    assert export(db_url, out) == 0
    tier = catalogs.tiers[dossier.unit.tier]
    request = "\n".join(texts(files(out)["03"]))
    assert tier.authority("vi") in request and "Ủy ban nhân dân quận Ba Đình" not in request
