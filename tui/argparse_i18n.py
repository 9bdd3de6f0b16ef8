"""argparse in the user's language, unwrapped when not on a terminal.

argparse takes its own words ("usage:", "options", "the following arguments are required", …)
through the module-level ``gettext`` functions ``argparse._`` and ``argparse.ngettext``. A CLI
process speaks one language, so ``localized()`` points those two at ``tr`` while the parser is
built and used: every parser and sub-parser, its ``-h`` help, its usage and its errors then
speak the chosen language, with no copy of argparse's internals.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from contextlib import contextmanager

from hoctap.models.i18n import Strings, has, tr

# argparse's message ids (the English text it passes to gettext) -> our keys
_MSGIDS = {
    "usage: ": "argparse.usage",
    "positional arguments": "argparse.positionals",
    "options": "argparse.options",
    "show this help message and exit": "argparse.help",
    "subcommands": "argparse.subcommands",
    "%(prog)s: error: %(message)s\n": "argparse.error",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "the following arguments are required: %s": "argparse.required",
    "one of the arguments %s is required": "argparse.one_of",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "expected one argument": "argparse.expected_one",
    "expected at most one argument": "argparse.expected_at_most_one",
    "expected at least one argument": "argparse.expected_at_least_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "not allowed with argument %s": "argparse.not_allowed",
    "ignored explicit argument %r": "argparse.ignored",
    "unexpected option string: %s": "argparse.unexpected",
    "can't open '%(filename)s': %(error)s": "argparse.cant_open",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "argparse.unknown_parser",
}

ARGPARSE = Strings("argparse", {
    "argparse.usage": ("cách dùng: ", "usage: "),
    "argparse.positionals": ("tham số theo vị trí", "positional arguments"),
    "argparse.options": ("tuỳ chọn", "options"),
    "argparse.help": ("hiện hướng dẫn này rồi thoát", "show this help message and exit"),
    "argparse.subcommands": ("lệnh con", "subcommands"),
    "argparse.error": ("%(prog)s: lỗi: %(message)s\n", "%(prog)s: error: %(message)s\n"),
    "argparse.argument": ("tham số %(argument_name)s: %(message)s", "argument %(argument_name)s: %(message)s"),
    "argparse.required": ("còn thiếu tham số bắt buộc: %s", "the following arguments are required: %s"),
    "argparse.one_of": ("cần một trong các tham số %s", "one of the arguments %s is required"),
    "argparse.invalid_choice": ("%(value)r không nằm trong các lựa chọn (chọn một trong: %(choices)s)",
                                "invalid choice: %(value)r (choose from %(choices)s)"),
    "argparse.invalid_value": ("giá trị không hợp lệ: %(value)r", "invalid value: %(value)r"),
    "argparse.unrecognized": ("tham số không nhận ra: %s", "unrecognized arguments: %s"),
    "argparse.expected_one": ("cần một giá trị", "expected one argument"),
    "argparse.expected_at_most_one": ("chỉ được một giá trị", "expected at most one argument"),
    "argparse.expected_at_least_one": ("cần ít nhất một giá trị", "expected at least one argument"),
    "argparse.expected_n": ("cần %s giá trị", "expected %s arguments"),
    "argparse.expected_1": ("cần %s giá trị", "expected %s argument"),
    "argparse.ambiguous": ("tuỳ chọn %(option)s chưa rõ: có thể là %(matches)s",
                           "ambiguous option: %(option)s could match %(matches)s"),
    "argparse.not_allowed": ("không dùng được cùng với %s", "not allowed with argument %s"),
    "argparse.ignored": ("bỏ qua giá trị %r", "ignored explicit argument %r"),
    "argparse.unexpected": ("tuỳ chọn không mong đợi: %s", "unexpected option string: %s"),
    "argparse.cant_open": ("không mở được '%(filename)s': %(error)s", "can't open '%(filename)s': %(error)s"),
    "argparse.unknown_parser": ("không có lệnh %(parser_name)r (có: %(choices)s)",
                                "unknown command %(parser_name)r (choices: %(choices)s)"),
    "argparse.not_int": ("{value!r} không phải là số nguyên", "{value!r} is not a whole number"),
    "argparse.not_positive": ("{value!r} phải là số nguyên dương", "{value!r} must be a positive whole number"),
})


def _gettext(message: str) -> str:
    key = _MSGIDS.get(message)
    return tr(key) if key else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return tr("argparse.expected_1" if n == 1 else "argparse.expected_n")
    return singular if n == 1 else plural


_action_name = argparse._get_action_name


def _localized_action_name(argument) -> str | None:
    """A missing positional named in an error by its translated placeholder ("… bắt buộc: TỆP")."""
    name = _action_name(argument)
    if argument is None or argument.option_strings or not isinstance(name, str) or name.startswith("{"):
        return name
    return placeholder(name)


@contextmanager
def localized():
    """argparse speaks the process's language inside the block (build and parse in it)."""
    saved = argparse._, argparse.ngettext, argparse._get_action_name
    argparse._, argparse.ngettext, argparse._get_action_name = _gettext, _ngettext, _localized_action_name
    try:
        yield
    finally:
        argparse._, argparse.ngettext, argparse._get_action_name = saved


def wide_output(stream) -> bool:
    """Output that is not a terminal (a pipe, a file) is not wrapped: a path or a timestamp split
    at column 80 is useless to a script. An explicit ``COLUMNS`` still sets the width."""
    isatty = getattr(stream, "isatty", None)
    return not (isatty and isatty()) and not os.environ.get("COLUMNS")


UNWRAPPED = 1 << 15  # columns given to output that is not a terminal


_WORD = re.compile(r"[A-Za-z_]+")


def placeholder(metavar: str) -> str:
    """A metavar in the process's language, word by word ("FILE.toml|DIR" -> "TỆP.toml|THƯ_MỤC"):
    each word with a ``metavar.WORD`` key; others (file extensions) as written."""

    def word(m: re.Match) -> str:
        key = f"metavar.{m.group().upper()}"
        return tr(key) if has(key) else m.group()

    return _WORD.sub(word, metavar)


_COMMAND_LINE = argparse._SubParsersAction._ChoicesPseudoAction  # one line of the list of commands


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs keep their line breaks (the exit codes read as a list); the
    terminal's width on a terminal, no wrapping elsewhere; placeholders in the user's language."""

    def __init__(self, prog: str, **kwargs):
        width = UNWRAPPED if wide_output(sys.stdout) else shutil.get_terminal_size().columns - 2
        super().__init__(prog, width=width, max_help_position=min(30, max(width // 3, 12)), **kwargs)

    def _metavar_formatter(self, action, default_metavar):
        formatted = super()._metavar_formatter(action, default_metavar)
        if action.metavar is None and action.choices is not None:
            return formatted  # "{add,list}": the choices are typed as they are
        if isinstance(action, _COMMAND_LINE):
            return formatted  # a command's name in the list of commands ("evidence"): typed as it is

        def translated(tuple_size):
            return tuple(placeholder(m) if isinstance(m, str) else m for m in formatted(tuple_size))

        return translated


def whole_number(text: str) -> int:
    """argparse type of a count or a batch number: a translated message, not "invalid int value"."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("argparse.not_int", value=text)) from None
    if n < 1:
        raise argparse.ArgumentTypeError(tr("argparse.not_positive", value=text))
    return n
