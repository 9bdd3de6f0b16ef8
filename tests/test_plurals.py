"""English counts read as English: one thing is singular ("1 problem", "1 file came in"),
Vietnamese keeps its one form; no "(s)" is left in a message a user sees."""

from __future__ import annotations

import re

import pytest

from hoctap.models import i18n
from hoctap.models.i18n import tr, tr_in
from hoctap.models.strings import CORE
from hoctap.screens.strings import SCREENS
from hoctap.tui.cli import CLI_TABLES, main
from tests.test_office_collect import bundle, write

TABLES = (*CORE, *CLI_TABLES, *SCREENS)


def test_no_message_says_s_in_parentheses():
    assert [k for t in TABLES for k, pair in t.texts.items() if any("(s)" in text for text in pair)] == []


def test_a_singular_key_matches_its_plural():
    keys = {k: pair for t in TABLES for k, pair in t.texts.items()}
    for key, (vi, en) in keys.items():
        if key.endswith(".one"):
            assert keys[key[:-4]][0] == vi, key  # Vietnamese has one form
            assert "{n}" in en, key


@pytest.mark.parametrize("key, params, one, two", [
    ("bundle.problems", dict(path="a.toml", list="x"), "nothing imported, 1 problem: x", "2 problems: x"),
    ("err.undo_conflict", dict(batch=3), "1 record changed since", "2 records changed since"),
    ("collect.total", dict(refused=0), "1 file came in", "2 files came in"),
    ("cat.more", {}, "(and 1 more problem)", "(and 2 more problems)"),
    ("roster.batch_done", dict(batch=4), "Changed 1 value (batch #4)", "Changed 2 values (batch #4)"),
])
def test_english_singular_and_plural(key, params, one, two):
    i18n.register(*SCREENS)
    assert one in tr_in("en", key, n=1, **params) and two in tr_in("en", key, n=2, **params)
    assert tr_in("vi", key, n=1, **params).replace("1", "2") == tr_in("vi", key, n=2, **params)


def test_collecting_one_file_says_one_file(db, db_url, catalogs, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "u01.toml", bundle(catalogs, "U01", 3))
    assert main(["--db", db_url, "--lang", "en", "bundle", "import", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "1 file came in, 0 refused" in out and not re.search(r"\(s\)", out)
    i18n.set_lang("vi")
    assert tr("collect.total", n=1, refused=0) == "1 tệp đã nhập, 0 tệp bị từ chối"


def test_an_import_summary_stored_before_its_count_was_named_n_still_reads():
    from hoctap.models.audit import batch_summary, summary_text

    assert summary_text('§["import", {"file": "a.csv", "rows": 3}]') == "a.csv (3 dòng)"
    i18n.set_lang("en")
    try:
        assert summary_text(batch_summary("import", file="a.csv", n=1)) == "a.csv (1 row)"
        assert summary_text('§["import", {"file": "a.csv", "rows": 3}]') == "a.csv (3 rows)"
    finally:
        i18n.set_lang("vi")
