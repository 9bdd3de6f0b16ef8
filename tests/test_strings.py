"""The string tables: one definition per key, both languages, every key a face asks for exists."""

from __future__ import annotations

import ast
import json
import string
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from hoctap.models import i18n
from hoctap.models.i18n import DuplicateString, Strings
from hoctap.models.strings import CORE
from hoctap.screens.strings import SCREENS
from hoctap.tui.cli import CLI_TABLES
from hoctap.tui.cli_strings import CLI

ROOT = Path(__file__).resolve().parent.parent
TABLES = (*CORE, *CLI_TABLES, *SCREENS)  # every face's words: the CLI registers CORE + CLI_TABLES, the TUI CORE + SCREENS
SCANNED = [*sorted((ROOT / "models").glob("*.py")), *sorted((ROOT / "tui").glob("*.py")),
           *sorted((ROOT / "screens").rglob("*.py")),
           *sorted((ROOT / "benchmarks").glob("*.py")), *sorted((ROOT / "sample_data").glob("*.py"))]
# translating calls and the position of their key: tr(key), both(key), tr_in(lang, key), and the
# workbook's t = partial(tr_in, lang)
KEY_ARG = {"tr": 0, "both": 0, "tr_in": 1, "t": 0}


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(i18n, "_MESSAGES", {})
    monkeypatch.setattr(i18n, "_DOMAIN_OF", {})


def test_a_key_with_another_text_fails_at_registration(empty_registry):
    i18n.register(Strings("one", {"x.greet": ("chào", "hello")}))
    with pytest.raises(DuplicateString) as e:
        i18n.register(Strings("two", {"x.new": ("mới", "new"), "x.greet": ("xin chào", "hello")}))
    message = str(e.value)
    for part in ("x.greet", "chào", "xin chào", "'one'", "'two'"):
        assert part in message
    assert (e.value.key, e.value.first_domain, e.value.second_domain) == ("x.greet", "one", "two")
    assert i18n.tr("x.greet") == "chào"
    with pytest.raises(KeyError, match="x.new"):  # all or nothing
        i18n.tr("x.new")


def test_a_key_in_two_tables_fails_even_with_the_same_text(empty_registry):
    i18n.register(Strings("one", {"x.yes": ("có", "yes")}))
    with pytest.raises(DuplicateString, match="x.yes"):
        i18n.register(Strings("two", {"x.yes": ("có", "yes")}))


def test_two_tables_in_one_call_are_checked_against_each_other(empty_registry):
    with pytest.raises(DuplicateString, match="x.k"):
        i18n.register(Strings("one", {"x.k": ("a", "a")}), Strings("two", {"x.k": ("b", "b")}))


def test_registering_a_table_again_changes_nothing(empty_registry):
    table = Strings("one", {"x.n": ("{n} người", "{n} people")})
    i18n.register(table)
    i18n.register(table, table)
    i18n.set_lang("en")
    assert i18n.tr("x.n", n=3) == "3 people"
    assert i18n.tr_in("vi", "x.n", n=3) == "3 người"
    assert i18n.both("x.n") == ("{n} người", "{n} people")


def test_an_unregistered_key_names_itself(empty_registry):
    with pytest.raises(KeyError, match="nowhere.key"):
        i18n.tr("nowhere.key")


def test_a_table_is_read_only():
    with pytest.raises(TypeError):
        CLI.texts["cli.x"] = ("a", "b")


def test_every_core_and_cli_table_registers(empty_registry):
    i18n.register(*TABLES)
    assert set(i18n._MESSAGES) == {k for t in TABLES for k in t.texts}




def _fields(template: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.domain)
def test_every_key_has_both_languages_with_the_same_placeholders(table):
    for key, pair in table.texts.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        vi, en = pair
        assert vi.strip() and en.strip(), key
        assert _fields(vi) == _fields(en), key


def test_each_text_has_one_key():
    keys_of = defaultdict(list)
    for table in TABLES:
        for key, pair in table.texts.items():
            keys_of[pair].append(key)
    assert {pair: keys for pair, keys in keys_of.items() if len(keys) > 1} == {}


def test_table_literals_repeat_no_key():
    """A dict literal keeps the last of two equal keys silently; the source must not have any."""
    for path in (ROOT / "models" / "strings.py", ROOT / "tui" / "cli_strings.py", ROOT / "tui" / "cli_help_strings.py",
                 ROOT / "tui" / "argparse_i18n.py", ROOT / "screens" / "strings.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                assert len(keys) == len(set(keys)), (path.name, sorted({k for k in keys if keys.count(k) > 1}))


def _literal_keys(node: ast.expr):
    """Keys a call argument can be: literals, both branches of a conditional, f-string prefixes."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value, False
    elif isinstance(node, ast.IfExp):
        yield from _literal_keys(node.body)
        yield from _literal_keys(node.orelse)
    elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        yield node.values[0].value, True


def test_every_literal_key_is_registered():
    known = {k for t in TABLES for k in t.texts}
    missing, seen = [], 0
    for path in SCANNED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in KEY_ARG or len(node.args) <= KEY_ARG[name]:
                continue
            for key, prefix in _literal_keys(node.args[KEY_ARG[name]]):
                seen += 1
                if not (any(k.startswith(key) for k in known) if prefix else key in known):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {key}{'…' if prefix else ''}")
    assert seen > 300  # the scan does find the calls
    assert missing == []


def test_loading_the_words_loads_no_core_module():
    """The CLI registers every domain's words without importing the importer, report or database."""
    probe = "import json, sys; import hoctap.models.strings; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    loaded = {m for m in json.loads(proc.stdout) if m.startswith("hoctap.") or m.split(".")[0] == "sqlalchemy"}
    # a feature's own table lives in models/<feature>_strings.py, words only
    assert {m for m in loaded if not m.endswith("_strings")} == {"hoctap.models", "hoctap.models.i18n",
                                                                 "hoctap.models.strings"}
