"""The WAL starts over in the database thread's quiet moment, not inside the next sale's
COMMIT (issue 17).  Once a checkpoint has copied every frame into the database, the next
write starts the WAL over: a new header, synced on its own at synchronous=FULL before the
transaction's frames, a second fsync.  The idle checkpoint now makes that write itself (the
header's user_version, rewritten unchanged), so a sale only appends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import ADMIN_PIN

CODES = ("6901234567892", "6901234567908", "6901234567915")


def _wal_header(till: Any) -> bytes:
    # Bytes 16-24 are the salts, new each time the WAL starts over (sqlite.org/fileformat2).
    return Path(f"{till.database.path}-wal").read_bytes()[:32]


def _sell(till: Any, user: Any) -> None:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    sale = till.sales.new_sale(user)
    for code in CODES:
        till.sales.scan(sale, code)
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    till.sales.complete(sale)


def test_the_sale_after_a_checkpoint_does_not_start_the_wal_over(till: Any) -> None:
    from pos_app.adapters.db.connection import CHECKPOINT_CHANGES

    user = till.users.authenticate("admin", ADMIN_PIN)
    till.shifts.open(user, 10_000)
    conn = till.database.conn
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    start = conn.total_changes
    while conn.total_changes - start < CHECKPOINT_CHANGES:
        _sell(till, user)
    conn.checkpoint_if_written()  # the quiet moment: checkpoint, then the WAL's new start
    begun = _wal_header(till)
    wal = Path(f"{till.database.path}-wal")
    frames = (wal.stat().st_size - 32) // (24 + 4096)
    assert frames >= 1
    size_before = wal.stat().st_size
    _sell(till, user)
    assert _wal_header(till) == begun  # appended to, not started over
    assert wal.stat().st_size > size_before or frames > 1
    # Nothing the till keeps changed: user_version is what it was, and a checkpoint copies
    # the one-page write and the sale into the database.
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    busy, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert (busy, log) == (0, copied)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_without_the_new_start_the_next_write_would_begin_the_wal_again(till: Any) -> None:
    """The control: the same checkpoint with no write after it leaves the new start to the
    next sale, whose COMMIT then writes a new header (the salts change)."""
    user = till.users.authenticate("admin", ADMIN_PIN)
    till.shifts.open(user, 10_000)
    conn = till.database.conn
    _sell(till, user)
    busy, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == copied
    before = _wal_header(till)
    _sell(till, user)
    assert _wal_header(till)[16:24] != before[16:24]
