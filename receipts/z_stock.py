"""The Z report's stock part on paper: the day's stock adjustments (counts, deliveries received,
transfers out) with SKU, name, reason, quantity and value, and the SKUs a sale took below zero.

The report's `stock_adjustments` section (docs/stock.md) carries SKUs and quantities only; the
caller passes what the catalogue knows (`sku_info`: SKU -> (name, price in fen)), so a Z
reprinted months later still shows the names.  Value is quantity × the SKU's retail price, the
same measure as `guitai stock report value`.  Labels are Chinese and English: the manager and
the brand's auditors both read the Z.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pos_app.domain.money import format_fen

from .labels import tr

STOCK_KEY = "stock_adjustments"  # the Z report's key (ShiftService.report_sections)
# name, price_fen
SkuInfo = Mapping[str, tuple[str, int]]
Rows = tuple[tuple[str, str], ...]

REASON_LABELS = {
    "count": "盘点 count",
    "receive": "收货 received",
    "transfer_out": "调出 transfer out",
    "cloud": "总部更新 cloud",
    "sale": "销售 sale",
    "return": "退货 return",
}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _name(move: Mapping[str, Any], sku_info: SkuInfo) -> str:
    known = sku_info.get(str(move.get("sku") or ""))
    return str(move.get("name") or (known[0] if known else ""))


def _value_fen(move: Mapping[str, Any], sku_info: SkuInfo) -> int | None:
    """qty × retail price; None when the SKU is no longer in the catalogue."""
    given = move.get("value_fen")
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    known = sku_info.get(str(move.get("sku") or ""))
    return None if known is None else _int(move.get("qty")) * known[1]


def _sku_line(move: Mapping[str, Any], sku_info: SkuInfo) -> str:
    return f"{move.get('sku') or ''} {_name(move, sku_info)}".strip()


# A Z is read on paper: a day that took hundreds of SKUs below zero (a store whose starting
# stock never arrived) prints the first ones and points to the full report.
MAX_BELOW_ZERO = 30


def adjustment_rows(
    section: Mapping[str, Any], language: str, sku_info: SkuInfo
) -> list[tuple[str, Rows]]:
    """(title, rows) pairs for the Z: the adjustments, then the SKUs sold below zero."""
    moves: Sequence[Mapping[str, Any]] = [
        m for m in section.get("moves") or [] if isinstance(m, Mapping)
    ]
    below: Sequence[Mapping[str, Any]] = [
        m for m in section.get("sold_below_zero") or [] if isinstance(m, Mapping)
    ]
    rows: list[tuple[str, str]] = []
    if not moves:
        rows.append((tr(language, "无库存调整") + " no adjustments", ""))
    else:
        rows.append(("SKU " + tr(language, "名称") + " name", ""))
        rows.append(
            (
                "  " + tr(language, "原因") + " reason " + tr(language, "数量") + " qty",
                tr(language, "金额") + " value",
            )
        )
        rows.append(("", ""))
        total_units = 0
        total_value = 0
        unknown_value = False
        for m in moves:
            qty = _int(m.get("qty"))
            reason = str(m.get("reason") or "")
            value = _value_fen(m, sku_info)
            total_units += qty
            if value is None:
                unknown_value = True
            else:
                total_value += value
            rows.append((_sku_line(m, sku_info), ""))
            rows.append(
                (
                    f"  {tr(language, REASON_LABELS.get(reason, reason))} {qty:+d}",
                    "-" if value is None else format_fen(value),
                )
            )
        rows.append(("", ""))
        by_reason = section.get("by_reason")
        if isinstance(by_reason, Mapping):
            for reason, agg in by_reason.items():
                if isinstance(agg, Mapping):
                    label = tr(language, REASON_LABELS.get(str(reason), str(reason)))
                    rows.append(
                        (
                            f"{label} {_int(agg.get('lines'))}" + tr(language, "行") + " lines",
                            f"{_int(agg.get('units')):+d}",
                        )
                    )
        rows.append(
            (
                tr(language, "合计") + f" total {total_units:+d}",
                format_fen(total_value) + ("*" if unknown_value else ""),
            )
        )
        if unknown_value:
            rows.append(
                (
                    "* "
                    + tr(language, "部分商品不在目录中，未计金额")
                    + " some SKUs not in the catalogue: value left out",
                    "",
                )
            )
    out = [(tr(language, "库存调整") + " Stock adjustments", tuple(rows))]
    if below:
        neg: list[tuple[str, str]] = [
            ("SKU " + tr(language, "名称") + " name", tr(language, "结存") + " on hand")
        ]
        lowest: dict[str, Mapping[str, Any]] = {}
        for m in below:
            sku = str(m.get("sku") or "")
            if sku not in lowest or _int(m.get("on_hand_after")) < _int(
                lowest[sku].get("on_hand_after")
            ):
                lowest[sku] = m
        for m in list(lowest.values())[:MAX_BELOW_ZERO]:
            neg.append((_sku_line(m, sku_info), f"{_int(m.get('on_hand_after')):+d}"))
        if len(lowest) > MAX_BELOW_ZERO:
            more = len(lowest) - MAX_BELOW_ZERO
            neg.append((tr(language, "另有 {n} 个 SKU：guitai stock report negative", n=more), ""))
        neg.append((tr(language, "请核对货架实物") + " check the shelf", ""))
        out.append((tr(language, "负库存") + " Sold below zero", tuple(neg)))
    return out


def skus_of(section: Mapping[str, Any]) -> set[str]:
    """The SKUs the section names (for the caller's catalogue lookup)."""
    out: set[str] = set()
    for key in ("moves", "sold_below_zero"):
        for m in section.get(key) or []:
            if isinstance(m, Mapping) and m.get("sku"):
                out.add(str(m["sku"]))
    return out
