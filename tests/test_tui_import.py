"""Import from the TUI: a dry-run preview (counts and changes, or row-numbered problems), then
the write on confirmation; the meters follow."""

from __future__ import annotations

import re

from textual.widgets import Button, Input, OptionList

from hoctap.models.audit import history
from hoctap.models.i18n import tr
from hoctap.models.meters import evaluate_context
from hoctap.screens.dashboard import DashboardScreen
from hoctap.screens.importer import ImportForm
from tests.tui_helpers import SIZE, make_app, press, row_text, settle

HEADER = "Mã,Họ và tên,Đối tượng,digital_training\n"


def c23(db, catalogs, ctx) -> int:
    result = evaluate_context(db, catalogs, ctx)
    return next(e for e in result.entries() if e.entry.id == "C2.3").numerator


def lines(form) -> list[str]:
    options = form.query_one("#import-lines", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def open_import(app, pilot, path) -> ImportForm:
    await settle(app, pilot)
    await press(pilot, "i")
    await settle(app, pilot)
    form = app.screen
    assert isinstance(form, ImportForm)
    form.query_one("#import-path", Input).value = str(path)
    await press(pilot, "enter")  # preview
    await settle(app, pilot)
    return form


async def test_preview_then_confirm_moves_the_meter(db, catalogs, demo, tmp_path):
    path = tmp_path / "dao-tao.csv"
    path.write_text(HEADER + "LQD00001,Huỳnh Phương Việt,Thành viên,x\nGV-NEW,Lê Văn Mới,Thành viên,có\n",
                    encoding="utf-8-sig")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_import(app, pilot, path)
        status = str(form.query_one("#import-status").render())
        assert tr("import.counts", rows=2, added=1, updated=0, enrolled=1, values=2) in status
        assert "Đọc tệp: " in status and "utf-8" in status  # the preview says how the file was read
        assert lines(form) == ["Được bồi dưỡng và tham gia chuyển đổi số: 2 (không→có ×1, ∅→có ×1)"]
        assert c23(db, catalogs, demo) == 53  # a preview writes nothing
        assert not form.query_one("#ok", Button).disabled

        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert c23(db, catalogs, demo) == 55  # one more trained, one new trained member
        assert "55/61" in row_text(app.screen.query_one("#meters"), "C2.3")
        assert history(db, demo, 1)[0].action == "import"


async def test_bad_file_lists_row_numbered_problems_and_changes_nothing(db, catalogs, demo, tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text(HEADER + "LQD00001,Huỳnh Phương Việt,Thành viên,x\nLQD00002,Trương Thanh Nhật,Thành viên,có lẽ\n"
                    "LQD00003,,Người ngoài,x\n", encoding="utf-8")
    app = make_app(db, catalogs, demo)
    batches = len(history(db, demo, 1000))
    async with app.run_test(size=SIZE) as pilot:
        form = await open_import(app, pilot, path)
        assert tr("import.failed", n=len(lines(form))) in str(form.query_one("#import-status").render())
        problems = lines(form)
        assert any(p.startswith("dòng 3, cột") and "có lẽ" in p for p in problems)
        assert any(p.startswith("dòng 4") for p in problems)
        assert form.query_one("#ok", Button).disabled
        await press(pilot, "ctrl+s")  # nothing to confirm
        await settle(app, pilot)
        assert app.screen is form
    assert c23(db, catalogs, demo) == 53
    assert len(history(db, demo, 1000)) == batches


async def test_preview_lines_add_up_and_keep_the_computed_title_apart(db, catalogs, demo, tmp_path):
    scores = ",".join(["5"] * 10)
    path = tmp_path / "cs.csv"
    path.write_text("Mã,Họ và tên,Đối tượng,Phòng ban," + ",".join(f"lc_{i}" for i in range(1, 11)) + "\n"
                    f"LQD00001,Huỳnh Phương Việt,Thành viên,Tổ Mới,{scores}\n", encoding="utf-8")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_import(app, pilot, path)
        status = str(form.query_one("#import-status").render())
        shown = lines(form)
        at = shown.index(tr("importer.computed"))
        counted = [int(re.search(r": (\d+) \(", line)[1]) for line in shown[:at]]
        assert tr("import.counts", rows=1, added=0, updated=1, enrolled=0, values=sum(counted)) in status
        assert sum(counted) == 11 and shown[0].startswith("Phòng ban: 1 (")  # a department and ten scores
        assert [line.strip().split(":")[0] for line in shown[at + 1:]] == ["Công dân học tập (kết quả)"]
