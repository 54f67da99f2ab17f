"""Scan lookup: barcode or SKU → the item the sale needs (primary-key lookups only)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pos_app.domain.errors import NotFound


@dataclass(frozen=True, slots=True)
class CatalogItem:
    sku: str
    name: str
    price_fen: int
    member_price_fen: int | None
    category: str
    vat_rate_bp: int
    style: str
    colour: str
    size: str


_COLS = (
    "s.sku, s.name, s.price_fen, s.member_price_fen, s.category, s.vat_rate_bp, s.style, "
    "s.colour, s.size"
)


def item_by_code(conn: sqlite3.Connection, code: str) -> CatalogItem:
    code = code.strip()
    row = conn.execute(
        f"SELECT {_COLS} FROM barcodes b JOIN skus s ON s.sku = b.sku "
        "WHERE b.code = ? AND s.active = 1",
        (code,),
    ).fetchone()
    if row is None:
        row = conn.execute(
            f"SELECT {_COLS} FROM skus s WHERE s.sku = ? AND s.active = 1", (code,)
        ).fetchone()
    if row is None:
        raise NotFound(
            f"Unknown barcode or SKU “{code}”: scan again or search by name",
            f"未知条码或货号“{code}”：请重新扫描或按名称搜索",
        )
    return CatalogItem(*row)
