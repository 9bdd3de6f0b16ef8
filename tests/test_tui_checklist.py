"""Checklist: ticking a value flips the criterion verdict; evidence is saved; stale edits refused."""

from __future__ import annotations

from hoctap.models.checklist import check_entries
from hoctap.models.meters import evaluate_context, unit_entry_rows
from hoctap.screens.checklist import ChecklistScreen
from tests.tui_helpers import SIZE, make_app, press, row_text, settle


async def open_checklist(app, pilot):
    await settle(app, pilot)
    await press(pilot, "c")
    await settle(app, pilot)
    assert isinstance(app.screen, ChecklistScreen)


async def test_tick_flips_criterion_verdict(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        assert app.focused.ancestors[1].id == "e-C1_1"
        await press(pilot, "space")  # C1.1: yes -> no
        await settle(app, pilot)
        assert unit_entry_rows(db, demo)["C1.1"].value == "0"
        assert not evaluate_context(db, catalogs, demo).criteria[0].met
        await press(pilot, "q")
        await settle(app, pilot)
        table = app.screen.query_one("#meters")
        assert "Không đạt" in row_text(table, "C1") and "không" in row_text(table, "C1.1")
        await press(pilot, "c")
        await settle(app, pilot)
        await press(pilot, "space")  # back to yes
        await settle(app, pilot)
        await press(pilot, "escape")
        await settle(app, pilot)
        assert "✓ Đạt" in row_text(app.screen.query_one("#meters"), "C1")
    assert unit_entry_rows(db, demo)["C1.1"].value == "1"


async def test_evidence_and_documents_saved(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        await press(pilot, "tab")  # evidence of C1.1
        app.focused.value = ""
        await press(pilot, *"KH 12", "tab", *"QD-7")
        await press(pilot, "enter")
        await settle(app, pilot)
    row = unit_entry_rows(db, demo)["C1.1"]
    assert (row.value, row.evidence, row.documents) == ("1", "KH 12", "QD-7")


async def test_not_applicable_entries_shown_disabled(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        box = app.screen.query_one("#e-C3_5")
        assert "Không áp dụng" in str(box.query_one(".entry-label").render())
        assert box.query_one(".value").disabled


async def test_edit_by_someone_else_is_not_overwritten(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        check_entries(db, catalogs, demo, {"C1.1": "có"}, evidence="changed elsewhere")
        await press(pilot, "space")
        await settle(app, pilot)
        assert any("người khác" in n.message for n in app._notifications)
        assert app.screen.query_one("#e-C1_1 .evidence").value == "changed elsewhere"
    assert unit_entry_rows(db, demo)["C1.1"].value == "1"


async def test_ordered_value_chosen_in_a_list(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        app.screen.query_one("#e-C3_3 .value").value = "none"
        await settle(app, pilot)
        await press(pilot, "q")
        await settle(app, pilot)
        assert "✗ Không đạt" in row_text(app.screen.query_one("#meters"), "C3.3")
    assert unit_entry_rows(db, demo)["C3.3"].value == "none"


async def test_enter_then_leaving_the_field_saves_once(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        evidence = app.screen.query_one("#e-C1_1 .evidence")
        evidence.value = "new"
        app.screen._save_from(evidence)  # Enter ...
        app.screen._save_from(evidence)  # ... then Tab, before the first save has come back
        await settle(app, pilot)
        assert not any(n.severity == "error" for n in app._notifications)
    row = unit_entry_rows(db, demo)["C1.1"]
    assert (row.value, row.evidence, row.version) == ("1", "new", 2)


async def test_evidence_and_documents_have_room_at_80_columns(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(pilot, "c")
        await settle(app, pilot)
        evidence = app.screen.query(".evidence").first()
        documents = app.screen.query(".documents").first()
        assert evidence.size.width >= 45 and documents.size.width >= 45


async def test_up_and_down_move_between_entries_and_the_help_says_how_to_save(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        screen = app.screen
        usable = [e.id for e in screen.entries if not screen.query_one(f"#e-{e.id.replace('.', '_')}").has_class("-not-applicable")]
        await press(pilot, "down")
        assert screen._entry_of(app.focused) == usable[1] and app.focused.has_class("value")
        await press(pilot, "tab", "down")  # from the evidence field too
        assert screen._entry_of(app.focused) == usable[2]
        await press(pilot, "up", "up")
        assert screen._entry_of(app.focused) == usable[0]
        await press(pilot, "question_mark")
        keys = app.screen.query_one("#help-keys")
        described = [str(keys.get_row_at(i)[1]) for i in range(keys.row_count)]
        assert {"Sang chỉ tiêu sau", "Sang ô kế tiếp: giá trị → minh chứng → văn bản",
                "Lưu minh chứng, văn bản (rời ô cũng tự lưu)"} <= set(described)


async def test_ctrl_n_registers_evidence_citing_the_current_entry(db, catalogs, demo):
    from textual.widgets import Input

    from hoctap.models import dossier as d
    from hoctap.screens.dossier import FieldsForm

    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_checklist(app, pilot)
        await press(pilot, "down")  # C1.2
        await press(pilot, "ctrl+n")
        assert isinstance(app.screen, FieldsForm)
        assert app.screen.query_one("#f-entries", Input).value == "C1.2"
        app.screen.query_one("#f-title", Input).value = "Quy chế chi tiêu nội bộ"
        app.screen.query_one("#f-number", Input).value = "03/QC-THCSLQD"
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ChecklistScreen)
    [item] = d.list_evidence(db, demo)
    assert (item.row.title, item.row.number, item.entries) == ("Quy chế chi tiêu nội bộ", "03/QC-THCSLQD", ("C1.2",))
    assert d.evidence_by_entry(db, demo) == {"C1.2": [item.row.code]}
