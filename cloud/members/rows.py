"""What every part of the cloud's member ledger shares: alias resolution, the member row a
till pulls, reconciliation flags and the funnel's counters (functions on a transaction)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..changelog import Publish
from ..common import ApiError
from ..db import Tx


def canonical(tx: Tx, member_id: str) -> str:
    """The member an id stands for now (a till's id may have been merged into another)."""
    row = tx.execute(
        "SELECT member_id FROM member_aliases WHERE alias_id = ?", (member_id,)
    ).fetchone()
    return str(row[0]) if row else member_id


def member_data(tx: Tx, member_id: str) -> dict[str, Any]:
    """The member as the sync protocol describes it (balances included)."""
    row = tx.execute(
        "SELECT id, phone, name, tier, points, created_at FROM members WHERE id = ?",
        (member_id,),
    ).fetchone()
    if row is None:
        raise ApiError(404, "unknown_member", f"No member {member_id}")
    bal = tx.execute(
        "SELECT COALESCE(SUM(delta_fen), 0) FROM stored_value_ledger WHERE member_id = ?",
        (member_id,),
    ).fetchone()[0]
    return {
        "id": row[0],
        "phone": row[1],
        "name": row[2],
        "tier": row[3],
        "points": int(row[4]),
        "stored_value_fen": int(bal),
        "created_at": row[5],
    }


def full_member(tx: Tx, member_id: str) -> dict[str, Any]:
    """What a till pulls about a member: the protocol's fields and the CRM's extras."""
    data = member_data(tx, member_id)
    row = tx.execute("SELECT data FROM members WHERE id = ?", (member_id,)).fetchone()
    extra = json.loads(row[0] or "{}") if row else {}
    tags = extra.get("tags") or []
    return data | {
        "birthday": extra.get("birthday"),
        "consent_at": extra.get("consent_at"),
        "associate": extra.get("associate"),
        "tags": ",".join(tags) if isinstance(tags, list) else str(tags),
    }


def publish_member(tx: Tx, publish: Publish, member_id: str) -> None:
    publish(tx, "member", "upsert", member_id, full_member(tx, member_id))


def flag(
    tx: Tx,
    at: str,
    member_id: str | None,
    kind: str,
    amount: int,
    detail: str,
    event_id: str,
    device_id: str,
) -> None:
    """A reconciliation flag the brand follows up (overdrafts, overused coupons …)."""
    tx.execute(
        "INSERT INTO member_flags(member_id, kind, amount, detail, event_id, device_id, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (member_id, kind, amount, detail, event_id, device_id, at),
    )


def count(tx: Tx, store_id: str, associate: str, kind: str, n: int = 1) -> None:
    """One more of a funnel counter (receipts printed, opens, follows, joins)."""
    tx.execute(
        "INSERT INTO funnel(store_id, associate, kind, n) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(store_id, associate, kind) DO UPDATE SET n = funnel.n + excluded.n",
        (store_id, associate, kind, n),
    )


def shape_full_member(r: Sequence[Any]) -> dict[str, Any]:
    """full_member from one row of (id, phone, name, tier, points, created_at, data,
    stored value balance): a query that reads many members at once shapes them alike."""
    extra = json.loads(r[6] or "{}")
    tags = extra.get("tags") or []
    return {
        "id": r[0],
        "phone": r[1],
        "name": r[2],
        "tier": r[3],
        "points": int(r[4]),
        "stored_value_fen": int(r[7]),
        "created_at": r[5],
        "birthday": extra.get("birthday"),
        "consent_at": extra.get("consent_at"),
        "associate": extra.get("associate"),
        "tags": ",".join(tags) if isinstance(tags, list) else str(tags),
    }
