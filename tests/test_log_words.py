"""The change log in the reader's language: a batch written by a process in one language is
shown in the other with that language's labels and no ids; older batches (a summary frozen in
the writer's language) still read sensibly."""

from __future__ import annotations

import json

from sqlalchemy import select
from textual.widgets import DataTable

from hoctap.models import i18n
from hoctap.models.audit import batch_summary_text, change_lines, get_batch, local_time, record_batch, record_changes, summaries
from hoctap.models.checklist import check_entries
from hoctap.models.facts import set_facts
from hoctap.models.sql import PT, RE
from hoctap.screens.log import BatchChanges, LogScreen
from hoctap.tui.cli import main
from tests.tui_helpers import SIZE, make_app, press, settle

IDS = ("digital_training", "lc_title", "excellent_collective", "C3.4/value", "unit_entry", "official")


def _people(db, ctx, n: int) -> list[int]:
    with db.read() as s:
        return sorted(s.execute(select(RE.c.person_id).where(RE.c.assessment_id == ctx.assessment.id)).scalars())[:n]


def _written_in(lang: str, db, catalogs, ctx) -> tuple[int, int]:
    """A set batch and a check batch made by a process speaking ``lang``."""
    i18n.set_lang(lang)
    try:
        people = _people(db, ctx, 2)
        set_facts(db, catalogs, ctx, people, {"digital_training": "0", "discipline": "0"})  # a known old value
        setting = set_facts(db, catalogs, ctx, people, {"digital_training": "1", "discipline": "1"}).batch
        check_entries(db, catalogs, ctx, {"C3.3": "advanced_collective", "C3.4": "good"})
        checking = check_entries(db, catalogs, ctx, {"C3.3": "excellent_collective", "C3.4": "basic"},
                                 evidence="QĐ 12/QĐ-UBND").batch
    finally:
        i18n.set_lang("vi")
    return setting, checking


def _no_ids(text: str) -> None:
    assert not any(i in text for i in IDS) and "discipline " not in text.replace("labour discipline", ""), text


def test_a_batch_written_in_vietnamese_reads_in_english(db, catalogs, demo):
    setting, checking = _written_in("vi", db, catalogs, demo)
    i18n.set_lang("en")
    texts = summaries(db, catalogs, [get_batch(db, setting), get_batch(db, checking)])
    assert texts[setting] == ("Trained in digital transformation = ✓ yes; Keeps labour discipline and work rules = "
                              "✓ yes · 2 people")
    assert texts[checking] == ("C3.3 = Excellent Labour Collective; C3.3: evidence edited; "
                              "C3.4 = Basic response; C3.4: evidence edited")
    lines = change_lines(db, catalogs, checking)
    shown = {(x.record, x.label, *x.shown()) for x in lines}
    assert ("Unit entries", "C3.3 · value", "Advanced Labour Collective", "Excellent Labour Collective") in shown
    assert ("Unit entries", "C3.4 · value", "Good response", "Basic response") in shown
    assert any(x[1] == "C3.4 · evidence" and x[3] == "QĐ 12/QĐ-UBND" for x in shown)
    for x in change_lines(db, catalogs, setting) + lines:
        _no_ids(" ".join([x.record, x.label, *x.shown()]))


def test_a_batch_written_in_english_reads_in_vietnamese(db, catalogs, demo):
    setting, checking = _written_in("en", db, catalogs, demo)
    texts = summaries(db, catalogs, [get_batch(db, setting), get_batch(db, checking)])
    assert texts[setting] == ("Được bồi dưỡng và tham gia chuyển đổi số = ✓ có; "
                              "Chấp hành kỷ luật lao động, nội quy = ✓ có · 2 người")
    assert texts[checking].startswith("C3.3 = Tập thể lao động xuất sắc; C3.3: sửa minh chứng; C3.4 = Đáp ứng cơ bản")
    fields = {x.label for x in change_lines(db, catalogs, setting)}
    assert fields == {"Được bồi dưỡng và tham gia chuyển đổi số", "Chấp hành kỷ luật lao động, nội quy"}


def test_a_value_edit_is_told_from_an_evidence_and_a_documents_edit(db, catalogs, demo):
    check_entries(db, catalogs, demo, {"C1.1": "không"})
    value = check_entries(db, catalogs, demo, {"C1.1": "có"}).batch
    evidence = check_entries(db, catalogs, demo, {"C1.1": "có"}, evidence="Biên bản họp").batch
    documents = check_entries(db, catalogs, demo, {"C1.1": "có"}, documents="QĐ 5").batch
    i18n.set_lang("en")
    texts = summaries(db, catalogs, [get_batch(db, b) for b in (value, evidence, documents)])
    assert [texts[value], texts[evidence], texts[documents]] == [
        "C1.1 = ✓ yes", "C1.1: evidence edited", "C1.1: documents edited"]


