"""The Z report's stock part on paper: the day's stock adjustments (counts, deliveries received,
transfers out) with SKU, name, reason, quantity and value, and the SKUs a sale took below zero
with their on-hand figure at the close (and the lowest the day's sales took them to).

The report's `stock_adjustments` section (docs/stock.md) carries SKUs and quantities only; the
caller passes what the catalogue knows (`sku_info`: SKU -> (name, price in fen)), so a Z
reprinted months later still shows the names.  Value is quantity × the SKU's retail price, the
same measure as `guitai stock report value`.  Labels are in the report's language, like the rest
of the Z (Simplified, or Traditional for a Big5 store); paper names no shell command, only where
on the till to look.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pos_app.domain.money import format_fen

from .labels import tr
from .model import Section

STOCK_KEY = "stock_adjustments"  # the Z report's key (ShiftService.report_sections)
# name, price_fen
SkuInfo = Mapping[str, tuple[str, int]]
Rows = tuple[tuple[str, str], ...]

REASON_LABELS = {
    "count": "盘点",
    "receive": "收货",
    "transfer_out": "调出",
    "cloud": "总部更新",
    "sale": "销售",
    "return": "退货",
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


def adjustment_rows(section: Mapping[str, Any], language: str, sku_info: SkuInfo) -> list[Section]:
    """The Z's stock sections: the adjustments, then the SKUs sold below zero."""
    moves: Sequence[Mapping[str, Any]] = [
        m for m in section.get("moves") or [] if isinstance(m, Mapping)
    ]
    below: Sequence[Mapping[str, Any]] = [
        m for m in section.get("sold_below_zero") or [] if isinstance(m, Mapping)
    ]
    rows: list[tuple[str, str]] = []
    if not moves:
        rows.append((tr(language, "无库存调整"), ""))
    else:
        rows.append((tr(language, "货号 名称"), ""))
        rows.append(("  " + tr(language, "原因 数量"), tr(language, "金额")))
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
                            f"{label} {_int(agg.get('lines'))}" + tr(language, "行"),
                            f"{_int(agg.get('units')):+d}",
                        )
                    )
        rows.append(
            (
                tr(language, "合计") + f" {total_units:+d}",
                format_fen(total_value) + ("*" if unknown_value else ""),
            )
        )
        if unknown_value:
            rows.append(("* " + tr(language, "部分商品不在目录中，未计金额"), ""))
    out = [Section(tr(language, "库存调整"), tuple(rows))]
    if below:
        out.append(_below_zero(below, language, sku_info))
    return out


def _below_zero(below: Sequence[Mapping[str, Any]], language: str, sku_info: SkuInfo) -> Section:
    """One line per SKU: its on-hand figure at the close and, when lower, the lowest the day's
    sales took it to.  A Z stored before the close figure was kept shows only the lowest."""
    lowest: dict[str, Mapping[str, Any]] = {}
    for m in below:
        sku = str(m.get("sku") or "")
        if sku not in lowest or _int(m.get("on_hand_after")) < _int(
            lowest[sku].get("on_hand_after")
        ):
            lowest[sku] = m
    rows: list[tuple[str, str]] = [(tr(language, "货号 名称"), tr(language, "现有(最低)"))]
    for m in list(lowest.values())[:MAX_BELOW_ZERO]:
        low = _int(m.get("on_hand_after"))
        now = m.get("on_hand")
        if isinstance(now, int) and not isinstance(now, bool):
            figure = f"{now:+d}" if now <= low else f"{now:+d}({low:+d})"
        else:
            figure = f"({low:+d})"
        rows.append((_sku_line(m, sku_info), figure))
    if len(lowest) > MAX_BELOW_ZERO:
        # where the till shows them all (班次 → 盘点 / 收发货 → 报表 → 负库存)
        more = len(lowest) - MAX_BELOW_ZERO
        rows.append((tr(language, "另有 {n} 个货号：请在收银机「负库存」报表中查看", n=more), ""))
    rows.append((tr(language, "请核对货架实物"), ""))
    # one line per SKU: a long name is cut short so its figures stay on its line
    return Section(tr(language, "负库存"), tuple(rows), fit=True)


def skus_of(section: Mapping[str, Any]) -> set[str]:
    """The SKUs the section names (for the caller's catalogue lookup)."""
    out: set[str] = set()
    for key in ("moves", "sold_below_zero"):
        for m in section.get(key) or []:
            if isinstance(m, Mapping) and m.get("sku"):
                out.add(str(m["sku"]))
    return out
