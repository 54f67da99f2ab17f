"""`shifts` with their Z reports, `cash_moves`, and the figures of X/Z reports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any


class SqliteShifts:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def find_open(self) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id, business_day, opened_at, opened_by, float_fen FROM shifts "
            "WHERE closed_at IS NULL"
        ).fetchone()
        if row is None:
            return None
        return dict(
            zip(("id", "business_day", "opened_at", "opened_by", "float_fen"), row, strict=True)
        )

    def insert(self, business_day: str, opened_at: str, user: str, float_fen: int) -> int:
        cur = self.conn.execute(
            "INSERT INTO shifts(business_day, opened_at, opened_by, float_fen) VALUES(?,?,?,?)",
            (business_day, opened_at, user, float_fen),
        )
        return int(cur.lastrowid or 0)

    def close(
        self,
        shift_id: int,
        closed_at: str,
        user: str,
        counted_fen: int,
        z_no: int,
        report: Mapping[str, Any],
    ) -> None:
        self.conn.execute(
            "UPDATE shifts SET closed_at = ?, closed_by = ?, counted_fen = ?, z_no = ?, "
            "z_report = ? WHERE id = ? AND closed_at IS NULL",
            (closed_at, user, counted_fen, z_no, json.dumps(report, ensure_ascii=False), shift_id),
        )

    def next_z_no(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(z_no), 0) + 1 FROM shifts").fetchone()[0])

    def z_reports(self, *, day: str | None = None, z_no: int | None = None) -> list[dict[str, Any]]:
        if z_no is not None:
            rows = self.conn.execute("SELECT z_report FROM shifts WHERE z_no = ?", (z_no,))
        else:
            rows = self.conn.execute(
                "SELECT z_report FROM shifts WHERE business_day = ? AND z_report IS NOT NULL "
                "ORDER BY z_no",
                (day,),
            )
        return [json.loads(r[0]) for r in rows]

    def add_cash_move(
        self, shift_id: int, kind: str, amount_fen: int, reason: str, user: str, at: str
    ) -> None:
        self.conn.execute(
            "INSERT INTO cash_moves(shift_id, kind, amount_fen, reason, user, at) "
            "VALUES(?,?,?,?,?,?)",
            (shift_id, kind, amount_fen, reason, user, at),
        )

    def figures(self, shift_id: int) -> dict[str, Any]:
        from ..reports_sql import shift_figures

        return shift_figures(self.conn, shift_id)

    def period_figures(self, first_day: str, last_day: str) -> dict[str, Any]:
        from ..reports_sql import period_figures

        return period_figures(self.conn, first_day, last_day)
