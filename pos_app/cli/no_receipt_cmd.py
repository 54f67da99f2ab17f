"""`guitai return --no-receipt --scan CODE …` (issue 20): goods brought back without a receipt,
at the lowest price of the last 90 days, a manager approving with a reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_app.domain.commands import RefundWithoutReceipt
from pos_app.domain.errors import InvalidInput
from pos_app.domain.no_receipt import RULE_TEXT
from pos_app.domain.users import User
from pos_app.services.members.no_receipt_price import today_price

from .store_credit import credit_recipient

if TYPE_CHECKING:
    from pos_app.bootstrap import App
    from pos_app.domain.sale import Approval


def refund_without_receipt(
    till: App,
    cashier: User,
    codes: tuple[str, ...],
    *,
    mode: str,
    reason: str,
    approvals: list[Approval],
    phone: str | None,
    consent: bool,
) -> tuple[dict[str, Any], bool | None]:
    """(the refund's payload, whether store credit enrolled its member; None: no credit)."""
    recipient, enrolled = credit_recipient(till, mode, phone if mode != "cash" else None, consent)
    members = till.members()
    payload = till.checkout.refund_without_receipt(
        RefundWithoutReceipt(
            cashier,
            codes,
            mode,
            reason,
            tuple(approvals),
            phone=phone,
            credit_to=recipient.id if recipient is not None else None,
        ),
        today_price(members.pricing),
        members.returns,
    )
    return payload, (enrolled if recipient is not None else None)


def refuse_receipt_flags(given: list[str]) -> None:
    if given:
        raise InvalidInput(
            f"--no-receipt takes the scanned goods (--scan CODE), not {', '.join(given)}",
            f"无小票退货只需扫描商品（--scan 条码），不能同时使用 {'、'.join(given)}",
        )


def rule_texts(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Per line, which price rule applied, in both languages (the JSON's `no_receipt.lines`)."""
    out = []
    for b in (payload.get("no_receipt") or {}).get("lines", []):
        en, zh = RULE_TEXT[str(b["price_rule"])]
        out.append(dict(b, price_rule_text=en, price_rule_text_zh=zh))
    return out
