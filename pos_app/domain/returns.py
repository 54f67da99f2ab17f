"""Returns against an original sale: partial by line and quantity, never more than was sold
minus what was already returned, at the price the customer actually paid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput, NotFound, RuleViolation
from .money import div_round_half_up, format_fen
from .pricing import vat_breakdown
from .return_rules import STORE_CREDIT
from .sale_limits import TOKEN_MAX_FEN
from .tenders import Tender


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    line_no: int
    qty: int


def refundable_amount(line: Mapping[str, Any], returned_before: int, qty: int) -> int:
    """What `qty` more units of a line are worth, given `returned_before` already returned.

    Per-unit amounts are rounded so that returning every unit, in any number of steps, gives
    back exactly the line's amount, never a fen more.
    """
    amount = int(line["amount_fen"])
    sold = int(line["qty"])
    upto = div_round_half_up(amount * (returned_before + qty), sold)
    before = div_round_half_up(amount * returned_before, sold)
    return upto - before


def plan_refund_lines(
    original: Mapping[str, Any],
    returned: Mapping[int, int],
    requests: list[ReturnRequest] | None,
) -> list[dict[str, Any]]:
    """Refund lines for the requested (line_no, qty); None means everything still returnable."""
    lines = {int(ln["line_no"]): ln for ln in original["lines"]}
    if requests is None:
        requests = [
            ReturnRequest(no, int(ln["qty"]) - returned.get(no, 0))
            for no, ln in lines.items()
            if int(ln["qty"]) - returned.get(no, 0) > 0
        ]
        if not requests:
            raise RuleViolation(
                f"Everything on receipt {original['receipt_no']} has already been returned",
                f"小票 {original['receipt_no']} 的商品已全部退货",
            )
    seen: set[int] = set()
    out: list[dict[str, Any]] = []
    for req in requests:
        if req.line_no in seen:
            raise InvalidInput(f"Line {req.line_no} is named twice", f"第 {req.line_no} 行重复")
        seen.add(req.line_no)
        ln = lines.get(req.line_no)
        if ln is None:
            raise NotFound(
                f"Receipt {original['receipt_no']} has no line {req.line_no}",
                f"小票 {original['receipt_no']} 没有第 {req.line_no} 行",
            )
        if req.qty < 1:
            raise InvalidInput("Return at least one item per line", "每行至少退 1 件")
        left = int(ln["qty"]) - returned.get(req.line_no, 0)
        if req.qty > left:
            raise RuleViolation(
                f"Line {req.line_no} ({ln['name']}): only {left} of {ln['qty']} can still be "
                f"returned, you asked for {req.qty}",
                f"第 {req.line_no} 行（{ln['name']}）最多还能退 {left} 件，您要退 {req.qty} 件",
            )
        out.append(
            {
                "line_no": req.line_no,
                "sku": ln["sku"],
                "name": ln["name"],
                "qty": req.qty,
                "unit_price_fen": ln["unit_price_fen"],
                "amount_fen": refundable_amount(ln, returned.get(req.line_no, 0), req.qty),
                "vat_rate_bp": ln["vat_rate_bp"],
                "category": ln.get("category", ""),
            }
        )
    total = sum(int(x["amount_fen"]) for x in out)
    if total > TOKEN_MAX_FEN:  # only a sale committed before sales had a limit can be this big
        raise RuleViolation(
            f"A refund of ¥{format_fen(total)} is more than one receipt can hold: return the "
            "lines in several refunds (--line N=QTY)",
            f"退款 ¥{format_fen(total)} 超过单张小票的上限：请分几次退货（--line 行号=数量）",
        )
    return out


def refund_tenders(
    original: Mapping[str, Any],
    refunded_by_tender: Mapping[str, int],
    amount_fen: int,
    mode: str,
) -> list[dict[str, Any]]:
    """How a refund of amount_fen (positive) goes back: to cash, or to the original tenders.

    "original" pays back non-cash tenders first (they cannot give change), each up to what it
    took minus what was already refunded to it, and the rest in cash.
    """
    if mode == "cash":
        return [{"tender": Tender.CASH.value, "amount_fen": -amount_fen, "change_fen": 0}]
    if mode == STORE_CREDIT:  # onto a member's stored value (the member side books it)
        return [{"tender": Tender.STORE_CREDIT.value, "amount_fen": -amount_fen, "change_fen": 0}]
    if mode != "original":
        raise InvalidInput(
            f"Refund to “{mode}”? Use cash, original or store-credit",
            f"退款方式“{mode}”无效：请用 cash、original 或 store-credit",
        )
    paid: dict[str, int] = {}
    refs: dict[str, str | None] = {}
    for p in original["payments"]:
        t = str(p["tender"])
        if t == Tender.EXCHANGE.value:  # goods an exchange took back paid it: that goes in cash
            t = Tender.CASH.value
        paid[t] = paid.get(t, 0) + int(p["amount_fen"]) - int(p.get("change_fen", 0))
        refs.setdefault(t, p.get("reference"))
    order = sorted(paid, key=lambda t: (t == Tender.CASH.value, t))
    left = amount_fen
    out: list[dict[str, Any]] = []
    for t in order:
        room = paid[t] - refunded_by_tender.get(t, 0)
        take = min(room, left)
        if take > 0:
            d: dict[str, Any] = {"tender": t, "amount_fen": -take, "change_fen": 0}
            if refs.get(t):
                d["reference"] = refs[t]
            out.append(d)
            left -= take
    if left > 0:
        raise RuleViolation(
            f"¥{format_fen(left)} more than was paid would be refunded",
            f"退款金额超出原付款 ¥{format_fen(left)}",
        )
    return out


def refund_payload(
    *,
    refund_id: str,
    original: Mapping[str, Any],
    lines: list[dict[str, Any]],
    payments: list[dict[str, Any]],
    receipt_no: int,
    completed_at: str,
    business_day: str,
    shift_id: int,
    cashier: str,
    reason: str,
    approvals: list[dict[str, str]],
) -> dict[str, Any]:
    total = -sum(int(ln["amount_fen"]) for ln in lines)
    if sum(int(p["amount_fen"]) for p in payments) != total:
        raise RuleViolation(
            "Refund tenders do not add up to the refund", "退款方式合计与退款金额不符"
        )
    return {
        "refund_id": refund_id,
        "original_sale_id": original["sale_id"],
        "original_receipt_no": original["receipt_no"],
        "store_id": original["store_id"],
        "till_no": original["till_no"],
        "receipt_no": receipt_no,
        "completed_at": completed_at,
        "business_day": business_day,
        "shift_id": shift_id,
        "currency": "CNY",
        "cashier": cashier,
        "reason": reason,
        "lines": lines,
        "total_fen": total,
        "vat": [
            {"rate_bp": v.rate_bp, "gross_fen": -v.gross_fen, "vat_fen": -v.vat_fen}
            for v in vat_breakdown((int(ln["vat_rate_bp"]), int(ln["amount_fen"])) for ln in lines)
        ],
        "payments": payments,
        "approvals": approvals,
    }
