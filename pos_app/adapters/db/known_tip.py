"""The end of the journal and of the receipt numbers, remembered between the transactions of
the till's writing connection (issue 17): a sale needs the journal's last entry (its hash is the
next entry's `prev_hash`) and the next receipt number, and asking SQLite for both cost two
statements a sale.

The values are trusted only while nothing but this connection's own units of work has written
since the last COMMIT: the stamp taken then is the connection's `total_changes` (any statement
this connection ran outside the repositories that keep the values moves it) and SQLite's
`PRAGMA data_version` (moved by a COMMIT of any other connection or process, such as a `guitai`
command beside the running till).  Each transaction checks the stamp once, right after its
BEGIN IMMEDIATE, under the write lock, so no other writer can commit between the check and the
use; a stale stamp reads both values again.  A rollback or a failed COMMIT forgets them.
Outside a unit of work's transaction nothing is remembered and the repositories ask SQLite.
"""

from __future__ import annotations

import sqlite3
from typing import Any

RECEIPT = "receipt"  # the next receipt number
JOURNAL = "journal"  # (seq, entry_hash hex) of the last journal entry, or None: empty


class KnownTip:
    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._stamp: tuple[int, int] | None = None
        self._version = 0
        self._open = False  # inside a transaction that checked the stamp

    def begin(self, conn: sqlite3.Connection) -> None:
        """The outermost transaction has begun (BEGIN IMMEDIATE ran)."""
        self._version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        if self._stamp != (conn.total_changes, self._version) or len(self._values) < 2:
            self._load(conn)
        self._open = len(self._values) == 2

    def known(self) -> bool:
        """Inside a transaction that checked the stamp: `get` answers for every key."""
        return self._open

    def get(self, key: str) -> Any:
        """The value, or None when not inside a checked transaction (then ask SQLite)."""
        return self._values.get(key) if self._open else None

    def put(self, key: str, value: Any) -> None:
        """A value this transaction wrote."""
        if self._open:
            self._values[key] = value

    def committed(self, conn: sqlite3.Connection) -> None:
        """The outermost COMMIT succeeded."""
        if self._open:
            self._stamp = (conn.total_changes, self._version)
            self._open = False

    def forget(self) -> None:
        self._values.clear()
        self._stamp = None
        self._open = False

    def rolled_back_to_savepoint(self, conn: sqlite3.Connection) -> None:
        # What the savepoint undid may have moved either value: read both again.
        if self._open:
            self._load(conn)

    def _load(self, conn: sqlite3.Connection) -> None:
        self._values.clear()
        try:
            receipt = conn.execute("SELECT coalesce(max(receipt_no), 0) + 1 FROM sales")
            self._values[RECEIPT] = int(receipt.fetchone()[0])
            last = conn.execute(
                "SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        except sqlite3.OperationalError:  # no schema yet (a unit of work before migrations)
            self.forget()
            return
        self._values[JOURNAL] = None if last is None else (int(last[0]), str(last[1]))
