"""Stock on hand: the pure rules (reasons, the size-and-colour grid, count variances,
receiving against a document).  Storage is in adapters/db/repositories/stock.py, use cases in
services/stock.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput

# Why stock moved (the `reason` of a stock.moved event).
SALE = "sale"
RETURN = "return"
COUNT = "count"
RECEIVE = "receive"
TRANSFER_OUT = "transfer_out"
CLOUD = "cloud"  # the cloud's figure replaced ours (starting quantities, other tills)
REASONS = frozenset({SALE, RETURN, COUNT, RECEIVE, TRANSFER_OUT})

# Apparel sizes in the order a shop shows them; anything else sorts after, by text.
SIZE_ORDER = (
    "XXS", "XS", "S", "M", "L", "XL", "XXL", "2XL", "XXXL", "3XL", "4XL", "5XL", "F", "均码",
)  # fmt: skip
MAX_LINE_QTY = 100_000


def size_key(size: str) -> tuple[int, float, str]:
    up = size.strip().upper()
    if up in SIZE_ORDER:
        return (0, float(SIZE_ORDER.index(up)), up)
    try:
        return (1, float(up), up)  # shoe sizes, waist sizes, 110/56 kid sizes start with digits
    except ValueError:
        head = up.split("/")[0]
        try:
            return (1, float(head), up)
        except ValueError:
            return (2, 0.0, up)


def check_qty(qty: int, *, allow_zero: bool = False) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise InvalidInput(f"Quantity {qty!r} is not a whole number", f"数量 {qty!r} 不是整数")
    low = 0 if allow_zero else 1
    if qty < low or qty > MAX_LINE_QTY:
        raise InvalidInput(
            f"Quantity {qty} must be between {low} and {MAX_LINE_QTY}",
            f"数量 {qty} 必须在 {low} 到 {MAX_LINE_QTY} 之间",
        )
    return qty


@dataclass(frozen=True)
class GridCell:
    sku: str
    colour: str
    size: str
    on_hand: int


@dataclass(frozen=True)
class Grid:
    """A style's colours × sizes with quantities; `cells[colour][size]` is None where the
    style has no such SKU."""

    style: str
    name: str
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    cells: Mapping[str, Mapping[str, GridCell | None]]

    @property
    def total(self) -> int:
        return sum(c.on_hand for row in self.cells.values() for c in row.values() if c)

    def as_dict(self) -> dict[str, Any]:
        return {
            "style": self.style,
            "name": self.name,
            "colours": list(self.colours),
            "sizes": list(self.sizes),
            "total": self.total,
            "rows": [
                {
                    "colour": colour,
                    "cells": [
                        None
                        if (c := self.cells[colour][size]) is None
                        else {"size": size, "sku": c.sku, "on_hand": c.on_hand}
                        for size in self.sizes
                    ],
                }
                for colour in self.colours
            ],
        }


def build_grid(style: str, name: str, cells: Iterable[GridCell]) -> Grid:
    items = list(cells)
    colours = tuple(dict.fromkeys(c.colour for c in items))
    sizes = tuple(sorted(dict.fromkeys(c.size for c in items), key=size_key))
    table: dict[str, dict[str, GridCell | None]] = {
        colour: dict.fromkeys(sizes) for colour in colours
    }
    for c in items:
        table[c.colour][c.size] = c
    return Grid(style, name, colours, sizes, table)


@dataclass(frozen=True)
class VarianceLine:
    sku: str
    name: str
    expected: int  # on hand when first counted
    moved_since: int  # sales/returns of the SKU since it was first counted (signed)
    counted: int
    unit_price_fen: int

    @property
    def difference(self) -> int:
        return self.counted - self.expected

    @property
    def value_fen(self) -> int:
        return self.difference * self.unit_price_fen

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "expected": self.expected,
            "sold_since_counted": -self.moved_since,
            "expected_now": self.expected + self.moved_since,
            "counted": self.counted,
            "difference": self.difference,
            "unit_price_fen": self.unit_price_fen,
            "value_fen": self.value_fen,
        }


@dataclass(frozen=True)
class VarianceReport:
    count_id: int
    lines: Sequence[VarianceLine]
    uncounted: int = 0  # SKUs with stock the count did not touch (left as they are)

    @property
    def differences(self) -> list[VarianceLine]:
        return [ln for ln in self.lines if ln.difference]

    def as_dict(self) -> dict[str, Any]:
        diffs = self.differences
        return {
            "count_id": self.count_id,
            "skus_counted": len(self.lines),
            "units_counted": sum(ln.counted for ln in self.lines),
            "units_expected": sum(ln.expected for ln in self.lines),
            "skus_with_difference": len(diffs),
            "difference_units": sum(ln.difference for ln in diffs),
            "difference_value_fen": sum(ln.value_fen for ln in diffs),
            "shrinkage_value_fen": sum(ln.value_fen for ln in diffs if ln.value_fen < 0),
            "uncounted_skus_with_stock": self.uncounted,
            "lines": [ln.as_dict() for ln in self.lines],
        }


@dataclass(frozen=True)
class ReceiveLine:
    sku: str
    announced: int
    received: int

    @property
    def short(self) -> int:
        return max(0, self.announced - self.received)

    @property
    def over(self) -> int:
        return max(0, self.received - self.announced)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "announced": self.announced,
            "received": self.received,
            "short": self.short,
            "over": self.over,
        }


@dataclass(frozen=True)
class ReceiveReport:
    doc: str
    kind: str
    from_store: str
    lines: Sequence[ReceiveLine] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "kind": self.kind,
            "from_store": self.from_store,
            "announced_units": sum(ln.announced for ln in self.lines),
            "received_units": sum(ln.received for ln in self.lines),
            "short_units": sum(ln.short for ln in self.lines),
            "over_units": sum(ln.over for ln in self.lines),
            "lines": [ln.as_dict() for ln in self.lines],
        }


def compare_receipt(
    doc: str,
    kind: str,
    from_store: str,
    announced: Mapping[str, int],
    scanned: Mapping[str, int],
) -> ReceiveReport:
    skus = list(announced) + sorted(s for s in scanned if s not in announced)
    return ReceiveReport(
        doc,
        kind,
        from_store,
        tuple(ReceiveLine(s, int(announced.get(s, 0)), int(scanned.get(s, 0))) for s in skus),
    )


def sale_movements(payload: Mapping[str, Any]) -> tuple[str, list[tuple[str, int]]]:
    """The stock movements of a committed sale or refund payload: (reason, [(sku, ±qty)])."""
    refund = "refund_id" in payload
    sign = 1 if refund else -1
    totals: dict[str, int] = {}
    for line in payload.get("lines", []):
        if not line.get("sku"):  # an offline whole-receipt return names no item
            continue
        sku = str(line["sku"])
        totals[sku] = totals.get(sku, 0) + sign * int(line["qty"])
    return (RETURN if refund else SALE), [(s, q) for s, q in totals.items() if q]
