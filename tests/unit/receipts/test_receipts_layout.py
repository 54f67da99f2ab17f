"""Column layout: CJK counts two columns, long names wrap, amounts stay right-aligned."""

from __future__ import annotations

import re

import pytest

from receipts import document as rd
from receipts.layout import Text, layout, render_text, row, text_width, wrap
from receipts.samples import SAMPLE_STORE, sample_sale_payload

LONG = "Men's Merino Wool Blend Tailored Jacket 男士羊毛混纺修身西装外套 限量版 2026 秋冬新款 黑 L"
RARE = "稀有字测试 𠀀 㐀 〇 龘 ＡＢＣ１２３"


def _doc(name: str = LONG, **kw: object) -> rd.ReceiptDocument:
    payload = sample_sale_payload(3)
    payload["lines"][0]["name"] = name
    payload["lines"][1]["name"] = RARE
    return rd.from_sale_payload(payload, store=SAMPLE_STORE, qr_url="HTTPS://X/R/AB", **kw)


def test_widths() -> None:
    assert text_width("abc") == 3
    assert text_width("男士") == 4
    assert text_width("￥１２") == 6  # fullwidth forms
    assert text_width("𠀀㐀〇龘") == 8  # Ext-B, Ext-A, 〇, rare ideograph
    assert text_width("·×—é") == 8  # ambiguous width: full-width glyphs in Chinese mode


def test_wrap_keeps_every_line_within_the_columns_and_loses_nothing() -> None:
    for width in (32, 48, 16):
        lines = wrap(LONG, width)
        assert all(text_width(x) <= width for x in lines)
        assert "".join(lines).replace(" ", "") == LONG.replace(" ", "")
    # a Latin word is not cut when there is a space to break at
    assert wrap("Merino Wool Blend Tailored Jacket", 20) == ["Merino Wool Blend", "Tailored Jacket"]
    # a run of Chinese breaks anywhere, never splitting a two-column character
    assert wrap("一二三四五六七八九十", 7) == ["一二三", "四五六", "七八九", "十"]


def test_row_right_aligns_amounts() -> None:
    (line,) = row("合计", "299.00", 32)
    assert text_width(line) == 32 and line.endswith("299.00") and line.startswith("合计")
    lines = row("男士羊毛夹克 黑 L 超长名称测试超长名称测试", "1299.00", 32)
    assert all(text_width(x) <= 32 for x in lines)
    assert text_width(lines[-1]) == 32 and lines[-1].endswith("1299.00")


def test_control_characters_never_reach_the_paper() -> None:
    assert wrap("a\tb\x1b@c\nd", 32) == ["a b @c d"]
    doc = rd.from_sale_payload(
        {**sample_sale_payload(1), "cashier": "王\x1b@\x1dV\x00芳"}, store=SAMPLE_STORE
    )
    for block in layout(doc, 58):
        if isinstance(block, Text):
            assert all(ord(c) >= 0x20 for c in block.text), block


@pytest.mark.parametrize("paper", [58, 80])
def test_whole_receipt_fits_the_paper(paper: int) -> None:
    columns = {58: 32, 80: 48}[paper]
    for doc in (_doc(), _doc(gift=True), _doc(reprint_count=2)):
        blocks = layout(doc, paper)
        texts = [b for b in blocks if isinstance(b, Text)]
        for t in texts:
            limit = columns // 2 if t.big else columns
            assert text_width(t.text) <= limit, (t.text, limit)
        # every amount row ends exactly at the right margin
        amounts = [t.text for t in texts if re.search(r"\d\.\d\d$", t.text) and not t.big]
        assert all(text_width(a) == columns for a in amounts)
        assert (not amounts) if doc.gift else len(amounts) >= 8


def test_long_and_rare_names_are_printed_in_full() -> None:
    text = render_text(_doc(), 58)
    flat = text.replace("\n", "").replace(" ", "")
    assert LONG.replace(" ", "") in flat
    assert RARE.replace(" ", "") in flat


def test_text_preview_matches_columns() -> None:
    text = render_text(_doc(), 80)
    for line in text.splitlines():
        assert text_width(line) <= 48 or line.startswith("[QR "), line
