"""A parked sale (挂单) as JSON and back.

Everything the customer was promised survives parking and a till restart: the member, the
associate, the promotion engine's savings (coupon and points redemption included) and the
points preview.  Nothing is reserved with the cloud while a sale is parked (the coupon is
redeemed and stored value debited only at payment), so a parked sale holds no money.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pos_app.domain.pricing import Discount, DiscountKind
from pos_app.domain.promotions import Saving
from pos_app.domain.sale import Approval, Sale, SaleLine, VoidedLine
from pos_app.domain.sale_limits import DiscountLimits


def _disc(d: Discount | None) -> dict[str, Any] | None:
    return None if d is None else {"kind": d.kind.value, "value": d.value, "reason": d.reason}


def _undisc(d: dict[str, Any] | None) -> Discount | None:
    return None if d is None else Discount(DiscountKind(d["kind"]), int(d["value"]), d["reason"])


def sale_to_json(sale: Sale) -> dict[str, Any]:
    return {
        "id": sale.id,
        "cashier": sale.cashier,
        "started_at": sale.started_at.isoformat(),
        "member_id": sale.member_id,
        "member_phone_masked": sale.member_phone_masked,
        "associate": sale.associate,
        "order_discount": _disc(sale.order_discount),
        "savings": [s.as_dict() for s in sale.savings],
        "member_extra": dict(sale.member_extra),
        "approvals": [a.as_dict() for a in sale.approvals],
        "voided_lines": [v.as_dict() for v in sale.voided_lines],
        "lines": [
            {
                "line_no": ln.line_no,
                "sku": ln.sku,
                "name": ln.name,
                "qty": ln.qty,
                "unit_price_fen": ln.unit_price_fen,
                "list_price_fen": ln.list_price_fen,
                "category": ln.category,
                "vat_rate_bp": ln.vat_rate_bp,
                "barcode": ln.barcode,
                "style": ln.style,
                "colour": ln.colour,
                "size": ln.size,
                "discount": _disc(ln.discount),
            }
            for ln in sale.lines
        ],
    }


def sale_from_json(d: dict[str, Any], limits: DiscountLimits) -> Sale:
    sale = Sale(
        cashier=d["cashier"],
        cashier_roles=frozenset(),
        started_at=datetime.fromisoformat(d["started_at"]),
        id=d["id"],
        limits=limits,
        member_id=d.get("member_id"),
        member_phone_masked=d.get("member_phone_masked"),
        associate=d.get("associate"),
    )
    sale.order_discount = _undisc(d.get("order_discount"))
    sale.approvals = [Approval(**a) for a in d.get("approvals", [])]
    sale.voided_lines = [VoidedLine(**v) for v in d.get("voided_lines", [])]
    for x in d["lines"]:
        x = dict(x)
        disc = _undisc(x.pop("discount"))
        sale.lines.append(SaleLine(**x, discount=disc))
    # checked against the lines again: a saving can never exceed what is left on a line
    sale.apply_savings([Saving.from_dict(s) for s in d.get("savings", [])])
    sale.member_extra = dict(d.get("member_extra") or {})
    return sale
