"""The roster screen driven by keys (Textual Pilot): what it shows and what the database holds."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static
from textual.worker import WorkerCancelled, WorkerFailed

from hoctap.models import i18n, roster
from hoctap.models.config import Config
from hoctap.models.db import open_database
from hoctap.models.facts import set_facts
from hoctap.models.fields import PERSON_FIELDS
from hoctap.models.i18n import tr
from hoctap.models.meters import evaluate_context
from hoctap.models.people import upsert_people
from hoctap.models.roster import RosterQuery
from hoctap.models.units import add_unit, ensure_context
from hoctap.sample_data.generator import people
from hoctap.screens.batch import BatchSetModal
from hoctap.screens.confirm import ConfirmModal
from hoctap.screens.pickers import PickColumn, PickFieldValue
from hoctap.screens.person_form import PersonForm
from hoctap.screens.roster import RosterScreen
from hoctap.screens.widgets.roster_view import RosterView
from hoctap.tui.app import HoctapApp
from hoctap.screens.messages import DataChanged


async def settle(app, pilot, quiet_rounds: int = 3, max_rounds: int = 200) -> None:
    """Until the app is quiet: every worker finished and none started for a few rounds. A round
    waits for the workers, then for the screen to handle what it was sent (Pilot.pause); what a
    handler posts or starts (a load starts page reads, a page posts Changed) takes another
    round. No sleeps: a bound on rounds, so a hang fails instead of passing by luck."""
    quiet = 0
    for _ in range(max_rounds):
        try:
            await app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass  # superseded work, or a failure the screen shows as a notification (tests read those)
        await pilot.pause()
        quiet = 0 if len(app.workers) else quiet + 1
        if quiet >= quiet_rounds:
            return
    raise AssertionError(f"still busy after {max_rounds} rounds: {list(app.workers)}")


def make_app(db, catalogs, ctx):
    app = HoctapApp(db, catalogs, Config(), unit=ctx.unit.code, year=ctx.assessment.year)
    app.data_changes = []
    post = app.post_message

    def recording(message):
        if isinstance(message, DataChanged):
            app.data_changes.append(message.batch_id)
        return post(message)

    app.post_message = recording
    app.notes = []
    notify = app.notify

    def noting(message, *args, **kwargs):
        app.notes.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = noting
    return app


async def open_roster(app, pilot, ctx, query=None) -> RosterScreen:
    app.ctx = ctx  # the app may start elsewhere; the roster is pushed on top
    screen = RosterScreen(query)
    await app.push_screen(screen)
    await settle(app, pilot)
    return screen


def header(screen) -> str:
    return str(screen.query_one("#roster-header", Static).render())


def shown(view: RosterView, rows: int = 5) -> list[str]:
    return [view.render_line(y).text for y in range(1, rows + 1)]


async def pick(app, pilot, field: str, value) -> None:
    """Choose a field and a value in the picker (opened once its values are read) by keys."""
    await settle(app, pilot)
    modal = app.screen
    assert isinstance(modal, PickFieldValue)
    modal.query_one("#pick-fields", OptionList).highlighted = modal.fields.index(field)
    await pilot.press("enter")
    modal.query_one("#pick-values", OptionList).highlighted = modal.values[field].index(value)
    await pilot.press("enter")
    await settle(app, pilot)


def c23(db, catalogs, ctx):
    result = evaluate_context(db, catalogs, ctx)
    return next(e for c in result.criteria for e in c.entries if e.entry.id == "C2.3").numerator


async def test_filter_select_all_batch_set_moves_meter_then_undo(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    before = c23(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo)
        await pilot.press("f")
        await pick(app, pilot, "kind", "staff")
        await pilot.press("f")
        await pick(app, pilot, "digital_training", "0")
        assert "7/860" in header(screen)
        assert all("Thành viên" in line for line in shown(screen.view, 7))

        await pilot.press("S")
        await settle(app, pilot)
        assert len(screen.selection) == 7
        assert tr("roster.selected", n=7) in header(screen)

        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, BatchSetModal)
        await pick(app, pilot, "digital_training", "1")
        assert tr("roster.pick.preview", n=7, total=7) in str(app.screen.query_one("#pick-status", Static).render())
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert c23(db, catalogs, demo) == before + 7
        assert screen.view.count == 0  # nobody left without the training
        assert app.data_changes and app.data_changes[-1] is not None

        await pilot.press("U")
        await settle(app, pilot)
        assert c23(db, catalogs, demo) == before
        assert screen.view.count == 7
        assert len(app.data_changes) == 2


async def test_select_toggle_invert_and_clear(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(demo.assessment.id, kind="staff"))
        first = screen.view.current.id
        await pilot.press("space", "s")  # select two rows, moving down
        assert len(screen.selection) == 2 and first in screen.selection
        await pilot.press("up", "t")  # toggle the second off again
        assert len(screen.selection) == 1
        assert screen.view.render_line(1).text.startswith("●")
        await pilot.press("T")
        await settle(app, pilot)
        assert len(screen.selection) == 59 and first not in screen.selection
        await pilot.press("N")
        assert not screen.selection


async def test_not_qualifying_filter_is_in_the_header(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(demo.assessment.id, not_qualifying="C2.3"))
        text = header(screen)
        assert tr("roster.not_qualifying", entry="C2.3") in text and "7/860" in text
        await pilot.press("c")
        await settle(app, pilot)
        assert "860/860" in header(screen)


async def test_undo_conflict_is_a_notification(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    aid = demo.assessment.id
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(aid, kind="staff", sort="code"))
        row = screen.view.current
        await pilot.press("space", "e")
        await pick(app, pilot, "language_cert", None)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "language_cert" not in roster.person(db, demo, row.id).facts
        set_facts(db, catalogs, demo, [row.id], {"language_cert": "0"}, source="cli")  # someone else
        await pilot.press("U")
        await settle(app, pilot)
        assert any("không thể hoàn tác" in note for note in app.notes)  # err.undo_conflict
        assert roster.person(db, demo, row.id).facts["language_cert"] == "0"
        assert app.screen is screen


async def test_undo_takes_the_batches_made_in_this_session_not_a_colleagues(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    aid = demo.assessment.id
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(aid, kind="staff", sort="code"))
        mine = screen.view.current
        await pilot.press("space", "e")
        await pick(app, pilot, "language_cert", None)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        theirs = next(r for r in roster.page(db, RosterQuery(aid, kind="learner"), 0, 1) if r.id != mine.id)
        set_facts(db, catalogs, demo, [theirs.id], {"lc_group": "farmer"}, source="tui")  # another TUI
        await pilot.press("U")
        await settle(app, pilot)
        assert "language_cert" in roster.person(db, demo, mine.id).facts  # ours undone
        assert roster.person(db, demo, theirs.id).facts["lc_group"] == "farmer"  # theirs kept
        await pilot.press("U")
        await settle(app, pilot)
        assert tr("roster.nothing_to_undo") in app.notes[-1]
        assert roster.person(db, demo, theirs.id).facts["lc_group"] == "farmer"


async def test_batch_preview_says_when_ten_scores_decide_the_title(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    aid = demo.assessment.id
    six = [r.id for r in roster.page(db, RosterQuery(aid, kind="learner", sort="code"), 0, 6)]
    set_facts(db, catalogs, demo, six[:2], {f"lc_{i}": "8" for i in range(1, 11)})
    set_facts(db, catalogs, demo, six, {"learning_citizen": "0"})
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(aid, kind="learner", sort="code"))
        await pilot.press(*["space"] * 6, "e")
        await settle(app, pilot)
        await pick(app, pilot, "learning_citizen", "1")
        status = str(app.screen.query_one("#pick-status", Static).render())
        assert tr("roster.pick.preview", n=6, total=6) in status
        assert "2 người có đủ 10 điểm: điểm số quyết định danh hiệu của họ" in status
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


async def test_english_ui(db, catalogs, demo):
    i18n.set_lang("en")  # chosen after the screens were imported, as the CLI does
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(demo.assessment.id, not_qualifying="C2.3"))
        assert "7/860 people" in header(screen) and "not yet counted for C2.3" in header(screen)
        descriptions = {b.binding.description for b in app.active_bindings.values()}
        assert {"Filter", "Search", "Set for selected", "Undo"} <= descriptions
        assert "Full name" in screen.view.render_line(0).text


async def test_search_without_diacritics(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo)
        await pilot.press("slash", *"nguyen", "enter")
        await settle(app, pilot)
        expected = roster.count(db, RosterQuery(demo.assessment.id, search="nguyen"))
        assert expected > 0 and f"{expected}/860" in header(screen)
        assert all("Nguyễn" in line for line in shown(screen.view))
        await pilot.press("escape")  # after Enter: Esc closes the search, the roster stays
        await settle(app, pilot)
        assert app.screen is screen and "860/860" in header(screen)
        assert not screen.query_one("#roster-search").has_class("-active")
        await pilot.press("q")  # back from the roster
        assert app.screen is not screen


async def test_sort_changes_the_first_row(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    aid = demo.assessment.id
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo)
        by_name = roster.page(db, RosterQuery(aid), 0, 1)[0]
        assert by_name.code in shown(screen.view, 1)[0]
        await pilot.press("o")
        assert isinstance(app.screen, PickColumn)
        app.screen.query_one(OptionList).highlighted = app.screen.keys.index("code")
        await pilot.press("enter")
        await settle(app, pilot)
        first_code = roster.page(db, RosterQuery(aid, sort="code"), 0, 1)[0].code
        assert screen.view.current.code == first_code != by_name.code
        await pilot.press("O")
        await settle(app, pilot)
        assert screen.view.current.code == roster.page(db, RosterQuery(aid, sort="code", descending=True), 0, 1)[0].code


def form_set(form: PersonForm, **values) -> None:
    for name, value in values.items():
        form.query_one(f"#in-{name}", Input).value = value


def form_error(form: PersonForm, name: str) -> str:
    return str(form.query_one(f"#err-{name}", Static).render())


async def test_add_edit_delete_through_the_form(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    aid = demo.assessment.id
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, PersonForm)
        form_set(form, code="GV-NEW", full_name="Nguyễn Thị Mới", kind="giáo viên", birth_year="19x0",
                 digital_training="có", emulation_title="nope")
        await pilot.press("ctrl+s")
        assert app.screen is form  # nothing saved: the errors are shown by their fields
        assert "19x0" in form_error(form, "birth_year")
        assert "nope" in form_error(form, "emulation_title")
        assert form_error(form, "code") == ""
        form_set(form, birth_year="1990", emulation_title="")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        pid = roster.people_by_code(db, demo, ["GV-NEW"])["GV-NEW"]
        row = roster.person(db, demo, pid)
        assert (row.kind, row.birth_year, row.facts) == ("staff", 1990, {"digital_training": "1"})
        assert "861/861" in header(screen)

        await pilot.press("slash", *"gv-new", "enter")
        await settle(app, pilot)
        assert screen.view.current.id == pid
        await pilot.press("enter")
        await settle(app, pilot)  # the form reads the person in a worker
        form = app.screen
        assert form.query_one("#in-full_name", Input).value == "Nguyễn Thị Mới"
        form_set(form, full_name="Nguyễn Thị Đổi", digital_training="không")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        row = roster.person(db, demo, pid)
        assert row.full_name == "Nguyễn Thị Đổi" and row.facts["digital_training"] == "0"
        assert "Nguyễn Thị Đổi" in shown(screen.view, 1)[0]

        await pilot.press("d")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        assert roster.person(db, demo, pid) is not None
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert roster.person(db, demo, pid) is None
        assert screen.view.count == 0


async def test_stale_edit_shows_the_message_and_reloads(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    aid = demo.assessment.id
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(aid, kind="staff"))
        row = screen.view.current
        await pilot.press("enter")
        await settle(app, pilot)  # the form reads the person in a worker
        form = app.screen
        set_facts(db, catalogs, demo, [row.id], {"language_cert": "1"}, source="cli")  # another user
        form_set(form, language_cert="không")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert tr("err.stale") in str(form.query_one("#form-message", Static).render())
        assert roster.person(db, demo, row.id).facts["language_cert"] == "1"
        assert form.query_one("#in-language_cert", Input).value == tr("yes")  # reloaded
        await pilot.press("ctrl+s")  # saving again now works
        await settle(app, pilot)
        assert app.screen is screen


async def test_failed_reads_and_writes_are_notifications(db, catalogs, demo, monkeypatch):
    """A page read on the UI thread and a batch write in a worker both fail: the user reads why,
    the roster stays usable (not busy, no crash)."""
    from hoctap.models.errors import HoctapError

    def refuse(what: str):
        def fail(*_args, **_kwargs):
            raise HoctapError(f"{what} failed")
        return fail

    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo)
        screen.view.read_page = refuse("page read")
        await pilot.press("end")  # the last window of an index walk: read at once, on the UI thread
        await settle(app, pilot)
        assert "page read failed" in app.notes and app.screen is screen

        monkeypatch.setattr("hoctap.screens.roster.set_facts", refuse("write"))
        await pilot.press("home", "space", "e")  # the first page is at hand
        await pick(app, pilot, "language_cert", None)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "write failed" in app.notes
        assert app.screen is screen and not screen.busy and not screen.view.loading


BIG = 100_000


@pytest.fixture(scope="module")
def big_db(tmp_path_factory, catalogs):
    """A generated roster of 100,000 people, written in one transaction."""
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('big') / 'big.db'}")
    add_unit(db, catalogs, "BIG", "Big school", "district", ["general_education"])
    ctx = ensure_context(db, "BIG", 2024)
    rows = []
    for p in people(BIG, seed=7):
        fields = {k: p[k] for k in PERSON_FIELDS}
        fields["birth_year"] = int(fields["birth_year"])
        rows.append((fields, {"digital_training": p.get("digital_training")} if p["kind"] == "staff" else {}))
    with db.write() as s:
        upsert_people(s, catalogs, ctx, rows)
    yield db, ctx
    db.dispose()


async def test_100k_roster_opens_and_end_jumps_to_the_last_person(big_db, catalogs):
    db, ctx = big_db
    app = make_app(db, catalogs, ctx)
    q = RosterQuery(ctx.assessment.id)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, ctx)
        assert f"{BIG}/{BIG}" in header(screen)
        assert roster.page(db, q, 0, 1)[0].code in shown(screen.view, 1)[0]
        await pilot.press("end")
        await settle(app, pilot)
        last = roster.page(db, q.with_(descending=True), 0, 1)[0]
        assert screen.view.cursor == BIG - 1 and screen.view.current.code == last.code
        assert last.code in screen.view.render_line(screen.view.scrollable_content_region.height - 1).text
        await pilot.press("pageup", "home")
        await settle(app, pilot)
        assert screen.view.cursor == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # one picture is enough
def test_roster_snapshot(snap_compare, db, catalogs, demo):
    """The drill-down from the dashboard, with two people selected, at 100x30."""
    app = HoctapApp(db, catalogs, Config(), unit="THCS-LQD", year=2024)

    async def run_before(pilot) -> None:
        app.ctx = demo
        await app.push_screen(RosterScreen(RosterQuery(demo.assessment.id, not_qualifying="C2.3")))
        await settle(app, pilot)
        await pilot.press("space", "down", "space")
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


async def test_help_palette_and_footer_speak_the_roster(db, catalogs, demo):
    """One translation of key labels everywhere: help names the screen and lists its keys, the
    palette offers them, the footer shows the app's palette key translated (chosen after import)."""
    from textual.widgets import Footer

    from hoctap.screens.help import HelpScreen
    from hoctap.screens.commands import ScreenCommands

    i18n.set_lang("en")
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo)
        palette = [k.description for k in ScreenCommands(screen)._commands()]
        assert {"Set for selected", "Undo", "Help", "Commands"} <= set(palette)
        assert not screen.query_one(Footer).show_command_palette  # no English "^p palette"
        assert {"Commands", "Help"} <= {b.binding.description for b in app.active_bindings.values()}
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert str(app.screen.query_one("#help-title", Static).render()) == "Keys — Roster"
        keys = app.screen.query_one("#help-keys")
        rows = [tuple(map(str, keys.get_row_at(i))) for i in range(keys.row_count)]
        assert ("e =", "Set for selected") in rows and ("U", "Undo") in rows


async def test_selected_rows_hidden_by_the_filter_are_reported(db, catalogs, demo):
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_roster(app, pilot, demo, RosterQuery(demo.assessment.id, kind="staff"))
        await pilot.press("f")
        await pick(app, pilot, "digital_training", "0")
        await pilot.press("S")
        await settle(app, pilot)
        assert tr("roster.selected", n=7) in header(screen) and "(" not in header(screen).split("·")[-1]
        await pilot.press("e")
        await settle(app, pilot)
        await pick(app, pilot, "digital_training", "1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert screen.view.count == 0 and len(screen.selection) == 7  # the rows left the filter
        assert tr("roster.selected_hidden", n=7) in header(screen)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, BatchSetModal)
        assert tr("roster.pick.hidden", n=7) in str(app.screen.query_one("#pick-title", Static).render())
