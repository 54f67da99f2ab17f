"""One catalog CSV row: the documented columns, and a row's cells checked into a Sku."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pos_app.domain.catalog import Sku, normalise_code, parse_vat_rate, validate_barcode
from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.money import Money

# The documented columns (docs/catalog.md) and the headings we also accept for them.
COLUMNS = (
    "sku",
    "style",
    "style_name",
    "name",
    "name_en",
    "colour",
    "size",
    "category",
    "vat_rate",
    "price",
    "member_price",
    "barcode",
    "active",
)
REQUIRED = ("sku", "name", "price")
ALIASES = {
    "货号": "sku",
    "款号": "style",
    "款名": "style_name",
    "品名": "name",
    "名称": "name",
    "英文名": "name_en",
    "color": "colour",
    "颜色": "colour",
    "尺码": "size",
    "品类": "category",
    "类别": "category",
    "vat": "vat_rate",
    "税率": "vat_rate",
    "售价": "price",
    "零售价": "price",
    "会员价": "member_price",
    "barcodes": "barcode",
    "条码": "barcode",
    "在售": "active",
}
_TRUE = {"1", "true", "yes", "y", "是", ""}
_FALSE = {"0", "false", "no", "n", "否"}
_BOOLEAN = _TRUE | _FALSE


def column_of(heading: str) -> str | None:
    """The documented column a heading names (barcode2, 条码2 … are more barcode columns)."""
    h = heading.strip().lstrip("\ufeff").lower().replace(" ", "_")
    h = ALIASES.get(h, h)
    if h in COLUMNS:
        return h
    base = h.rstrip("0123456789")
    if base != h and ALIASES.get(base, base) == "barcode":
        return "barcode"
    return None


@dataclass
class Row:
    """A good row: its line and cells are filled in by the importer."""

    line: int
    sku: Sku
    style_name: str | None
    cells: tuple[str, ...]


def _split_codes(cell: str) -> list[str]:
    for sep in "|;,，；、":
        cell = cell.replace(sep, " ")
    return [code for code in map(normalise_code, cell.split()) if code]


def _parse_price(text: str, what: str, what_zh: str) -> int:
    try:
        fen = Money.parse(text).fen
    except InvalidInput as err:
        raise InvalidInput(
            f"unparsable {what} “{text}”: write yuan like 299.00",
            f"{what_zh}“{text}”无法识别：请写成元，例如 299.00",
        ) from err
    if fen < 0:
        raise InvalidInput(f"negative {what} “{text}”", f"{what_zh}“{text}”为负数")
    return fen


def columns_of(header: list[str]) -> list[str]:
    """The documented column of each heading; InvalidInput (line 1) for an unknown,
    repeated or missing one."""
    columns: list[str] = []
    unknown: list[str] = []
    for heading in header:
        col = column_of(heading)
        if col is None:
            unknown.append(heading)
        elif col in columns and col != "barcode":
            raise InvalidInput(
                f"line 1: column “{heading}” appears twice",
                f"第 1 行：列“{heading}”出现了两次",
            )
        columns.append(col or "")
    if unknown:
        raise InvalidInput(
            f"line 1: unknown column(s) {', '.join(unknown)}; the columns are "
            f"{', '.join(COLUMNS)} (barcode2, barcode3 … for more barcodes)",
            f"第 1 行：未知的列 {'、'.join(unknown)}；可用的列为 {', '.join(COLUMNS)}",
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise InvalidInput(
            f"line 1: missing column(s) {', '.join(missing)}",
            f"第 1 行：缺少列 {', '.join(missing)}",
        )
    return columns


def parse_row(
    cells: list[str],
    columns: list[str],
    store_prefixes: Sequence[str],
    reasons: list[GuitaiError],
    kinds: dict[str, str],
) -> Row | None:
    """One data row as a Row, or None with every reason it is bad added to `reasons`;
    `kinds` gets each barcode's kind."""
    if len(cells) > len(columns):
        reasons.append(
            InvalidInput(
                f"{len(cells)} fields but the header has {len(columns)}",
                f"本行有 {len(cells)} 个字段，表头只有 {len(columns)} 个",
            )
        )
        return None
    values: dict[str, str] = {}
    codes: list[str] = []
    for col, cell in zip(columns, cells, strict=False):
        if col == "barcode":
            codes.extend(_split_codes(cell))
        else:
            values[col] = cell.strip()
    sku = values.get("sku", "")
    name = values.get("name", "")
    if not sku:
        reasons.append(InvalidInput("missing SKU", "缺少货号"))
    if not name:
        reasons.append(InvalidInput("missing name", "缺少品名"))
    price = member = None
    vat = 1300
    try:
        price = _parse_price(values.get("price", ""), "price", "售价")
    except InvalidInput as err:
        reasons.append(err)
    if values.get("member_price"):
        try:
            member = _parse_price(values["member_price"], "member price", "会员价")
        except InvalidInput as err:
            reasons.append(err)
    try:
        vat = parse_vat_rate(values.get("vat_rate", ""))
    except InvalidInput as err:
        reasons.append(err)
    active_text = values.get("active", "").lower()
    if active_text not in _BOOLEAN:
        reasons.append(
            InvalidInput(
                f"active must be 1 or 0, not “{values['active']}”",
                f"在售列只能填 1 或 0，而不是“{values['active']}”",
            )
        )
    unique_codes = list(dict.fromkeys(codes))
    for code in unique_codes:
        try:
            kinds[code] = validate_barcode(code, store_prefixes).value
        except InvalidInput as err:
            reasons.append(err)
    if reasons:
        return None
    try:
        item = Sku(
            sku=sku,
            style=values.get("style") or sku,
            name=name,
            name_en=values.get("name_en", ""),
            colour=values.get("colour", ""),
            size=values.get("size", ""),
            category=values.get("category", ""),
            vat_rate_bp=vat,
            price_fen=price or 0,
            member_price_fen=member,
            barcodes=tuple(unique_codes),
            active=active_text not in _FALSE,
        )
    except InvalidInput as err:
        reasons.append(err)
        return None
    return Row(0, item, values.get("style_name") or None, ())
