"""The hash-chained `journal` (domain/journal.py computes the chain)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

from pos_app.domain.journal import GENESIS, JournalEntry, canonical, entry_hash


class SqliteJournal:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def append(
        self,
        kind: str,
        ref_id: str,
        payload: Mapping[str, Any],
        at: str,
        body: bytes | None = None,
    ) -> tuple[int, str, str]:
        last = self.conn.execute(
            "SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq = (last[0] if last else 0) + 1
        prev = bytes.fromhex(last[1]) if last else GENESIS
        if body is None:
            body = canonical(payload)
        digest = entry_hash(prev, body)
        self.conn.execute(
            "INSERT INTO journal(seq, kind, ref_id, payload, prev_hash, entry_hash, created_at) "
            "VALUES(?,?,?,?,?,?,?)",
            (seq, kind, ref_id, body.decode("utf-8"), prev.hex(), digest.hex(), at),
        )
        return seq, prev.hex(), digest.hex()

    def entries(self) -> Iterator[JournalEntry]:
        for row in self.conn.execute(
            "SELECT seq, kind, ref_id, payload, prev_hash, entry_hash FROM journal ORDER BY seq"
        ):
            yield JournalEntry(*row)

    def refs_without_sale(self) -> list[int]:
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT seq FROM journal WHERE seq NOT IN (SELECT journal_seq FROM sales) "
                "ORDER BY seq"
            )
        ]
