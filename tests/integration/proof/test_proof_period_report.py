"""`guitai report period`: the figures of a range of business days, right for both plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.cli import main as cli
from pos_app.domain.errors import InvalidInput
from pos_app.services.period_report import period_report


def _filled(tmp_path: Path) -> Path:
    from benchmarks.bench_proof import _init, fill_year

    home = tmp_path / "till"
    _init(home)
    db = open_database(home / "till.db")
    fill_year(db.conn, 3_000)
    db.close()
    return home


def test_period_report_year_and_day_agree_with_plain_sql(tmp_path: Path, capsys) -> None:
    home = _filled(tmp_path)
    capsys.readouterr()
    assert (
        cli(
            [
                "--home",
                str(home),
                "report",
                "period",
                "--from",
                "2025-01-01",
                "--to",
                "2025-12-31",
                "--json",
            ]
        )
        == 0
    )
    year = json.loads(capsys.readouterr().out)
    db = open_database(home / "till.db")
    try:
        c = db.conn
        n_sales = c.execute("SELECT count(*) FROM sales WHERE kind = 'sale'").fetchone()[0]
        net = c.execute("SELECT sum(total_fen) FROM sales").fetchone()[0]
        lines_net = c.execute(
            "SELECT sum(CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END * l.amount_fen) "
            "FROM sale_lines l JOIN sales s ON s.id = l.sale_id"
        ).fetchone()[0]
        assert year["sales"]["count"] == n_sales
        assert year["net_fen"] == net
        assert sum(v["gross_fen"] for v in year["by_vat"]) == lines_net
        assert sum(c["amount_fen"] for c in year["by_category"]) == lines_net
        assert sum(year["by_tender"].values()) == net
        # one day: the other query plan (sales first), same answers as plain SQL
        day = period_report(SqliteUnitOfWork(c), "2025-03-03", "2025-03-03")
        d_net = c.execute(
            "SELECT sum(total_fen) FROM sales WHERE business_day = '2025-03-03'"
        ).fetchone()[0]
        assert day["net_fen"] == d_net
        assert sum(v["gross_fen"] for v in day["by_vat"]) == d_net
        assert [d["business_day"] for d in day["by_day"]] == ["2025-03-03"]
    finally:
        db.close()


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2025-01-01", "2025-12-31"),
        ("2025-02-01", "2025-09-30"),
        ("2025-03-01", "2025-04-30"),
        ("2025-06-15", "2025-06-15"),
        ("2024-01-01", "2024-12-31"),
    ],
)
def test_both_plans_agree_with_plain_sql(tmp_path: Path, first: str, last: str) -> None:
    """Most of the history (everything minus the outside) and a short period (its own
    sales) against one straightforward query each."""
    home = _filled(tmp_path)
    db = open_database(home / "till.db")
    try:
        c = db.conn
        # a category sold only outside most periods, so empty groups must disappear
        c.execute(
            "UPDATE sale_lines SET category = '仅一月' WHERE sale_id IN "
            "(SELECT id FROM sales WHERE business_day < '2025-01-20')"
        )
        r = period_report(SqliteUnitOfWork(c), first, last)
        sign = "CASE s.kind WHEN 'refund' THEN -1 ELSE 1 END"
        where = "WHERE s.business_day BETWEEN ? AND ?"
        want_cat = [
            {"category": k, "qty": q, "amount_fen": a}
            for k, q, a in c.execute(
                f"SELECT l.category, sum({sign} * l.qty), sum({sign} * l.amount_fen) "
                f"FROM sale_lines l JOIN sales s ON s.id = l.sale_id {where} "
                "GROUP BY l.category ORDER BY l.category",
                (first, last),
            )
        ]
        want_vat = [
            {"rate_bp": k, "gross_fen": a}
            for k, a in c.execute(
                f"SELECT l.vat_rate_bp, sum({sign} * l.amount_fen) FROM sale_lines l "
                f"JOIN sales s ON s.id = l.sale_id {where} GROUP BY 1 ORDER BY 1",
                (first, last),
            )
        ]
        want_tender = dict(
            c.execute(
                "SELECT p.tender, sum(p.amount_fen - p.change_fen) FROM payments p JOIN sales s "
                f"ON s.id = p.sale_id {where} GROUP BY 1",
                (first, last),
            ).fetchall()
        )
        assert r["by_category"] == want_cat
        assert r["by_vat"] == want_vat
        assert r["by_tender"] == want_tender
    finally:
        db.close()


@pytest.mark.parametrize(
    ("first", "last"),
    [("2025-13-01", "2025-12-31"), ("2025-12-31", "2025-01-01"), ("2020-01-01", "2025-01-01")],
)
def test_period_report_refuses_bad_ranges(tmp_path: Path, first: str, last: str) -> None:
    home = tmp_path / "t"
    from benchmarks.bench_proof import _init

    _init(home)
    db = open_database(home / "till.db")
    try:
        with pytest.raises(InvalidInput) as e:
            period_report(SqliteUnitOfWork(db.conn), first, last)
        assert e.value.message_zh
    finally:
        db.close()
