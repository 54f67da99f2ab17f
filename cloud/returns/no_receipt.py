"""Returns without a receipt across the chain (issue 20).

The brand caps how many returns without a receipt a member makes in 30 days
(`no_receipt_limit` in the return rules); a till sees only its own.  Each ingested refund
marked `no_receipt` that names the member's phone key (a hash: the cloud never gets the
phone) is noted here in the push transaction, and `GET /v1/returns/no-receipt-count` answers
which of them a member made since a moment, at every store."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ..db import Tx

LIMIT_DAYS = 30  # the brand's cap counts the last 30 days (pos_app.domain.no_receipt)
PHONE_KEY = re.compile(r"[0-9a-f]{16}")


def note(tx: Tx, refunds: Iterable[Mapping[str, Any]]) -> None:
    """Inside the push transaction: the batch's refunds without a receipt, by phone key."""
    rows = []
    for p in refunds:
        mark = p.get("no_receipt")
        key = mark.get("phone_key") if isinstance(mark, Mapping) else None
        if key and p.get("refund_id"):
            rows.append(
                (
                    str(p["refund_id"]),
                    str(key),
                    str(p.get("store_id") or ""),
                    int(p.get("till_no") or 0),
                    str(p.get("completed_at") or ""),
                )
            )
    if rows:
        tx.executemany(
            "INSERT INTO returns_no_receipt(refund_id, phone_key, store_id, till_no, "
            "completed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            rows,
        )


def default_since(now: datetime) -> str:
    return (now - timedelta(days=LIMIT_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")


def made_since(tx: Tx, phone_key: str, since: str) -> dict[str, Any]:
    """The member's returns without a receipt completed at or after `since` (RFC 3339 UTC,
    as the refunds carry it), at every store: their count and refund ids (a till adds its
    own not yet synced to them, without counting one twice)."""
    ids = [
        str(r[0])
        for r in tx.execute(
            "SELECT refund_id FROM returns_no_receipt WHERE phone_key = ? AND completed_at >= ? "
            "ORDER BY completed_at, refund_id",
            (phone_key, since),
        ).fetchall()
    ]
    return {"phone_key": phone_key, "since": since, "count": len(ids), "refund_ids": ids}
