"""Aggregates for X/Z and period reports, computed by SQLite (GROUP BY over indexed rows,
so a busy day's Z report stays in milliseconds)."""

from __future__ import annotations

import sqlite3
from typing import Any


def _rows(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return list(conn.execute(sql, args))


def shift_figures(conn: sqlite3.Connection, shift_id: int) -> dict[str, Any]:
    a = (shift_id,)
    sign = "CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END"
    return {
        "by_kind": _rows(
            conn,
            "SELECT kind, count(*), coalesce(sum(total_fen),0), "
            "coalesce(sum(discount_fen),0), min(receipt_no), max(receipt_no) "
            "FROM sales WHERE shift_id = ? GROUP BY kind",
            a,
        ),
        "receipts": _rows(
            conn, "SELECT min(receipt_no), max(receipt_no) FROM sales WHERE shift_id = ?", a
        )[0],
        "by_tender": _rows(
            conn,
            "SELECT p.tender, s.kind, count(*), "
            "sum(p.amount_fen - p.change_fen) FROM payments p JOIN sales s "
            "ON s.id = p.sale_id WHERE s.shift_id = ? GROUP BY p.tender, s.kind",
            a,
        ),
        "by_vat": _rows(
            conn,
            f"SELECT l.vat_rate_bp, sum({sign} * l.amount_fen) FROM sale_lines "
            "l JOIN sales s ON s.id = l.sale_id WHERE s.shift_id = ? "
            "GROUP BY l.vat_rate_bp",
            a,
        ),
        "by_cashier": _rows(
            conn,
            "SELECT cashier, kind, count(*), sum(total_fen), "
            "sum(discount_fen) FROM sales WHERE shift_id = ? "
            "GROUP BY cashier, kind",
            a,
        ),
        "by_category": _rows(
            conn,
            f"SELECT l.category, sum({sign} * l.qty), "
            f"sum({sign} * l.amount_fen) FROM sale_lines l JOIN sales s ON "
            "s.id = l.sale_id WHERE s.shift_id = ? GROUP BY l.category",
            a,
        ),
        "times": _rows(conn, "SELECT completed_at, total_fen FROM sales WHERE shift_id = ?", a),
        "voids": _rows(
            conn,
            "SELECT cashier, kind, count(*), sum(qty), sum(amount_fen) FROM "
            "voids WHERE shift_id = ? GROUP BY cashier, kind",
            a,
        ),
        "cash_moves": _rows(
            conn,
            "SELECT user, kind, count(*), sum(amount_fen) FROM cash_moves "
            "WHERE shift_id = ? GROUP BY user, kind",
            a,
        ),
        "grand_total": _rows(
            conn,
            "SELECT coalesce(sum(total_fen), 0), coalesce(sum(abs(total_fen)), 0) FROM sales",
            (),
        )[0],
    }


def period_figures(conn: sqlite3.Connection, first_day: str, last_day: str) -> dict[str, Any]:
    """Totals over business days [first_day, last_day]: by day, tender, VAT and category."""
    a = (first_day, last_day)
    sign = "CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END"
    join = _join_for(conn, a)
    return {
        "by_day": _rows(
            conn,
            "SELECT business_day, kind, count(*), sum(total_fen) FROM sales "
            "WHERE business_day BETWEEN ? AND ? GROUP BY business_day, kind",
            a,
        ),
        "by_tender": _rows(
            conn,
            "SELECT p.tender, sum(p.amount_fen - p.change_fen) FROM payments "
            f"p {join} sales s ON s.id = p.sale_id WHERE s.business_day BETWEEN ? "
            "AND ? GROUP BY p.tender",
            a,
        ),
        **_vat_and_category(conn, a, sign, join),
    }


def _vat_and_category(
    conn: sqlite3.Connection, a: tuple[str, str], sign: str, join: str
) -> dict[str, list[tuple[Any, ...]]]:
    """One pass over the lines (in the order of index sale_lines_vat_category, so no sort)
    gives both the VAT and the category totals."""
    rows = _rows(
        conn,
        f"SELECT l.vat_rate_bp, l.category, sum({sign} * l.qty), sum({sign} * l.amount_fen) "
        f"FROM sale_lines l {join} sales s ON s.id = l.sale_id "
        "WHERE s.business_day BETWEEN ? AND ? GROUP BY l.vat_rate_bp, l.category",
        a,
    )
    vat: dict[int, int] = {}
    cat: dict[str, list[int]] = {}
    for rate, category, qty, amount in rows:
        vat[rate] = vat.get(rate, 0) + (amount or 0)
        c = cat.setdefault(category, [0, 0])
        c[0] += qty or 0
        c[1] += amount or 0
    return {
        "by_vat": sorted(vat.items()),
        "by_category": [(k, q, m) for k, (q, m) in sorted(cat.items())],
    }


def _join_for(conn: sqlite3.Connection, a: tuple[str, str]) -> str:
    """SQLite cannot tell from `BETWEEN ?` how much of the table a period covers.  A short
    period reads its sales through the day index and their lines by sale id; a long one
    (more than a tenth of all sales) reads the lines in index order and looks each sale up
    (CROSS JOIN fixes that order): ~3x faster over a year, far slower over a day."""
    part = conn.execute("SELECT count(*) FROM sales WHERE business_day BETWEEN ? AND ?", a)
    whole = conn.execute("SELECT count(*) FROM sales")
    return "CROSS JOIN" if part.fetchone()[0] * 10 > whole.fetchone()[0] else "JOIN"
