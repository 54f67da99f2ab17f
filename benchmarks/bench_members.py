"""Members speed: pricing a basket through the promotion engine, and the "bought together"
suggestion query over a store's sales history.

    PYTHONPATH=. python -m benchmarks.bench_members [--sales 20000]

Prints the figures and returns them as a dict.  The engine figure is a ratio to pricing the
same basket with no promotions (the baseline measured in the same run).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import time
from typing import Any

from pos_app.adapters.db.repositories.members import SqliteMembers
from pos_app.domain.promotions import (
    BasketLine,
    Coupon,
    CouponKind,
    PointsRedemption,
    PromoKind,
    Promotion,
    price_basket,
)

PROMOS = [
    Promotion("P1", "满300减50", PromoKind.SPEND_SAVE, threshold_fen=30000, off_fen=5000),
    Promotion(
        "P2", "配饰8折", PromoKind.CATEGORY_PERCENT, categories=frozenset({"配饰"}), percent_bp=2000
    ),
    Promotion(
        "P3", "T恤买二送一", PromoKind.BUY_X_GET_Y, categories=frozenset({"T恤"}), buy=2, get=1
    ),
]
CATS = ["男装", "T恤", "配饰", "女装", "服务"]


def _basket(rnd: random.Random, n: int) -> list[BasketLine]:
    out = []
    for i in range(n):
        qty, price = rnd.randint(1, 3), rnd.randint(1000, 80000)
        out.append(
            BasketLine(i + 1, f"S{rnd.randint(0, 999)}", rnd.choice(CATS), qty, price, qty * price)
        )
    return out


def _time(fn: Any, repeat: int) -> float:
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(repeat):
            fn()
        runs.append((time.perf_counter() - t) / repeat)
    return statistics.median(runs)


def _history(sales: int, rnd: random.Random) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        "CREATE TABLE sales(id TEXT PRIMARY KEY, kind TEXT);"
        "CREATE TABLE sale_lines(sale_id TEXT, line_no INT, sku TEXT, qty INT, "
        "PRIMARY KEY (sale_id, line_no));"
        "CREATE INDEX sale_lines_sku ON sale_lines(sku);"
        "CREATE TABLE skus(sku TEXT PRIMARY KEY, name TEXT, category TEXT, size TEXT, "
        "active INT);"
    )
    conn.executemany(
        "INSERT INTO skus VALUES (?, ?, ?, '', 1)",
        [(f"S{i}", f"item {i}", CATS[i % 5]) for i in range(2000)],
    )
    rows = []
    for s in range(sales):
        for n in range(rnd.randint(1, 4)):
            rows.append((f"T{s}", n + 1, f"S{int(rnd.paretovariate(1.2)) % 2000}", 1))
    conn.executemany("INSERT INTO sales VALUES (?, 'sale')", [(f"T{s}",) for s in range(sales)])
    conn.executemany("INSERT INTO sale_lines VALUES (?, ?, ?, ?)", rows)
    return conn


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=20000)
    args = ap.parse_args(argv)
    rnd = random.Random(1)
    basket = _basket(rnd, 30)
    coupon = Coupon("C", CouponKind.PERCENT, percent_bp=1000)
    base = _time(lambda: price_basket(basket), 200)
    full = _time(
        lambda: price_basket(
            basket,
            PROMOS,
            is_member=True,
            tier="core",
            tier_discount_bp={"core": 500},
            coupon=coupon,
            points=PointsRedemption(5000, 100, 5000),
        ),
        200,
    )
    repo = SqliteMembers(_history(args.sales, rnd))
    q = _time(lambda: repo.bought_together(["S1", "S2"], ["S1", "S2"], 5), 5)
    figures = {
        "basket_lines": 30,
        "price_no_promotions_us": round(base * 1e6, 1),
        "price_all_promotions_us": round(full * 1e6, 1),
        "promotions_ratio": round(full / base, 2),
        "history_sales": args.sales,
        "bought_together_ms": round(q * 1e3, 2),
    }
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
