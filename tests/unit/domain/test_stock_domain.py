from __future__ import annotations

import pytest

from pos_app.domain.errors import InvalidInput
from pos_app.domain.stock import (
    GridCell,
    VarianceLine,
    VarianceReport,
    build_grid,
    check_qty,
    compare_receipt,
    sale_movements,
    size_key,
)


def test_grid_orders_sizes_like_a_shop_and_marks_missing_cells() -> None:
    cells = [
        GridCell("A-BLK-XL", "黑", "XL", 1),
        GridCell("A-BLK-S", "黑", "S", 2),
        GridCell("A-WHT-M", "白", "M", -1),
        GridCell("A-BLK-M", "黑", "M", 0),
    ]
    g = build_grid("A", "夹克", cells)
    assert g.sizes == ("S", "M", "XL")
    assert g.colours == ("黑", "白")
    assert g.total == 2
    d = g.as_dict()
    assert [c and c["on_hand"] for c in d["rows"][1]["cells"]] == [None, -1, None]
    assert sorted(["42", "38", "40.5"], key=size_key) == ["38", "40.5", "42"]
    assert sorted(["均码", "XXL", "XS", "110/56"], key=size_key)[:2] == ["XS", "XXL"]


def test_variance_report_figures() -> None:
    lines = [
        VarianceLine("A", "a", expected=5, moved_since=-1, counted=4, unit_price_fen=1000),
        VarianceLine("B", "b", expected=2, moved_since=0, counted=3, unit_price_fen=500),
        VarianceLine("C", "c", expected=1, moved_since=0, counted=1, unit_price_fen=100),
    ]
    r = VarianceReport(7, lines, uncounted=3).as_dict()
    assert r["skus_with_difference"] == 2
    assert r["difference_units"] == 0
    assert r["difference_value_fen"] == -1000 + 500
    assert r["shrinkage_value_fen"] == -1000
    assert r["lines"][0] == {
        "sku": "A", "name": "a", "expected": 5, "sold_since_counted": 1, "expected_now": 4,
        "counted": 4, "difference": -1, "unit_price_fen": 1000, "value_fen": -1000,
    }  # fmt: skip


def test_receiving_reports_short_and_over() -> None:
    r = compare_receipt("D1", "delivery", "", {"A": 5, "B": 2}, {"A": 3, "B": 2, "Z": 1}).as_dict()
    assert (r["short_units"], r["over_units"], r["received_units"]) == (2, 1, 6)
    assert [ln["sku"] for ln in r["lines"]] == ["A", "B", "Z"]


def test_sale_and_refund_movements() -> None:
    sale = {"sale_id": "s", "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1},
                                      {"sku": "A", "qty": 1}]}  # fmt: skip
    assert sale_movements(sale) == ("sale", [("A", -3), ("B", -1)])
    refund = {"refund_id": "r", "lines": [{"sku": "A", "qty": 1}]}
    assert sale_movements(refund) == ("return", [("A", 1)])


@pytest.mark.parametrize("bad", [0, -1, 100_001, True, 1.5])
def test_quantities_are_checked(bad: object) -> None:
    with pytest.raises(InvalidInput):
        check_qty(bad)  # type: ignore[arg-type]
