"""`users`: names, roles, PIN hashes and lock-out state."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from pos_app.domain.timeutil import iso_utc
from pos_app.domain.users import User


class SqliteUsers:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, name: str, roles: frozenset[str], pin_hash: str, at: datetime) -> None:
        self.conn.execute(
            "INSERT INTO users(name, roles, pin_hash, created_at) VALUES(?, ?, ?, ?)",
            (name, ",".join(sorted(roles)), pin_hash, iso_utc(at)),
        )

    def get(self, name: str) -> User | None:
        row = self.conn.execute(
            "SELECT name, roles, pin_hash, failed_attempts, locked_until, active "
            "FROM users WHERE name = ?",
            (name,),
        ).fetchone()
        if row is None:
            return None
        locked = datetime.fromisoformat(row[4]) if row[4] else None
        return User(
            row[0],
            frozenset(r for r in row[1].split(",") if r),
            row[2],
            row[3],
            locked,
            bool(row[5]),
        )

    def all(self) -> list[User]:
        names = [r[0] for r in self.conn.execute("SELECT name FROM users ORDER BY name")]
        return [u for n in names if (u := self.get(n)) is not None]

    def count_pin_failure(self, name: str) -> int:
        """One more failure, counted in the database (not read, added to and written back), so
        attempts racing from several processes each count; call inside a unit of work."""
        row = self.conn.execute(
            "UPDATE users SET failed_attempts = failed_attempts + 1 WHERE name = ? "
            "RETURNING failed_attempts",
            (name,),
        ).fetchone()
        return int(row[0]) if row else 0

    def lock(self, name: str, until: datetime) -> None:
        self.conn.execute(
            "UPDATE users SET locked_until = ? WHERE name = ?", (until.isoformat(), name)
        )

    def clear_pin_failures(self, name: str) -> None:
        self.conn.execute(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE name = ?", (name,)
        )

    def set_pin_hash(self, name: str, pin_hash: str) -> None:
        self.conn.execute("UPDATE users SET pin_hash = ? WHERE name = ?", (pin_hash, name))

    def set_active(self, name: str, active: bool) -> None:
        self.conn.execute("UPDATE users SET active = ? WHERE name = ?", (int(active), name))
