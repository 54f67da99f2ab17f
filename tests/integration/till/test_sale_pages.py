"""What a complete sale's COMMIT writes (benchmarks/REPORT.md, complete sale vs the bare
durable insert): every page a sale dirties goes into the WAL at its COMMIT (and again into the
database at the next checkpoint), so a sale dirties no index that no query reads, and the
queries that do read the sales, refunds and stock moves still find theirs."""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path
from typing import Any

from tests.conftest import ADMIN_PIN

CODES = ("6901234567892", "6901234567908", "6901234567915")

# Indexes 0012_lean_indexes took off a sale's path: sales_day was the first column of
# sales_day_kind, nothing reads stock_moves by outbox_seq alone, and only a refund has an
# original sale.  0013_sale_btrees: sales_id_day had no reader left, the payments are
# clustered on their key (no separate primary-key index, and the table covers the tender
# reports), and the day's stock list reads only the moves a sale never makes.
# 0014_sale_keys: the lines are clustered on their key too, verify counts the events of a
# journal entry's hash in one grouped pass instead of through an index of random hashes, and
# the period report reads the lines' sums from line_totals instead of a covering index.
UNREAD = {
    "sales_day",
    "stock_moves_seq",
    "sales_original",
    "sales_id_day",
    "payments_sale_tender",
    "sqlite_autoindex_payments_1",
    "stock_moves_day",
    "sqlite_autoindex_sale_lines_1",
    "outbox_entry_hash",
    "sale_lines_vat_category",
}


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
        "SELECT g.sku, g.low, g.ref, g.user, g.at, coalesce(l.on_hand, 0) FROM ("
        " SELECT sku, min(on_hand_after) AS low, ref, user, at, id FROM stock_moves"
        " WHERE business_day = ? AND qty < 0 AND on_hand_after < 0 AND reason = 'sale'"
        " GROUP BY sku) g LEFT JOIN stock_levels l ON l.sku = g.sku ORDER BY g.id": (
            "stock_moves_negative"
        ),
        "SELECT coalesce(sum(qty), 0) FROM sale_lines l WHERE l.sku = ?": "sale_lines_sku",
    }
    for sql, index in plans.items():
        args = (None,) * sql.count("?")
        plan = " ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        assert f"INDEX {index}" in plan, (sql, plan)
    # The period report's pass over every line reads the lines' sums, not the lines.
    plan = " ".join(
        r[-1]
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT vat_rate_bp, category, lines, qty, amount_fen "
            "FROM line_totals WHERE lines > 0 ORDER BY vat_rate_bp, category"
        )
    )
    assert "line_totals" in plan and "sale_lines" not in plan and "TEMP B-TREE" not in plan, plan
    # A sale's payments and its lines are each one range of their clustered table: every
    # reader that goes from a sale to either searches by that key.
    by_sale = [
        "SELECT l.vat_rate_bp, l.category, count(*) FROM sales s CROSS JOIN sale_lines l "
        "ON l.sale_id = s.id WHERE s.business_day BETWEEN ? AND ? "
        "GROUP BY l.vat_rate_bp, l.category",
        "SELECT p.tender, count(*), sum(p.amount_fen - p.change_fen) FROM sales s "
        "CROSS JOIN payments p ON p.sale_id = s.id WHERE s.business_day BETWEEN ? AND ? "
        "GROUP BY p.tender",
        "SELECT p.tender, s.kind, count(*), sum(p.amount_fen - p.change_fen) FROM payments p "
        "JOIN sales s ON s.id = p.sale_id WHERE s.shift_id = ? GROUP BY p.tender, s.kind",
        "SELECT l.line_no, sum(l.qty) FROM sales s JOIN sale_lines l ON l.sale_id = s.id "
        "WHERE s.original_sale_id = ? GROUP BY l.line_no",
        "SELECT p.tender, -sum(p.amount_fen) FROM sales s JOIN payments p ON p.sale_id = s.id "
        "WHERE s.original_sale_id = ? GROUP BY p.tender",
        "SELECT p.tender, p.amount_fen FROM sibling_refunds r JOIN payments p "
        "ON p.sale_id = r.refund_id WHERE r.sale_id = ?",
        "SELECT l.line_no, l.qty FROM sibling_refunds r JOIN sale_lines l "
        "ON l.sale_id = r.refund_id WHERE r.sale_id = ?",
        "SELECT coalesce(sum(amount_fen - change_fen), 0) FROM payments WHERE sale_id = ?",
        "SELECT count(*) FROM sale_lines WHERE sale_id = ?",
    ]
    for sql in by_sale:
        args = (None,) * sql.count("?")
        plan = " ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
        key = "PRIMARY KEY"
        assert f"USING {key} (sale_id=?)" in plan or f"USING COVERING {key} (sale_id=?)" in (
            plan
        ), (sql, plan)


def test_a_till_with_sales_upgrades_to_the_clustered_payments(tmp_path: Path) -> None:
    """The 0012 fixture (sales, a refund, a shift rung up on that schema) opens with its
    payments moved into the clustered table, every row and journal entry as it was."""
    from paths import FIXTURES

    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.journal import verify

    path = tmp_path / "till.db"
    shutil.copyfile(FIXTURES / "till-schema-0012.db", path)
    old = sqlite3.connect(path)
    before = {
        t: old.execute(f"SELECT * FROM {t} ORDER BY sale_id, {k}").fetchall()
        for t, k in (("sale_lines", "line_no"), ("payments", "seq"))
    }
    old.close()
    assert before["sale_lines"] and before["payments"]
    db = open_database(path)
    try:
        conn = db.conn
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'payments'").fetchone()
        assert sql[0].rstrip().endswith("WITHOUT ROWID"), sql
        for table in ("sale_lines", "payments"):
            assert (
                conn.execute(f"SELECT * FROM {table} ORDER BY sale_id").fetchall()
                == (before[table])
            )
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert not names & {"sales_id_day", "payments_sale_tender", "payments_0013"}
        assert {"sale_lines_sku", "line_totals", "stock_moves_negative"} <= names
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        result = verify(SqliteUnitOfWork(conn))
        assert result.ok, result.problems
    finally:
        db.close()


