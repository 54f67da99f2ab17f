"""The receipts the cloud holds: a till's device by the key id in an e-receipt token, and a
receipt's sale once it has synced (the e-receipt page and the funnel's follows read them),
in a transaction of their own or in the caller's."""

from __future__ import annotations

import json
from typing import Any

from .db import CloudDB, Tx


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


def synced_receipt(tx: Tx, device_id: str, receipt_no: int) -> dict[str, Any] | None:
    row = tx.execute(
        "SELECT type, payload, entry_hash, total_fen, id FROM events WHERE "
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
        "event_id": row[4],
    }
