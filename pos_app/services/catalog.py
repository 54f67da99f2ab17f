"""Catalog use cases: the sale screen's scan lookup, search, and importing a CSV file."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pos_app.domain.catalog import (
    CatalogReader,
    CatalogWriter,
    Sku,
    SkuInfo,
    Style,
    barcode_kind,
    normalise_code,
    parse_vat_rate,
    unknown_code,
    validate_barcode,
)
from pos_app.domain.errors import GuitaiError, InvalidInput, RuleViolation
from pos_app.domain.money import Money
from pos_app.domain.ports import Clock


class CatalogService:
    """Lookups for the sale service and the search box, through a CatalogReader."""

    def __init__(self, reader: CatalogReader, store_prefixes: Sequence[str] = ()) -> None:
        self.reader = reader
        self.store_prefixes = tuple(store_prefixes)

    def by_code(self, code: str) -> SkuInfo:
        """The item for a scanned barcode or a typed SKU.

        InvalidInput: a GS1 code with a wrong check digit (a misread).  NotFound: no such item.
        RuleViolation: the item is withdrawn from sale.
        """
        text = normalise_code(code)
        if not text:
            raise InvalidInput(
                "Nothing was scanned: scan the barcode or type the SKU",
                "未读到条码：请扫描条码或输入货号",
            )
        info = self.reader.by_code(text) or self.reader.by_sku(text)
        if info is None:
            barcode_kind(text, self.store_prefixes)  # raises on a bad check digit
            raise unknown_code(text)
        if not info.active:
            raise RuleViolation(
                f"{info.sku} {info.name} is withdrawn from sale: ask a manager",
                f"{info.sku} {info.name} 已停售：请联系店长",
            )
        return info

    def by_sku(self, sku: str) -> SkuInfo:
        info = self.reader.by_sku(sku)
        if info is None:
            raise unknown_code(sku)
        return info

    def search(self, text: str, limit: int = 20) -> list[SkuInfo]:
        if limit < 0 or limit > 1000:
            raise InvalidInput(
                "The search limit must be between 0 and 1000", "搜索条数必须在 0 到 1000 之间"
            )
        return self.reader.search(text, limit)


# -- import ----------------------------------------------------------------------------------

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
BULK_ROWS = 20_000  # from here on, rebuilding the name index once beats per-row upkeep
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


def decode_catalog_file(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding used: UTF-8 (with or without BOM), else GB18030."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            raise InvalidInput(
                f"The file is not readable as {encoding} ({err}): check --encoding",
                f"无法按 {encoding} 读取文件（{err}）：请检查 --encoding",
            ) from err
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Chinese Windows saves "CSV" in the ANSI code page, GBK; GB18030 is its superset.
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as err:
        raise InvalidInput(
            "The file is neither UTF-8 nor GB18030: save it as CSV UTF-8, or pass --encoding",
            "文件既不是 UTF-8 也不是 GB18030 编码：请另存为“CSV UTF-8”，或用 --encoding 指定编码",
        ) from err


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str
    reason_zh: str
    cells: tuple[str, ...]


@dataclass
class ImportResult:
    imported: int = 0  # new SKUs
    updated: int = 0  # SKUs already in the catalog, overwritten
    rejects: list[Reject] = field(default_factory=list)
    header: tuple[str, ...] = ()
    encoding: str = "utf-8"
    written: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejects)


@dataclass
class _Good:
    line: int
    sku: Sku
    style_name: str | None
    cells: tuple[str, ...]


def _split_codes(cell: str) -> list[str]:
    for sep in "|;,，；、":
        cell = cell.replace(sep, " ")
    return [normalise_code(c) for c in cell.split() if normalise_code(c)]


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


class CatalogImporter:
    """Checks every row, then upserts the good ones by SKU in one transaction."""

    def __init__(
        self, store: CatalogWriter, clock: Clock, store_prefixes: Sequence[str] = ()
    ) -> None:
        self.store = store
        self.clock = clock
        self.store_prefixes = tuple(store_prefixes)

    def run(
        self,
        text: str,
        *,
        skip_invalid: bool = False,
        encoding: str = "utf-8",
        progress: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Import `text` (a CSV file's contents).  With any bad row nothing is written unless
        skip_invalid; the result lists every reject with its line number."""
        reader = csv.reader(io.StringIO(text, newline=""))
        result = ImportResult(encoding=encoding)
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidInput(
                "The file is empty: it needs a header line", "文件为空：需要表头行"
            ) from None
        result.header = tuple(header)
        columns = self._columns(header)
        good: list[_Good] = []
        sku_line: dict[str, int] = {}
        code_line: dict[str, tuple[int, str]] = {}
        kinds: dict[str, str] = {}
        done = 0
        for cells in reader:
            done += 1
            if progress is not None and done % 1000 == 0:
                progress(1000)
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            reasons: list[GuitaiError] = []
            parsed = self._row(cells, columns, header, reasons, kinds)
            if parsed is not None:
                first = sku_line.get(parsed.sku.sku)
                if first is not None:
                    reasons.append(
                        InvalidInput(
                            f"duplicate SKU {parsed.sku.sku} (also on line {first})",
                            f"货号 {parsed.sku.sku} 重复（第 {first} 行也有）",
                        )
                    )
                for code in parsed.sku.barcodes:
                    seen = code_line.get(code)
                    if seen is not None and seen[1] != parsed.sku.sku:
                        reasons.append(
                            InvalidInput(
                                f"duplicate barcode {code} (also on line {seen[0]}, SKU {seen[1]})",
                                f"条码 {code} 重复（第 {seen[0]} 行货号 {seen[1]} 也用了）",
                            )
                        )
            if reasons or parsed is None:
                result.rejects.append(self._reject(line, cells, reasons))
                continue
            parsed.line = line
            parsed.cells = tuple(cells)
            sku_line[parsed.sku.sku] = line
            for code in parsed.sku.barcodes:
                code_line.setdefault(code, (line, parsed.sku.sku))
            good.append(parsed)
        if progress is not None:
            progress(done % 1000)
        good = self._against_database(good, result)
        result.rejects.sort(key=lambda r: r.line)
        if result.rejects and not skip_invalid:
            return result
        if not good:
            return result
        existing = self.store.existing_skus([g.sku.sku for g in good])
        bulk = self.store.bulk_load() if len(good) >= BULK_ROWS else contextlib.nullcontext()
        with self.store.transaction(), bulk:
            self.store.upsert_styles(
                (
                    Style(g.sku.style, g.style_name, g.sku.name_en, g.sku.category)
                    for g in good
                    if g.style_name
                ),
                overwrite=True,
            )
            self.store.upsert_styles(
                (Style(g.sku.style, g.sku.name, g.sku.name_en, g.sku.category) for g in good),
                overwrite=False,
            )
            self.store.upsert_skus(
                [g.sku for g in good], self.clock.now().isoformat(timespec="seconds"), kinds
            )
        result.written = True
        result.updated = len(existing)
        result.imported = len(good) - len(existing)
        return result

    def _columns(self, header: list[str]) -> list[str]:
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

    def _row(
        self,
        cells: list[str],
        columns: list[str],
        header: list[str],
        reasons: list[GuitaiError],
        kinds: dict[str, str],
    ) -> _Good | None:
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
        if active_text not in _TRUE | _FALSE:
            reasons.append(
                InvalidInput(
                    f"active must be 1 or 0, not “{values['active']}”",
                    f"在售列只能填 1 或 0，而不是“{values['active']}”",
                )
            )
        unique_codes = list(dict.fromkeys(codes))
        for code in unique_codes:
            try:
                kinds[code] = validate_barcode(code, self.store_prefixes).value
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
        return _Good(0, item, values.get("style_name") or None, ())

    def _against_database(self, good: list[_Good], result: ImportResult) -> list[_Good]:
        codes = [code for g in good for code in g.sku.barcodes]
        owners = self.store.barcode_owners(codes)
        keep: list[_Good] = []
        for g in good:
            taken = [c for c in g.sku.barcodes if owners.get(c, g.sku.sku) != g.sku.sku]
            if taken:
                result.rejects.append(
                    self._reject(
                        g.line,
                        list(g.cells),
                        [
                            InvalidInput(
                                f"duplicate barcode {c}: it belongs to SKU {owners[c]} "
                                "in the catalog",
                                f"条码 {c} 重复：目录中已属于货号 {owners[c]}",
                            )
                            for c in taken
                        ],
                    )
                )
            else:
                keep.append(g)
        return keep

    @staticmethod
    def _reject(line: int, cells: list[str], reasons: list[GuitaiError]) -> Reject:
        return Reject(
            line=line,
            reason="; ".join(r.message for r in reasons),
            reason_zh="；".join(r.message_zh for r in reasons),
            cells=tuple(cells),
        )
