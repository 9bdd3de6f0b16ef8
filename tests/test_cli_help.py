"""The command line speaks the chosen language down to argparse's own words, documents every
argument, prints unwrapped when piped, and answers --json where scripts need it."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

import pytest

from hoctap.models import i18n
from hoctap.tui.argparse_i18n import localized
from hoctap.tui.cli import build_parser, main

# argparse's English words, as it prints them
ARGPARSE_WORDS = ("usage", "positional arguments", "options", "show this help", "required", "invalid choice",
                  "error", "argument", "expected")


def walk(parser: argparse.ArgumentParser, path=()):
    """(command path, parser) for the parser and every sub-parser under it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from walk(child, (*path, name))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_argument_and_command_has_help_in_both_languages(lang):
    i18n.set_lang(lang)
    try:
        with localized():
            parser = build_parser()
        missing, helps = [], {}
        for path, p in walk(parser):
            if path and not p.description:
                missing.append((path, "description"))
            for action in p._actions:
                if not action.help or action.help == argparse.SUPPRESS:
                    missing.append((path, action.dest))
                helps[(path, action.dest)] = action.help
        assert missing == []
        assert len(helps) > 100
    finally:
        i18n.set_lang("vi")


def _placeholders(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """An argument's placeholder as help and usage print it: no option strings, choices or
    file extensions."""
    shown = parser._get_formatter()._format_action_invocation(action)
    for option in sorted(action.option_strings, key=len, reverse=True):
        shown = shown.replace(option, " ")
    return re.sub(r"\{[^}]*\}|\.(csv|xlsx|toml)\b|[,=|.-]", " ", shown)


def test_vietnamese_help_has_no_english_placeholder():
    i18n.set_lang("vi")
    try:
        with localized():
            parser = build_parser()
            english, seen = [], set()
            for path, p in walk(parser):
                for action in p._actions:
                    words = _placeholders(p, action).split()
                    seen.update(words)
                    # an English placeholder is plain ASCII (CODE, FILE, N) or the argument's dest (file)
                    english += [(path, action.dest, w) for w in words if w.isascii()]
            assert english == []
            assert {"MÃ", "NĂM", "TỆP", "THƯ_MỤC", "SỐ"} <= seen
    finally:
        i18n.set_lang("vi")
    out = run("--lang", "vi", "log", "--help").stdout
    assert "--unit MÃ" in out and "--year NĂM" in out and "--limit SỐ" in out and "CODE" not in out
    proc = run("--lang", "vi", "roster", "export", "--unit", "X", "--year", "2024")
    assert proc.returncode == 2 and "còn thiếu tham số bắt buộc: TỆP.csv|TỆP.xlsx" in proc.stderr
    en = run("--lang", "en", "log", "--help").stdout
    assert "--unit CODE" in en and "--limit N" in en


def test_the_helps_differ_between_the_languages():
    texts = {}
    for lang in ("vi", "en"):
        i18n.set_lang(lang)
        with localized():
            texts[lang] = {(path, a.dest): a.help for path, p in walk(build_parser()) for a in p._actions}
    i18n.set_lang("vi")
    same = [k for k, v in texts["vi"].items() if v == texts["en"][k]]
    assert same == []


def run(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hoctap.tui.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=60, env={**_env(), **env})


def _env():
    import os

    env = dict(os.environ)
    env.pop("COLUMNS", None)
    return env


def test_vietnamese_status_help_has_no_english_argparse_word_and_lists_the_exit_codes():
    proc = run("--lang", "vi", "status", "--help")
    assert proc.returncode == 0
    out = proc.stdout
    assert out.startswith("cách dùng: hoctap status")
    for word in ARGPARSE_WORDS:
        assert word not in out.lower(), word
    assert "tuỳ chọn:" in out and "hiện hướng dẫn này rồi thoát" in out
    assert re.search(r"^\s+0\s+đạt", out, re.M) and re.search(r"^\s+1\s+chưa đạt", out, re.M)
    assert re.search(r"^\s+2\s+lỗi", out, re.M)


def test_vietnamese_errors_of_argparse():
    proc = run("--lang", "vi", "status")
    assert proc.returncode == 2
    assert "hoctap status: lỗi: còn thiếu tham số bắt buộc: --unit, --year" in proc.stderr
    assert "usage" not in proc.stderr
    proc = run("--lang", "vi", "unit", "add", "X", "--name", "n", "--type", "t", "--tier", "commune")
    assert proc.returncode == 2 and "'commune' không nằm trong các lựa chọn" in proc.stderr
    proc = run("--lang", "en", "log", "--limit", "many")
    assert proc.returncode == 2 and "argument --limit: 'many' is not a whole number" in proc.stderr


def test_main_help_says_no_command_opens_the_interface():
    en = run("--lang", "en", "--help").stdout
    assert "With no command, hoctap opens the full-screen interface (TUI)." in en
    assert "--lang vi|en" in en
    vi = run("--lang", "vi", "--help").stdout
    assert "Không có lệnh nào thì hoctap mở giao diện toàn màn hình (TUI)." in vi


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_list_of_commands_shows_each_name_as_it_is_typed(lang):
    """A command's name is never taken for a placeholder (``evidence`` once showed as MINH_CHỨNG)."""
    listed = {line.split()[0] for line in run("--lang", lang, "--help").stdout.splitlines()
              if line.startswith("    ") and line.split()}
    commands = build_parser()._subparsers._group_actions[0].choices
    assert set(commands) <= listed, set(commands) - listed


def test_help_piped_is_not_wrapped():
    out = run("--lang", "en", "import", "--help").stdout
    line = next(x for x in out.splitlines() if x.lstrip().startswith("--encoding"))
    assert "e.g. cp1252" in line  # the whole help on one line, not wrapped at 80 columns
    assert len(line) > 80


@pytest.fixture
def demo_url(sqlite_url, capsys):
    assert main(["--db", sqlite_url, "demo", "--no-tui"]) == 0
    capsys.readouterr()
    return sqlite_url


def out_of(capsys, *args) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_piped_log_is_not_wrapped(demo_url, capsys):
    out = out_of(capsys, "--db", demo_url, "--lang", "en", "log")
    rows = [line for line in out.splitlines() if line.lstrip("│ ").startswith("#")]
    assert rows and all(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line) for line in rows)  # timestamps whole
    assert max(len(line) for line in out.splitlines()) > 80


