"""What a customer reads on paper, from the ESC/POS bytes at 58 and 80 mm: the member tier's
name (普通会员, never the code `ordinary`), a card line whose last four digits never run into
its amount, 应收 / 实收 / 找零, and no stray "·" where the QR caption or footer wraps."""

from __future__ import annotations

import re
from typing import Any

import pytest
from receipts_escpos_reader import read

from receipts.document import from_refund_payload, from_sale_payload
from receipts.escpos import render_escpos
from receipts.model import StoreInfo
from receipts.profiles import get_profile

PROFILES = ["generic-58-gb18030", "generic-58-gbk", "generic-80-gb18030", "big5-80"]


def payload(card_type: str = "UnionPay", card_fen: int = 199900) -> dict[str, Any]:
    return {
        "receipt_no": 12,
        "till_no": 1,
        "cashier": "王芳",
        "completed_at": "2026-11-25T06:30:00Z",
        "lines": [{"name": "男士羊毛夹克 黑 L", "qty": 1, "unit_price_fen": card_fen + 10000}],
        "subtotal_fen": card_fen + 10000,
        "total_fen": card_fen + 10000,
        "payments": [
            {
                "tender": "card",
                "amount_fen": card_fen,
                "card": {"type": card_type, "masked_pan": "622202******8599"},
            },
            {"tender": "cash", "amount_fen": 20000, "change_fen": 10000},
        ],
        "member": {"phone_masked": "138****5678", "tier": "ordinary", "points_balance": 1299},
    }


def printed(profile_name: str, p: dict[str, Any], *, refund: bool = False) -> list[str]:
    prof = get_profile(profile_name)
    lang = "zh-Hant" if prof.encoding == "big5" else "zh-Hans"
    store = StoreInfo("静安嘉里中心店", "S001", language=lang)  # type: ignore[arg-type]
    build = from_refund_payload if refund else from_sale_payload
    doc = build(p, store=store, qr_url="HTTPS://R.EXAMPLE/T/ABC")
    lines = read(render_escpos(doc, prof), prof.encoding).lines
    assert all(len(x.encode("gb18030")) <= prof.columns for x in lines)  # nothing overflows
    return lines


@pytest.mark.parametrize("profile", PROFILES)
def test_member_tier_prints_its_name(profile: str) -> None:
    text = "\n".join(printed(profile, payload()))
    assert "ordinary" not in text
    assert ("普通會員" if profile == "big5-80" else "普通会员") in text


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("card_type", ["UnionPay", "UnionPay QuickPass", "VISA"])
def test_card_digits_never_touch_the_amount(profile: str, card_type: str) -> None:
    lines = printed(profile, payload(card_type))
    card = [x for x in lines if "8599" in x]
    assert len(card) == 1
    # the last four digits and the amount: apart by at least four spaces, or on separate lines
    assert not re.search(r"8599 {0,3}\d", card[0])
    assert any("1999.00" in x for x in lines)


@pytest.mark.parametrize("profile", PROFILES)
def test_due_tendered_change(profile: str) -> None:
    lines = printed(profile, payload())

    def amount(label: str) -> str:
        hits = [x for x in lines if x.replace("\u3000", "").replace(" ", "").startswith(label)]
        assert len(hits) == 1, (label, lines)
        return hits[0].split()[-1].replace("\u3000", "")

    zh = profile != "big5-80"
    # 应收 2099.00 (to pay); 实收 2199.00 (card 1999.00 + cash 200.00 handed over); 找零 100.00
    assert amount("应收" if zh else "應收").replace(" ", "").endswith("2099.00")
    assert amount("实收" if zh else "實收") == "2199.00"
    assert amount("找零") == "100.00"
    order = [i for i, x in enumerate(lines) for k in ("应收", "應收", "实收", "實收", "找零")
             if x.replace("\u3000", "").replace(" ", "").startswith(k)]  # fmt: skip
    assert order == sorted(order) and len(order) == 3


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("refund", [False, True])
def test_no_line_starts_or_ends_with_a_stray_separator(profile: str, refund: bool) -> None:
    p = payload()
    if refund:
        p = {**p, "total_fen": -29900, "payments": [{"tender": "cash", "amount_fen": -29900}]}
    for line in printed(profile, p, refund=refund):
        assert not line.strip().endswith("·") and not line.strip().startswith("·"), line
