"""Coupons issued to people: each member gets a copy of their own, bound to them.

A copy's code is derived from (coupon, member, batch), and `coupon_issues` keeps one row per
triple in the same transaction as the copy, so issuing again (a retry, a second run, a second
worker) finds the row and gives nothing more.  A new campaign with the same coupon names a
new `batch`; `per_member` caps how many copies one member may hold over all batches.

Each copy is an ordinary coupon (cash, percent, threshold, category, count) with `member_id`
set, published to every till by the pull: the till's member panel lists it and its pricing
redeems it like any coupon (pos_app/domain/promotions.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from ..changelog import Publish
from ..common import ApiError, _dump, _now_iso
from ..db import CloudDB, Tx
from .rows import canonical
from .segments import Segments

# What describes the coupon to the brand, not to a till: left off the members' copies.
TEMPLATE_ONLY = ("issue_only", "per_member", "valid_days")


def copy_code(code: str, member_id: str, batch: str) -> str:
    digest = hashlib.sha256(f"{code}\x00{member_id}\x00{batch}".encode()).digest()
    return f"{code}-{base64.b32encode(digest).decode()[:8]}"


class CouponIssuing:
    def __init__(
        self, db: CloudDB, now: Callable[[], datetime], publish: Publish, segments: Segments
    ) -> None:
        self.db = db
        self.now = now
        self.publish = publish
        self.segments = segments

    def issue(self, code: str, member_ids: Iterable[str], batch: str = "") -> dict[str, Any]:
        """Give each member a copy of coupon `code` (once per batch)."""
        with self.db.tx() as tx:
            return self.issue_in(tx, code, list(member_ids), batch)

    def issue_segment(self, code: str, segment: str, batch: str = "") -> dict[str, Any]:
        """Give every member of the segment, as it is now, a copy."""
        with self.db.tx() as tx:
            ids = [r["id"] for r in self.segments.members_in(tx, segment)]
            return self.issue_in(tx, code, ids, batch) | {"segment": segment}

    def issue_in(self, tx: Tx, code: str, member_ids: list[str], batch: str) -> dict[str, Any]:
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        row = tx.execute(f"SELECT data FROM coupons WHERE code = ?{lock}", (code,)).fetchone()
        if row is None:
            raise ApiError(
                404,
                "unknown_coupon",
                f"No coupon {code}: add it first with `guitai cloud coupon add`",
                f"没有券 {code}：请先用 guitai cloud coupon add 添加",
            )
        template = json.loads(row[0])
        if template.get("member_id"):
            raise ApiError(
                409,
                "coupon_bound",
                f"Coupon {code} already belongs to member {template['member_id']}: issue a "
                "coupon that belongs to no one",
                f"券 {code} 已属于会员 {template['member_id']}：请发放不属于任何人的券",
            )
        per_member = int(template.get("per_member") or 1)
        now = self.now()
        copies: list[dict[str, str]] = []
        already = limited = 0
        unknown: list[str] = []
        for raw in dict.fromkeys(member_ids):  # once each, in the order given
            mid = canonical(tx, raw)
            if tx.execute("SELECT 1 FROM members WHERE id = ?", (mid,)).fetchone() is None:
                unknown.append(raw)
                continue
            held = tx.execute(
                "SELECT batch, coupon_code FROM coupon_issues WHERE code = ? AND member_id = ?",
                (code, mid),
            ).fetchall()
            if any(b == batch for b, _ in held):
                already += 1
                continue
            if len(held) >= per_member:
                limited += 1
                continue
            mine = copy_code(code, mid, batch)
            data = self._copy(template, code, mid, now)
            tx.execute(
                "INSERT INTO coupons(code, data, updated_at) VALUES (?, ?, ?)",
                (mine, _dump(data), _now_iso(now)),
            )
            tx.execute(
                "INSERT INTO coupon_issues(code, member_id, batch, coupon_code, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (code, mid, batch, mine, _now_iso(now)),
            )
            self.publish(tx, "coupon", "upsert", mine, {"code": mine, **data})
            copies.append({"member_id": mid, "coupon_code": mine})
        return {
            "code": code,
            "batch": batch,
            "issued": len(copies),
            "already_issued": already,
            "over_limit": limited,
            "unknown_members": unknown,
            "coupons": copies,
        }

    @staticmethod
    def _copy(template: dict[str, Any], code: str, member_id: str, now: datetime) -> dict[str, Any]:
        data = {k: v for k, v in template.items() if k not in TEMPLATE_ONLY}
        data |= {"member_id": member_id, "issued_from": code, "redeemed": False}
        days = template.get("valid_days")
        if days:
            # valid N days from the issue, never past the coupon's own end
            until = now + timedelta(days=int(days))
            ends = data.get("expires_at") or (
                f"{data['expires']}T23:59:59+08:00" if data.get("expires") else None
            )
            if ends is None or datetime.fromisoformat(ends.replace("Z", "+00:00")) > until:
                data["expires_at"] = _now_iso(until)
                data.pop("expires", None)
        return data
