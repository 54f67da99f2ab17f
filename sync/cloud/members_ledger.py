"""The cloud's member ledger: the authority for points, stored value and coupons.

- `member.enrolled` from a till: one phone is one member.  A phone the cloud already holds
  under another id makes the till's id an alias of it; the alias's purchases, points and
  stored value are the member's, and the tills are told (`member` delete for the alias, then
  upsert of the member) so their mirrors hold one row.
- Points (`points.earned` / `points.redeemed`) land in a ledger keyed by event id; a balance
  driven below zero by offline redemptions is flagged.
- Offline stored-value debits (`stored_value.debited`, `offline: true`) are booked on arrival
  and an overdraft is flagged for the brand to follow up (the loss is bounded by the tills'
  offline caps).  Online debits were booked by `POST /v1/stored-value/debits` already.
- Coupons are redeemed online with `POST /v1/coupons/redemptions` (a second till is refused);
  an offline redemption that finds the coupon used up is flagged.
- The e-receipt funnel: receipts printed, pages opened, follows and joins, per store and
  associate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .common import ApiError, _dump, _now_iso
from .db import Tx

MEMBERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS member_aliases (
  alias_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS points_ledger (
  id {serial},
  member_id TEXT NOT NULL,
  delta BIGINT NOT NULL,
  reason TEXT NOT NULL,
  event_id TEXT UNIQUE,
  device_id TEXT,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_member ON points_ledger(member_id);
CREATE TABLE IF NOT EXISTS coupon_redemptions (
  code TEXT NOT NULL,
  sale_id TEXT NOT NULL,
  member_id TEXT,
  device_id TEXT,
  offline INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL,
  PRIMARY KEY (code, sale_id)
);
CREATE TABLE IF NOT EXISTS member_flags (
  id {serial},
  member_id TEXT,
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  event_id TEXT,
  device_id TEXT,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS member_purchases (
  event_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  sale_id TEXT,
  store_id TEXT,
  till_no INTEGER,
  kind TEXT NOT NULL,
  receipt_no INTEGER,
  total_fen BIGINT NOT NULL,
  associate TEXT,
  items TEXT NOT NULL DEFAULT '[]',
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS member_purchases_member ON member_purchases(member_id);
CREATE INDEX IF NOT EXISTS member_purchases_sale ON member_purchases(sale_id);
CREATE TABLE IF NOT EXISTS funnel (
  store_id TEXT NOT NULL,
  associate TEXT NOT NULL,
  kind TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, associate, kind)
)
"""

FUNNEL_KINDS = ("receipts_printed", "ereceipts_opened", "follows", "joins")


def migrate_members(tx: Tx, serial: str) -> None:
    for stmt in MEMBERS_SCHEMA.format(serial=serial).split(";"):
        if stmt.strip():
            tx.execute(stmt)


def _canonical(tx: Tx, member_id: str) -> str:
    row = tx.execute(
        "SELECT member_id FROM member_aliases WHERE alias_id = ?", (member_id,)
    ).fetchone()
    return str(row[0]) if row else member_id


