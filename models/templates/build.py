"""Builds the shipped .docx templates: ``python -m hoctap.models.templates.build``.

This script is their source: edit it and rerun it, and commit the .docx files. Layout of
Decree 30/2020/NĐ-CP: issuing body and national motto in a borderless two-column table,
number and symbol, place and date line, title, body, recipients and signature block; Times New
Roman 13 pt on A4 with margins 20/20/30/15 mm. Every label comes from the context (``L`` and
``titles``), so one template serves both languages."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).parent
C, L, J = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    times(style)
    style.paragraph_format.space_after = Pt(3)
    for name in ("Heading 1", "Heading 2"):
        h = doc.styles[name]
        h.font.name, h.font.size, h.font.bold, h.font.italic = "Times New Roman", Pt(13), True, False
        h.font.color.rgb = None
        times(h)
        h.paragraph_format.space_before, h.paragraph_format.space_after = Pt(6), Pt(3)
    return doc


def times(style) -> None:
    """Times New Roman for every script, the theme's fonts (Calibri Light in headings) dropped."""
    fonts = style.element.rPr.rFonts
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), "Times New Roman")


def widths(table, *mm: int) -> None:
    """Fixed column widths (Word and LibreOffice read them from each cell)."""
    table.autofit = False
    for column, w in zip(table.columns, mm):
        column.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, mm):
            cell.width = Mm(w)


def para(container, text: str = "", *, align=J, bold=False, italic=False, size=None, style=None):
    p = container.add_paragraph(style=style)
    p.alignment = align
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None  # None: as the style says
        if size:
            run.font.size = Pt(size)
    return p


def no_borders(table) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)
    table.style = None


def header(doc, number: str) -> None:
    """Issuing body | national motto; number | place and date."""
    t = doc.add_table(rows=2, cols=2)
    no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(t, 62, 103)
    left, right = t.cell(0, 0), t.cell(0, 1)
    left.paragraphs[0].alignment = C
    left.paragraphs[0].add_run("{{ header.governing_body|upper }}").font.size = Pt(12)
    para(left, "{{ header.unit_name|upper }}", align=C, bold=True, size=12)
    para(left, "———", align=C)
    right.paragraphs[0].alignment = C
    r = right.paragraphs[0].add_run("{{ header.nation }}")
    r.bold, r.font.size = True, Pt(12)
    para(right, "{{ header.motto }}", align=C, bold=True)
    para(right, "———————", align=C)
    t.cell(1, 0).paragraphs[0].alignment = C
    t.cell(1, 0).paragraphs[0].add_run("{{ L.number }}: " + number)
    t.cell(1, 1).paragraphs[0].alignment = C
    t.cell(1, 1).paragraphs[0].add_run("{{ place_date }}").italic = True


def title(doc, text: str, subject: str) -> None:
    para(doc)
    para(doc, text, align=C, bold=True, size=14)
    para(doc, subject, align=C, bold=True)
    para(doc, "———", align=C)


def closing(doc, recipients: list[str], signer: str, name: str, note: str = "{{ L.sign_note }}") -> None:
    """Recipients on the left, the signature block on the right."""
    para(doc)
    t = doc.add_table(rows=1, cols=2)
    no_borders(t)
    widths(t, 70, 95)
    left, right = t.cell(0, 0), t.cell(0, 1)
    r = left.paragraphs[0].add_run("{{ L.recipients }}:")
    r.bold, r.italic, r.font.size = True, True, Pt(12)
    for line in recipients:
        para(left, "- " + line, align=L, size=11)
    right.paragraphs[0].alignment = C
    right.paragraphs[0].add_run(signer).bold = True
    para(right, note, align=C, italic=True, size=12)
    for _ in range(3):
        para(right)
    para(right, name, align=C, bold=True)


def loop_table(doc, loop: str, columns: dict[str, str], mm: tuple[int, ...]) -> None:
    """A bordered table: a bold heading row (``L.col_<name>``), then one row per item of ``loop``
    (docxtpl's ``{%tr %}`` rows around the row of values)."""
    t = doc.add_table(rows=3, cols=len(columns))
    t.style = "Table Grid"
    for i, (col, value) in enumerate(columns.items()):
        t.cell(0, i).paragraphs[0].alignment = C
        t.cell(0, i).paragraphs[0].add_run("{{ L.col_" + col + " }}").bold = True
        t.cell(2, i).paragraphs[0].add_run(value)
    t.cell(1, 0).paragraphs[0].add_run("{%tr for " + loop + " %}")
    t.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    widths(t, *mm)


def decision() -> Document:
    doc = new_document()
    header(doc, "{{ numbers.team_decision }}")
    title(doc, "{{ L.decision_title }}", "{{ titles.decision_subject }}")
    para(doc, "{{ L.decision_basis }}", italic=True)
    para(doc, "{{ L.decision_decides }}", align=C, bold=True)
    para(doc, "{{ titles.decision_art1 }}")
    para(doc, "{%p for m in team %}")
    para(doc, "{{ loop.index }}. {{ m.name }}{% if m.position %}, {{ m.position }}{% endif %} — {{ m.role }}",
         align=L)
    para(doc, "{%p endfor %}")
    para(doc, "{{ L.decision_art2 }}")
    para(doc, "{{ L.decision_art3 }}")
    closing(doc, ["{{ L.as_article1 }}", "{{ L.file_copy }}"], "{{ head.title|upper }}",
            "{{ head.name }}")
    return doc


