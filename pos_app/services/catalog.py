"""Catalog use cases: the sale screen's scan lookup and search (importing: catalog_import.py)."""

from __future__ import annotations

from collections.abc import Sequence

from pos_app.domain.catalog import (
    CatalogReader,
    SkuInfo,
    barcode_kind,
    normalise_code,
    unknown_code,
)
from pos_app.domain.errors import InvalidInput, RuleViolation


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