class MemberLedger:
    """Mixed into CloudService (it provides db, now, publish and _member_data)."""

    db: Any
    now: Any

    if TYPE_CHECKING:  # provided by CloudAdmin

        def publish(self, *a: Any, **kw: Any) -> None: ...
        def _member_data(self, tx: Tx, member_id: str) -> dict[str, Any]: ...

    # ---- what a till pulls about a member ---------------------------------------------

    def _full_member(self, tx: Tx, member_id: str) -> dict[str, Any]:
        data = self._member_data(tx, member_id)
        row = tx.execute("SELECT data FROM members WHERE id = ?", (member_id,)).fetchone()
        extra = json.loads(row[0] or "{}") if row else {}
        tags = extra.get("tags") or []
        return data | {
            "birthday": extra.get("birthday"),
            "consent_at": extra.get("consent_at"),
            "associate": extra.get("associate"),
            "tags": ",".join(tags) if isinstance(tags, list) else str(tags),
        }

    def _publish_member(self, tx: Tx, member_id: str) -> None:
        self.publish(tx, "member", "upsert", member_id, self._full_member(tx, member_id))

    def _flag(
        self,
        tx: Tx,
        member_id: str | None,
        kind: str,
        amount: int,
        detail: str,
        event_id: str,
        device_id: str,
    ) -> None:
        tx.execute(
            "INSERT INTO member_flags(member_id, kind, amount, detail, event_id, device_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (member_id, kind, amount, detail, event_id, device_id, _now_iso(self.now())),
        )

    def _count(self, tx: Tx, store_id: str, associate: str, kind: str, n: int = 1) -> None:
        tx.execute(
            "INSERT INTO funnel(store_id, associate, kind, n) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(store_id, associate, kind) DO UPDATE SET n = funnel.n + excluded.n",
            (store_id, associate, kind, n),
        )

    # ---- ingestion ----------------------------------------------------------------------

    def apply_member_events(
        self, tx: Tx, device_id: str, events: Sequence[Mapping[str, Any]], accepted: set[str]
    ) -> None:
        """Book the member side of newly accepted events, in the ingest transaction."""
        row = tx.execute(
            "SELECT store_id, till_no FROM devices WHERE device_id = ?", (device_id,)
        ).fetchone()
        store_id = str(row[0]) if row else ""
        for e in events:
            if e.get("id") not in accepted:
                continue
            kind, p = e["type"], e.get("payload") or {}
            if kind == "member.enrolled":
                self._enrolled(tx, p, store_id)
            elif kind == "member.updated":
                self._updated(tx, p)
            elif kind in ("sale.completed", "refund.completed"):
                self._purchase(tx, e["id"], kind, p, store_id)
            elif kind in ("points.earned", "points.redeemed"):
                self._points(tx, e["id"], kind, p, device_id)
            elif kind == "stored_value.debited":
                self._sv_debited(tx, e["id"], p, device_id)
            elif kind == "coupon.redeemed":
                self._coupon_event(tx, e["id"], p, device_id)

    def _enrolled(self, tx: Tx, p: Mapping[str, Any], store_id: str) -> None:
        mid, phone = str(p.get("member_id") or ""), str(p.get("phone") or "")
        if not mid or not phone:
            return
        now = _now_iso(self.now())
        extra = {
            k: p.get(k)
            for k in ("birthday", "consent_at", "associate", "tags", "store_id", "enrolled_at")
            if p.get(k) is not None
        }
        lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
        same = tx.execute(
            f"SELECT id, data FROM members WHERE phone = ?{lock}", (phone,)
        ).fetchone()
        if same is None:
            tx.execute(
                "INSERT INTO members(id, phone, name, tier, points, data, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    mid,
                    phone,
                    str(p.get("name", "")),
                    str(p.get("tier", "ordinary")),
                    _dump(extra),
                    str(p.get("enrolled_at") or now),
                    now,
                ),
            )
            self._publish_member(tx, mid)
        elif same[0] != mid:
            # the same phone enrolled elsewhere first: one member, the till's id an alias
            tx.execute(
                "INSERT INTO member_aliases(alias_id, member_id, at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (mid, same[0], now),
            )
            merged = {**extra, **json.loads(same[1] or "{}")}
            tx.execute(
                "UPDATE members SET data = ?, name = CASE WHEN name = '' THEN ? ELSE name END, "
                "updated_at = ? WHERE id = ?",
                (_dump(merged), str(p.get("name", "")), now, same[0]),
            )
            for table in ("member_purchases", "points_ledger"):
                tx.execute(f"UPDATE {table} SET member_id = ? WHERE member_id = ?", (same[0], mid))
            self.publish(tx, "member", "delete", mid, {"merged_into": same[0]})
            self._publish_member(tx, same[0])
        self._count(tx, store_id, str(p.get("associate") or ""), "joins")

    def _updated(self, tx: Tx, p: Mapping[str, Any]) -> None:
        mid = _canonical(tx, str(p.get("member_id") or ""))
        row = tx.execute("SELECT data FROM members WHERE id = ?", (mid,)).fetchone()
        if row is None:
            return
        data = json.loads(row[0] or "{}")
        if "tags" in p:
            data["tags"] = list(p["tags"])
        if isinstance(p.get("followups"), list):  # the associate's schedule after a sale
            data["followups"] = (data.get("followups", []) + list(p["followups"]))[-100:]
        done = p.get("followup_done")
        if isinstance(done, dict):
            for f in data.get("followups", []):
                if f.get("sale_id") == done.get("sale_id") and f.get("step") == done.get("step"):
                    f["done_at"], f["done_by"] = done.get("at"), done.get("by")
        tx.execute(
            "UPDATE members SET data = ?, updated_at = ? WHERE id = ?",
            (_dump(data), _now_iso(self.now()), mid),
        )
        self._publish_member(tx, mid)

    def _purchase(
        self, tx: Tx, event_id: str, kind: str, p: Mapping[str, Any], store_id: str
    ) -> None:
        if kind == "sale.completed":
            self._count(tx, store_id, str(p.get("associate") or ""), "receipts_printed")
        member = p.get("member") or {}
        mid = member.get("id")
        if not mid and kind == "refund.completed":
            orig = tx.execute(
                "SELECT member_id FROM member_purchases WHERE sale_id = ?",
                (str(p.get("original_sale_id", "")),),
            ).fetchone()
            mid = orig[0] if orig else None
        if not mid:
            return
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
                _canonical(tx, str(mid)),
                p.get("sale_id") or p.get("refund_id"),
                p.get("store_id") or store_id,
                p.get("till_no"),
                kind,
                p.get("receipt_no"),
                int(p.get("total_fen", 0)),
                p.get("associate"),
                _dump(items),
                str(p.get("completed_at", "")),
            ),
        )

    def _points(
        self, tx: Tx, event_id: str, kind: str, p: Mapping[str, Any], device_id: str
    ) -> None:
        mid = _canonical(tx, str(p.get("member_id") or ""))
        pts = int(p.get("points", 0))
        if pts <= 0 or tx.execute("SELECT 1 FROM members WHERE id = ?", (mid,)).fetchone() is None:
            return
        delta = pts if kind == "points.earned" else -pts
        cur = tx.execute(
            "INSERT INTO points_ledger(member_id, delta, reason, event_id, device_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (mid, delta, kind, event_id, device_id, _now_iso(self.now())),
        )
        if cur.rowcount == 0:
            return
        tx.execute("UPDATE members SET points = points + ? WHERE id = ?", (delta, mid))
        bal = int(tx.execute("SELECT points FROM members WHERE id = ?", (mid,)).fetchone()[0])
        if bal < 0:
            self._flag(
                tx,
                mid,
                "points_overdraft",
                -bal,
                f"points balance {bal} after {kind} {pts}",
                event_id,
                device_id,
            )
        self._publish_member(tx, mid)

    def _sv_debited(self, tx: Tx, event_id: str, p: Mapping[str, Any], device_id: str) -> None:
        if not p.get("offline"):
            return  # booked by the online debit call already
        mid = _canonical(tx, str(p.get("member_id") or ""))
        amount = int(p.get("amount_fen", 0))
        ref = f"offline:{p.get('idempotency_key', event_id)}"
        if tx.execute("SELECT 1 FROM members WHERE id = ?", (mid,)).fetchone() is None:
            self._flag(
                tx,
                mid,
                "unknown_member",
                amount,
                "offline debit for an unknown member",
                event_id,
                device_id,
            )
            return
        if tx.execute(
            "SELECT 1 FROM stored_value_ledger WHERE member_id = ? AND reference = ?", (mid, ref)
        ).fetchone():
            return
        tx.execute(
            "INSERT INTO stored_value_ledger(member_id, delta_fen, reference, device_id, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (mid, -amount, ref, device_id, _now_iso(self.now())),
        )
        bal = int(
            tx.execute(
                "SELECT COALESCE(SUM(delta_fen), 0) FROM stored_value_ledger WHERE member_id = ?",
                (mid,),
            ).fetchone()[0]
        )
        if bal < 0:
            self._flag(
                tx,
                mid,
                "stored_value_overdraft",
                -bal,
                f"offline debit {amount} fen left the balance at {bal} fen",
                event_id,
                device_id,
            )
        self._publish_member(tx, mid)

    def _coupon_event(self, tx: Tx, event_id: str, p: Mapping[str, Any], device_id: str) -> None:
        code, sale_id = str(p.get("code") or ""), str(p.get("sale_id") or "")
        mid = p.get("member_id")
        ok, reason = self._redeem(tx, code, mid, sale_id, device_id, bool(p.get("offline")))
        if not ok:
            self._flag(
                tx,
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
        try:
            body = json.loads(raw_body)
            code, sale_id = str(body["code"]), str(body["sale_id"])
        except (ValueError, KeyError, TypeError) as err:
            raise ApiError(400, "bad_request", "Send {code, member_id, sale_id}") from err
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
        try:
            body = json.loads(raw_body)
            code, sale_id = str(body["code"]), str(body["sale_id"])
        except (ValueError, KeyError, TypeError) as err:
            raise ApiError(400, "bad_request", "Send {code, sale_id}") from err
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
            tx.execute(
                "DELETE FROM coupon_redemptions WHERE code = ? AND sale_id = ?", (code, sale_id)
            )
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
        return {"code": code, "sale_id": sale_id, "released": True}

    # ---- reads --------------------------------------------------------------------------

    def canonical_member_id(self, member_id: str) -> str:
        """The member an id stands for now (a till's id may have been merged)."""
        with self.db.tx() as tx:
            return _canonical(tx, member_id)

    def member_view(self, member_id: str) -> dict[str, Any]:
        """One member across every store: balances, purchases, points, flags, aliases."""
        with self.db.tx() as tx:
            mid = _canonical(tx, member_id)
            data = self._full_member(tx, mid)
            aliases = [
                r[0]
                for r in tx.execute(
                    "SELECT alias_id FROM member_aliases WHERE member_id = ? ORDER BY alias_id",
                    (mid,),
                ).fetchall()
            ]
            purchases = [
                {
                    "store_id": r[0],
                    "till_no": r[1],
                    "kind": r[2],
                    "receipt_no": r[3],
                    "total_fen": int(r[4]),
                    "associate": r[5],
                    "items": json.loads(r[6]),
                    "at": r[7],
                }
                for r in tx.execute(
                    "SELECT store_id, till_no, kind, receipt_no, total_fen, associate, items, at "
                    "FROM member_purchases WHERE member_id = ? ORDER BY at, event_id",
                    (mid,),
                ).fetchall()
            ]
            flags = self._flags(tx, mid)
            raw = tx.execute("SELECT data FROM members WHERE id = ?", (mid,)).fetchone()
            followups = json.loads(raw[0] or "{}").get("followups", []) if raw else []
        return data | {
            "aliases": aliases,
            "purchases": purchases,
            "flags": flags,
            "followups": followups,
        }

    def _flags(self, tx: Tx, member_id: str | None) -> list[dict[str, Any]]:
        sql = "SELECT member_id, kind, amount, detail, event_id, device_id, at FROM member_flags"
        args: tuple[Any, ...] = ()
        if member_id is not None:
            sql += " WHERE member_id = ?"
            args = (member_id,)
        cols = ("member_id", "kind", "amount", "detail", "event_id", "device_id", "at")
        return [
            dict(zip(cols, r, strict=True))
            for r in tx.execute(sql + " ORDER BY id", args).fetchall()
        ]

    def reconciliation(self) -> list[dict[str, Any]]:
        """Everything the brand must follow up: overdrafts, overused coupons."""
        with self.db.tx() as tx:
            return self._flags(tx, None)

    def record_funnel(self, store_id: str, associate: str, kind: str) -> None:
        if kind not in FUNNEL_KINDS:
            raise ApiError(400, "bad_funnel_kind", f"kind is one of {', '.join(FUNNEL_KINDS)}")
        with self.db.tx() as tx:
            self._count(tx, store_id, associate, kind)

    def funnel(self, store_id: str | None = None) -> list[dict[str, Any]]:
        """Counters per store and associate ('' = no associate)."""
        where, args = ("WHERE store_id = ?", (store_id,)) if store_id else ("", ())
        with self.db.tx() as tx:
            rows = tx.execute(
                f"SELECT store_id, associate, kind, n FROM funnel {where} "
                "ORDER BY store_id, associate",
                args,
            ).fetchall()
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for s, a, k, n in rows:
            d = out.setdefault(
                (s, a), {"store_id": s, "associate": a or None} | dict.fromkeys(FUNNEL_KINDS, 0)
            )
            d[k] = int(n)
        return list(out.values())
