"""The receipt of a top-up's refund (储值退款, issue 23): the amount, the bonus taken back first,
the tender it went back by (原路退回) with the acquirer's number, the balances, within 58 mm."""

from __future__ import annotations

from receipts import render_text
from receipts.layout import text_width
from receipts.model import StoreInfo
from receipts.topup import from_topup_refund_payload

REFUND = {
    "refund_id": "r1",
    "topup_id": "t1",
    "topup_no": 2,
    "member_id": "M1",
    "amount_fen": 50_000,
    "forfeited_bonus_fen": 5_000,
    "tender": "wechat",
    "attempt_id": "A1",
    "provider_ref": "7895000123456789012",
    "balance_fen": 30_000,
    "bonus_balance_fen": 0,
    "business_day": "2026-12-06",
    "cashier": "admin",
    "at": "2026-12-06T06:30:00Z",
}


def test_a_wallet_refund_names_the_bonus_taken_back_and_the_wallet_in_58_mm() -> None:
    doc = from_topup_refund_payload(REFUND, store=StoreInfo(name="静安嘉里中心店"))
    assert doc.kind == "topup_refund" and doc.total_fen == -50_000 and doc.qr_url is None
    text = render_text(doc, 58)
    assert "储值退款" in text and "充值单号：000002" in text
    assert "退款金额" in text and "扣回赠送" in text and "50.00" in text
    assert "微信支付 原路退回" in text and REFUND["provider_ref"] in text
    assert "储值余额" in text and "300.00" in text
    assert all(text_width(ln) <= 32 for ln in text.splitlines())


def test_a_cash_refund_without_bonus_says_neither_in_traditional_chinese() -> None:
    r = REFUND | {"tender": "cash", "forfeited_bonus_fen": 0, "provider_ref": None}
    doc = from_topup_refund_payload(r, store=StoreInfo(name="店", language="zh-Hant"))
    text = render_text(doc, 80)
    assert "儲值退款" in text and "退款金額" in text and "現金" in text
    assert "扣回" not in text and "原路退回" not in text and "交易單號" not in text