def test_a_sales_keys_grow_with_time(till: Any) -> None:
    """A sale's, a refund's and their events' ids are UUIDv7 that grow in the order they were
    made, so each new key lands where the last one did (the B-trees a sale writes)."""
    import uuid

    from pos_app.domain.money import CashRounding
    from pos_app.domain.returns import ReturnRequest
    from pos_app.domain.tenders import Tender

    user = till.users.authenticate("admin", ADMIN_PIN)
    till.shifts.open(user, 10_000)
    made = []
    for _ in range(3):
        sale = till.sales.new_sale(user)
        till.sales.scan(sale, CODES[0])
        sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
        made.append(till.sales.complete(sale)["sale_id"])
    refund = till.sales.refund(user, 1, [ReturnRequest(1, 1)], "cash", "尺码不合适")
    conn = till.database.conn
    ids = [r[0] for r in conn.execute("SELECT id FROM sales ORDER BY receipt_no")]
    assert ids[:3] == made and ids[3] == refund["refund_id"]
    events = [r[0] for r in conn.execute("SELECT id FROM outbox ORDER BY seq")]
    for keys in (ids, events):
        assert all(uuid.UUID(k).version == 7 and str(uuid.UUID(k)) == k for k in keys)
        assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_a_till_at_0013_upgrades_to_the_clustered_lines(tmp_path: Path) -> None:
    """The 0013 fixture (sales, a refund, a shift rung up on that schema, with random ids)
    opens with its lines moved into the clustered table, every row and journal entry as it
    was, verification passing, and sells on."""
    from paths import FIXTURES

    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.journal import verify

    path = tmp_path / "till.db"
    shutil.copyfile(FIXTURES / "till-schema-0013.db", path)
    old = sqlite3.connect(path)
    lines = old.execute("SELECT * FROM sale_lines ORDER BY sale_id, line_no").fetchall()
    journal = old.execute("SELECT * FROM journal ORDER BY seq").fetchall()
    assert old.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox_entry_hash'").fetchone()
    old.close()
    assert lines
    db = open_database(path)
    try:
        conn = db.conn
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'sale_lines'").fetchone()
        assert sql[0].rstrip().endswith("WITHOUT ROWID"), sql
        assert conn.execute("SELECT * FROM sale_lines ORDER BY sale_id, line_no").fetchall() == (
            lines
        )
        assert conn.execute("SELECT * FROM journal ORDER BY seq").fetchall() == journal
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert not names & {"outbox_entry_hash", "sale_lines_0014", "sale_lines_vat_category"}
        assert {"sale_lines_sku", "line_totals"} <= names
        assert _line_totals(conn) == _lines_summed(conn) != {}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        result = verify(SqliteUnitOfWork(conn))
        assert result.ok, result.problems
        # verify still sees an event that went missing, without the index it used to read
        conn.execute(
            "DELETE FROM outbox WHERE seq = "
            "(SELECT min(seq) FROM outbox WHERE type = 'sale.completed')"
        )
        result = verify(SqliteUnitOfWork(conn))
        assert not result.ok and "outbox event" in str(result.problems), result.problems
    finally:
        db.close()


def _line_totals(conn: sqlite3.Connection) -> dict[tuple[int, str], tuple[int, int, int]]:
    return {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in conn.execute("SELECT * FROM line_totals")
        if r[2] or r[3] or r[4]
    }


def _lines_summed(conn: sqlite3.Connection) -> dict[tuple[int, str], tuple[int, int, int]]:
    return {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in conn.execute(
            "SELECT vat_rate_bp, category, count(*), sum(qty), sum(amount_fen) FROM sale_lines "
            "GROUP BY vat_rate_bp, category"
        )
    }


def test_the_line_totals_follow_every_write_of_the_lines_and_verify_sees_an_edit(
    till: Any,
) -> None:
    """`line_totals` (the period report's sums by VAT rate and category) is what the lines
    add up to after sales, a refund, a line edited in place and one deleted (the triggers),
    and an edit of the totals themselves is a problem `verify` reports."""
    from pos_app.domain.money import CashRounding
    from pos_app.domain.returns import ReturnRequest
    from pos_app.domain.tenders import Tender
    from pos_app.services.journal import verify

    user = till.users.authenticate("admin", ADMIN_PIN)
    till.shifts.open(user, 10_000)
    for codes in (CODES, CODES[:2], CODES[1:]):
        sale = till.sales.new_sale(user)
        for code in codes:
            till.sales.scan(sale, code)
        sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
        till.sales.complete(sale)
    till.sales.refund(user, 1, [ReturnRequest(1, 1)], "cash", "尺码不合适")
    conn = till.database.conn
    assert _line_totals(conn) == _lines_summed(conn)
    assert len(_line_totals(conn)) >= 2 and verify(till.uow).ok
    conn.execute("UPDATE sale_lines SET category = 'x', qty = qty + 1 WHERE line_no = 2")
    conn.execute("DELETE FROM sale_lines WHERE line_no = 3")
    assert _line_totals(conn) == _lines_summed(conn)
    conn.execute("UPDATE line_totals SET amount_fen = amount_fen + 100 WHERE category = 'x'")
    problems = [p.problem for p in verify(till.uow).problems]
    assert any("line totals" in p and "'x'" in p for p in problems), problems
