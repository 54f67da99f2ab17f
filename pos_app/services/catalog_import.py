"""Importing a catalog CSV file: check every row, then upsert the good ones by SKU.

The file is read as a stream, twice: the first pass checks every row (keeping only what
duplicate checks need), the second writes the good rows in batches inside one transaction.
Memory stays flat whatever the file's size, and without --skip-invalid a bad row anywhere
still means nothing is written: the writing pass starts only after the whole file checked out.
"""

from __future__ import annotations

import codecs
import contextlib
import io
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from pos_app.domain.catalog import (
    CatalogWriter,
    Sku,
    Style,
    normalise_code,
    parse_vat_rate,
    validate_barcode,
)
from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.money import Money
from pos_app.domain.ports import Clock

from .csv_records import BadRecord, Record, RecordReader

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
BATCH_ROWS = 2_000  # rows checked against, or written to, the database at a time
BULK_CACHE_MIB = 16  # the page cache of a bulk import (issue 15.12: the whole run under 150 MiB)
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

# Opens the file afresh for each pass: a context manager over its lines (newline="" kept) or
# over chunks of its bytes.
LineSource = Callable[[], AbstractContextManager[Iterable[str]]]
ByteSource = Callable[[], AbstractContextManager[Iterable[bytes]]]


def text_source(text: str) -> LineSource:
    """A LineSource over text already in memory (tests, the fuzzer)."""
    return lambda: contextlib.nullcontext(io.StringIO(text, newline=""))


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


@dataclass(frozen=True)
class Encoding:
    codec: str  # what to open the file with
    name: str  # what to report: "utf-8" also for a file with a BOM
    lines: int  # line breaks in the file (for a progress bar)


