"""The printed Z shows the day's stock adjustments (issue #11): SKU, name, reason, qty and value,
and the SKUs a sale took below zero, bilingual, on 58 and 80 mm, as text and as ESC/POS."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from receipts_escpos_reader import read

from receipts import document as rd
from receipts.escpos import render_escpos
from receipts.layout import render_text
from receipts.profiles import get_profile
from receipts.samples import SAMPLE_STORE, sample_z_report

JACKET = "QP-2026-0001-BLU-L"
INFO = {JACKET: ("男士羊毛夹克 蓝 L", 29900), "QP-2026-0002-WHT-M": ("纯棉T恤 白 M", 9900)}


def stock_section() -> dict[str, Any]:
    return {
        "moves": [
            {"reason": "count", "ref": "count-1", "sku": "QP-2026-0002-WHT-M", "qty": 3,
             "user": "admin", "at": "2026-11-25T02:00:00Z"},
            {"reason": "transfer_out", "ref": "TS001-S002-1", "sku": JACKET, "qty": -2,
             "user": "admin", "at": "2026-11-25T03:00:00Z"},
            {"reason": "receive", "ref": "D-7", "sku": "OLD-SKU-9", "qty": 1,
             "user": "admin", "at": "2026-11-25T04:00:00Z"},
        ],
        "by_reason": {
            "count": {"lines": 1, "units": 3},
            "transfer_out": {"lines": 1, "units": -2},
            "receive": {"lines": 1, "units": 1},
        },
        "sold_below_zero": [
            {"sku": JACKET, "on_hand_after": -1, "ref": "s-1", "user": "admin",
             "at": "2026-11-25T05:00:00Z"},
        ],
    }  # fmt: skip


def z_with_stock(**extra: Any) -> dict[str, Any]:
    report = sample_z_report()
    report["stock_adjustments"] = stock_section()
    report.update(extra)
    return report


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("paper", [58, 80])
def test_z_text_lists_each_adjustment_with_name_reason_qty_and_value(paper: int) -> None:
    text = render_text(rd.from_z_report(z_with_stock(), SAMPLE_STORE, sku_info=INFO), paper)
    assert "库存调整 Stock adjustments" in text
    lines = text.splitlines()
    # each adjustment: SKU and name, then reason, signed qty and value (qty × retail price)
    i = next(n for n, x in enumerate(lines) if x.startswith("QP-2026-0002-WHT-M"))
    assert "纯棉T恤 白 M" in flat(" ".join(lines[i : i + 2]))
    j = next(n for n, x in enumerate(lines) if "盘点 count +3" in x)
    assert lines[j].rstrip().endswith("297.00") and j > i
    j = next(n for n, x in enumerate(lines) if "调出 transfer out -2" in x)
    assert lines[j].rstrip().endswith("-598.00")
    assert "男士羊毛夹克 蓝 L" in flat(" ".join(lines[j - 2 : j]))
    # a SKU no longer in the catalogue: no invented value, and the total says so
    j = next(n for n, x in enumerate(lines) if "收货 received +1" in x)
    assert lines[j].rstrip().endswith("-") and "OLD-SKU-9" in lines[j - 1]
    total = next(x for x in lines if x.startswith("合计 total"))
    assert "+2" in total and total.rstrip().endswith("-301.00*")
    assert "not in the catalogue" in flat(text)
    # per-reason totals and the SKUs sold below zero
    assert any("transfer out 1行 lines" in x and x.rstrip().endswith("-2") for x in lines)
    k = lines.index(next(x for x in lines if "负库存 Sold below zero" in x))
    below = lines[k:]
    assert below[1].startswith("SKU 名称 name") and below[1].rstrip().endswith("结存 on hand")
    assert below[2].startswith(JACKET)
    row = next(x for x in below[2:] if x.rstrip().endswith("-1"))
    assert "蓝 L" in row  # the name's last part (wrapped on 58 mm)
    assert "check the shelf" in "\n".join(below)
    # the rest of the Z is untouched, and nothing runs past the paper
    assert "收款方式" in text and "实点现金" in text
    assert all(len(x.encode("gbk")) <= {58: 32, 80: 48}[paper] for x in lines)


@pytest.mark.parametrize(
    "profile_name", ["generic-58-gb18030", "generic-80-gb18030", "generic-58-gbk"]
)
def test_z_escpos_prints_the_stock_lines_as_text(profile_name: str) -> None:
    profile = get_profile(profile_name)
    doc = rd.from_z_report(z_with_stock(), SAMPLE_STORE, sku_info=INFO)
    printed = read(render_escpos(doc, profile), profile.encoding)
    got = "\n".join(printed.lines)
    assert "库存调整 Stock adjustments" in got and "负库存 Sold below zero" in got
    assert JACKET in got and "男士羊毛夹克" in got and "-598.00" in got and "297.00" in got
    assert "?" not in got and not printed.images
    # the stock lines reach the paper exactly as the text preview shows them
    text = render_text(doc, profile.paper_mm).splitlines()
    start = next(n for n, x in enumerate(text) if "Stock adjustments" in x)
    want = [x.strip() for x in text[start + 1 :] if x.strip()]
    have = [x.strip() for x in printed.lines if x.strip()]
    first = have.index(want[0])
    assert have[first : first + len(want)] == want


def test_generic_report_prints_stock_once_not_as_a_raw_dict() -> None:
    report = {"z_no": 9, "business_day": "2026-11-25", "net_fen": 100, **z_with_stock()}
    del report["sections"]
    text = render_text(rd.from_z_report(report, SAMPLE_STORE, sku_info=INFO), 58)
    assert text.count("Stock adjustments") == 1
    assert "{" not in text and "stock_adjustments" not in text and "by_reason" not in text


def test_a_day_without_adjustments_says_so() -> None:
    report = z_with_stock(stock_adjustments={"moves": [], "by_reason": {}, "sold_below_zero": []})
    text = render_text(rd.from_z_report(report, SAMPLE_STORE), 58)
    assert "无库存调整 no adjustments" in text and "Sold below zero" not in text


def test_names_in_the_report_win_and_traditional_labels_for_big5_stores() -> None:
    section = stock_section()
    section["moves"][1]["name"] = "男士羊毛夾克 藍 L"
    store = dataclasses.replace(SAMPLE_STORE, language="zh-Hant")
    doc = rd.from_z_report(z_with_stock(stock_adjustments=section), store, sku_info=INFO)
    text = render_text(doc, 80)
    assert "庫存調整 Stock adjustments" in text and "調出 transfer out -2" in text
    assert "男士羊毛夾克 藍 L" in text and "負庫存 Sold below zero" in text
    printed = read(render_escpos(doc, get_profile("big5-80")), "big5")
    assert "庫存調整 Stock adjustments" in "\n".join(printed.lines)


def test_a_z_without_stock_prints_as_before() -> None:
    a = render_text(rd.from_z_report(sample_z_report(), SAMPLE_STORE), 80)
    b = render_text(rd.from_z_report(sample_z_report(), SAMPLE_STORE, sku_info=INFO), 80)
    assert a == b and "Stock adjustments" not in a


def test_the_tills_z_document_names_and_values_its_adjustments(till) -> None:  # type: ignore[no-untyped-def]
    """Through the wired till: a count and a sale below zero, the Z closed, the printable Z
    built from the stored report with the catalogue's names and prices."""
    from pos_app.adapters import receipt_docs
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    u = till.users.authenticate("admin", "7391")
    till.shifts.open(u, 50000)
    till.stock.count_start(u)
    till.stock.count_scan("6901234567908", 2)  # 纯棉T恤 白 M, 99.00
    till.stock.count_finish(u)
    sale = till.sales.new_sale(u)
    till.sales.scan(sale, "6901234567892")  # the jacket: none on hand, goes to -1
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    till.sales.complete(sale)
    z = till.shifts.close(u, 50000 + 29900)
    stored = till.shifts.z_reports(z["business_day"])[0]
    for paper in (58, 80):
        text = render_text(receipt_docs.z_document(till.store, stored), paper)
        lines = text.splitlines()
        assert "纯棉T恤 白 M" in flat(text) and "QP-2026-002-WHT-M" in text
        assert any(
            x.strip().startswith("盘点 count +2") and x.rstrip().endswith("198.00") for x in lines
        )
        below = flat(text[text.index("Sold below zero") :])
        assert "QP-2026-001-BLK-L" in below and "男士羊毛夹克" in below and "-1" in below
