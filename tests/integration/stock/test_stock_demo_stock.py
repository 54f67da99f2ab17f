"""Demo data comes with stock: `guitai demo-data` gives each SKU a realistic figure by size and
colour (a demo sale sells from stock, not below zero), and the live demo gives the chain's other
stores theirs in the cloud, so the stock grid's "other stores" answers."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from stock_testkit import PIN, cli, stock_check

from pos_app.demo.data import DEMO_STORES, generate_catalog, generate_stock


def test_demo_data_gives_stock_by_size_and_colour(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    h = ["--home", str(tmp_path / "till")]
    cli(capsys, *h, "init", "--store-id", "S001", "--store-name", "店", "--till-no", "1",
        "--admin-pin", PIN, "--json")  # fmt: skip
    loaded = cli(capsys, *h, "demo-data", "--skus", "600", "--members", "0", "--json")
    conn = sqlite3.connect(tmp_path / "till" / "till.db")
    try:
        rows = conn.execute(
            "SELECT s.size, s.colour, l.on_hand FROM skus s JOIN stock_levels l ON l.sku = s.sku"
        ).fetchall()
    finally:
        conn.close()
    assert len(rows) == 600 and loaded["stock_units"] == sum(r[2] for r in rows)
    sold_out = [r for r in rows if r[2] == 0]
    assert len(sold_out) < 600 * 0.05 and all(r[2] >= 0 for r in rows)

    def mean(pick: Any) -> float:
        got = [r[2] for r in rows if pick(r)]
        return sum(got) / len(got)

    assert mean(lambda r: r[0] == "M") > 2 * mean(lambda r: r[0] in ("XS", "XXL"))
    assert mean(lambda r: r[1] == "黑") > mean(lambda r: r[1] in ("红", "粉", "绿"))

    # A sale sells from that stock: one fewer on hand, nothing below zero, the ledger agrees.
    code = "6901230000003"
    before = cli(capsys, *h, "stock", "show", code, "--local", "--json")
    monkeypatch.setenv("GUITAI_PIN", PIN)
    cli(capsys, *h, "shift", "open", "--user", "admin", "--float", "500.00", "--json")
    cli(capsys, *h, "sale", "--user", "admin", "--scan", code, "--pay", "cash:300", "--json")
    after = cli(capsys, *h, "stock", "show", code, "--local", "--json")
    assert after["total"] == before["total"] - 1 > 0
    assert stock_check(tmp_path / "till" / "till.db") == []


def test_the_live_demo_stocks_the_other_stores_of_the_chain(tmp_path: Path) -> None:
    from pos_app.demo import live

    out = tmp_path / "demo"
    out.mkdir()
    stack = live.LiveStack(out)
    try:
        live.start_cloud(stack)
        home = live.setup_till(out, skus=60, members=0)
        live.enroll_till(home, stack)
        assert live.stock_the_chain(home, stack, skus=60) == 60 * len(DEMO_STORES)
        live.cli(home, "sync", "run")
        grid = json.loads(live.cli(home, "stock", "show", "QP-2026-0001", "--json"))
    finally:
        stack.close()
    assert grid["other_stores_error"] is None, grid
    others = grid["other_stores"]
    assert [o["store_id"] for o in others] == ["S002", "S003", "S004"]  # nearest first
    assert all(o["total"] > 0 for o in others)
    own = dict(generate_stock(next(generate_catalog(60, 7)).skus, "S001", 7))
    cells = [c for row in grid["rows"] for c in row["cells"] if c]
    assert cells and all(c["on_hand"] == own[c["sku"]] for c in cells)
