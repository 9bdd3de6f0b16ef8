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


# Vietnamese alphabetical order (a ă â b c d đ e ê … ư v x y; f j w z where Latin puts them,
# digits first), each letter one ASCII byte from "A" up, so that the key sorts the same as bytes
# on every backend (SQLite BINARY, PostgreSQL COLLATE "C").
_ALPHABET = "0123456789aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {ch: chr(0x41 + i) for i, ch in enumerate(_ALPHABET)}
_MARKED = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
           ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
# the tones in dictionary order (Hoàng Phê's Từ điển tiếng Việt): ngang, huyền, hỏi, ngã, sắc, nặng
_TONE = {"\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0301": "5", "\u0323": "6"}


def collation_key(text: str) -> str:
    """Key that orders words as a Vietnamese dictionary does: letter by letter with ă â đ ê ô ơ ư
    as letters of their own, then, between words spelt alike, by tone ("Anh" < "Ánh" < "Anha").
    Each word becomes its letters followed by its tone digit ("1"-"6", below every letter), words
    are joined by a space (below both); other characters keep their code point (after letters)."""
    words = []
    for word in fold(text).split():
        out, tone, base = [], "1", ""
        for ch in unicodedata.normalize("NFD", word):
            if ch in _TONE:
                tone = _TONE[ch]
            elif unicodedata.combining(ch):
                marked = _MARKED.get((base, ch))
                if marked:
                    out[-1], base = _LETTER[marked], marked
            else:
                base = ch
                out.append(_LETTER.get(ch, ch if ord(ch) > 0x7F else ""))
        words.append("".join(out) + tone)
    return " ".join(words)


def hidden_char(text: str, *, allow: str = "") -> str | None:
    """The first control or invisible character of ``text`` (other than those in ``allow``), or None."""
    if text.isprintable():  # in C: every category of _HIDDEN is unprintable (most text takes this way)
        return None
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
