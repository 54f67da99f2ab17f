"""A synced sale's refunds, from any till: what was returned of it (points to take back, what
is left to return on its voucher)."""

from __future__ import annotations

import json
from typing import Any

from ..db import Tx


def refunds_of(tx: Tx, sale_id: str) -> list[dict[str, Any]]:
    """The accepted refund.completed payloads that name `sale_id` as their original sale.

    Payloads are stored as canonical JSON (sorted keys, no spaces): the LIKE narrows the scan
    to candidates and the parsed payload decides."""
    rows = tx.execute(
        "SELECT payload FROM events WHERE type = 'refund.completed' AND status = 'accepted' "
        "AND payload LIKE ?",
        (f'%"original_sale_id":"{sale_id}"%',),
    ).fetchall()
    found = [json.loads(r[0]) for r in rows]
    return [p for p in found if p.get("original_sale_id") == sale_id]


def returned_qty(refunds: list[dict[str, Any]]) -> dict[int, int]:
    """Units returned so far per line number of the original sale."""
    back: dict[int, int] = {}
    for p in refunds:
        for ln in p.get("lines", []):
            if isinstance(ln.get("line_no"), int) and isinstance(ln.get("qty"), int):
                back[ln["line_no"]] = back.get(ln["line_no"], 0) + abs(ln["qty"])
    return back
