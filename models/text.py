"""Text matching that ignores case, surrounding space and Unicode normal form (NFC/NFD);
the rules for codes and names; making data safe to print on a terminal."""

from __future__ import annotations

import unicodedata

# control (Cc), format (Cf: zero-width space/joiners, BOM, bidi overrides), surrogate,
# private-use and unassigned characters, line/paragraph separators: invisible or able to
# drive a terminal, never part of a name or a code
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Key for comparing labels and ids: NFC, case-folded, inner whitespace collapsed."""
    return " ".join(nfc(text).casefold().split())


def search_key(text: str) -> str:
    """Key for free-text search: folded and stripped of diacritics ("Nguyễn" ~ "nguyen")."""
    decomposed = unicodedata.normalize("NFD", fold(text)).replace("đ", "d")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def hidden_char(text: str, *, allow: str = "") -> str | None:
    """The first control or invisible character of ``text`` (other than those in ``allow``), or None."""
    for ch in text:
        if ch not in allow and unicodedata.category(ch) in _HIDDEN:
            return ch
    return None


def char_name(ch: str) -> str:
    """U+200B ZERO WIDTH SPACE: how a message names a character it refuses."""
    return f"U+{ord(ch):04X}" + (f" {unicodedata.name(ch)}" if unicodedata.name(ch, "") else "")


def code_key(text: str) -> str:
    """The stored form of a code (unit or person): NFC, trimmed, upper-case, so that ``d001``
    and ``D001`` are one code. Checking it is the caller's (``fields.parse_code``)."""
    return nfc(text).strip().upper()


def safe(text: object) -> str:
    """Data made safe to print on a terminal: control and invisible characters (ESC, BEL,
    bidi overrides...) shown as ``\\x1b``/``\\u202e`` instead of acting on the terminal."""
    s = str(text)
    if hidden_char(s) is None:
        return s
    return "".join(ch if unicodedata.category(ch) not in _HIDDEN
                   else f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000
                   else f"\\U{ord(ch):08x}" for ch in s)