def sniff_encoding(source: ByteSource, encoding: str | None = None) -> Encoding:
    """The file's encoding: `encoding` if given, else UTF-8 (with or without BOM), else
    GB18030.  The whole file is decoded here, chunk by chunk, so a bad byte is reported
    before anything is checked or written."""
    # Excel on Chinese Windows saves "CSV" in the ANSI code page, GBK; GB18030 is its superset.
    candidates = [(encoding, encoding)] if encoding else [("utf-8-sig", "utf-8"), ("gb18030",) * 2]
    failure = ""
    for codec, name in candidates:
        try:
            decoder = codecs.getincrementaldecoder(codec)()
        except LookupError as err:
            raise InvalidInput(
                f"Unknown encoding {codec} ({err}): check --encoding (e.g. gb18030, big5, "
                "latin-1, utf-8)",
                f"未知的编码 {codec}（{err}）：请检查 --encoding（例如 gb18030、big5、latin-1、utf-8）",
            ) from err
        lines = offset = 0
        try:
            with source() as chunks:
                for chunk in chunks:
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                    offset += len(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            failure = f"byte {offset + err.start:,}: {err.reason}"
            continue
        return Encoding(codec, name, lines)
    if encoding:
        raise InvalidInput(
            f"The file is not readable as {encoding} ({failure}): check --encoding",
            f"无法按 {encoding} 读取文件（{failure}）：请检查 --encoding",
        )
    raise InvalidInput(
        "The file is neither UTF-8 nor GB18030: save it as CSV UTF-8, or pass --encoding",
        "文件既不是 UTF-8 也不是 GB18030 编码：请另存为“CSV UTF-8”，或用 --encoding 指定编码",
    )


def decode_catalog_file(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file already in memory and the encoding used (see sniff_encoding)."""
    found = sniff_encoding(lambda: contextlib.nullcontext([data]), encoding)
    return data.decode(found.codec), found.name


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
    good: int = 0  # rows that passed every check
    written: bool = False
    digest: str = ""  # of the text checked; the writing pass must read the same

    @property
    def rejected(self) -> int:
        return len(self.rejects)


@dataclass
class _Good:
    line: int
    sku: Sku
    style_name: str | None
    cells: tuple[str, ...]


def file_changed() -> GuitaiError:
    return InvalidInput(
        "The file changed while it was being imported: nothing was imported; run the import "
        "again once the file is saved",
        "导入过程中文件被修改：未导入任何商品；请在文件保存后重新导入",
    )


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


def _blank(record: Record | BadRecord) -> bool:
    return isinstance(record, Record) and not any(c.strip() for c in record.cells)


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
        source: LineSource,
        *,
        skip_invalid: bool = False,
        encoding: str = "utf-8",
        progress: Callable[[str, int], None] | None = None,
        save_rejects: Callable[[ImportResult], None] | None = None,
    ) -> ImportResult:
        """Import the CSV file `source` opens.  With any bad row nothing is written unless
        skip_invalid; the result lists every reject with the line its record starts on.

        With skip_invalid and rejects, `save_rejects(result)` runs before anything is
        written: if it fails, nothing is imported.  `progress(phase, rows)` reports rows
        read in the "check" and then the "write" phase.
        """
        step = progress or (lambda phase, n: None)
        result = self._check(source, encoding, lambda n: step("check", n))
        if result.rejects and not skip_invalid:
            return result
        if result.rejects and save_rejects is not None:
            save_rejects(result)
        if result.good:
            self._write(source, result, lambda n: step("write", n))
        return result

    # -- the checking pass -------------------------------------------------------------------

    def _check(
        self, source: LineSource, encoding: str, step: Callable[[int], None]
    ) -> ImportResult:
        result = ImportResult(encoding=encoding)
        with source() as lines:
            reader = RecordReader(lines)
            records = iter(reader)
            columns = self._header(records, result)
            # What the duplicate checks need, and only that: every good row's SKU and line,
            # every barcode's SKU (the same string object, so a code costs one dict entry).
            sku_line: dict[str, int] = {}
            code_sku: dict[str, str] = {}
            kinds: dict[str, str] = {}
            batch: list[_Good] = []
            done = 0
            for record in records:
                done += 1
                if done % 1000 == 0:
                    step(1000)
                if isinstance(record, BadRecord):
                    result.rejects.append(
                        Reject(record.line, record.reason, record.reason_zh, record.cells)
                    )
                    continue
                if _blank(record):
                    continue
                reasons: list[GuitaiError] = []
                kinds.clear()
                parsed = self._row(record.cells, columns, reasons, kinds)
                if parsed is not None:
                    reasons += self._duplicates(parsed.sku, sku_line, code_sku)
                if reasons or parsed is None:
                    result.rejects.append(self._reject(record.line, record.cells, reasons))
                    continue
                parsed.line = record.line
                parsed.cells = tuple(record.cells)
                sku_line[parsed.sku.sku] = record.line
                for code in parsed.sku.barcodes:
                    code_sku.setdefault(code, parsed.sku.sku)
                batch.append(parsed)
                if len(batch) >= BATCH_ROWS:
                    result.good += self._against_database(batch, result)
                    batch = []
            result.good += self._against_database(batch, result)
            step(done % 1000)
            result.digest = reader.digest()
        result.rejects.sort(key=lambda r: r.line)
        return result

    def _header(self, records: Iterable[Record | BadRecord], result: ImportResult) -> list[str]:
        first = next(iter(records), None)
        if first is None:
            raise InvalidInput("The file is empty: it needs a header line", "文件为空：需要表头行")
        if isinstance(first, BadRecord):
            raise InvalidInput(f"line 1: {first.reason}", f"第 1 行：{first.reason_zh}")
        result.header = tuple(first.cells)
        return self._columns(first.cells)

    @staticmethod
    def _duplicates(
        sku: Sku, sku_line: dict[str, int], code_sku: dict[str, str]
    ) -> list[GuitaiError]:
        reasons: list[GuitaiError] = []
        first = sku_line.get(sku.sku)
        if first is not None:
            reasons.append(
                InvalidInput(
                    f"duplicate SKU {sku.sku} (also on line {first})",
                    f"货号 {sku.sku} 重复（第 {first} 行也有）",
                )
            )
        for code in sku.barcodes:
            other = code_sku.get(code)
            if other is not None and other != sku.sku:
                line = sku_line[other]
                reasons.append(
                    InvalidInput(
                        f"duplicate barcode {code} (also on line {line}, SKU {other})",
                        f"条码 {code} 重复（第 {line} 行货号 {other} 也用了）",
                    )
                )
        return reasons

    def _against_database(self, batch: list[_Good], result: ImportResult) -> int:
        """Rejects the rows of `batch` whose barcodes belong to another SKU in the catalog;
        the number of rows kept."""
        owners = self.store.barcode_owners([code for g in batch for code in g.sku.barcodes])
        kept = 0
        for g in batch:
            taken = [c for c in g.sku.barcodes if owners.get(c, g.sku.sku) != g.sku.sku]
            if not taken:
                kept += 1
                continue
            result.rejects.append(
                self._reject(
                    g.line,
                    list(g.cells),
                    [
                        InvalidInput(
                            f"duplicate barcode {c}: it belongs to SKU {owners[c]} in the catalog",
                            f"条码 {c} 重复：目录中已属于货号 {owners[c]}",
                        )
                        for c in taken
                    ],
                )
            )
        return kept

    # -- the writing pass --------------------------------------------------------------------

    def _write(self, source: LineSource, result: ImportResult, step: Callable[[int], None]) -> None:
        """Upsert the rows the check kept, in batches inside one transaction.  The file is
        read again; if it is not the text that was checked, everything is rolled back."""
        rejected = {r.line for r in result.rejects}
        now = self.clock.now().isoformat(timespec="seconds")
        bulk = (
            self.store.bulk_load(BULK_CACHE_MIB)
            if result.good >= BULK_ROWS
            else contextlib.nullcontext()
        )
        written = 0
        with source() as lines, self.store.transaction(), bulk:
            reader = RecordReader(lines)
            records = iter(reader)
            header = next(records, None)
            if not isinstance(header, Record) or tuple(header.cells) != result.header:
                raise file_changed()
            columns = self._columns(header.cells)
            batch: list[_Good] = []
            kinds: dict[str, str] = {}
            done = 0
            for record in records:
                done += 1
                if done % 1000 == 0:
                    step(1000)
                if record.line in rejected or _blank(record):
                    continue
                if isinstance(record, BadRecord):
                    raise file_changed()
                parsed = self._row(record.cells, columns, [], kinds)
                if parsed is None:
                    raise file_changed()
                batch.append(parsed)
                if len(batch) >= BATCH_ROWS:
                    written += self._upsert(batch, kinds, now, result)
                    batch, kinds = [], {}
            written += self._upsert(batch, kinds, now, result)
            step(done % 1000)
            if written != result.good or reader.digest() != result.digest:
                raise file_changed()
        result.written = True

    def _upsert(
        self, batch: list[_Good], kinds: dict[str, str], now: str, result: ImportResult
    ) -> int:
        if not batch:
            return 0
        existing = self.store.existing_skus([g.sku.sku for g in batch])
        self.store.upsert_styles(
            (
                Style(g.sku.style, g.style_name, g.sku.name_en, g.sku.category)
                for g in batch
                if g.style_name
            ),
            overwrite=True,
        )
        self.store.upsert_styles(
            (Style(g.sku.style, g.sku.name, g.sku.name_en, g.sku.category) for g in batch),
            overwrite=False,
        )
        self.store.upsert_skus([g.sku for g in batch], now, kinds)
        result.updated += len(existing)
        result.imported += len(batch) - len(existing)
        return len(batch)

    # -- one row -----------------------------------------------------------------------------

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

    @staticmethod
    def _reject(line: int, cells: list[str], reasons: list[GuitaiError]) -> Reject:
        return Reject(
            line=line,
            reason="; ".join(r.message for r in reasons),
            reason_zh="；".join(r.message_zh for r in reasons),
            cells=tuple(cells),
        )
