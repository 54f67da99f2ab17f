"""Helpers for the stock tests (a uniquely named module: several conftest modules exist)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from pos_app.cli import main

PIN = "7391"


def cli(capsys: Any, *args: str, rc: int = 0) -> Any:
    capsys.readouterr()
    got = main(list(args))
    out = capsys.readouterr().out
    assert got == rc, out
    return json.loads(out) if "--json" in args and out.strip() else out


def new_till(
    capsys: Any, home: Path, store: str = "S001", till_no: int = 1, skus: int = 60
) -> list[str]:
    h = ["--home", str(home)]
    cli(capsys, *h, "init", "--store-id", store, "--store-name", f"店{store}", "--till-no",
        str(till_no), "--admin-pin", PIN, "--json")  # fmt: skip
    # An empty store: the tests count every unit they move.
    cli(capsys, *h, "demo-data", "--skus", str(skus), "--members", "0", "--no-stock", "--json")
    cli(capsys, *h, "shift", "open", "--user", "admin", "--float", "500.00", "--json")
    return h


def stock_check(db_path: Path) -> list[str]:
    """Σ movements == on hand (with the cloud's figure), and every sale line has its movement."""
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.repositories.stock import SqliteStockRepo
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork

    problems: list[str] = []
    db = open_database(db_path)
    try:
        conn: sqlite3.Connection = db.conn
        bad = SqliteStockRepo(
            conn, SqliteUnitOfWork(conn).settings, SqliteUnitOfWork(conn).outbox
        ).consistency()
        if bad:
            problems.append(f"on hand differs from the movements: {bad[:3]}")
        for kind, reason, sign in (("sale", "sale", -1), ("refund", "return", 1)):
            by_sale = dict(
                conn.execute(
                    "SELECT l.sale_id || '/' || l.sku, sum(l.qty) FROM sale_lines l JOIN sales s "
                    "ON s.id = l.sale_id WHERE s.kind = ? GROUP BY 1",
                    (kind,),
                ).fetchall()
            )
            by_move = dict(
                conn.execute(
                    "SELECT ref || '/' || sku, sum(qty) FROM stock_moves WHERE reason = ? "
                    "GROUP BY 1",
                    (reason,),
                ).fetchall()
            )
            if {k: sign * v for k, v in by_sale.items()} != by_move:
                problems.append(f"{kind} lines and {reason} movements disagree")
    finally:
        db.close()
    return problems
