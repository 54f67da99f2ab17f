"""The receipt document: one model built from a completed sale, a refund, a Z report or a
test page, rendered to text, ESC/POS bytes, PNG and HTML by the other modules.

The sale and refund builders read the `sale.completed` / `refund.completed` payloads documented
in `docs/events.md`; money stays integer fen until a renderer formats it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pos_app.domain.money import format_fen

from .errors import BadReceiptData
from .labels import Language, tr
from .z_stock import STOCK_KEY, SkuInfo, adjustment_rows

Kind = Literal["sale", "refund", "z_report", "test_page"]

DEFAULT_QR_CAPTION = "微信扫码 查看电子小票 · 退换货凭证"

TENDER_LABELS = {
    "cash": "现金",
    "wechat": "微信支付",
    "wechat_pay": "微信支付",
    "alipay": "支付宝",
    "card": "银行卡",
    "unionpay": "银联",
    "stored_value": "储值卡",
    "coupon": "优惠券",
    "voucher": "代金券",
    "points": "积分抵扣",
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


@dataclass(frozen=True, slots=True)
class Tender:
    label: str
    amount_fen: int
    change_fen: int = 0
    detail: str = ""  # card: type and last four digits only, e.g. "VISA 尾号1234"


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


def _need(payload: Mapping[str, Any], key: str, kind: str) -> Any:
    if key not in payload or payload[key] is None:
        raise BadReceiptData(
            f"the {kind} has no {key!r}: cannot print its receipt",
            f"该{'交易' if kind == 'sale' else '单据'}缺少字段 {key!r}，无法打印小票",
        )
    return payload[key]


def _int(payload: Mapping[str, Any], key: str, kind: str, default: int | None = None) -> int:
    value = payload.get(key, default) if default is not None else _need(payload, key, kind)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadReceiptData(
            f"the {kind}'s {key!r} must be an integer (fen, never a float), got {value!r}",
            f"字段 {key!r} 必须是整数（以分为单位，不能是小数），实际为 {value!r}",
        )
    return value


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


def mask_phone(phone: str) -> str:
    """Never print a full phone number: 13812345678 → 138****5678."""
    digits = phone.strip()
    if "*" in digits:
        return digits
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def _tender(p: Mapping[str, Any], kind: str, lang: str) -> Tender:
    code = str(_need(p, "tender", kind))
    label = tr(lang, TENDER_LABELS[code]) if code in TENDER_LABELS else code
    detail = ""
    card = p.get("card")
    if isinstance(card, Mapping):
        # Only the card type and the last four digits ever reach paper (PCI DSS 3.4).
        digits = "".join(ch for ch in str(card.get("masked_pan") or "") if ch.isdigit())
        last4 = digits[-4:] if len(digits) >= 4 else ""
        parts = [str(card.get("type") or "").strip()]
        if last4:
            parts.append(f"{tr(lang, '尾号')}{last4}")
        detail = " ".join(x for x in parts if x)
    return Tender(label, _int(p, "amount_fen", kind), _int(p, "change_fen", kind, 0), detail)


def _variant(line: Mapping[str, Any], name: str, lang: str) -> str:
    """Colour and size, when the printed name does not already carry them."""
    labelled = [
        (tr(lang, "颜色"), str(line.get("colour") or "").strip()),
        (tr(lang, "尺码"), str(line.get("size") or "").strip()),
    ]
    missing = [(label, v) for label, v in labelled if v and v not in name.split()]
    return " ".join(f"{label} {v}" for label, v in missing)


def _line(p: Mapping[str, Any], kind: str, lang: str) -> ReceiptLine:
    name = str(_need(p, "name", kind))
    qty = _int(p, "qty", kind)
    price = _int(p, "unit_price_fen", kind)
    discount = _int(p, "discount_fen", kind, 0)
    amount = _int(p, "amount_fen", kind, qty * price - discount)
    # The till's payload folds the line's share of the order discount and of 抹零 into
    # discount_fen (so amounts add up); the receipt shows those once, in the totals, and
    # only the line's own discount on the line.
    if "line_discount_fen" in p:
        discount = _int(p, "line_discount_fen", kind, 0)
    return ReceiptLine(
        name, qty, price, discount, amount, _variant(p, name, lang), str(p.get("sku", ""))
    )


def _vat(payload: Mapping[str, Any], kind: str) -> tuple[VatRow, ...]:
    rows = payload.get("vat") or []
    return tuple(
        VatRow(_int(r, "rate_bp", kind), _int(r, "gross_fen", kind), _int(r, "vat_fen", kind))
        for r in rows
    )


def _savings(payload: Mapping[str, Any], kind: str) -> list[tuple[str, int]]:
    """Each named saving (满减, coupons, points…: docs/members.md), printed by name."""
    out = []
    for s in payload.get("savings") or []:
        if not isinstance(s, Mapping):
            raise BadReceiptData(f"{kind}: a saving must be an object", "优惠数据格式错误")
        out.append((str(s.get("name") or ""), _int(s, "amount_fen", kind)))
    return out


def _member(payload: Mapping[str, Any]) -> MemberBlock | None:
    m = payload.get("member")
    if not isinstance(m, Mapping):
        return None
    phone = str(m.get("phone_masked") or m.get("phone") or "")
    earned = m.get("points_earned", payload.get("points_earned"))
    balance = m.get("points_balance", payload.get("points_balance"))
    return MemberBlock(
        mask_phone(phone),
        earned if isinstance(earned, int) else None,
        balance if isinstance(balance, int) else None,
        str(m.get("tier") or ""),
    )


# --------------------------------------------------------------------------- builders


def _footer(store: StoreInfo) -> tuple[str, ...]:
    if store.footer is not None:
        return store.footer
    return (tr(store.language, "谢谢惠顾，欢迎再次光临"),)


def from_sale_payload(
    payload: Mapping[str, Any],
    *,
    store: StoreInfo,
    reprint_count: int = 0,
    gift: bool = False,
    qr_url: str | None = None,
) -> ReceiptDocument:
    """The receipt of a `sale.completed` payload (docs/events.md)."""
    kind = "sale"
    lines = tuple(_line(p, kind, store.language) for p in _need(payload, "lines", kind))
    subtotal = _int(payload, "subtotal_fen", kind, sum(x.qty * x.unit_price_fen for x in lines))
    total = _int(payload, "total_fen", kind)
    rounding = _int(payload, "rounding_fen", kind, 0)
    line_disc = _int(payload, "line_discount_fen", kind, 0)
    order_disc = _int(payload, "order_discount_fen", kind, 0)
    if "line_discount_fen" not in payload and "order_discount_fen" not in payload:
        line_disc = subtotal - total - rounding
    savings = _savings(payload, kind)
    return ReceiptDocument(
        kind="sale",
        title=tr(store.language, "礼品小票" if gift else "销售小票"),
        store=store,
        till_no=_int(payload, "till_no", kind),
        cashier=str(payload.get("cashier") or ""),
        associate=str(payload.get("associate") or ""),
        time_text=local_time_text(str(_need(payload, "completed_at", kind)), store.timezone),
        receipt_no=_int(payload, "receipt_no", kind),
        lines=lines,
        subtotal_fen=subtotal,
        discount_fen=line_disc + order_disc + sum(f for _, f in savings),
        rounding_fen=rounding,
        total_fen=total,
        vat=_vat(payload, kind),
        tenders=tuple(_tender(p, kind, store.language) for p in payload.get("payments") or []),
        member=_member(payload),
        sections=(
            (
                Section(
                    tr(store.language, "优惠明细"),
                    tuple((name, "-" + money(fen)) for name, fen in savings),
                ),
            )
            if savings
            else ()
        ),
        footer=_footer(store),
        qr_url=qr_url,
        qr_caption=store.caption,
        reprint_count=reprint_count,
        gift=gift,
    )


def from_refund_payload(
    payload: Mapping[str, Any],
    *,
    store: StoreInfo,
    reprint_count: int = 0,
    qr_url: str | None = None,
) -> ReceiptDocument:
    """The refund receipt of a `refund.completed` payload: amounts out of the till negative."""
    kind = "refund"
    lines = tuple(_line(p, kind, store.language) for p in _need(payload, "lines", kind))
    total = _int(payload, "total_fen", kind)
    original = payload.get("original_receipt_no")
    return ReceiptDocument(
        kind="refund",
        title=tr(store.language, "退货小票"),
        store=store,
        till_no=_int(payload, "till_no", kind),
        cashier=str(payload.get("cashier") or ""),
        time_text=local_time_text(str(_need(payload, "completed_at", kind)), store.timezone),
        receipt_no=_int(payload, "receipt_no", kind),
        original_receipt_no=original if isinstance(original, int) else None,
        reason=str(payload.get("reason") or ""),
        lines=lines,
        subtotal_fen=total,
        total_fen=total,
        vat=_vat(payload, kind),
        tenders=tuple(_tender(p, kind, store.language) for p in payload.get("payments") or []),
        footer=store.footer_refund
        if store.footer_refund is not None
        else (tr(store.language, "退款将原路退回，请保留本小票"),),
        qr_url=qr_url,
        qr_caption=store.caption,
        reprint_count=reprint_count,
    )


_Z_LABELS = {
    "z_no": "Z 序号",
    "business_day": "营业日",
    "shift_id": "班次",
    "till_no": "收银台",
    "opened_by": "开班",
    "closed_by": "交班",
    "opened_at": "开班时间",
    "closed_at": "交班时间",
}


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int) and key.endswith("_fen"):
        return money(value)
    if isinstance(value, int) and key.endswith("_bp"):
        return rate_text(value)
    return str(value)


def _label(key: str) -> str:
    return _Z_LABELS.get(key, key.removesuffix("_fen"))


def _rows(items: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, Mapping):
            if "label" in item:
                rows.append((str(item["label"]), str(item.get("value", ""))))
            else:
                rows.append(
                    (
                        " ".join(str(v) for k, v in item.items() if not k.endswith("_fen")),
                        " ".join(_value_text(k, v) for k, v in item.items() if k.endswith("_fen")),
                    )
                )
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            rows.append((str(item[0]), str(item[1])))
        else:
            rows.append((str(item), ""))
    return tuple(rows)


def from_z_report(
    report: Mapping[str, Any],
    store: StoreInfo,
    *,
    sections: Sequence[Section] | None = None,
    reprint_count: int = 0,
    sku_info: SkuInfo | None = None,
) -> ReceiptDocument:
    """A generic Z (end of day) report receipt.

    The report's exact fields are the lead's; this prints any report: `title` if given, the
    header keys above (`z_no`, `business_day`, …), then either the given `sections`, the
    report's own `"sections": [{"title", "rows": [[key, value], …]}]`, or else every other
    key: scalars as key/value rows (`*_fen` as money), dicts and lists as their own sections.
    A `stock_adjustments` section (docs/stock.md) prints last as the day's stock adjustments
    (SKU, name, reason, qty, value) and the SKUs sold below zero; `sku_info` (SKU -> (name,
    price_fen)) supplies names and prices (`receipts.z_stock`).
    """
    header = tuple(
        (_Z_LABELS[k], _value_text(k, report[k])) for k in _Z_LABELS if report.get(k) is not None
    )
    built: list[Section] = [Section("", header)] if header else []
    if sections is not None:
        built.extend(sections)
    elif isinstance(report.get("sections"), list):
        for s in report["sections"]:
            built.append(Section(str(s.get("title", "")), _rows(s.get("rows", []))))
    else:
        scalars: list[tuple[str, str]] = []
        for key, value in report.items():
            if key in _Z_LABELS or key in ("title", STOCK_KEY):
                continue
            if isinstance(value, Mapping):
                built.append(
                    Section(key, tuple((_label(k), _value_text(k, v)) for k, v in value.items()))
                )
            elif isinstance(value, list):
                built.append(Section(key, _rows(value)))
            else:
                scalars.append((_label(key), _value_text(key, value)))
        if scalars:
            built.insert(1 if header else 0, Section(tr(store.language, "汇总"), tuple(scalars)))
    stock = report.get(STOCK_KEY)
    if isinstance(stock, Mapping):
        for title, rows in adjustment_rows(stock, store.language, sku_info or {}):
            built.append(Section(title, rows))
    till = report.get("till_no")
    return ReceiptDocument(
        kind="z_report",
        title=str(report.get("title") or tr(store.language, "日结报表 (Z)")),
        store=store,
        till_no=till if isinstance(till, int) else None,
        cashier=str(report.get("closed_by") or ""),
        sections=tuple(built),
        reprint_count=reprint_count,
    )


def test_page(
    store: StoreInfo,
    printer_profile: Any,
    *,
    qr_url: str = "HTTPS://R.EXAMPLE.COM/R/TEST",
    now_text: str = "",
) -> ReceiptDocument:
    """A printer test page: the profile's settings, a column ruler, Chinese and money samples,
    and a QR in the profile's mode, so a technician sees at once what works."""
    p = printer_profile
    ruler = "".join(str(i % 10) for i in range(1, p.columns + 1))
    return ReceiptDocument(
        kind="test_page",
        title=tr(store.language, "打印测试页"),
        store=store,
        time_text=now_text,
        sections=(
            Section(
                "打印机",
                (
                    ("配置", p.name),
                    ("纸宽", f"{p.paper_mm}mm / {p.columns}列 / {p.dots}点"),
                    ("编码", p.encoding.upper()),
                    ("二维码", "打印机原生" if p.native_qr else "图像"),
                    ("开机中文模式", "是" if p.chinese_mode_at_power_on else "否"),
                ),
            ),
            Section(
                "字符",
                (
                    (ruler, ""),
                    ("中文：柜台收银 欢迎光临", ""),
                    ("金额：￥1,234.56 ¥78.90", ""),
                    ("繁體：歡迎光臨 櫃檯", ""),
                    ("Mixed 男士羊毛夹克 Wool Jacket", ""),
                ),
            ),
        ),
        qr_url=qr_url,
        qr_caption="扫码测试 QR TEST",
    )


def logo_file(store: StoreInfo) -> Path | None:
    return Path(store.logo_path) if store.logo_path else None


def from_token(fields: Any, *, store: StoreInfo, qr_url: str | None = None) -> ReceiptDocument:
    """What a verified token alone tells (receipt number, time, total) for the e-receipt page
    of a sale that has not synced to the cloud yet.  `fields` is a `token.TokenFields`."""
    moment = datetime.fromtimestamp(fields.issued_at, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    refund = fields.total_fen < 0
    lang = store.language
    return ReceiptDocument(
        kind="refund" if refund else "sale",
        title=tr(lang, "退货小票" if refund else "销售小票"),
        store=store,
        time_text=local_time_text(moment, store.timezone),
        receipt_no=fields.receipt_no,
        subtotal_fen=fields.total_fen,
        total_fen=fields.total_fen,
        sections=(Section(tr(lang, "小票明细正在同步，请稍后刷新")),),
        qr_url=qr_url,
        qr_caption=store.caption,
    )
