"""The till's own X and Z reports (`pos_app` ShiftService: `kind`, `sales`, `by_tender`, …)
laid out for paper: the sections a store manager reads at the end of the day, in the store's
Chinese, money as yuan.  Reports of another shape go through the generic layout in
`receipts.z_report`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .labels import tr
from .model import TENDER_LABELS, Section, money, rate_text

Rows = tuple[tuple[str, str], ...]


def is_shift_report(report: Mapping[str, Any]) -> bool:
    return report.get("kind") in ("X", "Z") and isinstance(report.get("by_tender"), Mapping)


def _int(v: Any) -> int:
    return int(v) if isinstance(v, int | float) else 0


def _summary(r: Mapping[str, Any], lang: str) -> Rows:
    sales, refunds = r.get("sales") or {}, r.get("refunds") or {}
    rows = [
        (tr(lang, "销售 {n} 笔", n=_int(sales.get("count"))), money(_int(sales.get("total_fen")))),
        (tr(lang, "其中折扣"), money(-_int(sales.get("discounts_fen")))),
        (
            tr(lang, "退货 {n} 笔", n=_int(refunds.get("count"))),
            money(_int(refunds.get("total_fen"))),
        ),
        (tr(lang, "净额"), money(_int(r.get("net_fen")))),
    ]
    first, last = r.get("first_receipt_no"), r.get("last_receipt_no")
    if first is not None:
        rows.append((tr(lang, "小票号"), f"{int(first):06d}–{int(last or first):06d}"))
    return tuple(rows)


def _tenders(r: Mapping[str, Any], lang: str) -> Rows:
    rows = []
    for code, v in (r.get("by_tender") or {}).items():
        label = tr(lang, TENDER_LABELS[code]) if code in TENDER_LABELS else str(code)
        net = _int(v.get("net_fen")) if isinstance(v, Mapping) else _int(v)
        count = _int(v.get("count")) if isinstance(v, Mapping) else 0
        rows.append((f"{label} ×{count}" if count else label, money(net)))
    return tuple(rows)


def _vat(r: Mapping[str, Any], lang: str) -> Rows:
    return tuple(
        (
            tr(
                lang,
                "税率 {rate} 含税 {gross}",
                rate=rate_text(_int(v.get("rate_bp"))),
                gross=money(_int(v.get("gross_fen"))),
            ),
            money(_int(v.get("vat_fen"))),
        )
        for v in r.get("by_vat") or []
    )


def _people(r: Mapping[str, Any], key: str, lang: str) -> Rows:
    rows: list[tuple[str, str]] = []
    for name, c in (r.get(key) or {}).items():
        if not isinstance(c, Mapping):
            continue
        who = str(name) if name not in (None, "None", "") else tr(lang, "未指定")
        count = _int(c.get("sales"))
        amount = _int(c.get("sales_fen", c.get("net_fen", 0)))
        rows.append((tr(lang, "{who} 销售 {n} 笔", who=who, n=count), money(amount)))
        extras = [
            (
                tr(lang, "  退货 {n} 笔", n=_int(c.get("returns", c.get("refunds")))),
                _int(c.get("returns_fen", c.get("refunds_fen"))),
            ),
            (tr(lang, "  折扣"), -_int(c.get("discounts_fen"))),
            (
                tr(lang, "  删行 {n}", n=_int(c.get("voided_lines"))),
                _int(c.get("voided_lines_fen")),
            ),
            (
                tr(lang, "  整单作废 {n}", n=_int(c.get("voided_sales"))),
                _int(c.get("voided_sales_fen")),
            ),
        ]
        rows += [(label, money(v)) for label, v in extras if v]
        if _int(c.get("no_sale_opens")):
            rows.append((tr(lang, "  无销售开钱箱"), str(_int(c.get("no_sale_opens")))))
    return tuple(rows)


def _hours(r: Mapping[str, Any], lang: str) -> Rows:
    return tuple(
        (
            tr(lang, "{h}:00 {n} 笔", h=f"{int(h):02d}", n=_int(v.get("count"))),
            money(_int(v.get("net_fen"))),
        )
        for h, v in sorted((r.get("by_hour") or {}).items(), key=lambda kv: int(kv[0]))
    )


def _categories(r: Mapping[str, Any], lang: str) -> Rows:
    return tuple(
        (f"{name or '-'} ×{_int(v.get('qty'))}", money(_int(v.get("net_fen"))))
        for name, v in (r.get("by_category") or {}).items()
        if isinstance(v, Mapping)
    )


def _cash(r: Mapping[str, Any], lang: str) -> Rows:
    c = r.get("cash") or {}
    rows = [
        (tr(lang, "备用金"), money(_int(c.get("float_fen")))),
        (tr(lang, "现金净收"), money(_int(c.get("cash_net_fen")))),
        (tr(lang, "存入"), money(_int(c.get("pay_in_fen")))),
        (tr(lang, "取出"), money(-_int(c.get("pay_out_fen")))),
        (tr(lang, "应有现金"), money(_int(c.get("expected_fen")))),
    ]
    if c.get("counted_fen") is not None:
        rows += [
            (tr(lang, "实点现金"), money(_int(c.get("counted_fen")))),
            (tr(lang, "长短款"), money(_int(c.get("difference_fen")))),
        ]
    if _int(c.get("no_sale_opens")):
        rows.append((tr(lang, "无销售开钱箱"), str(_int(c.get("no_sale_opens")))))
    return tuple(rows)


def _topups(r: Mapping[str, Any], lang: str) -> Rows:
    """Stored value sold in the shift, by tender (issue 23): money taken that is not revenue
    (the member is owed it), so it stands apart from the sales' tenders."""
    t = r.get("topups")
    if not isinstance(t, Mapping):
        return ()
    rows: list[tuple[str, str]] = []
    for code, v in (t.get("by_tender") or {}).items():
        if not isinstance(v, Mapping):
            continue
        label = tr(lang, TENDER_LABELS[code]) if code in TENDER_LABELS else str(code)
        rows.append((f"{label} ×{_int(v.get('count'))}", money(_int(v.get("paid_fen")))))
        if _int(v.get("refunded_fen")):
            rows.append((tr(lang, "  退充值"), money(-_int(v.get("refunded_fen")))))
    if _int(t.get("bonus_fen")):
        rows.append((tr(lang, "赠送金额"), money(_int(t.get("bonus_fen")))))
    return tuple(rows)


def shift_sections(report: Mapping[str, Any], lang: str) -> list[Section]:
    """The sections of an X or Z report, empty ones left out."""
    parts = [
        ("汇总", _summary(report, lang)),
        ("支付方式", _tenders(report, lang)),
        ("税额", _vat(report, lang)),
        ("现金", _cash(report, lang)),
        ("收银员", _people(report, "by_cashier", lang)),
        ("导购", _people(report, "by_associate", lang)),
        ("品类", _categories(report, lang)),
        ("时段", _hours(report, lang)),
        ("储值充值", _topups(report, lang)),
    ]
    out = [Section(tr(lang, title), rows) for title, rows in parts if rows]
    if report.get("grand_total_fen") is not None:
        out.append(
            Section(
                tr(lang, "累计总额"),
                ((tr(lang, "净额累计"), money(_int(report.get("grand_total_fen")))),),
            )
        )
    return out
