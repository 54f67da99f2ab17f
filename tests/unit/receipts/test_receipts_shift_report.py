"""The till's X and Z reports on paper: named sections, sub-rows indented, traditional
labels for Big5 stores, local times, and a long below-zero list cut short."""

from __future__ import annotations

from typing import Any

from receipts import render_text
from receipts.model import StoreInfo
from receipts.profiles import paper
from receipts.z_report import from_z_report


def report(kind: str = "Z") -> dict[str, Any]:
    return {
        "kind": kind,
        "till_no": 1,
        "shift_id": 3,
        "business_day": "2026-11-25",
        "opened_at": "2026-11-25T01:00:00Z",
        "opened_by": "王芳",
        "z_no": 7,
        "closed_by": "王芳",
        "first_receipt_no": 12,
        "last_receipt_no": 40,
        "sales": {"count": 28, "total_fen": 1234500, "discounts_fen": 4500},
        "refunds": {"count": 1, "total_fen": -29900},
        "net_fen": 1204600,
        "by_tender": {
            "cash": {"net_fen": 300000, "count": 9},
            "wechat": {"net_fen": 904600, "count": 19},
        },
        "by_vat": [{"rate_bp": 1300, "gross_fen": 1204600, "vat_fen": 138583}],
        "by_cashier": {
            "李娜": {
                "sales": 28,
                "sales_fen": 1234500,
                "discounts_fen": 4500,
                "returns": 1,
                "returns_fen": -29900,
                "voided_lines": 2,
                "voided_lines_fen": 59800,
                "voided_sales": 0,
                "voided_sales_fen": 0,
                "no_sale_opens": 1,
            }
        },
        "by_associate": {"小李": {"sales": 3, "sales_fen": 90000, "refunds": 0, "refunds_fen": 0}},
        "by_hour": {"9": {"count": 2, "net_fen": 50000}, "14": {"count": 26, "net_fen": 1154600}},
        "by_category": {"外套": {"qty": 5, "net_fen": 649500}},
        "cash": {
            "float_fen": 50000,
            "cash_net_fen": 300000,
            "pay_in_fen": 0,
            "pay_out_fen": 2000,
            "no_sale_opens": 1,
            "expected_fen": 348000,
            "counted_fen": 347950,
            "difference_fen": -50,
        },
        "grand_total_fen": 98765400,
        "stock_adjustments": {
            "moves": [],
            "by_reason": {},
            "sold_below_zero": [
                {"sku": f"SKU-{i % 40:03d}", "on_hand_after": -1 - i // 40} for i in range(80)
            ],
        },
    }


def lines_of(r: dict[str, Any], lang: str = "zh-Hans", width: int = 80) -> list[str]:
    store = StoreInfo("静安嘉里中心店", language=lang)  # type: ignore[arg-type]
    return render_text(from_z_report(r, store), paper(width)).splitlines()


def test_z_sections_read_like_a_managers_report() -> None:
    lines = lines_of(report())
    text = "\n".join(lines)
    assert "日结报表 (Z)" in text
    for title in ("汇总", "支付方式", "税额", "现金", "收银员", "导购", "品类", "时段", "累计总额"):
        assert any(x.strip() == title for x in lines), title
    row = next(x for x in lines if x.startswith("微信支付 ×19"))
    assert row.endswith("9046.00")
    assert next(x for x in lines if x.startswith("长短款")).endswith("-0.50")
    assert next(x for x in lines if x.startswith("小票号")).endswith("000012–000040")
    # the cashier's returns sit under the cashier, indented
    i = next(n for n, x in enumerate(lines) if x.startswith("李娜 销售 28 笔"))
    assert lines[i + 1].startswith("  ") and "退货 1 笔" in lines[i + 1]
    assert next(x for x in lines if x.startswith("09:00 2 笔")).endswith("500.00")
    # times in the store's zone, not UTC
    assert next(x for x in lines if x.startswith("开班时间")).endswith("2026-11-25 09:00:00")
    assert "_fen" not in text and "by_tender" not in text


def test_x_title_traditional_labels_and_58mm() -> None:
    lines = lines_of(report("X"), lang="zh-Hant", width=58)
    text = "\n".join(lines)
    assert "交班報表 (X)" in text and "付款方式" in text and "淨額" in text
    assert all(len(x.encode("gbk", "replace")) <= 32 for x in lines), "fits 58 mm"


def test_below_zero_one_line_per_sku_lowest_figure_and_capped() -> None:
    lines = lines_of(report())
    neg = [x for x in lines if x.startswith("SKU-")]
    assert len(neg) == 30  # 40 SKUs below zero: the first 30, then where to see the rest
    # each SKU's lowest figure, once, in brackets: this Z was stored without the close figure
    assert all(x.endswith("(-2)") for x in neg)
    assert any("另有 10 个货号" in x for x in lines)
    assert not any("guitai" in x for x in lines)  # the till's words on paper, no command
