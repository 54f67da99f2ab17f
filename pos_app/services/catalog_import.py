"""Importing a catalog CSV file: check every row, then upsert the good ones by SKU.

The file is read as a stream, twice: the first pass checks every row (keeping only what
duplicate checks need), the second writes the good rows in batches inside one transaction.
Memory stays flat whatever the file's size, and without --skip-invalid a bad row anywhere
still means nothing is written: the writing pass starts only after the whole file checked out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pos_app.domain.catalog import (
    Sku,
    Style,
)
from pos_app.domain.errors import GuitaiError, InvalidInput
from pos_app.domain.ports import Clock

from .catalog_rows import Row, columns_of, parse_row
from .csv_encoding import LineSource
from .csv_records import BadRecord, Record, RecordReader
from .unit_of_work import AbstractUnitOfWork

BULK_ROWS = 20_000  # from here on, rebuilding the name index once beats per-row upkeep
BATCH_ROWS = 2_000  # rows checked against, or written to, the database at a time
BULK_CACHE_MIB = 16  # the page cache of a bulk import (issue 15.12: the whole run under 150 MiB)


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


def file_changed() -> GuitaiError:
    return InvalidInput(
        "The file changed while it was being imported: nothing was imported; run the import "
        "again once the file is saved",
        "导入过程中文件被修改：未导入任何商品；请在文件保存后重新导入",
    )


def _blank(record: Record | BadRecord) -> bool:
    return isinstance(record, Record) and not any(c.strip() for c in record.cells)


class CatalogImporter:
    """Checks every row, then upserts the good ones by SKU in one transaction."""

    def __init__(
        self, uow: AbstractUnitOfWork, clock: Clock, store_prefixes: Sequence[str] = ()
    ) -> None:
        self.uow = uow
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
            batch: list[Row] = []
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
                parsed = parse_row(record.cells, columns, self.store_prefixes, reasons, kinds)
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
        return columns_of(first.cells)

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

    def _against_database(self, batch: list[Row], result: ImportResult) -> int:
        """Rejects the rows of `batch` whose barcodes belong to another SKU in the catalog;
        the number of rows kept."""
        owners = self.uow.catalog.barcode_owners([code for g in batch for code in g.sku.barcodes])
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
            self.uow.catalog.bulk_load(BULK_CACHE_MIB)
            if result.good >= BULK_ROWS
            else contextlib.nullcontext()
        )
        written = 0
        with source() as lines, self.uow:
            with bulk:  # its index rebuild belongs to the transaction: before the commit
                reader = RecordReader(lines)
                records = iter(reader)
                header = next(records, None)
                if not isinstance(header, Record) or tuple(header.cells) != result.header:
                    raise file_changed()
                columns = columns_of(header.cells)
                batch: list[Row] = []
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
                    parsed = parse_row(record.cells, columns, self.store_prefixes, [], kinds)
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
            self.uow.commit()
        result.written = True

    def _upsert(
        self, batch: list[Row], kinds: dict[str, str], now: str, result: ImportResult
    ) -> int:
        if not batch:
            return 0
        existing = self.uow.catalog.existing_skus([g.sku.sku for g in batch])
        self.uow.catalog.upsert_styles(
            (
                Style(g.sku.style, g.style_name, g.sku.name_en, g.sku.category)
                for g in batch
                if g.style_name
            ),
            overwrite=True,
        )
        self.uow.catalog.upsert_styles(
            (Style(g.sku.style, g.sku.name, g.sku.name_en, g.sku.category) for g in batch),
            overwrite=False,
        )
        self.uow.catalog.upsert_skus([g.sku for g in batch], now, kinds)
        result.updated += len(existing)
        result.imported += len(batch) - len(existing)
        return len(batch)

    # -- one row -----------------------------------------------------------------------------

    @staticmethod
    def _reject(line: int, cells: list[str], reasons: list[GuitaiError]) -> Reject:
        return Reject(
            line=line,
            reason="; ".join(r.message for r in reasons),
            reason_zh="；".join(r.message_zh for r in reasons),
            cells=tuple(cells),
        )
