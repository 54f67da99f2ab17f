"""The cloud's use cases on CloudDB: enrollment, ingestion, change feed, members, stored value.

HTTP lives in app.py; admin commands call these methods directly.  Errors are ApiError with
an HTTP status and a snake_case code (specs/sync-protocol.md, Errors).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pos_app.domain import events as ev

from ..signing import key_id_of, unb64
from .db import CloudDB, Tx
from .ingest import ingest_batch

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone
CHAINED = ev.CHAINED


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _now_iso(now: datetime) -> str:
    return now.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def code_hash(code: str) -> str:
    norm = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(norm.encode()).hexdigest()


class CloudService:
    def __init__(
        self,
        db: CloudDB,
        *,
        ereceipt_base_url: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.ereceipt_base_url = ereceipt_base_url
        self.now = now
        self._last_prune = 0.0

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

    def publish(
        self,
        tx: Tx,
        kind: str,
        op: str,
        key: str,
        data: Mapping[str, Any],
        store_id: str | None = None,
    ) -> None:
        tx.lock_changes()
        tx.execute(
            "INSERT INTO changes(kind, op, key, data, store_id, at) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, op, key, _dump(data), store_id, _now_iso(self.now())),
        )

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

    def set_price(self, sku: str, price_fen: int, member_price_fen: int | None = None) -> None:
        if price_fen < 0:
            raise ApiError(400, "bad_price", "price_fen must be ≥ 0")
        with self.db.tx() as tx:
            tx.execute(
                "INSERT INTO prices(sku, price_fen, member_price_fen, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(sku) DO UPDATE SET "
                "price_fen = excluded.price_fen, member_price_fen = excluded.member_price_fen, "
                "updated_at = excluded.updated_at",
                (sku, price_fen, member_price_fen, _now_iso(self.now())),
            )
            self.publish(
                tx,
                "price",
                "upsert",
                sku,
                {"sku": sku, "price_fen": price_fen, "member_price_fen": member_price_fen},
            )

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
            data = self._member_data(tx, member_id)
            self.publish(tx, "member", "upsert", member_id, data)
        return data

    def _member_data(self, tx: Tx, member_id: str) -> dict[str, Any]:
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

    def member_by_phone(self, phone: str) -> dict[str, Any]:
        with self.db.tx() as tx:
            row = tx.execute("SELECT id FROM members WHERE phone = ?", (phone,)).fetchone()
            if row is None:
                raise ApiError(404, "unknown_member", f"No member with phone {phone}")
            return self._member_data(tx, row[0])

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

    # ---- enrollment ------------------------------------------------------------------------

    def enroll(self, body: Mapping[str, Any]) -> dict[str, Any]:
        code, pub_b64 = body.get("code"), body.get("public_key")
        device = body.get("device") or {}
        if (
            not isinstance(code, str)
            or not isinstance(pub_b64, str)
            or not isinstance(device, dict)
        ):
            raise ApiError(400, "bad_request", "Send {code, public_key, device}")
        try:
            pub = unb64(pub_b64)
        except ValueError as err:
            raise ApiError(400, "bad_public_key", "public_key is not base64") from err
        if len(pub) != 32:
            raise ApiError(400, "bad_public_key", "public_key must be the raw 32-byte Ed25519 key")
        now = self.now()
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT store_id, expires_at, used_at FROM enrollment_codes "
                "WHERE code = ?" + (" FOR UPDATE" if tx.dialect == "postgres" else ""),
                (code_hash(code),),
            ).fetchone()
            if row is None:
                raise ApiError(
                    404,
                    "unknown_code",
                    "This enrollment code does not exist; check it or ask for a new one",
                )
            store_id, expires_at, used_at = row
            if used_at:
                raise ApiError(
                    409,
                    "code_used",
                    "This enrollment code was already used; ask the store manager for a new one",
                )
            if datetime.fromisoformat(expires_at.replace("Z", "+00:00")) <= now:
                raise ApiError(
                    410,
                    "code_expired",
                    "This enrollment code has expired; ask the store manager for a new one",
                )
            wanted_store = device.get("store_id")
            if wanted_store not in (None, "", store_id):
                # checked before the code is used, so the right code still works afterwards
                raise ApiError(
                    409,
                    "wrong_store",
                    f"This code enrolls a till of store {store_id}, but this till is set up "
                    f"for store {wanted_store}: ask for a code for {wanted_store}",
                )
            if tx.dialect == "postgres":
                tx.execute("SELECT 1 FROM stores WHERE store_id = ? FOR UPDATE", (store_id,))
            till_no, carried = self._pick_till_no(tx, store_id, pub_b64, device.get("till_no"))
            device_id = "dev_" + uuid.uuid4().hex
            key_id = key_id_of(pub).hex()
            tx.execute(
                "INSERT INTO devices(device_id, store_id, till_no, key_id, public_key, model, "
                "serial, app_version, enrolled_at, chain_head, contiguous_seq, max_seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    device_id,
                    store_id,
                    till_no,
                    key_id,
                    pub_b64,
                    str(device.get("model", "")),
                    str(device.get("serial", "")),
                    str(device.get("app_version", "")),
                    _now_iso(now),
                    *carried,
                ),
            )
            tx.execute(
                "UPDATE enrollment_codes SET used_at = ?, used_by = ? WHERE code = ?",
                (_now_iso(now), device_id, code_hash(code)),
            )
            self.publish(
                tx,
                "device_key",
                "upsert",
                device_id,
                {
                    "device_id": device_id,
                    "key_id": key_id,
                    "public_key": pub_b64,
                    "store_id": store_id,
                    "till_no": till_no,
                },
            )
        return {
            "device_id": device_id,
            "store_id": store_id,
            "till_no": till_no,
            "key_id": key_id,
            "ereceipt_base_url": self.ereceipt_base_url,
            "server_time": _now_iso(now),
        }

    def _pick_till_no(
        self, tx: Tx, store_id: str, pub_b64: str, requested: Any
    ) -> tuple[int, tuple[str, int, int]]:
        """The till number for an enrolling device, and the chain state it carries over.

        A till that enrolls again with the same key keeps its number, hash-chain head and
        sequence (its old device is revoked); a till set up with a number (`guitai init
        --till-no`) asks for it and gets it while no other active till holds it; otherwise
        the next number the store has never used.
        """
        if requested is not None and (
            not isinstance(requested, int) or isinstance(requested, bool) or requested < 1
        ):
            raise ApiError(400, "bad_till_no", "device.till_no must be a positive integer")
        same = tx.execute(
            "SELECT device_id, till_no, chain_head, contiguous_seq, max_seq, revoked_at "
            "FROM devices WHERE store_id = ? AND public_key = ? ORDER BY enrolled_at DESC "
            "LIMIT 1",
            (store_id, pub_b64),
        ).fetchone()
        if same is not None and requested in (None, same[1]):
            if same[5] is None:
                tx.execute(
                    "UPDATE devices SET revoked_at = ? WHERE device_id = ?",
                    (_now_iso(self.now()), same[0]),
                )
                self.publish(tx, "device_key", "delete", same[0], {})
            return int(same[1]), (same[2], int(same[3]), int(same[4]))
        if requested is not None:
            taken = tx.execute(
                "SELECT device_id FROM devices WHERE store_id = ? AND till_no = ? "
                "AND revoked_at IS NULL",
                (store_id, requested),
            ).fetchone()
            if taken is not None:
                raise ApiError(
                    409,
                    "till_no_taken",
                    f"Till {requested} of store {store_id} is enrolled as another device; "
                    "revoke it first (`guitai cloud devices revoke`) or use another number",
                )
            return requested, ("", 0, 0)
        row = tx.execute(
            "SELECT COALESCE(MAX(till_no), 0) + 1 FROM devices WHERE store_id = ?", (store_id,)
        ).fetchone()
        return int(row[0]), ("", 0, 0)

    # ---- authentication support -----------------------------------------------------------

    def device_key(self, device_id: str) -> tuple[str, bool] | None:
        """(public key base64, revoked) of a device."""
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT public_key, revoked_at FROM devices WHERE device_id = ?", (device_id,)
            ).fetchone()
        return None if row is None else (row[0], row[1] is not None)

    def remember_nonce(self, device_id: str, nonce: str, created: int) -> bool:
        """False when the nonce was seen before (a replay)."""
        with self.db.tx() as tx:
            cur = tx.execute(
                "INSERT INTO nonces(device_id, nonce, created) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (device_id, nonce, created),
            )
            fresh = cur.rowcount == 1
            if time.monotonic() - self._last_prune > 60:
                self._last_prune = time.monotonic()
                tx.execute(
                    "DELETE FROM nonces WHERE created < ?", (int(self.now().timestamp()) - 900,)
                )
        return fresh

    # ---- push ------------------------------------------------------------------------------

    def ingest(
        self, device_id: str, events: Sequence[Any], floats_as_decimal: bool = False
    ) -> dict[str, Any]:
        """Store a pushed batch idempotently; see ingest.ingest_batch.

        floats_as_decimal: the batch was parsed with parse_float=Decimal (the HTTP path).
        """
        for e in events:
            if not isinstance(e, dict) or not isinstance(e.get("id"), str) or not e["id"]:
                raise ApiError(400, "bad_batch", "every event needs a string `id`")
        ids = [e["id"] for e in events]
        if len(set(ids)) != len(ids):
            raise ApiError(400, "bad_batch", "an event id appears twice in one batch")
        with self.db.tx() as tx:
            return ingest_batch(tx, device_id, events, _now_iso(self.now()), floats_as_decimal)

    # ---- pull ------------------------------------------------------------------------------

    def changes(self, device_id: str, since: int, limit: int) -> dict[str, Any]:
        limit = max(1, min(limit, 1000))
        with self.db.tx() as tx:
            store = tx.execute(
                "SELECT store_id FROM devices WHERE device_id = ?", (device_id,)
            ).fetchone()[0]
            rows = tx.execute(
                "SELECT cursor, kind, op, key, data FROM changes WHERE cursor > ? "
                "AND (store_id IS NULL OR store_id = ?) ORDER BY cursor LIMIT ?",
                (since, store, limit + 1),
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "changes": [
                {"kind": r[1], "op": r[2], "key": r[3], "data": json.loads(r[4])} for r in rows
            ],
            "next_cursor": str(rows[-1][0] if rows else since),
            "more": more,
        }

    # ---- stored value ----------------------------------------------------------------------

    def stored_value(
        self, device_id: str, direction: str, idem_key: str | None, raw_body: bytes
    ) -> tuple[int, dict[str, Any]]:
        if not idem_key or len(idem_key) > 255:
            raise ApiError(
                400,
                "idempotency_key_required",
                "Send an Idempotency-Key header (a UUID made once per payment)",
            )
        try:
            body = json.loads(raw_body)
            member_id, amount = body["member_id"], body["amount_fen"]
        except (ValueError, KeyError, TypeError) as err:
            raise ApiError(400, "bad_request", "Send {member_id, amount_fen, reference}") from err
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ApiError(400, "bad_amount", "amount_fen must be a positive integer (fen)")
        req_hash = hashlib.sha256(direction.encode() + b"\n" + raw_body).hexdigest()
        now = _now_iso(self.now())
        status: int
        resp: dict[str, Any]
        with self.db.tx() as tx:
            cur = tx.execute(
                "INSERT INTO idempotency(device_id, key, request_hash, status, "
                "response, at) VALUES (?, ?, ?, 0, '', ?) ON CONFLICT DO NOTHING",
                (device_id, idem_key, req_hash, now),
            )
            if cur.rowcount == 0:
                row = tx.execute(
                    "SELECT request_hash, status, response FROM idempotency "
                    "WHERE device_id = ? AND key = ?",
                    (device_id, idem_key),
                ).fetchone()
                if row[0] != req_hash:
                    raise ApiError(
                        422,
                        "idempotency_key_reused",
                        "This Idempotency-Key was used for a different request",
                    )
                return int(row[1]), json.loads(row[2])
            lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
            if (
                tx.execute(f"SELECT id FROM members WHERE id = ?{lock}", (member_id,)).fetchone()
                is None
            ):
                status, resp = (
                    404,
                    {"error": {"code": "unknown_member", "message": f"No member {member_id}"}},
                )
            else:
                balance = int(
                    tx.execute(
                        "SELECT COALESCE(SUM(delta_fen), 0) FROM "
                        "stored_value_ledger WHERE member_id = ?",
                        (member_id,),
                    ).fetchone()[0]
                )
                delta = -amount if direction == "debits" else amount
                if balance + delta < 0:
                    status, resp = (
                        409,
                        {
                            "error": {
                                "code": "insufficient_funds",
                                "message": f"Balance {balance} fen is less than {amount} fen",
                            }
                        },
                    )
                else:
                    txn = tx.execute(
                        "INSERT INTO stored_value_ledger(member_id, delta_fen, "
                        "reference, device_id, at) VALUES (?, ?, ?, ?, ?) "
                        "RETURNING id",
                        (member_id, delta, str(body.get("reference", "")), device_id, now),
                    ).fetchone()[0]
                    status, resp = (
                        200,
                        {
                            "transaction_id": int(txn),
                            "member_id": member_id,
                            "amount_fen": amount,
                            "direction": direction,
                            "balance_fen": balance + delta,
                        },
                    )
                    self.publish(
                        tx, "member", "upsert", member_id, self._member_data(tx, member_id)
                    )
            tx.execute(
                "UPDATE idempotency SET status = ?, response = ? WHERE device_id = ? AND key = ?",
                (status, _dump(resp), device_id, idem_key),
            )
        return status, resp

    # ---- receipts --------------------------------------------------------------------------

    def device_by_key_id(self, key_id_hex: str) -> dict[str, Any] | None:
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT d.device_id, d.store_id, d.till_no, d.public_key, "
                "d.revoked_at, s.name FROM devices d JOIN stores s "
                "ON s.store_id = d.store_id WHERE d.key_id = ? "
                "ORDER BY d.enrolled_at DESC LIMIT 1",
                (key_id_hex,),
            ).fetchone()
        if row is None:
            return None
        return {
            "device_id": row[0],
            "store_id": row[1],
            "till_no": row[2],
            "public_key": row[3],
            "revoked_at": row[4],
            "store_name": row[5],
        }

    def synced_receipt(self, device_id: str, receipt_no: int) -> dict[str, Any] | None:
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT type, payload, entry_hash, total_fen FROM events WHERE "
                "device_id = ? AND receipt_no = ? AND status = 'accepted'",
                (device_id, receipt_no),
            ).fetchone()
        if row is None:
            return None
        return {
            "type": row[0],
            "payload": json.loads(row[1]),
            "entry_hash": row[2],
            "total_fen": row[3],
        }
