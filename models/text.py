"""Text matching that ignores case, surrounding space and Unicode normal form (NFC/NFD)."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Key for comparing labels and ids: NFC, case-folded, inner whitespace collapsed."""
    return " ".join(nfc(text).casefold().split())


def search_key(text: str) -> str:
    """Key for free-text search: folded and stripped of diacritics ("Nguyễn" ~ "nguyen")."""
    decomposed = unicodedata.normalize("NFD", fold(text)).replace("đ", "d")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
