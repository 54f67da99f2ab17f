"""A till killed with SIGKILL in the middle of selling leaves stock and sales consistent:
both or neither (Σ movements = on hand; every sale line has its movement and no more)."""

from __future__ import annotations

from pathlib import Path

import pytest
from stock_testkit import stock_check

from benchmarks.crash_check import run

pytestmark = pytest.mark.slow


def test_sigkill_loop_keeps_stock_and_sales_together(till_home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GUITAI_PIN", "7391")
    kills = 12
    for i in range(kills):
        report = run(till_home, kills=1, seed=100 + i, max_wait=0.5)
        assert report.problems == [], report.problems
        problems = stock_check(till_home / "till.db")
        assert problems == [], f"after kill {i}: {problems}"
    import sqlite3

    conn = sqlite3.connect(till_home / "till.db")
    try:
        sales = conn.execute("SELECT count(*) FROM sales").fetchone()[0]
        moves = conn.execute("SELECT count(DISTINCT ref) FROM stock_moves").fetchone()[0]
    finally:
        conn.close()
    assert sales > 0 and moves == sales  # every sale and refund moved stock, exactly once
