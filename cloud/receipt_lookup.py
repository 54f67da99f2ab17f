"""The receipts the cloud holds: a till's device by the key id in an e-receipt token, and a
receipt's sale once it has synced (the e-receipt page and the funnel's follows read them),
in a transaction of their own or in the caller's; the page reads both at once
(token_receipt)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pos_app.domain.ed25519_keys import public_key_problem
from receipts.token import TokenError, TokenFields, verify_token
from sync.signing import unb64

from . import key_checks
from .db import CloudDB, Tx
from .key_checks import UNRECORDED, KeyVerdict


class SyncedReceipts:
    def __init__(self, db: CloudDB) -> None:
        self.db = db

    def device_by_key_id(self, key_id_hex: str) -> dict[str, Any] | None:
        with self.db.tx() as tx:
            return device_by_key_id(tx, key_id_hex)

    def synced_receipt(self, device_id: str, receipt_no: int) -> dict[str, Any] | None:
        with self.db.tx() as tx:
            return synced_receipt(tx, device_id, receipt_no)


def device_by_key_id(tx: Tx, key_id_hex: str) -> dict[str, Any] | None:
    row = tx.execute(
        "SELECT d.device_id, d.store_id, d.till_no, d.public_key, "
        f"d.revoked_at, s.name, {key_checks.columns('d')} FROM devices d JOIN stores s "
        "ON s.store_id = d.store_id WHERE d.key_id = ? "
        "ORDER BY d.enrolled_at DESC LIMIT 1",
        (key_id_hex,),
    ).fetchone()
    return None if row is None else _device(row, KeyVerdict.of(row[6], row[7]))


def _device(row: Sequence[Any], verdict: KeyVerdict) -> dict[str, Any]:
    return {
        "device_id": row[0],
        "store_id": row[1],
        "till_no": row[2],
        "public_key": row[3],
        "revoked_at": row[4],
        "store_name": row[5],
        "key_verdict": verdict,  # its key's recorded verdict (key_checks.py)
    }


def synced_receipt(tx: Tx, device_id: str, receipt_no: int) -> dict[str, Any] | None:
    row = tx.execute(
        "SELECT type, payload, entry_hash, total_fen, id FROM events WHERE "
        "device_id = ? AND receipt_no = ? AND status = 'accepted'",
        (device_id, receipt_no),
    ).fetchone()
    return None if row is None else sale_of_row(row)


def sale_of_row(row: Sequence[Any]) -> dict[str, Any]:
    """A synced sale from its row: (type, payload, entry_hash, total_fen, id)."""
    return {
        "type": row[0],
        "payload": json.loads(row[1]),
        "entry_hash": row[2],
        "total_fen": row[3],
        "event_id": row[4],
    }


def token_receipt(
    tx: Tx, key_id_hex: str, receipt_no: int
) -> tuple[dict[str, Any] | None, tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """(device_by_key_id, the row of its synced sale `receipt_no` or None, the row of the
    receipt's stored follow code (scene, ticket, url, expires_at) or None) in one read: the
    e-receipt page's lookup (a statement each cost the page a round trip).  The sale's row is
    turned into a sale (sale_of_row, its payload parsed) only once the token is found
    genuine; an altered token's sale is never shown."""
    row = tx.execute(
        "SELECT d.device_id, d.store_id, d.till_no, d.public_key, d.revoked_at, s.name, "
        "e.type, e.payload, e.entry_hash, e.total_fen, e.id, "
        f"q.scene, q.ticket, q.url, q.expires_at, {key_checks.columns('d')} "
        "FROM devices d JOIN stores s ON s.store_id = d.store_id "
        "LEFT JOIN events e ON e.device_id = d.device_id AND e.receipt_no = ? "
        "AND e.status = 'accepted' "
        "LEFT JOIN receipt_follow_qrs q ON q.receipt_key = d.device_id || ':' || ? "
        "WHERE d.key_id = ? ORDER BY d.enrolled_at DESC LIMIT 1",
        (receipt_no, str(receipt_no), key_id_hex),
    ).fetchone()
    if row is None:
        return None, None, None
    sale = None if row[10] is None else tuple(row[6:11])
    device = _device(row, KeyVerdict.of(row[15], row[16]))
    return device, sale, (None if row[11] is None else tuple(row[11:15]))


def token_signed_by(device: Any, fields: TokenFields) -> bool:
    """Whether the till's enrolled key signed the token: the one check behind the e-receipt
    page, its join calls and the top-up page.  A key any signature verifies under (a till
    enrolled before keys were checked) proves nothing, so it counts as altered too.

    Remembered per worker (`_signed_by`): the answer depends on the key's and the token's
    bytes alone, so a reload or a second look at a receipt skips the Ed25519 verification.
    Whether the till is revoked is not part of it: the page reads the till's row, and with it
    `revoked_at`, on every view, so a revoked till's receipts stop being genuine at once.

    The key's verdict recorded in the database (key_checks.py, read with the till's row)
    spares a fresh worker the key's ~2 ms check; a key not yet recorded is checked here (and
    recorded by the till's next signed request)."""
    verdict = device.get("key_verdict", UNRECORDED)
    return _signed_by(str(device["public_key"]), fields, verdict)


@lru_cache(maxsize=4096)
def _signed_by(public_key: str, fields: TokenFields, verdict: KeyVerdict) -> bool:
    try:
        pub = unb64(public_key)
        problem = verdict.problem if verdict.recorded else public_key_problem(pub)
        if problem is not None:
            return False
        verify_token(fields, pub, key_checked=True)
    except (TokenError, ValueError):
        return False
    return True
