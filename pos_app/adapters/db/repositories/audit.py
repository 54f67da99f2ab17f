"""`audit` (approved overrides) and `voids` (lines and sales given up)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any


class SqliteAudit:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(
        self,
        action: str,
        user: str,
        approver: str | None,
        reason: str,
        details: Mapping[str, Any],
        at: str,
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit(at, action, user, approver, reason, details) VALUES(?,?,?,?,?,?)",
            (at, action, user, approver, reason, json.dumps(details, ensure_ascii=False)),
        )

    def add_void(
        self,
        shift_id: int | None,
        kind: str,
        sale_id: str,
        cashier: str,
        reason: str,
        qty: int,
        amount_fen: int,
        at: str,
    ) -> None:
        self.conn.execute(
            "INSERT INTO voids(shift_id, kind, sale_id, cashier, reason, qty, amount_fen, at) "
            "VALUES(?,?,?,?,?,?,?,?)",
            (shift_id, kind, sale_id, cashier, reason, qty, amount_fen, at),
        )
