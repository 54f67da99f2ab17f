"""A styled coat in three colours and four sizes with starting stock, for the till's stock
screens (the stock tests and the screenshots)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

STYLE = "PK5005"
COLOURS = (("BK", "黑"), ("CM", "驼"), ("NV", "藏青"))
SIZES = ("S", "M", "L", "XL")


def sku(c: str, s: str) -> str:
    return f"{STYLE}-{c}-{s}"


def barcode(ci: int, si: int) -> str:
    body = f"690550{ci}{si}0000"
    odd = sum(int(d) for d in body[0::2])
    even = sum(int(d) for d in body[1::2])
    return body + str((10 - (odd + 3 * even) % 10) % 10)  # a valid EAN-13


# on hand after seeding (a count posted through the service): colour → sizes
START = {"BK": (1, 4, 0, 2), "CM": (0, 3, 5, 0), "NV": (2, 0, 1, 1)}


def seed_style(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO styles(style, name) VALUES (?, '羊毛派克大衣')", (STYLE,))
        for ci, (c, colour) in enumerate(COLOURS):
            for si, size in enumerate(SIZES):
                conn.execute(
                    "INSERT INTO skus (sku, style, name, colour, size, category, price_fen) "
                    "VALUES (?, ?, ?, ?, ?, '外套', 159900)",
                    (sku(c, size), STYLE, f"羊毛派克大衣 {colour} {size}", colour, size),
                )
                conn.execute(
                    "INSERT INTO barcodes (code, sku, kind) VALUES (?, ?, 'ean13')",
                    (barcode(ci, si), sku(c, size)),
                )
    conn.close()


def seed_stock(till: Any) -> None:
    """Starting quantities, through the service (a count the manager posts)."""
    admin = till.users.authenticate("admin", "9472")
    till.stock.count_start(admin, "opening stock")
    for c, qtys in START.items():
        for size, n in zip(SIZES, qtys, strict=True):
            if n:
                till.stock.count_scan(sku(c, size), n)
    till.stock.count_finish(admin)
