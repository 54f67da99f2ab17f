"""The WAL is copied into the database in the database thread's idle time, not inside a sale's
COMMIT (benchmarks/REPORT.md, complete sale vs the bare durable insert): SQLite's automatic
checkpoint every 1,000 WAL pages made about one sale in thirty pay for the thirty before it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.conftest import ADMIN_PIN

CODES = ("6901234567892", "6901234567908")
# Enough for the idle checkpoint (connection.CHECKPOINT_CHANGES rows written), far fewer WAL
# pages than SQLite's own checkpoint waits for.
SALES = 10


def _receipts_in_the_database_file(path: Path) -> int:
    """Sales in the main file alone: immutable=1 reads it without the WAL."""
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM sales").fetchone()[0])
    finally:
        conn.close()


def test_a_quiet_database_thread_copies_the_committed_sales_into_the_database(
    till: Any,
) -> None:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    thread = till.database.start_thread()
    path = Path(till.database.path)

    def sell() -> None:
        user = till.users.authenticate("admin", ADMIN_PIN)
        till.shifts.open(user, 10_000)
        for _ in range(SALES):
            sale = till.sales.new_sale(user)
            for code in CODES:
                till.sales.scan(sale, code)
            sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
            till.sales.complete(sale)

    thread.call(sell)
    # Far fewer than 1,000 WAL pages: SQLite's own checkpoint has not run, the sales are in
    # the WAL only until the thread has been idle for a moment.
    deadline = time.monotonic() + 30
    while _receipts_in_the_database_file(path) < SALES and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _receipts_in_the_database_file(path) == SALES
    assert thread.call(lambda: till.database.conn.in_transaction) is False
