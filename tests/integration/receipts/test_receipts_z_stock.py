"""The printed Z shows the day's stock adjustments (issue #11): SKU, name, reason, qty and value,
and the SKUs a sale took below zero with their on hand at the close (and the lowest), in the
report's language only (issue #16), on 58 and 80 mm, as text and as ESC/POS."""

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
             "at": "2026-11-25T05:00:00Z", "on_hand": -1},
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
    assert "库存调整" in text
    lines = text.splitlines()
    # each adjustment: SKU and name, then reason, signed qty and value (qty × retail price)
    i = next(n for n, x in enumerate(lines) if x.startswith("QP-2026-0002-WHT-M"))
    assert "纯棉T恤 白 M" in flat(" ".join(lines[i : i + 2]))
    j = next(n for n, x in enumerate(lines) if "盘点 +3" in x)
    assert lines[j].rstrip().endswith("297.00") and j > i
    j = next(n for n, x in enumerate(lines) if "调出 -2" in x)
    assert lines[j].rstrip().endswith("-598.00")
    assert "男士羊毛夹克 蓝 L" in flat(" ".join(lines[j - 2 : j]))
    # a SKU no longer in the catalogue: no invented value, and the total says so
    j = next(n for n, x in enumerate(lines) if "收货 +1" in x)
    assert lines[j].rstrip().endswith("-") and "OLD-SKU-9" in lines[j - 1]
    total = next(x for x in lines if x.startswith("合计"))
    assert "+2" in total and total.rstrip().endswith("-301.00*")
    assert "不在目录中" in flat(text)
    # per-reason totals and the SKUs sold below zero
    assert any("调出 1行" in x and x.rstrip().endswith("-2") for x in lines)
    k = lines.index(next(x for x in lines if x.strip() == "负库存"))
    below = lines[k:]
    assert below[1].startswith("货号 名称") and below[1].rstrip().endswith("现有(最低)")
    assert below[2].startswith(JACKET) and below[2].rstrip().endswith("-1")  # one line
    assert "请核对货架实物" in "\n".join(below)
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
    assert "库存调整" in got and "负库存" in got
    assert JACKET in got and "男士羊毛夹克" in got and "-598.00" in got and "297.00" in got
    assert "?" not in got and not printed.images
    # the stock lines reach the paper exactly as the text preview shows them
    text = render_text(doc, profile.paper_mm).splitlines()
    start = next(n for n, x in enumerate(text) if x.strip() == "库存调整")
    want = [x.strip() for x in text[start + 1 :] if x.strip()]
    have = [x.strip() for x in printed.lines if x.strip()]
    first = have.index(want[0])
    assert have[first : first + len(want)] == want


def test_generic_report_prints_stock_once_not_as_a_raw_dict() -> None:
    report = {"z_no": 9, "business_day": "2026-11-25", "net_fen": 100, **z_with_stock()}
    del report["sections"]
    text = render_text(rd.from_z_report(report, SAMPLE_STORE, sku_info=INFO), 58)
    assert text.count("库存调整") == 1
    assert "{" not in text and "stock_adjustments" not in text and "by_reason" not in text


def test_a_day_without_adjustments_says_so() -> None:
    report = z_with_stock(stock_adjustments={"moves": [], "by_reason": {}, "sold_below_zero": []})
    text = render_text(rd.from_z_report(report, SAMPLE_STORE), 58)
    assert "无库存调整" in text and "负库存" not in text


def test_names_in_the_report_win_and_traditional_labels_for_big5_stores() -> None:
    section = stock_section()
    section["moves"][1]["name"] = "男士羊毛夾克 藍 L"
    store = dataclasses.replace(SAMPLE_STORE, language="zh-Hant")
    doc = rd.from_z_report(z_with_stock(stock_adjustments=section), store, sku_info=INFO)
    text = render_text(doc, 80)
    assert "庫存調整" in text and "調出 -2" in text
    assert "男士羊毛夾克 藍 L" in text and "負庫存" in text and "現有(最低)" in text
    printed = read(render_escpos(doc, get_profile("big5-80")), "big5")
    assert "庫存調整" in "\n".join(printed.lines)


