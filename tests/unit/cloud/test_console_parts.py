"""The console's pure parts (issue 22): money in yuan, charts readable without colour and
escaped, the rows one sale adds to the summaries, and the Z report check."""

from __future__ import annotations

from cloud.console.facts import china_hour, day_rows, shift_rows
from cloud.console.layout import bar_chart, money
from cloud.console.upsert import merge
from cloud.console.z_check import check

SALE = {
    "business_day": "2026-11-24", "completed_at": "2026-11-24T02:10:00Z", "shift_id": 3,
    "associate": "王芳", "total_fen": 71900,
    "lines": [{"qty": 1, "amount_fen": 45900, "category": "外套"},
              {"qty": 2, "amount_fen": 26000, "category": "配饰"}],
    "payments": [{"tender": "cash", "amount_fen": 80000, "change_fen": 8100}],
}  # fmt: skip


def test_money_is_yuan_from_integer_fen() -> None:
    assert money(0) == "¥0.00"
    assert money(123456789) == "¥1,234,567.89"
    assert money(-45900) == "-¥459.00"


def test_a_chart_labels_every_bar_hatches_negatives_and_escapes_names() -> None:
    svg = bar_chart("<b>", [("<i>x</i>", 45900), ("退款", -100)])
    assert "¥459.00" in svg and "-¥1.00" in svg and "url(#neg)" in svg
    assert "<i>" not in svg and "&lt;i&gt;x&lt;/i&gt;" in svg and "<title>&lt;b&gt;" in svg


def test_hours_are_china_time() -> None:
    assert china_hour("2026-11-24T02:10:00Z") == "10"
    assert china_hour("2026-11-24T16:10:00Z") == "00"


def test_one_sale_adds_to_its_day_hour_associate_till_categories_and_tender() -> None:
    rows = {(r[2], r[3]): r[4:] for r in day_rows("S001", 2, SALE, refund=False)}
    assert rows[("", "")] == (1, 0, 3, 71900, 0)
    assert rows[("hour", "10")] == rows[("associate", "王芳")] == rows[("till", "2")]
    assert rows[("category", "外套")] == (1, 0, 1, 45900, 0)
    assert rows[("category", "配饰")] == (1, 0, 2, 26000, 0)
    assert rows[("tender", "cash")] == (1, 0, 0, 71900, 0)  # net of change


def test_a_refund_subtracts() -> None:
    refund = dict(SALE, total_fen=-45900, lines=[{"qty": 1, "amount_fen": 45900,
                  "category": "外套"}], payments=[{"tender": "cash", "amount_fen": -45900}])  # fmt: skip
    rows = {(r[2], r[3]): r[4:] for r in day_rows("S001", 2, refund, refund=True)}
    assert rows[("", "")] == (0, 1, -1, 0, -45900)
    assert rows[("category", "外套")] == (0, 1, -1, 0, -45900)


def test_rows_repeated_in_a_batch_add_up_before_they_are_written() -> None:
    rows = shift_rows("d", SALE, refund=False) * 2
    assert sorted(merge(rows, 4)) == [
        ("d", 3, "kind", "sale", 2, 143800),
        ("d", 3, "tender", "cash", 2, 143800),
    ]


def test_a_z_report_agrees_or_names_what_differs() -> None:
    report = {
        "sales": {"count": 2, "total_fen": 1000}, "refunds": {"count": 1, "total_fen": -200},
        "net_fen": 800, "by_tender": {"cash": {"net_fen": 800}},
    }  # fmt: skip
    sums = [("kind", "sale", 2, 1000), ("kind", "refund", 1, -200), ("tender", "cash", 3, 800)]
    assert all(x.agrees for x in check(report, sums))
    off = [
        x.label for x in check(report, [*sums[:2], ("tender", "wechat", 3, 800)]) if not x.agrees
    ]
    assert off == ["支付 Tender cash", "支付 Tender wechat"]


def test_a_period_reads_whole_months_and_days_only_at_its_ends() -> None:
    from cloud.console.sales_data import spans

    assert spans("2026-01-01", "2026-12-31") == ([], [f"2026-{m:02d}" for m in range(1, 13)])
    assert spans("2025-12-07", "2026-12-06") == (
        [("2025-12-07", "2025-12-31"), ("2026-12-01", "2026-12-06")],
        [f"2026-{m:02d}" for m in range(1, 12)],
    )
    assert spans("2026-02-03", "2026-02-10") == ([("2026-02-03", "2026-02-10")], [])
    assert spans("2024-02-01", "2024-02-29") == ([], ["2024-02"])
