"""The Z (end of day) report as a receipt document: the header keys, the report's sections
or every other key, and the day's stock adjustments (`receipts.z_stock`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .labels import tr
from .model import ReceiptDocument, Section, StoreInfo, local_time_text, money, rate_text
from .z_sections import is_shift_report, shift_sections
from .z_stock import STOCK_KEY, SkuInfo, adjustment_rows

_Z_LABELS = {
    "z_no": "Z 序号",
    "business_day": "营业日",
    "shift_id": "班次",
    "till_no": "收银台",
    "opened_by": "开班",
    "closed_by": "交班",
    "opened_at": "开班时间",
    "closed_at": "交班时间",
}


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int) and key.endswith("_fen"):
        return money(value)
    if isinstance(value, int) and key.endswith("_bp"):
        return rate_text(value)
    return str(value)


def _label(key: str) -> str:
    return _Z_LABELS.get(key, key.removesuffix("_fen"))


def _rows(items: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, Mapping):
            if "label" in item:
                rows.append((str(item["label"]), str(item.get("value", ""))))
            else:
                rows.append(
                    (
                        " ".join(str(v) for k, v in item.items() if not k.endswith("_fen")),
                        " ".join(_value_text(k, v) for k, v in item.items() if k.endswith("_fen")),
                    )
                )
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            rows.append((str(item[0]), str(item[1])))
        else:
            rows.append((str(item), ""))
    return tuple(rows)


def from_z_report(
    report: Mapping[str, Any],
    store: StoreInfo,
    *,
    sections: Sequence[Section] | None = None,
    reprint_count: int = 0,
    sku_info: SkuInfo | None = None,
) -> ReceiptDocument:
    """A generic Z (end of day) report receipt.

    The report's exact fields are the lead's; this prints any report: `title` if given, the
    header keys above (`z_no`, `business_day`, …), then either the given `sections`, the
    report's own `"sections": [{"title", "rows": [[key, value], …]}]`, or else every other
    key: scalars as key/value rows (`*_fen` as money), dicts and lists as their own sections.
    A `stock_adjustments` section (docs/stock.md) prints last as the day's stock adjustments
    (SKU, name, reason, qty, value) and the SKUs sold below zero; `sku_info` (SKU -> (name,
    price_fen)) supplies names and prices (`receipts.z_stock`).
    """
    header = tuple(
        (
            tr(store.language, _Z_LABELS[k]),
            local_time_text(str(report[k]), store.timezone)
            if k.endswith("_at")
            else _value_text(k, report[k]),
        )
        for k in _Z_LABELS
        if report.get(k) is not None
    )
    built: list[Section] = [Section("", header)] if header else []
    if sections is not None:
        built.extend(sections)
    elif is_shift_report(report):
        built.extend(shift_sections(report, store.language))
    elif isinstance(report.get("sections"), list):
        for s in report["sections"]:
            built.append(Section(str(s.get("title", "")), _rows(s.get("rows", []))))
    else:
        scalars: list[tuple[str, str]] = []
        for key, value in report.items():
            if key in _Z_LABELS or key in ("title", STOCK_KEY):
                continue
            if isinstance(value, Mapping):
                built.append(
                    Section(key, tuple((_label(k), _value_text(k, v)) for k, v in value.items()))
                )
            elif isinstance(value, list):
                built.append(Section(key, _rows(value)))
            else:
                scalars.append((_label(key), _value_text(key, value)))
        if scalars:
            built.insert(1 if header else 0, Section(tr(store.language, "汇总"), tuple(scalars)))
    stock = report.get(STOCK_KEY)
    if isinstance(stock, Mapping):
        built.extend(adjustment_rows(stock, store.language, sku_info or {}))
    till = report.get("till_no")
    return ReceiptDocument(
        kind="z_report",
        title=str(
            report.get("title")
            or tr(store.language, "交班报表 (X)" if report.get("kind") == "X" else "日结报表 (Z)")
        ),
        store=store,
        till_no=till if isinstance(till, int) else None,
        cashier=str(report.get("closed_by") or ""),
        sections=tuple(built),
        reprint_count=reprint_count,
    )
