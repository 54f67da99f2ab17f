"""The receipt document: one model built from a completed sale, a refund, a Z report or a
test page, rendered to text, ESC/POS bytes, PNG and HTML by the other modules.

The sale and refund builders read the `sale.completed` / `refund.completed` payloads documented
in `docs/events.md`; money stays integer fen until a renderer formats it.  The dataclasses are in
`receipts.model`, the Z report in `receipts.z_report`, the test page in
`receipts.printer_test_page`; all are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pos_app.domain.members import mask_phone

from .errors import BadReceiptData
from .labels import tr

# The model, the Z report and the test page live in their own modules; every name this module
# has always offered is still importable from here.
from .model import (
    DEFAULT_QR_CAPTION,
    TENDER_LABELS,
    Kind,
    MemberBlock,
    ReceiptDocument,
    ReceiptLine,
    Section,
    StoreInfo,
    Tender,
    VatRow,
    local_time_text,
    money,
    rate_text,
)
from .printer_test_page import logo_file, test_page
from .z_report import from_z_report

__all__ = [
    "DEFAULT_QR_CAPTION",
    "TENDER_LABELS",
    "Kind",
    "MemberBlock",
    "ReceiptDocument",
    "ReceiptLine",
    "Section",
    "StoreInfo",
    "Tender",
    "VatRow",
    "from_refund_payload",
    "from_sale_payload",
    "from_token",
    "from_z_report",
    "local_time_text",
    "logo_file",
    "mask_phone",
    "money",
    "rate_text",
    "refund_destination",
    "test_page",
]


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


def _tender(p: Mapping[str, Any], kind: str, lang: str) -> Tender:
    code = str(_need(p, "tender", kind))
    label = tr(lang, TENDER_LABELS[code]) if code in TENDER_LABELS else code
    detail = ""
    card = p.get("card")
    if isinstance(card, Mapping):
        # Only the card type and the last four digits ever reach paper (PCI DSS 3.4).
        digits = "".join(ch for ch in str(card.get("masked_pan") or "") if ch.isdigit())
        last4 = digits[-4:] if len(digits) >= 4 else ""
        kind_name = str(card.get("type") or "").strip()
        if is_unionpay(kind_name):
            # 银联卡 尾号8599, as mainland receipts say it (not 银行卡 UnionPay)
            label, kind_name = tr(lang, "银联卡"), ""
        parts = [kind_name]
        if last4:
            parts.append(f"{tr(lang, '尾号')}{last4}")
        detail = " ".join(x for x in parts if x)
    ref = str(p.get("trade_no") or "").strip()
    return Tender(label, _int(p, "amount_fen", kind), _int(p, "change_fen", kind, 0), detail, ref)


def is_unionpay(card_type: str) -> bool:
    """UnionPay, UnionPay QuickPass, 银联: the terminal's names of a UnionPay card."""
    return "unionpay" in card_type.replace(" ", "").lower() or "银联" in card_type


def _one_cash_line(payments: Any, kind: str) -> list[Mapping[str, Any]]:
    """Cash taken in steps (a note, then another) is one cash payment to the customer: the
    receipt prints one 现金 line with its change, not a line per step."""
    out: list[Mapping[str, Any]] = []
    for p in payments or []:
        if not isinstance(p, Mapping):
            raise BadReceiptData(f"{kind}: a payment must be an object", "付款数据格式错误")
        if out and p.get("tender") == "cash" and out[-1].get("tender") == "cash":
            last = out[-1]
            p = dict(
                last,
                amount_fen=_int(last, "amount_fen", kind) + _int(p, "amount_fen", kind),
                change_fen=_int(last, "change_fen", kind, 0) + _int(p, "change_fen", kind, 0),
            )
            out[-1] = p
        else:
            out.append(p)
    return out


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
    # A member price below the list price: the line shows the list price and the saving by
    # name (a sale's payload carries list_price_fen on each line since issue 16).
    listed = _int(p, "list_price_fen", kind, price) if "list_price_fen" in p else price
    member_saving = qty * (listed - price) if listed > price else 0
    return ReceiptLine(
        name,
        qty,
        max(listed, price),
        discount,
        amount,
        _variant(p, name, lang),
        str(p.get("sku", "")),
        member_saving,
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


# The member tiers' printed names (pos_app.domain.members.TIERS); a tier the till does not
# know (a brand's own) prints as the cloud named it.
TIER_LABELS = {"core": "核心会员", "potential": "潜力会员", "ordinary": "普通会员"}


def _member(payload: Mapping[str, Any], lang: str = "zh-Hans") -> MemberBlock | None:
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
        _tier(str(m.get("tier") or ""), lang),
    )


def _tier(code: str, lang: str) -> str:
    return tr(lang, TIER_LABELS[code]) if code in TIER_LABELS else code


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
    member_saving = sum(x.member_saving_fen for x in lines)
    if member_saving:
        # 原价合计 is at list prices; the member prices' saving is named among the savings
        subtotal += member_saving
        savings = [(tr(store.language, "会员价优惠"), member_saving), *_savings(payload, kind)]
    else:
        savings = _savings(payload, kind)
    doc = ReceiptDocument(
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
        tenders=tuple(
            _tender(p, kind, store.language) for p in _one_cash_line(payload.get("payments"), kind)
        ),
        member=_member(payload, store.language),
        sections=(
            (
                Section(
                    tr(store.language, "优惠明细"),
                    tuple((name, "-" + money(fen)) for name, fen in savings),
                ),
            )
            if savings
            else ()
        )
        + _exchange_section(payload, store.language),
        footer=_footer(store),
        qr_url=qr_url,
        qr_caption=store.caption,
        reprint_count=reprint_count,
        gift=gift,
    )
    return _without_money(doc) if gift else doc


