"""The stored-value top-up receipt (储值充值凭证, issue 23): its own document, numbered in the
top-ups' own sequence, with the amount paid, the bonus the brand's rule gave, the tender (the
wallet's name and the acquirer's transaction number, for a dispute) and the new balances, and
a signed QR (token version 3, receipts.token)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .document import is_unionpay
from .labels import tr
from .model import (
    TENDER_LABELS,
    MemberBlock,
    ReceiptDocument,
    Section,
    StoreInfo,
    local_time_text,
    money,
)

TITLE = "储值充值"


def tender_text(tender: str, payment: Mapping[str, Any] | None, lang: str) -> str:
    """银联卡 尾号8599, 微信支付, 现金: the tender as a Chinese receipt names it (only a card's
    last four digits ever reach paper)."""
    if tender == "none":
        return tr(lang, "云端充值")
    label = tr(lang, TENDER_LABELS.get(tender, tender))
    if tender != "card" or not payment:
        return label
    if is_unionpay(str(payment.get("card_type") or "")):
        label = tr(lang, "银联卡")
    digits = "".join(ch for ch in str(payment.get("masked_pan") or "") if ch.isdigit())
    return f"{label} {tr(lang, '尾号')}{digits[-4:]}" if len(digits) >= 4 else label


def from_topup_payload(
    p: Mapping[str, Any], *, store: StoreInfo, qr_url: str | None = None, reprint_count: int = 0
) -> ReceiptDocument:
    lang = store.language
    payment = p.get("payment") if isinstance(p.get("payment"), Mapping) else None
    rows: list[tuple[str, str]] = [(tr(lang, "充值金额"), money(int(p["paid_fen"])))]
    if int(p.get("bonus_fen") or 0):
        rows.append((tr(lang, "赠送金额"), money(int(p["bonus_fen"]))))
        if p.get("rule_name"):
            rows.append((f"  {p['rule_name']}", ""))
    rows.append((tender_text(str(p["tender"]), payment, lang), money(int(p["paid_fen"]))))
    if payment and payment.get("provider_ref"):
        rows.append((tr(lang, "交易单号"), ""))
        rows.append((f"  {payment['provider_ref']}", ""))
    balances = [
        (tr(lang, "储值余额"), money(int(p["balance_fen"]))),
        (tr(lang, "其中赠送"), money(int(p.get("bonus_balance_fen") or 0))),
    ]
    return ReceiptDocument(
        kind="topup",
        title=tr(lang, TITLE),
        store=store,
        till_no=p.get("till_no"),
        cashier=str(p.get("cashier") or ""),
        time_text=local_time_text(str(p["completed_at"]), store.timezone),
        total_fen=int(p["paid_fen"]),
        member=MemberBlock(phone_masked=str(p.get("phone_masked") or ""), tier=""),
        sections=(Section("", tuple(rows), fit=True), Section("", tuple(balances), fit=True)),
        footer=(tr(lang, "赠送金额后于充值本金使用，退充值时先扣回"),),
        qr_url=qr_url,
        qr_caption=tr(lang, "充值凭证 请妥善保管") if qr_url else "",
        reprint_count=reprint_count,
        meta={tr(lang, "充值单号"): f"{int(p['topup_no']):06d}"},
    )


REFUND_TITLE = "储值退款"


def from_topup_refund_payload(
    r: Mapping[str, Any], *, store: StoreInfo, reprint_count: int = 0
) -> ReceiptDocument:
    """The refund of (part of) a top-up: what went back by which tender (the same wallet or
    card, 原路退回), the bonus forfeited first and the balances after.  No QR: a refund of a
    top-up is looked up by its top-up's number, printed here."""
    lang = store.language
    tender = str(r["tender"])
    rows: list[tuple[str, str]] = [(tr(lang, "退款金额"), money(int(r["amount_fen"])))]
    if int(r.get("forfeited_bonus_fen") or 0):
        rows.append((tr(lang, "扣回赠送"), money(int(r["forfeited_bonus_fen"]))))
    back = tender_text(tender, None, lang)
    if tender != "cash":
        back = f"{back} {tr(lang, '原路退回')}"
    rows.append((back, money(int(r["amount_fen"]))))
    if r.get("provider_ref"):
        rows.append((tr(lang, "交易单号"), ""))
        rows.append((f"  {r['provider_ref']}", ""))
    balances = [
        (tr(lang, "储值余额"), money(int(r["balance_fen"]))),
        (tr(lang, "其中赠送"), money(int(r.get("bonus_balance_fen") or 0))),
    ]
    return ReceiptDocument(
        kind="topup_refund",
        title=tr(lang, REFUND_TITLE),
        store=store,
        till_no=r.get("till_no"),
        cashier=str(r.get("cashier") or ""),
        time_text=local_time_text(str(r["at"]), store.timezone),
        total_fen=-int(r["amount_fen"]),
        member=None,
        sections=(Section("", tuple(rows), fit=True), Section("", tuple(balances), fit=True)),
        footer=(),
        qr_url=None,
        reprint_count=reprint_count,
        meta={tr(lang, "充值单号"): f"{int(r['topup_no']):06d}"},
    )
