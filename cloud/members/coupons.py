"""Coupons in the cloud: the online redemption (a second till is refused), the release of
an abandoned sale's coupon, and offline redemptions checked on arrival."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..changelog import Publish
from ..common import ApiError, _dump, _now_iso, load_json
from ..db import CloudDB, Tx
from .rows import flag


def _coupon_body(raw_body: bytes, expected: str) -> dict[str, Any]:
    """A coupon call's body: code and sale_id strings, member_id a string or absent."""
    body = load_json(raw_body, "bad_request", expected)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("code"), str)
        or not isinstance(body.get("sale_id"), str)
        or not isinstance(body.get("member_id"), str | None)
    ):
        raise ApiError(400, "bad_request", f"Send {expected} as strings")
    return body


class Coupons:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], publish: Publish) -> None:
        self.db = db
        self.now = now
        self.publish = publish

    def book(self, tx: Tx, event_id: str, p: Mapping[str, Any], device_id: str) -> None:
        """`coupon.redeemed` from a till (an offline one that finds it used up is flagged)."""
        code, sale_id = str(p.get("code") or ""), str(p.get("sale_id") or "")
        mid = p.get("member_id")
        ok, reason = self._redeem(tx, code, mid, sale_id, device_id, bool(p.get("offline")))
        if not ok:
            flag(
                tx,
                _now_iso(self.now()),
                mid,
                "coupon_overused",
                int(p.get("amount_fen", 0)),
                f"coupon {code}: {reason}",
                event_id,
                device_id,
            )

    # ---- coupons ------------------------------------------------------------------------

    def _redeem(
        self, tx: Tx, code: str, member_id: Any, sale_id: str, device_id: str, offline: bool
    ) -> tuple[bool, str]:
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        row = tx.execute(f"SELECT data FROM coupons WHERE code = ?{lock}", (code,)).fetchone()
        if row is None:
            return False, "unknown coupon"
        data = json.loads(row[0])
        if tx.execute(
            "SELECT 1 FROM coupon_redemptions WHERE code = ? AND sale_id = ?", (code, sale_id)
        ).fetchone():
            return True, "same sale"
        if data.get("member_id") and member_id and data["member_id"] != member_id:
            return False, "belongs to another member"
        count = data.get("kind") == "count"
        # `uses` is what is left (what the tills see); `uses_total` what the coupon began with
        uses = int(data.get("uses_total", data.get("uses", 1))) if count else 1
        used = int(
            tx.execute(
                "SELECT count(*) FROM coupon_redemptions WHERE code = ?", (code,)
            ).fetchone()[0]
        )
        if used >= uses:
            return False, "already used"
        tx.execute(
            "INSERT INTO coupon_redemptions(code, sale_id, member_id, device_id, offline, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (code, sale_id, member_id, device_id, int(offline), _now_iso(self.now())),
        )
        left = uses - used - 1
        new = data | ({"uses": left, "uses_total": uses} if count else {}) | {"redeemed": left <= 0}
        tx.execute(
            "UPDATE coupons SET data = ?, updated_at = ? WHERE code = ?",
            (_dump(new), _now_iso(self.now()), code),
        )
        self.publish(tx, "coupon", "upsert", code, {"code": code, **new})
        return True, "redeemed"

    def redeem_coupon(self, device_id: str, raw_body: bytes) -> dict[str, Any]:
        """`POST /v1/coupons/redemptions`: the online redemption; a second sale is refused."""
        body = _coupon_body(raw_body, "{code, member_id, sale_id}")
        code, sale_id = body["code"], body["sale_id"]
        with self.db.tx() as tx:
            ok, reason = self._redeem(
                tx, code, body.get("member_id") or None, sale_id, device_id, False
            )
            if not ok:
                if reason == "unknown coupon":
                    raise ApiError(404, "unknown_coupon", f"No coupon {code}")
                raise ApiError(409, "coupon_used", f"Coupon {code} cannot be redeemed: {reason}")
        return {"code": code, "sale_id": sale_id, "redeemed": True}

    def release_coupon(self, device_id: str, raw_body: bytes) -> dict[str, Any]:
        """`POST /v1/coupons/releases`: the sale the coupon was redeemed for was abandoned
        before payment completed; only the till that redeemed it may release it, and never
        once the sale has arrived as completed."""
        body = _coupon_body(raw_body, "{code, sale_id}")
        code, sale_id = body["code"], body["sale_id"]
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT device_id FROM coupon_redemptions WHERE code = ? AND sale_id = ?",
                (code, sale_id),
            ).fetchone()
            if row is None:
                return {"code": code, "sale_id": sale_id, "released": False}
            if row[0] != device_id:
                raise ApiError(409, "not_yours", "Only the till that redeemed it may release it")
            if (
                tx.execute(
                    "SELECT 1 FROM member_purchases WHERE sale_id = ?", (sale_id,)
                ).fetchone()
                or tx.execute(
                    "SELECT 1 FROM events WHERE device_id = ? AND type = 'sale.completed' AND "
                    "payload LIKE ?",
                    (device_id, f'%"sale_id":"{sale_id}"%'),
                ).fetchone()
            ):
                raise ApiError(409, "sale_completed", "The sale was completed; refund it instead")
            self._give_back(tx, code, sale_id)
        return {"code": code, "sale_id": sale_id, "released": True}

    def _give_back(self, tx: Tx, code: str, sale_id: str) -> None:
        """Undo the coupon's redemption for `sale_id`: usable again (a count coupon gets its
        use back), and the tills are told."""
        tx.execute("DELETE FROM coupon_redemptions WHERE code = ? AND sale_id = ?", (code, sale_id))
        data = json.loads(
            tx.execute("SELECT data FROM coupons WHERE code = ?", (code,)).fetchone()[0]
        )
        if data.get("kind") == "count":
            data["uses"] = int(data.get("uses", 0)) + 1
        data["redeemed"] = False
        tx.execute(
            "UPDATE coupons SET data = ?, updated_at = ? WHERE code = ?",
            (_dump(data), _now_iso(self.now()), code),
        )
        self.publish(tx, "coupon", "upsert", code, {"code": code, **data})

    def restore_returned(self, tx: Tx, p: Mapping[str, Any], device_id: str) -> None:
        """`member.updated` `coupon_restored`: the brand's rule gave a fully returned sale's
        coupon back.  Only the till that redeemed it may; once (the redemption row goes)."""
        code, sale_id = str(p.get("code") or ""), str(p.get("sale_id") or "")
        row = tx.execute(
            "SELECT device_id FROM coupon_redemptions WHERE code = ? AND sale_id = ?",
            (code, sale_id),
        ).fetchone()
        if row is not None and row[0] == device_id:
            self._give_back(tx, code, sale_id)
