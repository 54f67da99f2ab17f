"""补积分: a receipt's points for the member who joined (or signed in) from its page.

A claim is one row per receipt (`<device id>:<receipt no>`, the primary key): the first
member to claim a receipt holds it, any later claim is answered with 0 points.  It is
credited exactly once: at the claim when the sale has synced, else when it arrives (the
ingest calls `on_ingest` in its own transaction).  Never credited for a sale that carried a
member at the till (its points went to that member), a sale already refunded, or a synced
sale that is not the one the token names (altered).  A refund that arrives after the credit
takes back the refunded share (loyalty.points_settled_by_returns), as the till does for a
member's own sale.

The points are the till's rule for the sale's lines (loyalty.points_earned, the brand's
`loyalty_rules` config, the member's tier), booked in points_ledger with the event id
`claim:<receipt key>` and in points_by_sale as what the sale earned (so returns are capped by
it like any other sale's)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pos_app.domain.loyalty import (
    LoyaltyRules,
    points_earned,
    points_settled_by_returns,
    refunded_value,
)
from receipts.token import decode_token

from ..changelog import Publish
from ..common import _dump, _now_iso
from ..db import Tx
from .refunds import refunds_of, returned_qty
from .rows import canonical, publish_member


def receipt_key(device_id: str, receipt_no: int) -> str:
    return f"{device_id}:{receipt_no}"


def _names(token: str, entry_hash: str, total_fen: Any) -> bool:
    """The claimed token names this synced sale (its hash prefix and total)."""
    fields = decode_token(token)
    return entry_hash.lower()[:16] == fields.sale_digest.hex() and total_fen == fields.total_fen


class Claims:
    def __init__(self, now: Callable[[], datetime], publish: Publish) -> None:
        self.now = now
        self.publish = publish

    def preview(
        self, tx: Tx, device_id: str, receipt_no: int, sale: Mapping[str, Any] | None
    ) -> tuple[int | None, str]:
        """What joining from this receipt would credit a new member: (points, "open"), or
        (None, why not: claimed_before | pending | member_sale | refunded | not_a_sale)."""
        if tx.execute(
            "SELECT 1 FROM receipt_claims WHERE receipt_key = ?",
            (receipt_key(device_id, receipt_no),),
        ).fetchone():
            return None, "claimed_before"
        if sale is None:
            return None, "pending"
        p = sale["payload"]
        if sale["type"] != "sale.completed" or not p.get("sale_id"):
            return None, "not_a_sale"
        if (p.get("member") or {}).get("id"):
            return None, "member_sale"
        if refunds_of(tx, str(p["sale_id"])):
            return None, "refunded"
        return points_earned(p.get("lines", []), "ordinary", self.rules(tx)), "open"

    def claim(
        self,
        tx: Tx,
        member_id: str,
        device_id: str,
        receipt_no: int,
        token: str,
        sale: Mapping[str, Any] | None,
    ) -> int:
        """Claim a genuine receipt for `member_id`; the points credited now (0 when another
        claim holds it, when it cannot be credited, or while the sale has not synced).

        The till's device row is locked first, as the ingest does for the whole of a batch,
        and the sale is read again under that lock: a sale that syncs while the customer is
        joining is then either seen here or finds this claim pending in its own ingest
        (with `sale` from a lookup made before this transaction, both could miss)."""
        key = receipt_key(device_id, receipt_no)
        at = _now_iso(self.now())
        tx.lock_device(device_id)
        arrived = sale is None
        if sale is None:
            sale = self._synced(tx, device_id, receipt_no)
        cur = tx.execute(
            "INSERT INTO receipt_claims(receipt_key, device_id, receipt_no, token, member_id, "
            "state, claimed_at) VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING",
            (key, device_id, receipt_no, token, member_id, at),
        )
        if cur.rowcount != 1:
            return 0  # claimed before, by this member or another: credited once at most
        if sale is None:
            return 0  # credited when the sale arrives (on_ingest)
        if arrived and not _names(token, sale["entry_hash"], sale["total_fen"]):
            self._refuse(tx, key, "altered", str(sale["payload"].get("sale_id") or ""))
            return 0
        return self._settle(tx, key, member_id, sale["type"], sale["payload"], sale["event_id"])

    def on_ingest(
        self, tx: Tx, device_id: str, events: Sequence[Mapping[str, Any]], accepted: set[str]
    ) -> None:
        """In the ingest transaction: credit pending claims of sales that just arrived, and
        take back the refunded share of credited ones."""
        mine = [e for e in events if e.get("id") in accepted]
        keys = sorted(
            {
                receipt_key(device_id, p["receipt_no"])
                for p in ((e.get("payload") or {}) for e in mine)
                if isinstance(p.get("receipt_no"), int)
            }
        )
        pending: dict[str, tuple[str, str]] = {}
        if keys:
            # the batch's pending claims in one statement (per batch, not per event);
            # PostgreSQL: an array, so the text is the same for every batch and prepared
            head = "SELECT receipt_key, member_id, token FROM receipt_claims WHERE receipt_key"
            found = (
                tx.execute(f"{head} = ANY(?::text[]) AND state = 'pending'", [keys], binary=True)
                if tx.dialect == "postgres"
                else tx.execute(
                    f"{head} IN ({', '.join('?' * len(keys))}) AND state = 'pending'", keys
                )
            )
            pending = {str(k): (str(m), str(t)) for k, m, t in found.fetchall()}
        for e in mine:
            p = e.get("payload") or {}
            if e["type"] == "sale.completed" and isinstance(p.get("receipt_no"), int):
                key = receipt_key(device_id, p["receipt_no"])
                if key not in pending:
                    continue
                member_id, token = pending[key]
                if not _names(token, str(e.get("entry_hash") or ""), p.get("total_fen")):
                    self._refuse(tx, key, "altered", str(p.get("sale_id") or ""))
                    continue
                self._settle(tx, key, member_id, "sale.completed", p, str(e["id"]))
            elif e["type"] == "refund.completed":
                if isinstance(p.get("receipt_no"), int):
                    # a refund receipt's own QR claimed while it had not synced: no points
                    key = receipt_key(device_id, p["receipt_no"])
                    if key in pending:
                        self._refuse(tx, key, "not_a_sale", "")
                if p.get("original_sale_id"):
                    self._take_back(tx, str(p["original_sale_id"]), str(e["id"]), device_id)

    # ---- internals ---------------------------------------------------------------------------

    def _synced(self, tx: Tx, device_id: str, receipt_no: int) -> dict[str, Any] | None:
        row = tx.execute(
            "SELECT type, payload, id, entry_hash, total_fen FROM events WHERE device_id = ? "
            "AND receipt_no = ? AND status = 'accepted'",
            (device_id, receipt_no),
        ).fetchone()
        if row is None:
            return None
        return {
            "type": row[0],
            "payload": json.loads(row[1]),
            "event_id": row[2],
            "entry_hash": row[3],
            "total_fen": row[4],
        }

    def rules(self, tx: Tx) -> LoyaltyRules:
        """The brand's loyalty rules (`loyalty_rules` config), the till's defaults without."""
        row = tx.execute("SELECT value FROM config WHERE key = 'loyalty_rules'").fetchone()
        if row is None:
            return LoyaltyRules()
        value = json.loads(row[0])
        raw = value if isinstance(value, str) else json.dumps(value)
        return LoyaltyRules.from_settings({"loyalty_rules": raw})

    def _refuse(self, tx: Tx, key: str, reason: str, sale_id: str) -> None:
        tx.execute(
            "UPDATE receipt_claims SET state = 'refused', reason = ?, sale_id = ?, "
            "settled_at = ? WHERE receipt_key = ?",
            (reason, sale_id or None, _now_iso(self.now()), key),
        )

    def _settle(
        self,
        tx: Tx,
        key: str,
        member_id: str,
        kind: str,
        p: Mapping[str, Any],
        event_id: str,
    ) -> int:
        sale_id = str(p.get("sale_id") or "")
        if kind != "sale.completed" or not sale_id:
            self._refuse(tx, key, "not_a_sale", sale_id)
            return 0
        if (p.get("member") or {}).get("id"):
            self._refuse(tx, key, "member_sale", sale_id)
            return 0
        if refunds_of(tx, sale_id):
            self._refuse(tx, key, "refunded", sale_id)
            return 0
        mid = canonical(tx, member_id)
        tier_row = tx.execute("SELECT tier FROM members WHERE id = ?", (mid,)).fetchone()
        if tier_row is None:
            self._refuse(tx, key, "unknown_member", sale_id)
            return 0
        points = points_earned(p.get("lines", []), str(tier_row[0]), self.rules(tx))
        at = _now_iso(self.now())
        tx.execute(
            "UPDATE receipt_claims SET state = 'credited', points = ?, sale_id = ?, "
            "settled_at = ? WHERE receipt_key = ?",
            (points, sale_id, at, key),
        )
        self._purchase(tx, mid, event_id, p)
        claim_event = f"claim:{key}"
        tx.execute(
            "INSERT INTO points_by_sale(event_id, sale_id, kind, points) VALUES (?, ?, "
            "'earned', ?) ON CONFLICT DO NOTHING",
            (claim_event, sale_id, points),
        )
        if points > 0:
            self._book(tx, mid, points, "points.claimed", claim_event, p, at)
        publish_member(tx, self.publish, mid)
        return points

    def _purchase(self, tx: Tx, mid: str, event_id: str, p: Mapping[str, Any]) -> None:
        """The claimed sale becomes the member's purchase (my receipts, the CRM's history)."""
        items = [
            {k: ln.get(k) for k in ("sku", "name", "qty", "amount_fen", "category", "size")}
            for ln in p.get("lines", [])
        ]
        tx.execute(
            "INSERT INTO member_purchases(event_id, member_id, sale_id, store_id, till_no, "
            "kind, receipt_no, total_fen, associate, items, at) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT DO NOTHING",
            (
                event_id,
                mid,
                p.get("sale_id"),
                p.get("store_id"),
                p.get("till_no"),
                "sale.completed",
                p.get("receipt_no"),
                int(p.get("total_fen", 0)),
                p.get("associate"),
                _dump(items),
                str(p.get("completed_at", "")),
            ),
        )

    def _book(
        self,
        tx: Tx,
        mid: str,
        delta: int,
        reason: str,
        event_id: str,
        p: Mapping[str, Any],
        at: str,
    ) -> None:
        cur = tx.execute(
            "INSERT INTO points_ledger(member_id, delta, reason, event_id, device_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (mid, delta, reason, event_id, None, at),
        )
        if cur.rowcount == 1:
            tx.execute("UPDATE members SET points = points + ? WHERE id = ?", (delta, mid))

    def _take_back(self, tx: Tx, sale_id: str, refund_event: str, device_id: str) -> None:
        row = tx.execute(
            "SELECT member_id, points, receipt_key FROM receipt_claims WHERE sale_id = ? "
            "AND state = 'credited'",
            (sale_id,),
        ).fetchone()
        if row is None or int(row[1]) <= 0:
            return
        mid, points = canonical(tx, str(row[0])), int(row[1])
        sale = tx.execute(
            "SELECT payload FROM events WHERE type = 'sale.completed' AND status = 'accepted' "
            "AND payload LIKE ?",
            (f'%"sale_id":"{sale_id}"%',),
        ).fetchone()
        if sale is None:
            return
        lines = json.loads(sale[0]).get("lines", [])
        rules = self.rules(tx)
        refunded, sold = refunded_value(
            lines, returned_qty(refunds_of(tx, sale_id)), rules.excluded_categories
        )
        settled = points_settled_by_returns(points, refunded, sold)
        taken = tx.execute(
            "SELECT coalesce(sum(points), 0) FROM points_by_sale WHERE sale_id = ? "
            "AND kind = 'taken_back'",
            (sale_id,),
        ).fetchone()[0]
        due = settled - int(taken)
        if due <= 0:
            return
        back_event = f"claimback:{refund_event}"
        tx.execute(
            "INSERT INTO points_by_sale(event_id, sale_id, kind, points) VALUES (?, ?, "
            "'taken_back', ?) ON CONFLICT DO NOTHING",
            (back_event, sale_id, due),
        )
        self._book(tx, mid, -due, "points.claimed:refund", back_event, {}, _now_iso(self.now()))
        publish_member(tx, self.publish, mid)
