"""Legal sources in the reader's language: the catalogs cite the Vietnamese texts as the
Vietnamese write them ("TT 24/2023, Điều 6 khoản 3 điểm a"); an English reader gets the usual
English citation ("Circular 24/2023, Article 6(3)(a)"). Document numbers stay as issued."""

from __future__ import annotations

import re

# applied in order; each pattern is the whole of one citation habit
_EN = [
    (r"Điều (\d+) \(áp dụng cho cấp tỉnh\) khoản (\d+) điểm (\w)", r"Article \1(\2)(\3), as applied to the provincial tier"),
    (r"Điều (\d+) khoản (\d+) điểm (\w)", r"Article \1(\2)(\3)"),
    (r"Điều (\d+) khoản (\d+)", r"Article \1(\2)"),
    (r"Điều (\d+)", r"Article \1"),
    (r"tiêu chuẩn (\d+) cấp tỉnh Mức độ (\d+)", r"provincial standard \1, Level \2"),
    (r"tiêu chuẩn cấp tỉnh Mức độ (\d+)", r"provincial standards, Level \1"),
    (r"Thông tư ", "Circular "),
    (r"\bTT (\d)", r"Circular \1"),
    (r"Quyết định (\S+) ngày (\S+)", r"Decision \1 of \2"),
    (r"\(ngưỡng suy đoán, chưa xác nhận\)", "(threshold inferred, unconfirmed)"),
    (r"\(suy đoán, chưa xác nhận\)", "(inferred, unconfirmed)"),
    (r"\(suy đoán\)", "(inferred)"),
]
_EN = [(re.compile(p), r) for p, r in _EN]


def source_text(source: str, lang: str) -> str:
    """``source`` as cited in ``lang`` ("en", else as written)."""
    if lang != "en":
        return source
    for pattern, repl in _EN:
        source = pattern.sub(repl, source)
    return source
