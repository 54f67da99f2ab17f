"""What a complete sale's COMMIT writes (benchmarks/REPORT.md, complete sale vs the bare
durable insert): every page a sale dirties goes into the WAL at its COMMIT (and again into the
database at the next checkpoint), so a sale dirties no index that no query reads, and the
queries that do read the sales, refunds and stock moves still find theirs."""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import Any

from tests.conftest import ADMIN_PIN

CODES = ("6901234567892", "6901234567908", "6901234567915")

# Indexes 0012_lean_indexes took off a sale's path: sales_day was the first column of
# sales_day_kind, nothing reads stock_moves by outbox_seq alone, and only a refund has an
# original sale.
UNREAD = {"sales_day", "stock_moves_seq", "sales_original"}


def _btrees_written(conn: sqlite3.Connection, wal: Path, start: int, end: int) -> set[str]:
    """The tables and indexes whose pages the WAL frames in [start, end) hold."""
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    frames = wal.read_bytes()[max(start, 32) : end]
    pages = {
        struct.unpack(">I", frames[off : off + 4])[0]
        for off in range(0, len(frames), 24 + page_size)
    }
    names = dict((p, n) for n, p in conn.execute("SELECT name, pageno FROM dbstat"))
    return {names.get(p, f"page {p}") for p in pages}


def test_a_sale_writes_no_page_of_an_index_nobody_reads(till: Any) -> None:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    user = till.users.authenticate("admin", ADMIN_PIN)
    till.shifts.open(user, 10_000)
    conn = till.database.conn
    wal = Path(f"{till.database.path}-wal")
    # An empty WAL that the two sales only append to (far below the automatic checkpoint).
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    written: list[set[str]] = []
    for _ in range(2):
        sale = till.sales.new_sale(user)
        for code in CODES:
            till.sales.scan(sale, code)
        sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
        start = wal.stat().st_size
        till.sales.complete(sale)
        written.append(_btrees_written(conn, wal, start, wal.stat().st_size))
    for btrees in written:
        assert {"sales", "sale_lines", "payments", "journal", "outbox", "stock_moves"} <= btrees
        assert not btrees & UNREAD, sorted(btrees & UNREAD)


def test_the_readers_still_find_their_index(till: Any) -> None:
    conn = till.database.conn
    plans = {
        "SELECT count(*), sum(total_fen) FROM sales WHERE business_day = ? AND kind = 'sale'": (
            "sales_day_kind"
        ),
        "SELECT id FROM sales WHERE business_day = ?": "sales_day_kind",
        "SELECT id FROM sales WHERE original_sale_id = ? AND id != ?": "sales_original",
        "SELECT coalesce(sum(qty), 0) FROM stock_moves WHERE sku = ? AND outbox_seq > ?": (
            "stock_moves_sku"
        ),
        "SELECT reason, ref, sku, qty, user, at FROM stock_moves WHERE business_day = ? "
        "AND reason NOT IN ('sale', 'return') ORDER BY id": "stock_moves_day",
    }
    for sql, index in plans.items():
        args = (None,) * sql.count("?")
        plan = " ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        assert f"INDEX {index}" in plan, (sql, plan)
