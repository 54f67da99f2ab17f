"""A return of another store's receipt taken offline (issue 20), reconciled on ingest.

The till knew only what the e-receipt's token proves (store, till, receipt number, total and
the sale's digest) and took the whole receipt back, unreserved: its refund event is marked
`offline_other_store` (pos_app.domain.offline_returns) and names no sale id the cloud knows.
Here it is booked against the sale its token names, as a return of every line of it: a line
already refunded (or reserved) elsewhere goes past what was sold and is flagged to the
manager like two tills' over-refund (`guitai cloud returns conflicts`), never counted twice
(cloud/returns/ledger.py).  A sale the cloud does not have yet (its store still offline) is
never matched here: the refund waits in `return_offline_pending` and is booked when the sale
is ingested."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pos_app.domain.offline_returns import PAYLOAD_KEY

from ..common import _dump
from ..db import Tx


def mark_of(p: Mapping[str, Any]) -> Mapping[str, Any] | None:
    mark = p.get(PAYLOAD_KEY)
    return mark if isinstance(mark, Mapping) else None


def as_booked(tx: Tx, p: Mapping[str, Any], at: str) -> Mapping[str, Any] | None:
    """The refund as the ledger books it (its own sale's id and lines), or None when the
    sale is not here yet (kept until it is)."""
    mark = mark_of(p)
    if mark is None:
        return p
    found = _sale(tx, mark)
    if found is None:
        tx.execute(
            "INSERT INTO return_offline_pending(refund_id, store_id, till_no, receipt_no, "
            "digest, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                str(p.get("refund_id", "")),
                str(mark.get("store_id", "")),
                int(mark.get("till_no") or 0),
                int(mark.get("receipt_no") or 0),
                str(mark.get("digest", "")).lower(),
                _dump(dict(p)),
                at,
            ),
        )
        return None
    sale_id, record = found
    lines = [{"line_no": int(ln["line_no"]), "qty": int(ln["qty"])} for ln in record["lines"]]
    return dict(p, original_sale_id=sale_id, lines=lines)


def _sale(tx: Tx, mark: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    rows = tx.execute(
        "SELECT sale_id, record FROM return_sales WHERE store_id = ? AND till_no = ? "
        "AND receipt_no = ?",
        (
            str(mark.get("store_id", "")),
            int(mark.get("till_no") or 0),
            int(mark.get("receipt_no") or 0),
        ),
    ).fetchall()
    digest = str(mark.get("digest", "")).lower()
    for sale_id, text in rows:
        record: dict[str, Any] = json.loads(text)
        if str(record.get("digest", "")).lower() == digest:  # the token's sale, not a namesake
            return str(sale_id), record
    return None


def waiting_for(tx: Tx, sales: list[tuple[str, int, int]]) -> list[dict[str, Any]]:
    """The offline refunds that waited for these (store, till, receipt) sales, taken off the
    pending list (booked now).  One read per store of the batch, not per sale."""
    wanted = set(sales)
    out: list[dict[str, Any]] = []
    for store_id in sorted({s for s, _, _ in wanted}):
        rows = tx.execute(
            "SELECT refund_id, till_no, receipt_no, payload FROM return_offline_pending "
            "WHERE store_id = ? ORDER BY at, refund_id",
            (store_id,),
        ).fetchall()
        for refund_id, till_no, receipt_no, text in rows:
            if (store_id, int(till_no), int(receipt_no)) in wanted:
                tx.execute("DELETE FROM return_offline_pending WHERE refund_id = ?", (refund_id,))
                out.append(json.loads(text))
    return out