def test_a_z_without_stock_prints_as_before() -> None:
    a = render_text(rd.from_z_report(sample_z_report(), SAMPLE_STORE), 80)
    b = render_text(rd.from_z_report(sample_z_report(), SAMPLE_STORE, sku_info=INFO), 80)
    assert a == b and "库存调整" not in a


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
        text = render_text(receipt_docs.z_document(till.uow, stored), paper)
        lines = text.splitlines()
        assert "纯棉T恤 白 M" in flat(text) and "QP-2026-002-WHT-M" in text
        assert any(x.strip().startswith("盘点 +2") and x.rstrip().endswith("198.00") for x in lines)
        below = flat(text[text.index("负库存") :])
        # one line per SKU: on 58 mm the name is cut short to keep the figure beside it
        assert "QP-2026-001-BLK-L" in below and "男士羊毛" in below and "-1" in below


ENGLISH = ("Stock adjustments", "on hand", "check the shelf", "name", "reason", "qty", "value",
           "total", "lines", "Sold below zero", "no adjustments", "guitai")  # fmt: skip


@pytest.mark.parametrize("paper", [58, 80])
def test_z_stock_labels_are_the_reports_language_and_no_shell_command(paper: int) -> None:
    """Like the rest of the Z: Chinese labels only, and more SKUs than fit point to the till's
    own report, never to a command line."""
    section = stock_section()
    section["sold_below_zero"] = [
        {"sku": f"QP-2026-{i:04d}-BLK-M", "on_hand_after": -1, "on_hand": -1} for i in range(40)
    ]
    text = render_text(rd.from_z_report(z_with_stock(stock_adjustments=section), SAMPLE_STORE,
                                        sku_info=INFO), paper)  # fmt: skip
    stock = text[text.index("库存调整") :]
    for word in ENGLISH:
        assert word not in stock, word
    assert "另有10个货号：请在收银机「负库存」报表中查看" in "".join(stock.split())


@pytest.mark.parametrize("paper", [58, 80])
def test_a_long_sku_and_name_keeps_its_figures_on_its_line(paper: int) -> None:
    long_sku = "QP-2026-0099-BLK-XXL"
    section = stock_section()
    section["sold_below_zero"] = [
        {"sku": long_sku, "name": "男士羊毛混纺双排扣长款大衣 黑 XXL", "on_hand_after": -3,
         "on_hand": -1},
    ]  # fmt: skip
    text = render_text(
        rd.from_z_report(z_with_stock(stock_adjustments=section), SAMPLE_STORE), paper
    )
    below = text[text.index("负库存") :].splitlines()
    row = next(x for x in below if x.startswith(long_sku))
    assert row.rstrip().endswith("-1(-3)") and "…" in row  # now -1, the day's lowest -3
    assert len(row.encode("gbk")) <= {58: 32, 80: 48}[paper]
    assert not any(x.strip() == "-1(-3)" for x in below)  # never pushed onto a line of its own


def test_the_z_shows_on_hand_at_the_close_not_only_the_lowest(till) -> None:  # type: ignore[no-untyped-def]
    """Two sales take the jacket to -2, a count puts it right (+5): the Z's below-zero line
    says +5 now, -2 at the lowest — not "结存 -2" for a shelf already counted."""
    from pos_app.adapters import receipt_docs
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    u = till.users.authenticate("admin", "7391")
    till.shifts.open(u, 50000)
    for _ in range(2):
        sale = till.sales.new_sale(u)
        till.sales.scan(sale, "6901234567892")  # the jacket: none on hand
        sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
        till.sales.complete(sale)
    till.stock.count_start(u)
    till.stock.count_scan("6901234567892", 5)
    till.stock.count_finish(u)
    z = till.shifts.close(u, 50000 + 2 * 29900)
    stored = till.shifts.z_reports(z["business_day"])[0]
    assert stored["stock_adjustments"]["sold_below_zero"][0]["on_hand"] == 5
    for paper in (58, 80):
        text = render_text(receipt_docs.z_document(till.uow, stored), paper)
        below = text[text.index("负库存") :].splitlines()
        row = next(x for x in below if x.startswith("QP-2026-001-BLK-L"))
        assert row.rstrip().endswith("+5(-2)")
