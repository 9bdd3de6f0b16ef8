"""Vietnamese and English strings. One process speaks one language at a time, set at start-up
(the TUI switches it at run time with ctrl+t and rebuilds its screens).

A key maps to a pair (vi, en) of ``str.format`` templates. The pairs live in ``Strings``
tables, one per domain, that are plain constants: defining or importing one does nothing.
The core's tables are in ``models/strings.py`` (``CORE``), the command line's in
``tui/cli_strings.py``. Each face registers the tables it speaks once at start-up, before any
``tr``::

    i18n.register(*strings.CORE, CLI)

A key belongs to one table: a second table defining it raises ``DuplicateString``, so no
text depends on which module was imported last. Registering the same table again is a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

_LANG = ["vi"]
_MESSAGES: dict[str, tuple[str, str]] = {}
_DOMAIN_OF: dict[str, str] = {}  # key -> the domain whose table defined it


@dataclass(frozen=True, eq=False)
class Strings:
    """One domain's table: key -> (vi, en)."""

    domain: str
    texts: Mapping[str, tuple[str, str]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))


class DuplicateString(ValueError):
    """Two tables define one key: a programming error, found at start-up."""

    def __init__(self, key: str, first: tuple[str, tuple[str, str]], second: tuple[str, tuple[str, str]]):
        (self.first_domain, self.first_text), (self.second_domain, self.second_text) = first, second
        self.key = key
        super().__init__(f"string {key!r} defined twice: {self.first_text!r} in {self.first_domain!r}, "
                         f"{self.second_text!r} in {self.second_domain!r}")


def register(*tables: Strings) -> None:
    """Make the tables' keys available to ``tr``. All or nothing: on a duplicate nothing is
    registered."""
    messages, domains = dict(_MESSAGES), dict(_DOMAIN_OF)
    for table in tables:
        for key, text in table.texts.items():
            if key in messages and (domains[key] != table.domain or messages[key] != text):
                raise DuplicateString(key, (domains[key], messages[key]), (table.domain, text))
            messages[key], domains[key] = text, table.domain
    _MESSAGES.update(messages)
    _DOMAIN_OF.update(domains)


def set_lang(lang: str) -> None:
    _LANG[0] = "en" if lang == "en" else "vi"


def lang() -> str:
    return _LANG[0]


def _pair(key: str) -> tuple[str, str]:
    try:
        return _MESSAGES[key]
    except KeyError:
        raise KeyError(f"no string {key!r} registered (a missing translation, or a face that did not "
                       "register its tables)") from None


def has(key: str) -> bool:
    """Whether a key is registered (for words that exist only for some ids)."""
    return key in _MESSAGES


def both(key: str) -> tuple[str, str]:
    """The (vi, en) pair of a key, for matching input in either language."""
    return _pair(key)


def tr(key: str, /, **params) -> str:
    """A key in the process's language."""
    return tr_in(_LANG[0], key, **params)


def tr_in(language: str, key: str, /, **params) -> str:
    """A key in the given language ("en", else Vietnamese), leaving the process's alone: a
    workbook is written in the language asked for, whatever the user's.

    Plurals: a key whose table also has ``KEY.one`` is worded with that one when ``n`` is 1
    ("1 problem", "2 problems"; Vietnamese repeats its one form)."""
    if params.get("n") == 1 and key + ".one" in _MESSAGES:
        key += ".one"
    vi, en = _pair(key)
    return (en if language == "en" else vi).format(**params)
