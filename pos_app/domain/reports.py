"""X and Z reports (交班 / 日结) assembled from aggregate rows.  Pure: the adapter supplies
the figures, this module gives them shape and derives expected cash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .pricing import vat_contained
from .timeutil import local_hour


def _cashier(d: dict[str, dict[str, int]], name: str) -> dict[str, int]:
    return d.setdefault(
        name,
        {
            "sales": 0,
            "sales_fen": 0,
            "discounts_fen": 0,
            "returns": 0,
            "returns_fen": 0,
            "voided_lines": 0,
            "voided_lines_fen": 0,
            "voided_sales": 0,
            "voided_sales_fen": 0,
            "no_sale_opens": 0,
            "pay_in_fen": 0,
            "pay_out_fen": 0,
        },
    )


def build_shift_report(
    kind: str,
    shift: Mapping[str, Any],
    figures: Mapping[str, Any],
    *,
    generated_at: str,
    store: Mapping[str, Any],
    tz: str,
    counted_fen: int | None = None,
    z_no: int | None = None,
    closed_by: str | None = None,
) -> dict[str, Any]:
    sales = {"count": 0, "total_fen": 0, "discounts_fen": 0}
    refunds = {"count": 0, "total_fen": 0}
    for k, count, total, disc, _first, _last in figures["by_kind"]:
        if k == "sale":
            sales = {"count": count, "total_fen": total, "discounts_fen": disc}
        else:
            refunds = {"count": count, "total_fen": total}
    tenders: dict[str, dict[str, int]] = {}
    for tender, k, count, net in figures["by_tender"]:
        t = tenders.setdefault(tender, {"sales_fen": 0, "refunds_fen": 0, "net_fen": 0, "count": 0})
        t["sales_fen" if k == "sale" else "refunds_fen"] += net
        t["net_fen"] += net
        t["count"] += count
    vat = [
        {"rate_bp": r, "gross_fen": g, "vat_fen": vat_contained(g, r)}
        for r, g in sorted(figures["by_vat"])
    ]
    cashiers: dict[str, dict[str, int]] = {}
    for name, k, count, total, disc in figures["by_cashier"]:
        c = _cashier(cashiers, name)
        if k == "sale":
            c["sales"] += count
            c["sales_fen"] += total
            c["discounts_fen"] += disc
        else:
            c["returns"] += count
            c["returns_fen"] += total
    for name, k, count, qty, amount in figures["voids"]:
        c = _cashier(cashiers, name)
        if k == "line":
            c["voided_lines"] += qty
            c["voided_lines_fen"] += amount
        else:
            c["voided_sales"] += count
            c["voided_sales_fen"] += amount
    moves = {"pay_in": 0, "pay_out": 0, "no_sale": 0}
    for user, k, count, amount in figures["cash_moves"]:
        c = _cashier(cashiers, user)
        if k == "no_sale":
            c["no_sale_opens"] += count
            moves["no_sale"] += count
        else:
            c[f"{k}_fen"] += amount
            moves[k] += amount
    hours: dict[str, dict[str, int]] = {}
    # One conversion per UTC minute, not per sale (a busy day has thousands of sales in a few
    # hundred minutes); whole minutes keep it right for zones offset by :30 or :45.
    hour_of: dict[str, str] = {}
    for completed_at, total in figures["times"]:
        minute = completed_at[:16] if completed_at.endswith("Z") else completed_at
        label = hour_of.get(minute)
        if label is None:
            label = hour_of[minute] = f"{local_hour(completed_at, tz):02d}"
        h = hours.setdefault(label, {"count": 0, "net_fen": 0})
        h["count"] += 1
        h["net_fen"] += total
    categories = {cat or "-": {"qty": q, "net_fen": n} for cat, q, n in figures["by_category"]}
    cash_net = tenders.get("cash", {}).get("net_fen", 0)
    expected = int(shift["float_fen"]) + cash_net + moves["pay_in"] - moves["pay_out"]
    first, last = figures["receipts"]
    report: dict[str, Any] = {
        "kind": kind,
        "store_id": store.get("store_id"),
        "store_name": store.get("store_name"),
        "till_no": store.get("till_no"),
        "shift_id": shift["id"],
        "business_day": shift["business_day"],
        "opened_at": shift["opened_at"],
        "opened_by": shift["opened_by"],
        "generated_at": generated_at,
        "z_no": z_no,
        "closed_by": closed_by,
        "first_receipt_no": first,
        "last_receipt_no": last,
        "sales": sales,
        "refunds": refunds,
        "net_fen": sales["total_fen"] + refunds["total_fen"],
        "by_tender": dict(sorted(tenders.items())),
        "by_vat": vat,
        "by_cashier": dict(sorted(cashiers.items())),
        "by_hour": dict(sorted(hours.items())),
        "by_category": dict(sorted(categories.items())),
        "cash": {
            "float_fen": int(shift["float_fen"]),
            "cash_net_fen": cash_net,
            "pay_in_fen": moves["pay_in"],
            "pay_out_fen": moves["pay_out"],
            "no_sale_opens": moves["no_sale"],
            "expected_fen": expected,
            "counted_fen": counted_fen,
            "difference_fen": None if counted_fen is None else counted_fen - expected,
        },
        "grand_total_fen": figures["grand_total"][0],
        "grand_total_abs_fen": figures["grand_total"][1],
    }
    associates: dict[str, dict[str, int]] = {}
    for who, k, count, total in figures.get("by_associate", []):
        d = associates.setdefault(
            who, {"sales": 0, "sales_fen": 0, "refunds": 0, "refunds_fen": 0, "net_fen": 0}
        )
        if k == "sale":
            d["sales"], d["sales_fen"] = count, total
        else:
            d["refunds"], d["refunds_fen"] = count, total
        d["net_fen"] = d["sales_fen"] + d["refunds_fen"]
    if associates:  # sales credited to sales associates (导购)
        report["by_associate"] = dict(sorted(associates.items()))
    return report