def test_json_unit_list(demo_url, capsys):
    doc = json.loads(out_of(capsys, "--db", demo_url, "unit", "list", "--json"))
    assert doc == [{"code": "THCS-LQD", "name": "Trường THCS Lê Quý Đôn", "tier": "district",
                    "types": ["public_service", "general_education"]}]


def test_json_log_and_batch_limit(demo_url, capsys):
    doc = json.loads(out_of(capsys, "--db", demo_url, "log", "--json", "--limit", "2"))
    assert len(doc) <= 2 and doc
    first = doc[-1]
    assert set(first) == {"batch", "at", "user", "source", "action", "changes", "summary", "undone_by"}
    big = max(doc, key=lambda b: b["changes"])
    batch = json.loads(out_of(capsys, "--db", demo_url, "log", "--batch", str(big["batch"]), "--json",
                              "--limit", "3"))
    assert batch["batch"] == big["batch"] and batch["changes"] == big["changes"]
    assert len(batch["lines"]) == min(3, big["changes"])
    text = out_of(capsys, "--db", demo_url, "--lang", "en", "log", "--batch", str(big["batch"]), "--limit", "3")
    if big["changes"] > 3:
        assert f"… {big['changes'] - 3} more (--limit shows more)" in text


def test_json_catalog_list(demo_url, capsys):
    doc = json.loads(out_of(capsys, "--db", demo_url, "--lang", "en", "catalog", "list", "--json"))
    ids = {c["id"] for c in doc}
    assert "c24-district-l1" in ids and all(c["shipped"] for c in doc)
    assert all(set(c) == {"id", "version", "title", "file", "shipped"} for c in doc)


def test_json_import_dry_run_writes_nothing(demo_url, capsys, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("code,full_name,kind,digital_training\nNEW1,Đỗ Văn A,staff,yes\n", encoding="utf-8")
    before = json.loads(out_of(capsys, "--db", demo_url, "log", "--json", "--limit", "1"))
    doc = json.loads(out_of(capsys, "--db", demo_url, "import", str(f), "--unit", "THCS-LQD", "--year", "2024",
                            "--dry-run", "--json"))
    assert doc["dry_run"] is True and doc["batch"] is None
    assert (doc["rows"], doc["added"], doc["updated"]) == (1, 1, 0)
    assert json.loads(out_of(capsys, "--db", demo_url, "log", "--json", "--limit", "1")) == before
    out = out_of(capsys, "--db", demo_url, "--lang", "en", "import", str(f), "--unit", "THCS-LQD", "--year", "2024")
    assert "1 row: 1 person added, 0 updated" in out


def test_set_says_what_it_can_set_and_names_facts_by_label(demo_url, capsys):
    base = ["--db", demo_url, "--lang", "en", "set", "--unit", "THCS-LQD", "--year", "2024", "--where", "code=LQD00001"]
    assert main([*base, "birth_year=1990"]) == 2
    err = capsys.readouterr().err
    assert "Birth year is a person column" in err and "digital_training" in err and "lc_title" not in err
    assert main([*base, "nosuch=1"]) == 2
    assert "no fact named 'nosuch'; set can set: discipline" in capsys.readouterr().err
    assert main([*base, "digital_training=maybe"]) == 2
    err = capsys.readouterr().err
    assert "'maybe' is not yes/no" in err and "digital_training" not in err
    assert main(["--db", demo_url, "--lang", "vi", "set", "--unit", "THCS-LQD", "--year", "2024",
                 "emulation_title=hero"]) == 2
    err = capsys.readouterr().err
    assert "emulation_title" not in err and "advanced_worker" not in err  # labels, in Vietnamese


def test_gender_choices_are_labels_in_the_chosen_language():
    from hoctap.models.fields import InputError, parse_person_field

    i18n.set_lang("vi")
    with pytest.raises(InputError) as e:
        parse_person_field("gender", "x")
    assert "Nam, Nữ, Khác" in str(e.value) and "male" not in str(e.value)


def test_unit_list_and_catalog_show_print_labels_in_the_chosen_language(demo_url, capsys):
    out = out_of(capsys, "--db", demo_url, "--lang", "vi", "unit", "list")
    assert "Cơ sở giáo dục phổ thông" in out and "general_education" not in out
    out = out_of(capsys, "--db", demo_url, "--lang", "en", "catalog", "show", "c24-district-l1")
    assert "Circular 24/2023, Article 6(2)(c)" in out and "Điều" not in out
    assert "[all]" not in out and "bool" not in out and "state_agency" not in out
    assert "≥ Advanced" in out or "advanced_worker" not in out
