"""What a complete sale asks of SQLite (benchmarks/REPORT.md, complete sale vs the bare
durable insert): a stock movement looks up its lines' styles in one statement, knows its
event's outbox seq without asking again, and writes each move once, with that seq (no UPDATE
after the insert), however many lines the sale has."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_PIN

CODES = ("6901234567892", "6901234567908", "6901234567915", "6901234567922")


def test_a_sales_stock_movement_costs_the_same_statements_for_any_number_of_lines(
    till: Any,
) -> None:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    user = till.users.authenticate("admin", ADMIN_PIN)
    till.shifts.open(user, 10_000)
    conn = till.database.conn
    traced: list[list[str]] = []
    for n in (1, 4):
        sale = till.sales.new_sale(user)
        for code in CODES[:n]:
            till.sales.scan(sale, code)
        sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        try:
            done = till.sales.complete(sale)
        finally:
            conn.set_trace_callback(None)
        assert [ln["sku"] for ln in done["lines"]] == [ln.sku for ln in sale.lines]
        # SQLite reports a trigger's program (line_totals, kept by the lines' triggers) with
        # the text of the statement that fired it, right after that statement: one statement
        # the till ran, however many times the trace repeats it.
        traced.append([s for i, s in enumerate(statements) if i == 0 or s != statements[i - 1]])

    def count(statements: list[str], start: str) -> int:
        return sum(s.startswith(start) for s in statements)

    for statements in traced:
        assert count(statements, "SELECT sku, style FROM skus WHERE sku IN") == 1
        assert count(statements, "SELECT style FROM skus") == 0
        assert count(statements, "SELECT seq FROM outbox WHERE id") == 0
        assert count(statements, "UPDATE stock_moves") == 0
        # the levels of all the lines in one statement; a move below zero (the test catalog
        # holds no stock) is its own alert, the stock_alerts view (migration 0015)
        assert count(statements, "INSERT INTO stock_levels") == 1
        assert count(statements, "INSERT INTO stock_alerts") == 0
    one, four = traced
    # per extra line: its sale line and its stock move (rows of their executemany)
    assert len(four) - len(one) == 3 * 2, (len(one), len(four))
    moved = conn.execute(
        "SELECT DISTINCT m.outbox_seq, o.type FROM stock_moves m JOIN outbox o ON o.seq = "
        "m.outbox_seq WHERE m.reason = 'sale'"
    ).fetchall()
    assert len(moved) == 2 and {t for _seq, t in moved} == {"stock.moved"}
