"""Legal sources read as an English reader cites them; Vietnamese stays as written."""

from __future__ import annotations

import pytest

from hoctap.models.catalog import load_catalogs
from hoctap.models.legal import source_text


@pytest.mark.parametrize("vi,en", [
    ("TT 24/2023, Điều 6 khoản 3 điểm a", "Circular 24/2023, Article 6(3)(a)"),
    ("TT 24/2023, Điều 6 khoản 2 điểm đ", "Circular 24/2023, Article 6(2)(đ)"),
    ("TT 24/2023, Điều 6 khoản 3 (ngưỡng suy đoán, chưa xác nhận)",
     "Circular 24/2023, Article 6(3) (threshold inferred, unconfirmed)"),
    ("TT 24/2023, Điều 7 (áp dụng cho cấp tỉnh) khoản 1 điểm b",
     "Circular 24/2023, Article 7(1)(b), as applied to the provincial tier"),
    ("Thông tư 24/2023/TT-BGDĐT, Điều 6", "Circular 24/2023/TT-BGDĐT, Article 6"),
    ("TT 24/2023, tiêu chuẩn 2 cấp tỉnh Mức độ 1", "Circular 24/2023, provincial standard 2, Level 1"),
    ("Quyết định 324/QĐ-KHVN ngày 1/9/2023", "Decision 324/QĐ-KHVN of 1/9/2023"),
])
def test_sources_in_english(vi, en):
    assert source_text(vi, "en") == en
    assert source_text(vi, "vi") == vi


def test_no_shipped_source_keeps_a_vietnamese_word_in_english():
    cats = load_catalogs()
    sources = {c.source for c in [*cats.units.values(), cats.citizen]}
    sources |= {e.source for cat in cats.units.values() for e in cat.entries()}
    words = ("Điều", "khoản", "điểm", "Thông tư", "TT ", "tiêu chuẩn", "Mức độ", "Quyết định", "ngày", "suy đoán")
    left = {s: source_text(s, "en") for s in sources if any(w in source_text(s, "en") for w in words)}
    assert left == {}
