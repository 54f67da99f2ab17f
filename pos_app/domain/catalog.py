"""The catalog: barcodes and their check digits, SKUs and styles, and the reader port.

Pure and stdlib only.  Money is integer fen; VAT rates are basis points (1300 = 13%).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from .errors import InvalidInput, NotFound
from .money import Money

# GS1 "restricted circulation" prefixes 20–29: numbers a store assigns itself (in-store codes,
# weighed goods).  They carry a normal EAN-13 check digit but belong to no manufacturer.
STORE_EAN_PREFIXES = tuple(str(p) for p in range(20, 30))


class BarcodeKind(StrEnum):
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    STORE = "store"


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of the digits before it (EAN-13, EAN-8, UPC-A alike).

    Weights run 3, 1, 3, … from the rightmost digit of the body.
    """
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"check digits are computed over digits only, got {body!r}")
    total = 3 * sum(map(int, body[-1::-2])) + sum(map(int, body[-2::-2]))
    return (10 - total % 10) % 10


def with_check_digit(body: str) -> str:
    return body + str(gs1_check_digit(body))


def has_valid_check_digit(code: str) -> bool:
    if len(code) < 2 or not code.isascii() or not code.isdigit():
        return False
    return gs1_check_digit(code[:-1]) == int(code[-1])


def _bad_check_digit(code: str) -> InvalidInput:
    return InvalidInput(
        f"Bad check digit in barcode {code}: scan again or type the SKU",
        f"条码校验位错误：请重新扫描或手工输入货号（{code}）",
    )


def normalise_code(text: str) -> str:
    """What a scanner or a person typed, without spaces and control characters."""
    if text.isalnum():  # nearly every code: nothing to remove (an import checks 100,000s)
        return text
    return "".join(ch for ch in text.strip() if ch.isprintable() and not ch.isspace())


def barcode_kind(code: str, store_prefixes: Sequence[str] = ()) -> BarcodeKind | None:
    """The kind of a GS1 numeric code or a store code, or None when it is not a barcode.

    Raises InvalidInput for a GS1-length numeric code whose check digit is wrong.
    `store_prefixes`: the store's own code prefixes (e.g. "QP"); codes that start with one
    are store codes and carry no check digit.
    """
    for prefix in store_prefixes:
        if prefix and code.startswith(prefix):
            return BarcodeKind.STORE
    if not code.isascii() or not code.isdigit() or len(code) not in (8, 12, 13):
        return None
    if not has_valid_check_digit(code):
        raise _bad_check_digit(code)
    if len(code) == 8:
        return BarcodeKind.EAN8
    if len(code) == 12:
        return BarcodeKind.UPCA
    if code.startswith(STORE_EAN_PREFIXES):
        return BarcodeKind.STORE
    return BarcodeKind.EAN13


def validate_barcode(code: str, store_prefixes: Sequence[str] = ()) -> BarcodeKind:
    """The kind of a barcode to be stored; InvalidInput with the reason when it cannot be one."""
    kind = barcode_kind(code, store_prefixes)
    if kind is None:
        raise InvalidInput(
            f"“{code}” is not a barcode: use EAN-13, EAN-8 or UPC-A digits with their check "
            "digit, or a store code with the store's prefix",
            f"“{code}”不是有效条码：请使用带校验位的 EAN-13、EAN-8、UPC-A，或带门店前缀的店内码",
        )
    return kind


def code_variants(code: str) -> tuple[str, ...]:
    """Forms one item's code may be stored under: a UPC-A is also an EAN-13 with a leading 0
    (many scanners send the 13-digit form)."""
    if len(code) == 13 and code.startswith("0") and code.isdigit():
        return (code, code[1:])
    if len(code) == 12 and code.isdigit():
        return (code, "0" + code)
    return (code,)


_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def validate_sku(sku: str) -> str:
    if not _SKU.match(sku):
        raise InvalidInput(
            f"“{sku}” is not a SKU: use 1–64 letters, digits, '-', '_', '.', '/' "
            "(e.g. QP-2026-0001-BLK-L)",
            f"“{sku}”不是有效货号：请使用 1–64 位字母、数字或 - _ . /（例如 QP-2026-0001-BLK-L）",
        )
    return sku


_VAT = re.compile(r"^\s*(\d{1,5}(?:\.\d{1,2})?)\s*(%|bp)?\s*$", re.IGNORECASE)
_VAT_FRACTION = re.compile(r"^\s*0?\.(\d{1,4})\s*$")


