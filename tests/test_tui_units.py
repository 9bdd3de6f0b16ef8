"""The units overview and the review worksheet, driven by keys: rows, filter, search, batch
"mark received", the review's verdicts, Enter to a unit's dashboard, the combined report."""

from __future__ import annotations

from datetime import date

from python_calamine import CalamineWorkbook
from textual.widgets import DataTable, Input

from hoctap.models.office import findings_of, intake_of, review
from hoctap.models.units import find_context
from hoctap.screens.dashboard import DashboardScreen
from hoctap.screens.review import FindingForm, ReviewScreen
from hoctap.screens.units import ReceiveForm, UnitsScreen
from tests.test_office_review import build_unit
from tests.tui_helpers import make_app, press, row_text, settle

WIDE = (220, 40)


def shown(screen) -> list[str]:
    return [str(k) for k in screen.view.keys]


async def test_overview_filters_selects_marks_received_and_opens_units(db, catalogs, tmp_path):
    a = build_unit(db, catalogs, tmp_path, "A")
    b = build_unit(db, catalogs, tmp_path, "B", short=3)
    c = build_unit(db, catalogs, tmp_path, "C", types="general_education", learners=20, lc_learners=19)
    app = make_app(db, catalogs)
    app.download_dir = tmp_path / "out"
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await press(pilot, "o")
        screen = app.screen
        assert isinstance(screen, UnitsScreen) and screen.year == 2024
        table = screen.view
        assert shown(screen) == [str(x.assessment.id) for x in (a, b, c)]
        drawn = [table.render_line(y).text for y in range(4)]  # the header and the three units, as drawn
        assert drawn[0].split()[:2] == ["✓", "Mã"] and drawn[2].split()[:3] == ["B", "Đơn", "vị"]
        row_b = table.text_of(b.assessment.id)
        assert "Không đạt" in row_b and "C2.1 (+2)" in row_b and "Chưa thẩm định" in row_b and "Chưa nhận" in row_b
        await press(pilot, "f")  # own verdict not met: only B
        assert shown(screen) == [str(b.assessment.id)]
        await press(pilot, "f", "f", "f", "f")  # back to all
        await press(pilot, "slash")
        screen.query_one("#units-search", Input).value = "c"
        await settle(app, pilot)
        assert shown(screen) == [str(c.assessment.id)]
        screen.query_one("#units-search", Input).value = ""
        await press(pilot, "enter")  # back to the table
        # select A and B, mark both received by post
        table.move_to(0)
        await press(pilot, "space", "space", "r")
        assert isinstance(app.screen, ReceiveForm)
        app.screen.query_one("#receive-on", Input).value = "20/01/2025"
        app.screen.query_one("#receive-by", Input).value = "Phạm Thu"
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        for ctx in (a, b):
            state = intake_of(db, ctx)
            assert (state.received_on, state.channel, state.received_by, state.late) == (date(2025, 1, 20), "in_person", "Phạm Thu", True)
        assert intake_of(db, c).received_on is None
        assert "nộp muộn" in table.text_of(a.assessment.id)
        # the combined report
        await press(pilot, "x")
        rows = CalamineWorkbook.from_path(str(tmp_path / "out" / "bao-cao-tong-hop-2024.xlsx")).get_sheet_by_name(
            "Các đơn vị").to_python()
        assert [r[1] for r in rows[3:]] == ["A", "B", "C"]
        # the review worksheet of B: the office corrects C2.1 to 9 of 10, B is met by the office
        table.move_to(1)
        await press(pilot, "w")
        rs = app.screen
        assert isinstance(rs, ReviewScreen) and rs.ctx.unit.code == "B"
        sheet = rs.query_one("#review-table", DataTable)
        assert "7/10" in row_text(sheet, "C2.1")
        sheet.move_cursor(row=[str(k.value) for k in sheet.rows].index("C2.1"))
        await press(pilot, "d")
        assert isinstance(app.screen, FindingForm)
        app.screen.query_one("#finding-value", Input).value = "9"
        app.screen.query_one("#finding-note", Input).value = "đối chiếu sổ"
        await press(pilot, "ctrl+s")
        assert app.screen is rs
        assert "9/10" in row_text(sheet, "C2.1") and "Không đồng ý" in row_text(sheet, "C2.1")
        assert "Thẩm định: Đạt" in str(rs.query_one("#review-head").render())
        assert review(db, catalogs, find_context(db, "B", 2024)).office.met
        await press(pilot, "a")  # agreeing after all: the correction goes
        assert findings_of(db, b)["C2.1"].agree is True and not review(db, catalogs, b).office.met
        await press(pilot, "q")
        assert app.screen is screen and "Không đạt" in table.text_of(b.assessment.id)
        await press(pilot, "enter")
        assert isinstance(app.screen, DashboardScreen) and app.ctx.unit.code == "B"
