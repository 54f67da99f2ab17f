"""The single view of a member across the chain (issue 21, 普丘's single customer view): what
a till shows when a member is attached, from every store's synced purchases.

Sizes and categories count what was sold less what came back; `lapsed` is a member whose
last purchase is at least `lapsed_days` old (the brand's loyalty config, default 180).  The
tier comes with the next tier up and the net spend it took in the last recompute."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pos_app.domain.timeutil import iso_utc, parse_iso

from ..common import ApiError
from ..db import CloudDB, Tx
from ..tiers.recompute import Tiers
from .rows import full_member

RECENT = 20  # purchases listed (the totals count them all)
DEFAULT_LAPSED_DAYS = 180


class ChainView:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], tiers: Tiers) -> None:
        self.db = db
        self.now = now
        self.tiers = tiers

    def by_phone(self, phone: str) -> dict[str, Any]:
        with self.db.tx() as tx:
            row = tx.execute("SELECT id FROM members WHERE phone = ?", (phone,)).fetchone()
            if row is None:
                raise ApiError(404, "unknown_member", f"No member with phone {phone}")
            return self._view(tx, str(row[0]))

    def _view(self, tx: Tx, mid: str) -> dict[str, Any]:
        now = self.now()
        member = full_member(tx, mid)
        rows = tx.execute(
            "SELECT p.store_id, s.name, p.till_no, p.kind, p.receipt_no, p.total_fen, "
            "p.items, p.at FROM member_purchases p LEFT JOIN stores s ON s.store_id = p.store_id "
            "WHERE p.member_id = ? ORDER BY p.at DESC, p.event_id DESC",
            (mid,),
        ).fetchall()
        sizes: Counter[str] = Counter()
        cats: Counter[str] = Counter()
        stores: dict[str, dict[str, Any]] = {}
        purchases: list[dict[str, Any]] = []
        for store_id, store_name, till_no, kind, receipt_no, total, items_json, at in rows:
            sale = kind == "sale.completed"
            items = json.loads(items_json or "[]")
            sign = 1 if sale else -1
            for it in items:
                qty = abs(int(it.get("qty") or 0))
                if it.get("size"):
                    sizes[str(it["size"])] += sign * qty
                if it.get("category"):
                    cats[str(it["category"])] += sign * abs(int(it.get("amount_fen") or 0))
            st = stores.setdefault(
                str(store_id or ""),
                {"store_id": store_id, "name": store_name or "", "visits": 0, "net_fen": 0},
            )
            st["visits"] += 1 if sale else 0
            st["net_fen"] += int(total)
            if len(purchases) < RECENT:
                purchases.append(
                    {
                        "at": at,
                        "kind": "sale" if sale else "refund",
                        "store_id": store_id,
                        "store_name": store_name or "",
                        "till_no": till_no,
                        "receipt_no": receipt_no,
                        "total_fen": int(total),
                        "items": [str(it.get("name") or it.get("sku") or "") for it in items],
                    }
                )
        last = next((r for r in rows if r[3] == "sale.completed"), None)
        lapsed_days = self._lapsed_days(tx)
        days_since = (now - parse_iso(last[7])).days if last else None
        return {
            "member_id": mid,
            "phone": member["phone"],
            "name": member["name"],
            "tier": member["tier"],
            "next_tier": self._next_tier(tx, mid, member["tier"]),
            "points": member["points"],
            "stored_value_fen": member["stored_value_fen"],
            "associate": member["associate"],
            "lifetime_spend_fen": sum(int(r[5]) for r in rows),
            "visits": sum(1 for r in rows if r[3] == "sale.completed"),
            "last_visit": None
            if last is None
            else {"at": last[7], "store_id": last[0], "store_name": last[1] or ""},
            "days_since_last_visit": days_since,
            "lapsed": days_since is not None and days_since >= lapsed_days,
            "lapsed_days": lapsed_days,
            "stores": sorted(stores.values(), key=lambda s: (-s["net_fen"], str(s["store_id"]))),
            "sizes": [
                {"size": k, "qty": v}
                for k, v in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
                if v > 0
            ],
            "favourite_categories": [
                {"category": k, "net_fen": v}
                for k, v in sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
                if v > 0
            ],
            "purchases": purchases,
            "open_coupons": self._open_coupons(tx, mid, now),
            "as_of": iso_utc(now),
        }

    def _next_tier(self, tx: Tx, mid: str, tier: str) -> dict[str, Any] | None:
        th = self.tiers.last_thresholds(tx)
        nxt = th.next_tier(tier) if th else None
        if nxt is None:
            return None
        spend = self.tiers.spend(tx, mid, self.tiers.policy(tx))
        return {
            "tier": nxt[0],
            "threshold_fen": nxt[1],
            "spend_fen": spend,
            "to_go_fen": max(0, nxt[1] - spend),
        }

    def _lapsed_days(self, tx: Tx) -> int:
        row = tx.execute("SELECT value FROM config WHERE key = 'loyalty'").fetchone()
        try:
            d = json.loads(row[0]) if row else {}
            return int(d.get("lapsed_days", DEFAULT_LAPSED_DAYS))
        except (ValueError, TypeError, AttributeError):
            return DEFAULT_LAPSED_DAYS

    def _open_coupons(self, tx: Tx, mid: str, now: datetime) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        # coupons' data is canonical JSON (common._dump): the member's id appears verbatim
        like = '%"member_id":' + json.dumps(mid, ensure_ascii=False) + "%"
        for code, data in tx.execute(
            "SELECT code, data FROM coupons WHERE data LIKE ? ORDER BY code", (like,)
        ).fetchall():
            d = json.loads(data)
            if d.get("member_id") != mid or d.get("redeemed"):
                continue
            expires = d.get("expires_at") or (
                f"{d['expires']}T23:59:59+08:00" if d.get("expires") else None
            )
            if expires and parse_iso(expires) <= now:
                continue
            if d.get("kind") == "count" and int(d.get("uses", 1)) < 1:
                continue
            out.append({"code": code, **d})
        return out
