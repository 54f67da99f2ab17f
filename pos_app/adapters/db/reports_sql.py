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
        # a refund counts against the associate of the sale it returns (docs/members.md)
        "by_associate": _rows(
            conn,
            "SELECT coalesce(s.associate, o.associate) AS who, s.kind, count(*), "
            "sum(s.total_fen) FROM sales s LEFT JOIN sales o ON o.id = s.original_sale_id "
            "WHERE s.shift_id = ? AND coalesce(s.associate, o.associate) IS NOT NULL "
            "GROUP BY who, s.kind",
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
    """Totals over business days [first_day, last_day]: by day, tender, VAT and category.

    A period holding most of the sales (a year on a till with a year of history) is summed
    as everything minus what lies outside it: every line's sums come from `line_totals` (kept
    by the lines' triggers) with no join, and only the sales outside the period (and the
    refunds, for their sign) are joined.  A short period joins just its own sales.  Both
    give the same answer (tests/integration/proof/test_proof_period_report.py); a year of 1,000,000
    lines takes well under a second instead of several."""
    a = (first_day, last_day)
    inside = "s.business_day BETWEEN ? AND ?"
    part = conn.execute(f"SELECT count(*) FROM sales s WHERE {inside}", a).fetchone()[0]
    whole = conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    if part * 2 > whole:
        outside = "(s.business_day < ? OR s.business_day > ?)"
        tenders = _minus(_tenders(conn, "1", ()), _tenders(conn, outside, a))
        lines = _minus(
            _minus(_all_lines(conn), _lines(conn, "s.kind = 'refund'", (), times=2)),
            _lines(conn, outside, a),
        )
    else:
        tenders = _tenders(conn, inside, a)
        lines = _lines(conn, inside, a)
    vat: dict[int, int] = {}
    cat: dict[str, list[int]] = {}
    for (rate, category), (_, qty, amount) in lines.items():
        vat[rate] = vat.get(rate, 0) + amount
        c = cat.setdefault(category, [0, 0])
        c[0] += qty
        c[1] += amount
    return {
        "by_day": _rows(
            conn,
            "SELECT business_day, kind, count(*), sum(total_fen) FROM sales "
            "WHERE business_day BETWEEN ? AND ? GROUP BY business_day, kind",
            a,
        ),
        "by_tender": sorted((t, v[1]) for (t,), v in tenders.items()),
        "by_vat": sorted(vat.items()),
        "by_category": [(k, q, m) for k, (q, m) in sorted(cat.items())],
    }


Groups = dict[tuple[Any, ...], tuple[int, ...]]


def _minus(a: Groups, b: Groups) -> Groups:
    """a − b per group (the first figure of each group is its row count); empty groups go."""
    out = dict(a)
    for k, v in b.items():
        have = out.get(k, (0,) * len(v))
        out[k] = tuple(x - y for x, y in zip(have, v, strict=True))
    return {k: v for k, v in out.items() if v[0]}


def _tenders(conn: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> Groups:
    rows = _rows(
        conn,
        "SELECT p.tender, count(*), sum(p.amount_fen - p.change_fen) FROM sales s "
        f"CROSS JOIN payments p ON p.sale_id = s.id WHERE {where} GROUP BY p.tender"
        if where != "1"
        else "SELECT tender, count(*), sum(amount_fen - change_fen) FROM payments GROUP BY tender",
        args,
    )
    return {(r[0],): (int(r[1]), int(r[2] or 0)) for r in rows}


def _all_lines(conn: sqlite3.Connection) -> Groups:
    """Every line, unsigned, by VAT rate and category: the sums the lines' triggers keep in
    `line_totals` (migration 0014), a few dozen rows however many lines there are."""
    rows = _rows(
        conn,
        "SELECT vat_rate_bp, category, lines, qty, amount_fen FROM line_totals "
        "WHERE lines > 0 ORDER BY vat_rate_bp, category",
        (),
    )
    return {(r[0], r[1]): (int(r[2]), int(r[3]), int(r[4])) for r in rows}


def _lines(conn: sqlite3.Connection, where: str, args: tuple[Any, ...], times: int = 1) -> Groups:
    """Signed line totals of the sales matching `where` (refunds count negative); `times`
    scales the money figures (2 turns an unsigned refund total into its correction).  The
    sales are read first (CROSS JOIN fixes the order): `where` picks few of them."""
    sign = "CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END"
    rows = _rows(
        conn,
        f"SELECT l.vat_rate_bp, l.category, count(*), sum({sign} * l.qty), "
        f"sum({sign} * l.amount_fen) FROM sales s CROSS JOIN sale_lines l ON l.sale_id = s.id "
        f"WHERE {where} GROUP BY l.vat_rate_bp, l.category",
        args,
    )
    if times == 2:  # refunds: remove them from the unsigned total and add them back negative
        return {(r[0], r[1]): (0, -2 * int(r[3] or 0), -2 * int(r[4] or 0)) for r in rows}
    return {(r[0], r[1]): (int(r[2]), int(r[3] or 0), int(r[4] or 0)) for r in rows}
