"""The cloud's use cases on CloudDB: enrollment, ingestion, change feed and stored value.

CloudService is composed of parts with narrow constructors, not mixins: `changelog` (what
tills pull), `admin` (stores, catalog, members, coupons, devices: admin.py), `members` (the
member ledger: cloud/members/), `receipts` (synced receipts: receipt_lookup.py) and `fapiao`
(发票 asked for from the e-receipt page: cloud/fapiao/).

HTTP lives in app.py; admin commands call these methods directly.  Errors are ApiError with
an HTTP status and a snake_case code (specs/sync-protocol.md, Errors).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pos_app.domain.sale_limits import TOKEN_MAX_FEN
from sync.signing import b64, key_id_of

from . import key_checks, stock
from .admin import CloudAdmin
from .associates.service import Associates
from .changelog import ChangeLog
from .common import ApiError, _now_iso, code_hash, load_json
from .console import facts as console_facts
from .db import CloudDB, Tx
from .enrolment import EnrollRequest, read_enrollment, verify_possession
from .fapiao.desk import FapiaoDesk
from .idempotency import once
from .ingest import Device, ingest_batch
from .key_checks import KeyVerdict
from .members import Members
from .members.chain_view import ChainView
from .members.join import Joining
from .members.rows import member_data
from .receipt_lookup import SyncedReceipts
from .returns import ledger as return_ledger
from .tiers.recompute import Tiers
from .topups.bonus import clamp_bonus
from .topups.ledger import TopUps
from .triggers.service import Triggers

__all__ = ["ApiError", "CloudService"]

MAX_TILL_NO = 999


# What `str(uuid.UUID(v)) == v.lower()` held for a 36-character v: the canonical 8-4-4-4-12
# form, its hex digits in either case (a regular expression: building the UUID and its text
# cost ~2 µs an event of a push).
_UUID_TEXT = re.compile(
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def _is_uuid(value: Any) -> bool:
    """The spec's event id: a UUID in its 36-character text form (the idempotency key, stored
    and echoed back, so never free text of any length)."""
    return isinstance(value, str) and _UUID_TEXT.fullmatch(value) is not None


def check_batch(events: Sequence[Any]) -> None:
    """ApiError 400 unless every event is an object with a UUID `id`, each id once."""
    for e in events:
        if not isinstance(e, dict) or not _is_uuid(e.get("id")):
            raise ApiError(
                400,
                "bad_batch",
                "every event needs an `id` that is a UUID "
                "(e.g. 0f8fad5b-d9cb-469f-a165-70867728950e)",
            )
    ids = [e["id"] for e in events]
    if len(set(ids)) != len(ids):
        raise ApiError(400, "bad_batch", "an event id appears twice in one batch")


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
        self.changelog = ChangeLog(now)
        self.publish = self.changelog.publish
        self.admin = CloudAdmin(db, now, self.publish)
        self.receipts = SyncedReceipts(db)
        self.members = Members(db, now, self.publish, self.receipts)
        self.fapiao = FapiaoDesk(db, now, self.receipts)
        self.topups = TopUps(db, now, self.publish)  # issue 23
        self.triggers = Triggers(db, now, self.publish, self.members.issuing)  # issue 21
        self.associates = Associates(db, now, self.publish, self.members.issuing)  # /a/
        self.joining = Joining(db, now, self.publish, self.members.claims, self.session_secret)
        self._session_secret: bytes | None = None
        self.tiers = Tiers(db, now, self.changelog)  # 631 tiers (issue 21)
        self.chain_view = ChainView(db, now, self.tiers)  # one member across the chain

    def session_secret(self) -> bytes:
        """The key that signs member sessions and join codes (pages/visitor.py), read once."""
        if self._session_secret is None:
            # imported here: the admin commands use this service without the web stack
            from .pages.visitor import session_key

            self._session_secret = session_key(self.db)
        return self._session_secret

    def session_secret_in(self, tx: Tx) -> bytes:
        """session_secret in the caller's transaction (the e-receipt page's one transaction);
        remembered once that transaction committed (`keep_session_secret`)."""
        if self._session_secret is not None:
            return self._session_secret
        from .pages.visitor import session_key_in

        return session_key_in(tx)

    def keep_session_secret(self, key: bytes) -> None:
        self._session_secret = key

    # ---- enrollment ------------------------------------------------------------------------

    def enroll(self, req: EnrollRequest) -> dict[str, Any]:
        """`POST /v1/devices/enroll`: key checked, possession proven, then the code used."""
        body, pub = read_enrollment(req)
        code, device = str(body["code"]), body.get("device") or {}
        pub_b64 = b64(pub)  # one spelling per key: devices are matched on it
        if not req.signed:
            if self._key_enrolled(pub_b64):
                raise ApiError(
                    409,
                    "key_enrolled",
                    "This public key is already enrolled; only the till holding its private "
                    "key can enroll it again, with a signed request (update the till software)",
                )
            raise ApiError(
                401,
                "bad_signature",
                "The enrollment request is not signed: sign it with the key it enrolls "
                '(keyid "enroll"); update the till software',
            )
        signed = verify_possession(req, pub)
        with self.db.tx() as tx:
            fresh = self.remember_nonce(
                tx, f"enroll:{key_id_of(pub).hex()}", signed.nonce, signed.created
            )
        if not fresh:
            raise ApiError(
                401, "replayed_nonce", "This signature's nonce was used before (a replayed request)"
            )
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
            self._revoke_key(tx, pub_b64)  # proven re-enrollment: the key's old device goes
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
            # read_enrollment refused a key with a problem: this one is acceptable
            key_checks.record(tx, pub_b64, None, _now_iso(now))
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
        sequence (the caller revokes its old device); a till set up with a number (`guitai init
        --till-no`) asks for it and gets it while no other active till holds it; otherwise
        the next number the store has never used.
        """
        if requested is not None and (
            not isinstance(requested, int)
            or isinstance(requested, bool)
            or not 1 <= requested <= MAX_TILL_NO
        ):
            # bounded like `guitai init --till-no`; beyond 2^31 PostgreSQL's INTEGER overflowed
            raise ApiError(
                400, "bad_till_no", f"device.till_no must be an integer from 1 to {MAX_TILL_NO}"
            )
        same = tx.execute(
            "SELECT device_id, till_no, chain_head, contiguous_seq, max_seq, revoked_at "
            "FROM devices WHERE store_id = ? AND public_key = ? ORDER BY enrolled_at DESC "
            "LIMIT 1",
            (store_id, pub_b64),
        ).fetchone()
        if same is not None and requested in (None, same[1]):
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

    def _key_enrolled(self, pub_b64: str) -> bool:
        with self.db.tx() as tx:
            return (
                tx.execute(
                    "SELECT 1 FROM devices WHERE public_key = ? AND revoked_at IS NULL",
                    (pub_b64,),
                ).fetchone()
                is not None
            )

    def _revoke_key(self, tx: Tx, pub_b64: str) -> None:
        for (old,) in tx.execute(
            "SELECT device_id FROM devices WHERE public_key = ? AND revoked_at IS NULL",
            (pub_b64,),
        ).fetchall():
            tx.execute(
                "UPDATE devices SET revoked_at = ? WHERE device_id = ?",
                (_now_iso(self.now()), old),
            )
            self.publish(tx, "device_key", "delete", old, {})

    # ---- authentication support -----------------------------------------------------------

    def device_key(self, tx: Tx, device_id: str) -> tuple[str, bool, KeyVerdict] | None:
        """(public key base64, revoked, the key's recorded verdict) of a device."""
        row = tx.execute(
            f"SELECT public_key, revoked_at, {key_checks.columns('devices')} FROM devices "
            "WHERE device_id = ?",
            (device_id,),
        ).fetchone()
        return None if row is None else (row[0], row[1] is not None, KeyVerdict.of(row[2], row[3]))

    def remember_nonce(self, tx: Tx, device_id: str, nonce: str, created: int) -> bool:
        """False when the nonce was seen before (a replay)."""
        cur = tx.execute(
            "INSERT INTO nonces(device_id, nonce, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (device_id, nonce, created),
        )
        if time.monotonic() - self._last_prune > 60:
            self._last_prune = time.monotonic()
            tx.execute("DELETE FROM nonces WHERE created < ?", (int(self.now().timestamp()) - 900,))
        return bool(cur.rowcount == 1)

    # ---- push ------------------------------------------------------------------------------

    def ingest(
        self, device_id: str, events: Sequence[Any], floats_as_decimal: bool = False
    ) -> dict[str, Any]:
        """Store a pushed batch idempotently; see ingest.ingest_batch.

        floats_as_decimal: the batch was parsed with parse_float=Decimal (the HTTP path).
        """
        check_batch(events)
        with self.db.tx() as tx:
            answer, reversal = self.ingest_in(tx, device_id, events, floats_as_decimal)
        if reversal:  # the 红冲 goes to the provider after the refund is committed
            self.fapiao.send_pending()
        return answer

    def ingest_in(
        self,
        tx: Tx,
        device_id: str,
        events: Sequence[Any],
        floats_as_decimal: bool,
        device: Device | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """A checked batch (check_batch) stored in `tx`: the push's answer, and whether a
        refund's 红冲 waits to be sent (`fapiao.send_pending` once `tx` has committed).
        `device`: the device's row as ingest.lock_device read it earlier in `tx`."""
        at = _now_iso(self.now())
        batch = ingest_batch(tx, device_id, events, at, floats_as_decimal, device)
        accepted = set(batch.answer["accepted"])
        stock.after_ingest(tx, self.publish, device_id, events, accepted, batch, at)
        self.members.ledger.apply(tx, device_id, batch.store_id, events, accepted)
        reversal = self.fapiao.note_refunds(tx, device_id, events, accepted)
        self.members.claims.on_ingest(tx, device_id, events, accepted)
        console_facts.apply(tx, device_id, batch.store_id, batch.till_no, events, accepted, at)
        return_ledger.after_ingest(tx, self.publish, events, accepted, device_id, at)
        return batch.answer, bool(reversal)

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
        expected = "{member_id, amount_fen, reference}"
        body = load_json(raw_body, "bad_request", expected)
        if not isinstance(body, dict) or not isinstance(body.get("member_id"), str):
            raise ApiError(400, "bad_request", f"Send {expected} (member_id a string)")
        member_id, amount = body["member_id"], body.get("amount_fen")
        if isinstance(amount, float) and amount.is_integer() and abs(amount) < 2**53:
            amount = int(amount)  # 1078.0 is the integer 1078 (JSON Schema's `integer`)
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ApiError(400, "bad_amount", "amount_fen must be a positive integer (fen)")
        if amount > TOKEN_MAX_FEN:  # two near 2**63 overflowed the balance's SUM: a 500
            raise ApiError(
                400, "bad_amount", f"amount_fen is at most {TOKEN_MAX_FEN} (the largest sale)"
            )
        req_hash = hashlib.sha256(direction.encode() + b"\n" + raw_body).hexdigest()
        now = _now_iso(self.now())

        def book(tx: Tx) -> tuple[int, dict[str, Any]]:
            status: int
            resp: dict[str, Any]
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
                    if direction == "debits":  # paid stored value first, then bonus
                        clamp_bonus(tx, member_id, idem_key, now)
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
                    self.publish(tx, "member", "upsert", member_id, member_data(tx, member_id))
            return status, resp

        with self.db.tx() as tx:
            return once(tx, device_id, idem_key, req_hash, now, lambda: book(tx))
