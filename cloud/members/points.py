"""The cloud's points ledger: `points.earned` / `points.redeemed` booked once per event id.

A return settles points of the sale it returns (docs/members.md, "Returns"): the till sends
`points.redeemed` with `reason: "refund"` to take back points the sale earned and
`points.earned` with `reason: "refund"` to give back points the sale redeemed.  The cloud
keeps what each sale earned and redeemed (`points_by_sale`) and never lets its returns take
back more than it earned nor give back more than it redeemed, whatever a till sends; a clipped
event is flagged `points_return_excess` for the brand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..changelog import Publish
from ..common import _now_iso
from ..db import Tx
from .rows import canonical, flag, publish_member

# (event type, is a return) -> the row kind in points_by_sale, and the kind it is capped by
_SALE_KIND = {
    ("points.earned", False): ("earned", None),
    ("points.redeemed", False): ("redeemed", None),
    ("points.redeemed", True): ("taken_back", "earned"),
    ("points.earned", True): ("given_back", "redeemed"),
}


class Points:
    """Books points events in the ingest transaction."""

    def __init__(self, now: Callable[[], datetime], publish: Publish) -> None:
        self.now = now
        self.publish = publish

    def _by_sale(self, tx: Tx, sale_id: str, kind: str) -> int | None:
        row = tx.execute(
            "SELECT count(*), coalesce(sum(points), 0) FROM points_by_sale "
            "WHERE sale_id = ? AND kind = ?",
            (sale_id, kind),
        ).fetchone()
        return int(row[1]) if int(row[0]) else None

    def book(self, tx: Tx, event_id: str, kind: str, p: Mapping[str, Any], device_id: str) -> None:
        """`points.earned` / `points.redeemed` (a return's capped by its sale)."""
        mid = canonical(tx, str(p.get("member_id") or ""))
        pts = int(p.get("points", 0))
        if pts <= 0 or tx.execute("SELECT 1 FROM members WHERE id = ?", (mid,)).fetchone() is None:
            return
        if tx.execute(
            "SELECT 1 FROM points_ledger WHERE event_id = ? UNION ALL "
            "SELECT 1 FROM points_by_sale WHERE event_id = ?",
            (event_id, event_id),
        ).fetchone():
            return  # booked already (the ingest also drops a repeated event id)
        is_return = p.get("reason") == "refund"
        row_kind, cap_kind = _SALE_KIND[(kind, is_return)]
        sale_id = str(p.get("sale_id") or "")
        if cap_kind is not None and sale_id:
            sold = self._by_sale(tx, sale_id, cap_kind)
            if sold is not None:  # a sale from before this ledger kept per-sale points: as sent
                room = max(0, sold - (self._by_sale(tx, sale_id, row_kind) or 0))
                if pts > room:
                    flag(
                        tx,
                        _now_iso(self.now()),
                        mid,
                        "points_return_excess",
                        pts - room,
                        f"{kind} {pts} for a return of sale {sale_id}: only {room} left to "
                        f"{'take back' if row_kind == 'taken_back' else 'give back'}",
                        event_id,
                        device_id,
                    )
                    pts = room
        if sale_id:
            tx.execute(
                "INSERT INTO points_by_sale(event_id, sale_id, kind, points) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (event_id, sale_id, row_kind, pts),
            )
        if pts <= 0:
            return
        delta = pts if kind == "points.earned" else -pts
        tx.execute(
            "INSERT INTO points_ledger(member_id, delta, reason, event_id, device_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                mid,
                delta,
                f"{kind}:refund" if is_return else kind,
                event_id,
                device_id,
                _now_iso(self.now()),
            ),
        )
        tx.execute("UPDATE members SET points = points + ? WHERE id = ?", (delta, mid))
        bal = int(tx.execute("SELECT points FROM members WHERE id = ?", (mid,)).fetchone()[0])
        if bal < 0:
            flag(
                tx,
                _now_iso(self.now()),
                mid,
                "points_overdraft",
                -bal,
                f"points balance {bal} after {kind} {pts}",
                event_id,
                device_id,
            )
        publish_member(tx, self.publish, mid)
