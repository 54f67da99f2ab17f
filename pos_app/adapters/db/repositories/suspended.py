"""`suspended_sales`: parked baskets."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any


class SqliteSuspended:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, cashier: str, label: str, data: Mapping[str, Any], at: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO suspended_sales(created_at, cashier, label, data) VALUES(?,?,?,?)",
            (at, cashier, label, json.dumps(data, ensure_ascii=False)),
        )
        return int(cur.lastrowid or 0)

    def all(self) -> list[dict[str, Any]]:
        cols = ("id", "created_at", "cashier", "label", "data")
        rows = self.conn.execute(
            "SELECT id, created_at, cashier, label, data FROM suspended_sales ORDER BY id"
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def take(self, sid: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT data FROM suspended_sales WHERE id = ?", (sid,)).fetchone()
        if row is None:
            return None
        self.conn.execute("DELETE FROM suspended_sales WHERE id = ?", (sid,))
        data: dict[str, Any] = json.loads(row[0])
        return data
