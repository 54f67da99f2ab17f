"""Till migration 0015: the stock alerts are the moves that took a level below zero (a view),
not a second copy of them written by every sale of an unstocked item (issue 17)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import ADMIN_PIN

ALERTS = "SELECT at, sku, on_hand, ref, user, seen_by FROM stock_alerts ORDER BY id"


def _negative(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    from pos_app.adapters.db.repositories.stock import SqliteStockRepo

    return SqliteStockRepo(conn, None, None).negative()  # type: ignore[arg-type]


def _move(till: Any, sku: str, qty: int, reason: str, ref: str) -> None:
    with till.uow:
        till.uow.stock.record(
            [(sku, qty)],
            reason=reason,
            ref=ref,
            user="admin",
            at="2026-01-01T00:00:00Z",
            business_day=None,
        )
        till.uow.commit()


def test_a_till_at_0014_keeps_every_alert_and_its_report(tmp_path: Path) -> None:
    from paths import FIXTURES

    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.journal import verify

    path = tmp_path / "till.db"
    shutil.copyfile(FIXTURES / "till-schema-0014.db", path)
    old = sqlite3.connect(path)
    alerts = old.execute(ALERTS).fetchall()
    report = _negative(old)
    old.close()
    assert len(alerts) == 9 and len(report) == 3  # the fixture's three unstocked items
    db = open_database(path)
    try:
        conn = db.conn
        kind = conn.execute("SELECT type FROM sqlite_master WHERE name = 'stock_alerts'")
        assert kind.fetchone() == ("view",)
        assert conn.execute(ALERTS).fetchall() == alerts
        assert _negative(conn) == report
        result = verify(SqliteUnitOfWork(conn))
        assert result.ok, result.problems
    finally:
        db.close()


def test_a_sale_below_zero_is_flagged_and_one_from_stock_is_not(till: Any) -> None:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    user = till.users.authenticate("admin", ADMIN_PIN)
    till.shifts.open(user, 10_000)
    conn = till.database.conn
    sku_in_stock, sku_not = (
        r[0] for r in conn.execute("SELECT sku FROM skus ORDER BY sku LIMIT 2").fetchall()
    )
    _move(till, sku_in_stock, 5, "receive", "D1")
    code = {
        sku: conn.execute("SELECT code FROM barcodes WHERE sku = ? LIMIT 1", (sku,)).fetchone()[0]
        for sku in (sku_in_stock, sku_not)
    }
    sale = till.sales.new_sale(user)
    till.sales.scan(sale, code[sku_in_stock])
    till.sales.scan(sale, code[sku_not])
    till.sales.scan(sale, code[sku_not])
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    done = till.sales.complete(sale)
    rows = conn.execute(ALERTS).fetchall()
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in rows] == [
        (sku_not, -2, done["sale_id"], "admin", None)
    ]
    assert rows[0][0] == done["completed_at"]
    levels = dict(conn.execute("SELECT sku, on_hand FROM stock_levels").fetchall())
    assert levels[sku_in_stock] == 4 and levels[sku_not] == -2
    flagged = _negative(conn)
    assert [(f["sku"], f["on_hand"], f["flagged_ref"]) for f in flagged] == [
        (sku_not, -2, done["sale_id"])
    ]
    # A count that puts it right leaves the move where it was, and the report empty.
    _move(till, sku_not, 2, "adjust", "C1")
    assert len(conn.execute(ALERTS).fetchall()) == 1 and _negative(conn) == []
