"""The cloud's use cases on CloudDB: enrollment, ingestion, change feed, stored value and
receipt lookups (administration is in admin.py).

HTTP lives in app.py; admin commands call these methods directly.  Errors are ApiError with
an HTTP status and a snake_case code (specs/sync-protocol.md, Errors).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..signing import key_id_of, unb64
from . import stock
from .admin import CloudAdmin
from .common import ApiError, _dump, _now_iso, code_hash, int64
from .db import Tx
from .ingest import ingest_batch
from .members_ledger import MemberLedger

__all__ = ["ApiError", "CloudService"]


class CloudService(MemberLedger, CloudAdmin):
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
        at = _now_iso(self.now())
        with self.db.tx() as tx:
            before = stock.device_contiguous(tx, device_id)
            result = ingest_batch(tx, device_id, events, at, floats_as_decimal)
            stock.after_ingest(tx, self.publish, device_id, events, result["accepted"], before, at)
            self.apply_member_events(tx, device_id, events, set(result["accepted"]))
            return result

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
            body = json.loads(raw_body, parse_int=int64)
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
