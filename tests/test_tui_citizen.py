"""Learning Citizen entry: search by code, ten scores typed with Tab, live verdict, save."""

from __future__ import annotations

from hoctap.models import roster
from hoctap.models.audit import change_counts, history
from hoctap.models.meters import evaluate_context
from hoctap.models.people import person_facts
from hoctap.screens.citizen import CitizenScreen
from tests.tui_helpers import SIZE, make_app, press, row_text, settle


def someone_without_title(db, catalogs, ctx) -> roster.RosterRow:
    q = roster.RosterQuery(ctx.assessment.id, not_qualifying="C3.1", sort="code")
    return roster.page(db, q, 0, 1, catalogs)[0]


async def open_person(app, pilot, code: str) -> None:
    await settle(app, pilot)
    await press(pilot, "s")
    await settle(app, pilot)
    assert isinstance(app.screen, CitizenScreen)
    await press(pilot, *code)
    await settle(app, pilot)
    await press(pilot, "enter")
    await settle(app, pilot)


async def test_passing_scores_raise_c31(db, catalogs, demo):
    person = someone_without_title(db, catalogs, demo)
    before = evaluate_context(db, catalogs, demo).entry("C3.1").numerator
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_person(app, pilot, person.code)
        screen = app.screen
        assert person.code in str(screen.query_one("#lc-person").render())
        assert app.focused.id == "lc-scores"
        for i in range(10):
            await press(pilot, "9", "tab")
            if i == 4:  # live total while typing
                assert "Tổng: 45/100" in str(screen.query_one("#lc-total").render())
        total = str(screen.query_one("#lc-total").render())
        assert "Tổng: 90/100" in total and "ĐẠT" in total and "CHƯA" not in total
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert app.focused.id == "lc-search"
        await press(pilot, "escape")
        await settle(app, pilot)
        assert f"{before + 1}/60" in row_text(app.screen.query_one("#meters"), "C3.1")
    facts = person_facts(db, demo, [person.id])[person.id]
    assert facts["lc_title"] == "1" and [facts[f"lc_{i}"] for i in range(1, 11)] == ["9"] * 10
    assert evaluate_context(db, catalogs, demo).entry("C3.1").numerator == before + 1


async def test_failing_scores_shown_and_title_set_directly(db, catalogs, demo):
    person = someone_without_title(db, catalogs, demo)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_person(app, pilot, person.code)
        screen = app.screen
        for score in ("9", "9", "9", "9", "9", "9", "9", "9", "9", "4"):
            await press(pilot, *score, "tab")
        assert "CHƯA ĐẠT" in str(screen.query_one("#lc-total").render())
        await press(pilot, "ctrl+l")  # clear the scores: the recorded title decides
        screen.query_one("#lc-status").value = "1"
        screen.query_one("#lc-group").value = "official"
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
    facts = person_facts(db, demo, [person.id])[person.id]
    assert (facts["learning_citizen"], facts["lc_group"], facts["lc_title"]) == ("1", "official", "1")


async def test_search_narrows_by_code(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "s")
        await press(pilot, *"LQD0000")
        await settle(app, pilot)
        assert "9 người khớp" in str(app.screen.query_one("#lc-count").render())
        assert app.screen.query_one("#lc-matches").option_count == 6
        await press(pilot, "ctrl+s")  # nobody picked yet: a warning, nothing written
        await settle(app, pilot)
        assert any("chọn một người" in n.message for n in app._notifications)


async def test_a_colleagues_change_after_loading_is_not_overwritten(db, db_url, catalogs, demo):
    from hoctap.models.db import open_database
    from hoctap.models.facts import set_facts

    person = someone_without_title(db, catalogs, demo)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_person(app, pilot, person.code)
        other = open_database(db_url)  # a colleague, on their own connection
        set_facts(other, catalogs, demo, [person.id], {"lc_group": "farmer", "lc_3": "7"}, source="tui")
        other.dispose()
        for _ in range(10):
            await press(pilot, "9", "tab")
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        assert any("người khác sửa" in n.message for n in app._notifications)
        # reloaded: the colleague's values are on the screen now
        assert app.screen.query_one("#lc-group").value == "farmer"
        assert app.screen.query_one("#lc-scores").values[2] == "7"
    facts = person_facts(db, demo, [person.id])[person.id]
    assert facts["lc_group"] == "farmer" and facts["lc_3"] == "7" and "lc_1" not in facts


async def test_only_the_changed_facts_are_written(db, catalogs, demo):
    from hoctap.models.audit import batch_changes, history

    person = someone_without_title(db, catalogs, demo)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_person(app, pilot, person.code)
        app.screen.query_one("#lc-group").value = "farmer"
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
    batch = history(db, demo, 1)[0]
    assert [(c.field, c.new) for c in batch_changes(db, batch.id)] == [("lc_group", "farmer")]
    assert app.made_here == [batch.id]  # roster `U` can undo it


async def test_retyping_a_score_replaces_it_and_out_of_range_is_flagged_as_typed(db, catalogs, demo):
    person = someone_without_title(db, catalogs, demo)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await open_person(app, pilot, person.code)
        screen = app.screen
        entry = screen.query_one("#lc-scores")
        await press(pilot, "4", "5")
        total = str(screen.query_one("#lc-total").render())
        assert entry.values[0] == "45" and "ô 1" in total  # flagged before any save
        await press(pilot, "tab", "shift+tab", "9")  # back to the cell: the digit replaces 45
        assert entry.values[0] == "9"
        assert "ô 1" not in str(screen.query_one("#lc-total").render())
        await press(pilot, "tab", "7", "tab", "shift+tab", "8")
        assert entry.values[:2] == ("9", "8")
        for _ in range(8):
            await press(pilot, "tab", "9")
        await press(pilot, "ctrl+s")
        await settle(app, pilot)
        notices = [n.message for n in app._notifications]
    facts = person_facts(db, demo, [person.id])[person.id]
    assert [facts[f"lc_{i}"] for i in range(1, 11)] == ["9", "8"] + ["9"] * 8
    # ten scores and the computed title: the notice counts all that the log shows
    batch = history(db, demo, limit=1)[0].id
    assert f"Đã lưu {person.code}: {change_counts(db, [batch])[batch]} thay đổi" in notices