def parse_vat_rate(text: str) -> int:
    """A VAT rate as basis points.  Documented form "13%"; also "0.13", "1300bp", "13".

    A bare number of 1 or more is percent (13 → 13%); a fraction below 1 is a ratio
    (0.13 → 13%); "bp" means basis points.  Empty means the clothing standard rate, 13%.
    """
    if not text.strip():
        return 1300
    bad = InvalidInput(
        f"“{text}” is not a VAT rate: write it like 13% (also 0.13 or 1300bp)",
        f"“{text}”不是有效税率：请写成 13%（也可写 0.13 或 1300bp）",
    )
    frac = _VAT_FRACTION.match(text)
    if frac:
        bp = int(frac.group(1).ljust(4, "0"))
    else:
        m = _VAT.match(text)
        if not m:
            raise bad
        number, unit = m.groups()
        if unit and unit.lower() == "bp":
            if "." in number:
                raise bad
            bp = int(number)
        else:
            whole, _, dec = number.partition(".")
            bp = int(whole) * 100 + int(dec.ljust(2, "0") or "0")
    if not 0 <= bp <= 10_000:
        raise bad
    return bp


def format_vat(bp: int) -> str:
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}%"


@dataclass(frozen=True, slots=True)
class Style:
    style: str
    name: str
    name_en: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class Sku:
    """A sellable item as the catalog keeps it (one colour and size of a style)."""

    sku: str
    style: str
    name: str
    price_fen: int
    name_en: str = ""
    colour: str = ""
    size: str = ""
    category: str = ""
    vat_rate_bp: int = 1300
    member_price_fen: int | None = None
    barcodes: tuple[str, ...] = ()
    active: bool = True

    def __post_init__(self) -> None:
        validate_sku(self.sku)
        if not self.name.strip():
            raise InvalidInput(
                f"SKU {self.sku} has no name: every item needs the name printed on receipts",
                f"货号 {self.sku} 没有品名：每个商品都需要小票上打印的名称",
            )
        if self.price_fen < 0:
            raise InvalidInput(
                f"SKU {self.sku} has a negative price",
                f"货号 {self.sku} 的售价为负数",
            )
        if self.member_price_fen is not None and not 0 <= self.member_price_fen <= self.price_fen:
            raise InvalidInput(
                f"SKU {self.sku}: the member price {Money(self.member_price_fen)} must be between "
                f"0 and the price {Money(self.price_fen)}",
                f"货号 {self.sku}：会员价 {Money(self.member_price_fen)} 必须在 0 与售价 "
                f"{Money(self.price_fen)} 之间",
            )
        if not 0 <= self.vat_rate_bp <= 10_000:
            raise InvalidInput(
                f"SKU {self.sku}: VAT rate {self.vat_rate_bp} bp is out of range",
                f"货号 {self.sku}：税率 {self.vat_rate_bp} bp 超出范围",
            )


@dataclass(frozen=True, slots=True)
class SkuInfo:
    """What the sale screen needs for one scanned or chosen item."""

    sku: str
    style: str
    name: str
    name_en: str
    colour: str
    size: str
    category: str
    vat_rate_bp: int
    price_fen: int
    member_price_fen: int | None
    active: bool = True
    barcode: str | None = None  # the code it was found by, if any
    barcodes: tuple[str, ...] = field(default=())

    def price_for(self, is_member: bool) -> int:
        if is_member and self.member_price_fen is not None:
            return min(self.member_price_fen, self.price_fen)
        return self.price_fen


@runtime_checkable
class CatalogReader(Protocol):
    """Read access to the catalog: what the sale service and the search box need."""

    def by_code(self, code: str) -> SkuInfo | None:
        """The SKU a barcode belongs to (primary-key lookup), or None."""

    def by_sku(self, sku: str) -> SkuInfo | None: ...

    def search(self, text: str, limit: int = 20) -> list[SkuInfo]:
        """Barcode, SKU (prefix), pinyin initials (prefix) or name substring; "" lists all."""


def unknown_code(code: str) -> NotFound:
    return NotFound(
        f"No item has barcode or SKU “{code}”: check the label, type the SKU, or ask a manager "
        "to add the item",
        f"找不到条码或货号“{code}”对应的商品：请核对吊牌、手工输入货号，或请店长添加该商品",
    )


class CatalogWriter(Protocol):
    """What importing needs from the catalog's storage (adapters/db/repositories/catalog.py);
    the unit of work's `catalog`."""

    def existing_skus(self, skus: Sequence[str]) -> set[str]: ...

    def barcode_owners(self, codes: Sequence[str]) -> dict[str, str]: ...

    def bulk_load(self, cache_mib: int = 128) -> AbstractContextManager[None]:
        """Inside a unit of work: defer index upkeep for a large write, holding up to
        `cache_mib` MiB of pages in memory."""

    def upsert_styles(self, styles: Iterable[Style], *, overwrite: bool = True) -> None: ...

    def upsert_skus(self, skus: Sequence[Sku], updated_at: str, kinds: dict[str, str]) -> None: ...
