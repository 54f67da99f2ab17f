"""The members' chain views last fetched from the cloud, kept in a SQLite file of their own
beside the till's database (`chain_views.db` in the till's home).

A cache, not a record: nothing in it is the till's business data (the cloud holds it all),
so it stays out of till.db, its migrations, its backups and its one writing connection; a
lost or unreadable file only means the next attach fetches again.  A connection is opened
per call: it is used when a member is attached, a few times a sale at most."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS chain_views (phone TEXT PRIMARY KEY, member_id TEXT NOT NULL, "
    "data TEXT NOT NULL, fetched_at TEXT NOT NULL)"
)


class SqliteChainViewCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5)
        conn.execute(SCHEMA)
        return conn

    def get(self, phone: str) -> tuple[dict[str, Any], str] | None:
        try:
            conn = self._open()
        except sqlite3.Error:
            return None
        try:
            row = conn.execute(
                "SELECT data, fetched_at FROM chain_views WHERE phone = ?", (phone,)
            ).fetchone()
        except sqlite3.Error:
            return None
        finally:
            conn.close()
        return None if row is None else (json.loads(row[0]), str(row[1]))

    def put(self, phone: str, view: dict[str, Any], fetched_at: str) -> None:
        try:
            self._put(phone, view, fetched_at)
        except (sqlite3.Error, OSError) as err:  # only the offline copy is lost
            log.warning("the chain view cache %s cannot be written: %s", self.path, err)

    def _put(self, phone: str, view: dict[str, Any], fetched_at: str) -> None:
        conn = self._open()
        try:
            with conn:
                conn.execute(
                    "INSERT INTO chain_views(phone, member_id, data, fetched_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(phone) DO UPDATE SET "
                    "member_id = excluded.member_id, data = excluded.data, "
                    "fetched_at = excluded.fetched_at",
                    (
                        phone,
                        str(view.get("member_id", "")),
                        json.dumps(view, ensure_ascii=False),
                        fetched_at,
                    ),
                )
        finally:
            conn.close()
