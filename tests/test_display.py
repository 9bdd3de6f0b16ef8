"""The one formatter of stored values (``fields.display_fact`` and its unit-entry twin), in
both languages, and the one ``NAME=VALUE`` parser (``assign``)."""

from __future__ import annotations

import pytest

from hoctap.models import i18n
from hoctap.models.assign import Assignment, parse_assignment, parse_assignments
from hoctap.models.catalog import load_catalogs
from hoctap.models.evaluate import EntryResult
from hoctap.models.fields import InputError, bool_text, display_entry_value, display_fact
from hoctap.models.present import threshold_text, value_text

CATALOGS = load_catalogs()


@pytest.mark.parametrize("lang, words, cell, kind, gender, scale", [
    ("vi", ("có", "không"), ("Có", "Không"), "Người học", "Nữ", "Lao động tiên tiến"),
    ("en", ("yes", "no"), ("Yes", "No"), "Learner", "Female", "Advanced Worker"),
])
def test_stored_values_read_in_the_language_asked(lang, words, cell, kind, gender, scale):
    i18n.set_lang("en" if lang == "vi" else "vi")  # the process's language must not leak in
    assert display_fact(CATALOGS, "discipline", "1", lang) == "✓"
    assert display_fact(CATALOGS, "discipline", "0", lang) == "✗"
    assert display_fact(CATALOGS, "discipline", "1", lang, bools="words") == words[0]
    assert display_fact(CATALOGS, "discipline", "0", lang, bools="cell") == cell[1]
    assert display_fact(CATALOGS, "discipline", "1", lang, bools="marked") == f"✓ {words[0]}"
    assert display_fact(CATALOGS, "kind", "learner", lang) == kind
    assert display_fact(CATALOGS, "gender", "female", lang) == gender
    assert display_fact(CATALOGS, "emulation_title", "advanced_worker", lang) == scale
    assert display_fact(CATALOGS, "lc_3", "7", lang) == "7"
    assert display_fact(CATALOGS, "birth_year", 1985, lang) == "1985"
    assert display_fact(CATALOGS, "department", "Tổ Toán", lang) == "Tổ Toán"
    assert display_fact(CATALOGS, "discipline", None, lang) == ""
    assert display_fact(CATALOGS, "discipline", None, lang, blank="—") == "—"
    assert bool_text(False, lang, "words") == words[1]


def test_unit_entry_values_and_thresholds():
    cat = CATALOGS.for_level("district", 1)
    yes_no = cat.entry("C1.1")
    ordered = next(e for e in cat.entries() if e.kind == "unit" and e.value != "bool")
    assert display_entry_value(CATALOGS, yes_no, "1", "vi") == "có"
    assert display_entry_value(CATALOGS, yes_no, "0", "en", bools="cell") == "No"
    assert display_entry_value(CATALOGS, yes_no, None, "en", blank="No data") == "No data"
    top = CATALOGS.scale_ids(ordered.value)[-1]
    assert display_entry_value(CATALOGS, ordered, top, "en") == CATALOGS.scale_label(ordered.value, top, "en")
    i18n.set_lang("en")
    assert value_text(CATALOGS, EntryResult(yes_no, True, "met", value="1")) == "yes"
    assert value_text(CATALOGS, EntryResult(yes_no, True, "no_data")) == "—"
    share = cat.entry("C2.1").model_copy(update={"threshold_percent": 92.5})
    assert threshold_text(share) == "92.5%" and threshold_text(share, "vi") == "92,5%"
    assert threshold_text(cat.entry("C2.1"), "vi") == "90%"


@pytest.mark.parametrize("text, expected", [
    ("discipline=1", Assignment("discipline", "1")),
    ("  Họ và tên = Nguyễn A", Assignment("Họ và tên", " Nguyễn A")),
    ("lc_group=", Assignment("lc_group", "")),  # blank: no value
    ("note=a=b", Assignment("note", "a=b")),
])
def test_assignments_split_at_the_first_equals(text, expected):
    assert parse_assignment(text) == expected


def test_negation_only_where_asked():
    assert parse_assignment("discipline!=1", negatable=True) == Assignment("discipline", "1", negated=True)
    assert parse_assignment("discipline!=1") == Assignment("discipline!", "1")  # then an unknown name
    assert [a.name for a in parse_assignments(["a=1", "b!=2"], negatable=True)] == ["a", "b"]


@pytest.mark.parametrize("text", ["discipline", "=1", "  =1", "!=1", ""])
def test_a_name_and_an_equals_sign_are_required(text):
    i18n.set_lang("en")
    with pytest.raises(InputError, match="expected NAME=VALUE"):
        parse_assignment(text, negatable=True)
