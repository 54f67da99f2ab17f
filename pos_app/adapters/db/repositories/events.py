"""Events written into the transactional `outbox` in the transaction of the change they
describe (the relay's side of the table is adapters/db/outbox.py)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any


class SqliteOutboxEvents:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(
        self,
        type_: str,
        payload: Mapping[str, Any],
        occurred_at: str,
        prev_entry_hash: str | None = None,
        entry_hash_hex: str | None = None,
    ) -> str:
        event_id = str(uuid.uuid4())
        seq = int(self.conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM outbox").fetchone()[0])
        self.conn.execute(
            "INSERT INTO outbox(seq, id, type, schema, occurred_at, payload, prev_entry_hash, "
            "entry_hash) VALUES(?,?,?,?,?,?,?,?)",
            (
                seq,
                event_id,
                type_,
                1,
                occurred_at,
                json.dumps(payload, ensure_ascii=False, sort_keys=True),
                prev_entry_hash,
                entry_hash_hex,
            ),
        )
        return event_id
