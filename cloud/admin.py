"""The cloud's administration: stores, enrollment codes, catalog, members, coupons, config and
devices; each change is published to the change log the tills pull (changelog.py)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from .changelog import Publish
from .common import ApiError, _dump, _now_iso, code_hash
from .db import CloudDB
from .members.rows import member_data

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone


class CloudAdmin:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], publish: Publish) -> None:
        self.db = db
        self.now = now
        self.publish = publish

    # ---- admin ---------------------------------------------------------------------------

    def add_store(self, store_id: str, name: str) -> dict[str, Any]:
        if not store_id or not store_id.isalnum():
            raise ApiError(400, "bad_store_id", "A store id is letters and digits, e.g. S001")
        with self.db.tx() as tx:
            cur = tx.execute(
                "INSERT INTO stores(store_id, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (store_id, name, _now_iso(self.now())),
            )
            if cur.rowcount == 0:
                tx.execute("UPDATE stores SET name = ? WHERE store_id = ?", (name, store_id))
            self.publish(
                tx, "config", "upsert", f"store.{store_id}.name", {"value": name}, store_id=store_id
            )
        return {"store_id": store_id, "name": name}

    def enrollment_code(
        self, store_id: str, ttl: timedelta = timedelta(hours=24)
    ) -> dict[str, Any]:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
        now = self.now()
        with self.db.tx() as tx:
            if (
                tx.execute("SELECT 1 FROM stores WHERE store_id = ?", (store_id,)).fetchone()
                is None
            ):
                raise ApiError(
                    404,
                    "unknown_store",
                    f"No store {store_id}: add it with `guitai cloud store add`",
                )
            tx.execute(
                "INSERT INTO enrollment_codes(code, store_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (code_hash(code), store_id, _now_iso(now), _now_iso(now + ttl)),
            )
        return {"code": code, "store_id": store_id, "expires_at": _now_iso(now + ttl)}

    def upsert_product(self, product: Mapping[str, Any]) -> None:
        style = str(product.get("style") or "")
        skus = product.get("skus")
        if not style or not isinstance(skus, list) or not skus:
            raise ApiError(400, "bad_product", "A product needs `style` and a list of `skus`")
        for s in skus:
            if not s.get("sku") or not isinstance(s.get("price_fen"), int) or s["price_fen"] < 0:
                raise ApiError(
                    400,
                    "bad_product",
                    f"SKU {s.get('sku')!r} needs `sku` and an integer `price_fen` ≥ 0",
                )
        now = _now_iso(self.now())
        with self.db.tx() as tx:
            tx.execute(
                "INSERT INTO products(style, data, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(style) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                (style, _dump(product), now),
            )
            for s in skus:
                tx.execute(
                    "INSERT INTO prices(sku, price_fen, member_price_fen, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(sku) DO UPDATE SET "
                    "price_fen = excluded.price_fen, "
                    "member_price_fen = excluded.member_price_fen, "
                    "updated_at = excluded.updated_at",
                    (s["sku"], s["price_fen"], s.get("member_price_fen"), now),
                )
            self.publish(tx, "product", "upsert", style, product)

    def set_price(
        self,
        sku: str,
        price_fen: int,
        member_price_fen: int | None = None,
        *,
        clear_member_price: bool = False,
    ) -> dict[str, Any]:
        """Change a SKU's price.  The member price is kept unless a new one is given or
        `clear_member_price`; what was published (the tills' `price` change) is returned.

        A kept member price the cloud does not know (the SKU was never imported here) is left
        out of the change, and a till keeps its own."""
        if price_fen < 0:
            raise ApiError(400, "bad_price", "price_fen must be ≥ 0 / 售价不能为负数")
        if member_price_fen is not None and clear_member_price:
            raise ApiError(
                400,
                "bad_member_price",
                "Give a member price or clear it, not both / 会员价：设置与清除只能选一个",
            )
        if member_price_fen is not None and not 0 <= member_price_fen <= price_fen:
            raise ApiError(
                400,
                "bad_member_price",
                f"The member price {member_price_fen} fen must be between 0 and the price "
                f"{price_fen} fen / 会员价必须在 0 与售价之间",
            )
        with self.db.tx() as tx:
            lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
            row = tx.execute(
                f"SELECT member_price_fen FROM prices WHERE sku = ?{lock}", (sku,)
            ).fetchone()
            data: dict[str, Any] = {"sku": sku, "price_fen": price_fen}
            if clear_member_price:
                data["member_price_fen"] = None
            elif member_price_fen is not None:
                data["member_price_fen"] = member_price_fen
            elif row is not None:
                data["member_price_fen"] = row[0]
            kept = data.get("member_price_fen")
            if kept is not None and kept > price_fen:
                raise ApiError(
                    409,
                    "member_price_above_price",
                    f"{sku}'s member price {kept} fen would be above the new price {price_fen} "
                    "fen: give --member-price-fen too, or --clear-member-price / "
                    f"{sku} 的会员价将高于新售价：请同时指定 --member-price-fen 或 "
                    "--clear-member-price",
                )
            tx.execute(
                "INSERT INTO prices(sku, price_fen, member_price_fen, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(sku) DO UPDATE SET "
                "price_fen = excluded.price_fen, member_price_fen = excluded.member_price_fen, "
                "updated_at = excluded.updated_at",
                (sku, price_fen, kept, _now_iso(self.now())),
            )
            self.publish(tx, "price", "upsert", sku, data)
        return data

    def add_member(
        self, phone: str, name: str = "", tier: str = "ordinary", points: int = 0
    ) -> dict[str, Any]:
        if not phone.isdigit() or not 6 <= len(phone) <= 15:
            raise ApiError(400, "bad_phone", f"{phone!r} is not a phone number (digits only)")
        member_id = "M" + uuid.uuid4().hex[:12].upper()
        now = _now_iso(self.now())
        with self.db.tx() as tx:
            cur = tx.execute(
                "INSERT INTO members(id, phone, name, tier, points, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (member_id, phone, name, tier, points, now, now),
            )
            if cur.rowcount == 0:
                raise ApiError(409, "member_exists", f"A member with phone {phone} exists")
            data = member_data(tx, member_id)
            self.publish(tx, "member", "upsert", member_id, data)
        return data

    def member_by_phone(self, phone: str) -> dict[str, Any]:
        with self.db.tx() as tx:
            row = tx.execute("SELECT id FROM members WHERE phone = ?", (phone,)).fetchone()
            if row is None:
                raise ApiError(404, "unknown_member", f"No member with phone {phone}")
            return member_data(tx, row[0])

    def add_coupon(self, code: str, data: Mapping[str, Any]) -> None:
        if not code:
            raise ApiError(400, "bad_coupon", "A coupon needs a code")
        with self.db.tx() as tx:
            tx.execute(
                "INSERT INTO coupons(code, data, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(code) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                (code, _dump(data), _now_iso(self.now())),
            )
            if data.get("issue_only"):
                # only the members' own copies are redeemed (cloud/members/issuing.py): a
                # till that had the coupon itself forgets it
                self.publish(tx, "coupon", "delete", code, {})
            else:
                self.publish(tx, "coupon", "upsert", code, {"code": code, **data})

    def set_config(self, key: str, value: Any, store_id: str | None = None) -> None:
        with self.db.tx() as tx:
            tx.execute(
                "INSERT INTO config(key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (key, _dump(value), _now_iso(self.now())),
            )
            self.publish(tx, "config", "upsert", key, {"value": value}, store_id=store_id)

    def add_promotion(self, promo_id: str, data: Mapping[str, Any]) -> None:
        with self.db.tx() as tx:
            self.publish(tx, "promotion", "upsert", promo_id, {"id": promo_id, **data})

    def devices(self) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            rows = tx.execute(
                "SELECT device_id, store_id, till_no, key_id, model, serial, app_version, "
                "enrolled_at, revoked_at, last_seen_at, contiguous_seq, max_seq FROM devices "
                "ORDER BY store_id, till_no"
            ).fetchall()
        cols = [
            "device_id",
            "store_id",
            "till_no",
            "key_id",
            "model",
            "serial",
            "app_version",
            "enrolled_at",
            "revoked_at",
            "last_seen_at",
            "contiguous_seq",
            "max_seq",
        ]
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def revoke_device(self, device_id: str) -> None:
        with self.db.tx() as tx:
            cur = tx.execute(
                "UPDATE devices SET revoked_at = ? WHERE device_id = ?",
                (_now_iso(self.now()), device_id),
            )
            if cur.rowcount == 0:
                raise ApiError(404, "unknown_device", f"No device {device_id}")
            self.publish(tx, "device_key", "delete", device_id, {})

    def totals(self, device_id: str | None = None) -> dict[str, int]:
        where, params = ("AND device_id = ?", [device_id]) if device_id else ("", [])
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT count(*), COALESCE(SUM(total_fen), 0) FROM events WHERE status = "
                f"'accepted' AND type IN ('sale.completed', 'refund.completed') {where}",
                params,
            ).fetchone()
            allrow = tx.execute(f"SELECT count(*) FROM events WHERE 1=1 {where}", params).fetchone()
        return {
            "sales_and_refunds": int(row[0]),
            "total_fen": int(row[1]),
            "events": int(allrow[0]),
        }