def report() -> Document:
    doc = new_document()
    header(doc, "{{ numbers.report }}")
    title(doc, "{{ L.report_title }}", "{{ titles.report_subject }}")
    para(doc, "{{ titles.report_intro }}")
    para(doc, "{%p for c in criteria %}")
    para(doc, "{{ L.criterion }} {{ c.id }}. {{ c.label }}", style="Heading 1", align=L)
    para(doc, "{%p for e in c.entries %}")
    p = para(doc)
    p.add_run("{{ L.entry }} {{ e.id }}. {{ e.label }}. ").bold = True
    p.add_run("{{ L.finding }}: {{ e.finding }}. {{ L.evidence }}: {{ e.evidence }}. "
              "{{ L.self_verdict }}: {{ e.verdict }}.")
    para(doc, "{%p endfor %}")
    p = para(doc)
    p.add_run("{{ L.self_verdict }} {{ L.criterion|lower }} {{ c.id }}: {{ c.verdict }}.").bold = True
    for sec in ("strengths", "weaknesses", "plan"):
        para(doc, "{%p if c.narrative." + sec + " %}")
        p = para(doc)
        p.add_run("{{ L." + sec + " }}: ").italic = True
        p.add_run("{{ c.narrative." + sec + " }}")
        para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "{{ L.conclusion }}", style="Heading 1", align=L)
    para(doc, "{%p if conclusion %}")
    para(doc, "{{ conclusion }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p for c in criteria %}")
    para(doc, "- {{ L.criterion }} {{ c.id }}: {{ c.verdict }}", align=L)
    para(doc, "{%p endfor %}")
    p = para(doc)
    p.add_run("{{ L.level_requested }}: ").bold = True
    p.add_run("{{ level_label }}")
    closing(doc, ["{{ authority }}", "{{ L.file_copy }}"], "{{ head.title|upper }}", "{{ head.name }}")
    para(doc, "{%p if team %}")
    para(doc, "{{ L.team_copy|upper }}", align=C, bold=True)
    para(doc, "{%p for m in team %}")
    para(doc, "{{ m.role }}: {{ m.name }} …………………", align=L)
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    return doc


def request() -> Document:
    doc = new_document()
    header(doc, "{{ numbers.request }}")
    title(doc, "{{ L.request_title }}", "{{ titles.request_subject }}")
    para(doc, "{{ L.to }}: {{ authority }}", align=C)
    para(doc, "{{ titles.request_body }}")
    para(doc, "{{ L.enclosures }}:", bold=True)
    para(doc, "{%p for x in enclosures %}")
    para(doc, "{{ loop.index }}. {{ x }}", align=L)
    para(doc, "{%p endfor %}")
    para(doc, "{%p if send_to %}")
    para(doc, "{{ L.send_to }}: {{ send_to }}", align=L)
    para(doc, "{%p endif %}")
    closing(doc, ["{{ authority }}", "{{ L.file_copy }}"], "{{ head.title|upper }}", "{{ head.name }}")
    return doc


def evidence() -> Document:
    doc = new_document()
    header(doc, "{{ numbers.report }}")
    title(doc, "{{ L.evidence_title }}", "{{ titles.report_subject }}")
    loop_table(doc, "x in evidence", {
        "seq": "{{ x.seq }}", "code": "{{ x.code }}", "title": "{{ x.title }}",
        "number": "{{ x.number }}{% if x.number and x.date %}, {% endif %}{{ x.date }}",
        "issuer": "{{ x.issuer }}", "entries": "{{ x.entries }}"}, (10, 22, 50, 33, 28, 22))
    closing(doc, ["{{ authority }}", "{{ L.file_copy }}"], "{{ head.title|upper }}", "{{ head.name }}")
    return doc


def recognition() -> Document:
    """The office's draft decision recognising units, and its annex listing them per level."""
    doc = new_document()
    header(doc, "{{ numbers.decision }}")
    title(doc, "{{ L.decision_title }}", "{{ titles.recognition_subject }}")
    para(doc, "{{ L.decision_basis }}", italic=True)
    para(doc, "{{ L.decision_decides }}", align=C, bold=True)
    para(doc, "{{ titles.recognition_art1 }}")
    para(doc, "{{ L.recognition_art2 }}")
    closing(doc, ["{{ L.as_article1 }}", "{{ L.file_copy }}"], "{{ header.unit_name|upper }}", "{{ L.blank }}")
    doc.add_page_break()
    para(doc, "{{ titles.annex_title }}", align=C, bold=True)
    para(doc, "{{ titles.annex_note }}", align=C, italic=True)
    loop_table(doc, "x in recognised", {
        "seq": "{{ x.seq }}", "level": "{{ x.level }}", "unit_code": "{{ x.code }}", "unit": "{{ x.name }}",
        "decision": "{{ x.decision_no }}{% if x.decision_no and x.decision_date %}, {% endif %}{{ x.decision_date }}"},
        (10, 25, 28, 62, 40))
    return doc


TEMPLATES = {"01_decision.docx": decision, "02_report.docx": report, "03_request.docx": request,
             "04_evidence.docx": evidence, "05_recognition.docx": recognition}


def main() -> None:
    for name, build in TEMPLATES.items():
        build().save(HERE / name)


if __name__ == "__main__":
    main()
