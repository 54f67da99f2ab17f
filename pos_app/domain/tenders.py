"""Tenders (payment methods) and a tender line of a sale."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .errors import InvalidInput


class Tender(StrEnum):
    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    UNIONPAY = "unionpay"  # UnionPay QR payment code (云闪付)
    ECNY = "ecny"  # digital RMB payment code (数字人民币)
    STORED_VALUE = "stored_value"
    COUPON = "coupon"
    POINTS = "points"
    # 换货抵扣: the value of goods taken back in an exchange, paying for the new ones (the
    # exchange's refund gives it out, its sale takes it in: it nets to zero in the day's figures)
    EXCHANGE = "exchange"
    # 退至储值: a refund given as store credit onto a member's stored value (a gift receipt's
    # money never goes back in cash; the brand keeps it), counted apart from 储值卡 payments
    STORE_CREDIT = "store_credit"

    @property
    def label_zh(self) -> str:
        return _ZH[self]

    @property
    def label_en(self) -> str:
        return _EN[self]

    @classmethod
    def parse(cls, text: str) -> Tender:
        try:
            return cls(text.strip().lower())
        except ValueError as err:
            names = ", ".join(t.value for t in cls)
            raise InvalidInput(
                f"Unknown tender “{text}”: use one of {names}",
                f"未知的付款方式“{text}”，可用：{names}",
            ) from err


_ZH = {
    Tender.CASH: "现金",
    Tender.CARD: "银行卡",
    Tender.WECHAT: "微信支付",
    Tender.ALIPAY: "支付宝",
    Tender.UNIONPAY: "云闪付",
    Tender.ECNY: "数字人民币",
    Tender.STORED_VALUE: "储值卡",
    Tender.COUPON: "代金券",
    Tender.POINTS: "积分",
    Tender.EXCHANGE: "换货抵扣",
    Tender.STORE_CREDIT: "退至储值",
}
_EN = {
    Tender.CASH: "Cash",
    Tender.CARD: "Card",
    Tender.WECHAT: "WeChat Pay",
    Tender.ALIPAY: "Alipay",
    Tender.UNIONPAY: "UnionPay QR",
    Tender.ECNY: "Digital RMB",
    Tender.STORED_VALUE: "Stored value",
    Tender.COUPON: "Coupon",
    Tender.POINTS: "Points",
    Tender.EXCHANGE: "Exchange credit",
    Tender.STORE_CREDIT: "Store credit",
}

# Tenders whose money moves through a terminal or a provider: they cannot simply be cancelled.
# Tenders charged through a terminal or a provider's payment port (a persisted attempt).
PAYMENT_TENDERS = frozenset(
    {Tender.CARD, Tender.WECHAT, Tender.ALIPAY, Tender.UNIONPAY, Tender.ECNY}
)
NETWORK_TENDERS = PAYMENT_TENDERS | {Tender.STORED_VALUE}


@dataclass(frozen=True, slots=True)
class TenderLine:
    tender: Tender
    amount_fen: int  # handed over / charged
    change_fen: int = 0  # cash only
    rounding_fen: int = 0  # cash only: 抹零 dropped from what was due
    reference: str | None = None  # provider or terminal reference
    card: dict[str, str] | None = None  # {"type", "masked_pan", "auth_code"} — never a full PAN

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "tender": self.tender.value,
            "amount_fen": self.amount_fen,
            "change_fen": self.change_fen,
        }
        if self.reference:
            d["reference"] = self.reference
        if self.card:
            d["card"] = dict(self.card)
        return d


def quick_amounts(due_fen: int) -> list[int]:
    """Exact amount, then the notes a customer is likely to hand over (next ¥10/¥50/¥100…)."""
    out = [due_fen]
    for step in (1_000, 5_000, 10_000, 20_000, 50_000):
        up = -(-due_fen // step) * step
        if up > due_fen and up not in out:
            out.append(up)
    return out[:5]
