"""Catalogs that could never be met (or values that could never be entered) are refused, the
message naming the file and the key; ``catalog check`` judges the named file alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hoctap.models import i18n
from hoctap.models.catalog import SHIPPED_DIR, CatalogError, check_file
from hoctap.tui.cli import main

LC = (SHIPPED_DIR / "lc-324.toml").read_text(encoding="utf-8")
UNIT = (SHIPPED_DIR / "c24-district-l1.toml").read_text(encoding="utf-8")


def edited(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text
    return text.replace(old, new, count)


CASES = {
    "min_score above max": (LC, "min_score = 0", "min_score = 20", "min_score",
                            "min_score = 20 is above max_score = 10"),
    "unreachable pass_total": (LC, "pass_total = 80", "pass_total = 1000", "pass_total",
                               "pass_total = 1000 can never be reached: 10 indicators × at most 10 = 100"),
    "pass_each out of the scale": (LC, "pass_each = 5", "pass_each = 11", "pass_each",
                                   "pass_each = 11 must lie within the scores 0–10"),
    "at_least over too few entries": (UNIT, 'rule = "all"', 'rule = "at_least:99"', "rule",
                                      "'at_least:99' needs 99 criteria met but there are only"),
    "criterion at_least": (UNIT, 'Learning Unit"\nrule = "all"', 'Learning Unit"\nrule = "at_least:99"', "criteria[0].rule",
                           "'at_least:99' needs 99 entries met but there are only"),
    "NaN threshold": (UNIT, "threshold_percent = 90", "threshold_percent = nan", ".threshold_percent",
                      "must be a finite number (not nan)"),
    "infinite threshold": (UNIT, "threshold_percent = 90", "threshold_percent = inf", ".threshold_percent",
                           "must be a finite number (not inf)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_unsatisfiable_catalog_is_refused(tmp_path, case):
    i18n.set_lang("en")
    text, old, new, key, message = CASES[case]
    path = tmp_path / "broken.toml"
    path.write_text(edited(text, old, new), encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        check_file(path)
    assert str(e.value).startswith(f"{path}: ") and e.value.key.endswith(key) and message in e.value.message
    assert "must be at least" not in e.value.message


def test_min_above_max_of_a_fact_in_both_languages(tmp_path):
    path = tmp_path / "vocab.toml"
    path.write_text('kind = "vocabulary"\nid = "mine"\nversion = "1"\n[facts.hours]\nvi = "Số giờ"\nen = "Hours"\n'
                    'type = "int"\nmin = 10\nmax = 1\n', encoding="utf-8")
    for lang, message in (("en", "min = 10 is above max = 1"), ("vi", "min = 10 lớn hơn max = 1")):
        i18n.set_lang(lang)
        with pytest.raises(CatalogError, match=re.escape(message)) as e:
            check_file(path)
        assert e.value.key.startswith("facts.") and e.value.key.endswith(".max")


def test_a_share_entry_above_the_facts_maximum_is_refused(tmp_path):
    i18n.set_lang("en")
    # a share entry on a Learning Citizen score (0–10) asking for at least 11
    entry = ('\n[[criteria.entries]]\nid = "CX.1"\nkind = "share"\nvi = "x"\nen = "x"\nsource = "test"\n'
             'confirmed = false\npopulation = "learners"\nfact = "lc_1"\nat_least = 11\nthreshold_percent = 50\n')
    path = tmp_path / "unit.toml"
    path.write_text(UNIT + entry, encoding="utf-8")
    with pytest.raises(CatalogError, match="at_least = 11 is above the largest value 10 of fact 'lc_1'") as e:
        check_file(path)
    assert e.value.key.endswith(".at_least")


def test_catalog_check_judges_the_named_file_alone(tmp_path, capsys):
    """Another broken file in the user's folder is not this file's problem (``catalog list``
    still reports it, since it would be loaded)."""
    folder = Path(tmp_path / "config" / "catalogs")  # the default user folder beside the config
    folder.mkdir(parents=True)
    good = folder / "good.toml"
    good.write_text(edited(UNIT, 'version = "', 'version = "9'), encoding="utf-8")
    (folder / "broken.toml").write_text(edited(LC, "pass_total = 80", "pass_total = 1000"), encoding="utf-8")
    (folder / "garbage.toml").write_text("kind = [", encoding="utf-8")
    assert main(["--lang", "en", "catalog", "check", str(good)]) == 0
    assert f"{good}: valid (learning-unit c24-district-l1)" in capsys.readouterr().out.replace("\n", "")
    assert main(["--lang", "en", "catalog", "check", str(folder / "broken.toml")]) == 2
    err = capsys.readouterr().err.replace("\n", "")
    assert "broken.toml: pass_total: pass_total = 1000 can never be reached" in err and "Traceback" not in err
    assert main(["--lang", "en", "catalog", "list"]) == 2