def test_older_batches_still_read_sensibly(db, catalogs, demo):
    """Before summaries were worded at read time a set batch stored "digital_training=có (2)" in
    the writer's language; its change rows are what is shown now. A free-text summary of
    another action, and a set batch without rows, show as stored."""
    people = _people(db, demo, 2)
    with db.write() as s:
        old = record_batch(s, "tui", "set", demo.assessment.id, "digital_training=có (2)")
        record_changes(s, old, [dict(entity="fact", entity_id=p, field="digital_training", old="0", new="1")
                                for p in people])
        empty = record_batch(s, "cli", "set", demo.assessment.id, "digital_training=có (0)")
        free = record_batch(s, "cli", "person", demo.assessment.id, "sửa")
    i18n.set_lang("en")
    texts = summaries(db, catalogs, [get_batch(db, b) for b in (old, empty, free)])
    assert texts == {old: "Trained in digital transformation = ✓ yes · 2 people",
                     empty: "digital_training=có (0)", free: "sửa"}
    assert batch_summary_text(db, catalogs, get_batch(db, old)) == texts[old]


def test_cli_log_speaks_the_readers_language_and_json_adds_labels(db, db_url, catalogs, demo, capsys):
    setting, checking = _written_in("vi", db, catalogs, demo)
    assert main(["--db", db_url, "--lang", "en", "log", "--unit", "THCS-LQD", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "C3.3 = Excellent Labour Collective" in out and "Trained in digital transformation = ✓ yes" in out
    assert local_time(get_batch(db, checking)) in out  # this machine's time, with its zone
    assert main(["--db", db_url, "--lang", "en", "log", "--batch", str(checking)]) == 0
    out = capsys.readouterr().out
    assert "C3.4 · value" in out and "Basic response" in out
    _no_ids(out)
    assert main(["--db", db_url, "--lang", "en", "log", "--batch", str(setting), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    with db.read() as s:
        codes = set(s.execute(select(PT.c.code).where(PT.c.id.in_(_people(db, demo, 2)))).scalars())
    line = next(x for x in doc["lines"] if x["field"] == "digital_training")
    assert line["record"] in codes and line["label"] == "Trained in digital transformation"
    assert (line["old"], line["new"], line["old_text"], line["new_text"]) == ("0", "1", "✗ no", "✓ yes")
    assert doc["summary"].endswith("· 2 people")


async def test_the_log_screen_shows_an_english_batch_in_vietnamese(db, catalogs, demo):
    setting, checking = _written_in("en", db, catalogs, demo)
    app = make_app(db, catalogs, demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "h")
        await settle(app, pilot)
        assert isinstance(app.screen, LogScreen)
        table = app.screen.query_one("#batches", DataTable)
        assert table.get_row(str(checking))[5].plain.startswith("C3.3 = Tập thể lao động xuất sắc")
        table.move_cursor(row=table.get_row_index(str(setting)))
        await press(pilot, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BatchChanges)
        rows = app.screen.query_one("#batch-changes", DataTable)
        cells = [[c.plain for c in rows.get_row_at(i)] for i in range(rows.row_count)]
        assert {c[1] for c in cells} == {"Được bồi dưỡng và tham gia chuyển đổi số", "Chấp hành kỷ luật lao động, nội quy"}
        assert all(c[2:] == ["✗ không", "✓ có"] for c in cells)


def test_dossier_and_narrative_changes_read_by_their_labels(db, catalogs, demo):
    from hoctap.models import dossier

    info = dossier.set_info(db, demo, {"head_name": "Nguyễn Văn An"}).batch
    story = dossier.set_narrative(db, catalogs, demo, "C1", "strengths", "Tập thể đoàn kết").batch
    i18n.set_lang("en")
    assert [(x.record, x.label, x.shown()[1]) for x in change_lines(db, catalogs, info)] == [
        ("Dossier information", "Head of the unit", "Nguyễn Văn An")]
    assert [(x.record, x.label) for x in change_lines(db, catalogs, story)] == [("Narrative", "C1 · Strengths")]


def test_intake_changes_are_worded_with_labels_and_marks(db, catalogs, demo):
    from hoctap.models.office import mark_received

    written = mark_received(db, [demo.assessment.id], received_on="16/01/2025", channel="post", received_by="Lê Văn Tâm",
                            checks={demo.assessment.id: (False, "thiếu biên bản")})
    i18n.set_lang("en")
    try:
        lines = {c.field: c for c in change_lines(db, catalogs, written.batch)}
        assert lines["channel"].label == "how it was sent" and lines["channel"].new_text == "By post"
        assert lines["received_on"].label == "date the dossier was received"
        assert lines["complete"].label == "complete" and lines["complete"].new_text == "✗"
        assert lines["missing"].label == "what the dossier lacks" and lines["received_by"].label == "received by"
    finally:
        i18n.set_lang("vi")
