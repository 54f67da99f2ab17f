"""The receipt document model: what a receipt says (store, lines, totals, tenders, member,
titled sections, footer, QR), independent of how it is rendered, and the small formatting
helpers every renderer shares (money as yuan text, rates, store-local time).

Built by `receipts.document` (sales, refunds, e-receipt tokens), `receipts.z_report` and
`receipts.printer_test_page`; `receipts.document` re-exports all of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pos_app.domain.money import format_fen

from .errors import BadReceiptData
from .labels import Language, tr

Kind = Literal["sale", "refund", "z_report", "test_page", "topup", "topup_refund"]

DEFAULT_QR_CAPTION = "微信扫码 查看电子小票 · 退换货凭证"

TENDER_LABELS = {
    "cash": "现金",
    "wechat": "微信支付",
    "wechat_pay": "微信支付",
    "alipay": "支付宝",
    "card": "银行卡",
    "unionpay": "云闪付",  # the UnionPay QR payment code tender; a UnionPay card is "card"
    "ecny": "数字人民币",
    "stored_value": "储值卡",
    "coupon": "优惠券",
    "voucher": "代金券",
    "points": "积分抵扣",
    "exchange": "换货抵扣",
    "store_credit": "退至储值",
}


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What the receipt says about the store (from the till's settings / enrolment)."""

    name: str
    store_id: str = ""
    address: str = ""
    phone: str = ""
    logo_path: str | None = None  # a PNG/BMP printed as an image at the top
    footer: tuple[str, ...] | None = None  # None: 谢谢惠顾，欢迎再次光临 in the store's language
    qr_caption: str | None = None  # None: the default caption in the store's language
    timezone: str = "Asia/Shanghai"
    language: Language = "zh-Hans"  # "zh-Hant" for Taiwan / Hong Kong stores (Big5 printers)
    footer_refund: tuple[str, ...] | None = None

    @property
    def caption(self) -> str:
        return (
            self.qr_caption
            if self.qr_caption is not None
            else tr(self.language, DEFAULT_QR_CAPTION)
        )


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    qty: int
    unit_price_fen: int
    discount_fen: int = 0
    amount_fen: int = 0
    variant: str = ""  # colour/size when the printed name does not already carry them
    sku: str = ""
    # 会员价优惠: what the member price took off the list price (unit_price_fen is then the
    # list price, so the line reads list price, saving, amount paid)
    member_saving_fen: int = 0


@dataclass(frozen=True, slots=True)
class Tender:
    label: str
    amount_fen: int
    change_fen: int = 0
    detail: str = ""  # card: type and last four digits only, e.g. "VISA 尾号1234"
    # the acquirer's transaction number (微信/支付宝/银联 单号), which a customer's dispute names
    ref: str = ""


@dataclass(frozen=True, slots=True)
class VatRow:
    rate_bp: int
    gross_fen: int
    vat_fen: int


@dataclass(frozen=True, slots=True)
class MemberBlock:
    phone_masked: str
    points_earned: int | None = None
    points_balance: int | None = None
    tier: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list of key/value rows (Z report, test page, extra blocks)."""

    title: str
    rows: tuple[tuple[str, str], ...] = ()
    # Each row on one line: a key too long is cut short (…) so its value stays beside it.
    fit: bool = False


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    kind: Kind
    title: str
    store: StoreInfo
    till_no: int | None = None
    cashier: str = ""
    associate: str = ""
    time_text: str = ""  # store-local time, "2026-11-25 14:30:00"
    receipt_no: int | None = None
    original_receipt_no: int | None = None
    reason: str = ""
    lines: tuple[ReceiptLine, ...] = ()
    subtotal_fen: int = 0
    discount_fen: int = 0
    rounding_fen: int = 0
    total_fen: int = 0
    vat: tuple[VatRow, ...] = ()
    tenders: tuple[Tender, ...] = ()
    member: MemberBlock | None = None
    sections: tuple[Section, ...] = ()
    footer: tuple[str, ...] = ()
    qr_url: str | None = None
    qr_caption: str = ""
    reprint_count: int = 0
    gift: bool = False
    meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def item_count(self) -> int:
        return sum(line.qty for line in self.lines)

    @property
    def receipt_no_text(self) -> str:
        return "" if self.receipt_no is None else f"{self.receipt_no:06d}"


# --------------------------------------------------------------------------- helpers


def money(fen: int) -> str:
    """Fen as yuan text for receipts: "299.00", "-20.00"."""
    return format_fen(fen)


def rate_text(rate_bp: int) -> str:
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"


def local_time_text(rfc3339: str, tz: str) -> str:
    """ "2026-11-25T06:30:00Z" → "2026-11-25 14:30:00" in the store's time zone."""
    try:
        moment = datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    except (TypeError, ValueError) as err:
        raise BadReceiptData(
            f"time {rfc3339!r} is not an RFC 3339 timestamp",
            f"时间 {rfc3339!r} 不是有效的 RFC 3339 时间",
        ) from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise BadReceiptData(
            f"unknown time zone {tz!r} in the store settings (e.g. Asia/Shanghai)",
            f"门店设置中的时区 {tz!r} 无效（例如 Asia/Shanghai）",
        ) from err
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