def _exchange_section(payload: Mapping[str, Any], lang: str) -> tuple[Section, ...]:
    """An exchange's sale (换货) prints the goods taken back, negative, with the refund's
    receipt number: one receipt for both sides."""
    ex = payload.get("exchange")
    if not isinstance(ex, Mapping):
        return ()
    kind = "sale"
    rows = [
        (
            f"{_need(ln, 'name', kind)} ×{_int(ln, 'qty', kind)}",
            "-" + money(_int(ln, "amount_fen", kind)),
        )
        for ln in ex.get("lines") or []
    ]
    rows.append((tr(lang, "退回合计"), "-" + money(_int(ex, "credit_fen", kind))))
    balance = _int(ex, "balance_fen", kind, 0)
    if balance:  # the returned goods were worth more: the rest went back (the refund's tenders)
        rows.append((tr(lang, "差额退款"), money(balance)))
    rows.append((tr(lang, "退货小票号"), f"{_int(ex, 'refund_receipt_no', kind):06d}"))
    rows.append((tr(lang, "原小票号"), f"{_int(ex, 'original_receipt_no', kind):06d}"))
    return (Section(tr(lang, "换货退回"), tuple(rows)),)


def _without_money(doc: ReceiptDocument) -> ReceiptDocument:
    """A gift receipt goes with the present: the document itself carries no price, total,
    payment, VAT, saving or member, so no rendering (paper, PNG, page) can show one."""
    return replace(
        doc,
        lines=tuple(ReceiptLine(x.name, x.qty, 0, variant=x.variant, sku=x.sku) for x in doc.lines),
        subtotal_fen=0,
        discount_fen=0,
        rounding_fen=0,
        total_fen=0,
        vat=(),
        tenders=(),
        member=None,
        sections=(),
    )


def refund_destination(codes: Sequence[str], lang: str = "zh-Hans") -> str:
    """Where a refund's money went, in the customer's words: 现金退回 for cash, 原路退回至
    微信支付 (支付宝, 银行卡, 储值卡 …) for the original tender."""
    said: list[str] = []
    for code in codes:
        if code == "cash":
            text = tr(lang, "现金退回")
        elif code == "store_credit":  # onto the member's stored value, not back to a tender
            text = tr(lang, "退至储值")
        else:
            label = tr(lang, TENDER_LABELS[code]) if code in TENDER_LABELS else code
            text = tr(lang, "原路退回至{tender}", tender=label)
        if text not in said:
            said.append(text)
    return "、".join(said)


def _refund_footer(payload: Mapping[str, Any], store: StoreInfo) -> tuple[str, ...]:
    if store.footer_refund is not None:
        return store.footer_refund
    codes = [
        str(p.get("tender") or "")
        for p in payload.get("payments") or []
        if isinstance(p, Mapping) and p.get("tender")
    ]
    keep = tr(store.language, "请保留本小票")
    where = refund_destination(codes, store.language)
    return (f"{where}，{keep}",) if where else (keep,)


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
        sections=_no_receipt_section(payload, store.language)
        + _store_credit_section(payload, store.language),
        footer=_refund_footer(payload, store),
        qr_url=qr_url,
        qr_caption=store.caption,
        reprint_count=reprint_count,
    )


# The price rule a return without a receipt applied to a line (pos_app.domain.no_receipt)
NO_RECEIPT_RULES = {"lowest_90_days": "按近90天最低售价", "today_price": "按今日售价（含今日促销）"}


def _no_receipt_section(payload: Mapping[str, Any], lang: str) -> tuple[Section, ...]:
    """A return without a receipt (无小票退货) says, per line, which price it went back at."""
    nr = payload.get("no_receipt")
    if not isinstance(nr, Mapping):
        return ()
    names = {int(ln.get("line_no", 0)): str(ln.get("name", "")) for ln in payload["lines"]}
    rows = []
    for b in nr.get("lines") or []:
        rule = str(b.get("price_rule", ""))
        rows.append(
            (names.get(int(b.get("line_no", 0)), ""), tr(lang, NO_RECEIPT_RULES.get(rule, rule)))
        )
    return (Section(tr(lang, "无小票退货"), tuple(rows)),)


def _store_credit_section(payload: Mapping[str, Any], lang: str) -> tuple[Section, ...]:
    """A refund given as store credit (退至储值) prints whose card took it and the balance the
    cloud answered after the credit."""
    sc = payload.get("store_credit")
    if not isinstance(sc, Mapping):
        return ()
    kind = "refund"
    rows = [(tr(lang, "退至储值"), money(_int(sc, "amount_fen", kind)))]
    if sc.get("phone_masked"):
        rows.append((tr(lang, "会员手机"), str(sc["phone_masked"])))
    rows.append((tr(lang, "储值余额"), money(_int(sc, "balance_fen", kind))))
    return (Section(tr(lang, "退至储值"), tuple(rows)),)


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
