"""The receipt as plain text for the terminal (replaced by receipts.render_text on merge)."""

from __future__ import annotations

from typing import Any

from pos_app.domain.money import format_fen


def receipt_text(till: Any, p: dict[str, Any]) -> str:
    ident = till.identity
    refund = "refund_id" in p
    out = [
        ident.store_name,
        f"{'退货单 REFUND' if refund else '销售单 SALE'}  #{p['receipt_no']}",
        f"till {ident.till_no}  {p['completed_at']}  {p['cashier']}",
    ]
    for ln in p["lines"]:
        out.append(
            f"{ln['name']}  {ln['qty']} x {format_fen(ln['unit_price_fen'])}"
            f"  = {format_fen(ln['amount_fen'])}"
        )
    out.append(f"TOTAL {format_fen(p['total_fen'])}")
    for pay in p["payments"]:
        out.append(
            f"{pay['tender']} {format_fen(pay['amount_fen'])}"
            + (f" change {format_fen(pay['change_fen'])}" if pay.get("change_fen") else "")
        )
    return "\n".join(out)
