"""Discounts, VAT and the order-level allocations.  Prices include VAT (China: 含税价)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .digits import is_digits
from .errors import InvalidInput
from .money import Money, allocate, div_round_half_up, percent_of


class DiscountKind(StrEnum):
    AMOUNT = "amount"  # value in fen
    PERCENT = "percent"  # value in basis points (1000 = 10%)


@dataclass(frozen=True, slots=True)
class Discount:
    kind: DiscountKind
    value: int
    reason: str = ""

    def __post_init__(self) -> None:
        if self.value < 0:
            raise InvalidInput("A discount cannot be negative", "折扣不能为负数")
        if self.kind is DiscountKind.PERCENT and self.value > 10_000:
            raise InvalidInput("A discount cannot exceed 100%", "折扣不能超过 100%")

    @classmethod
    def parse(cls, text: str, reason: str = "") -> Discount:
        """ "10%" → 10 percent; "20.00" or "20" → ¥20.00 off."""
        t = text.strip()
        if t.endswith("%"):
            num = t[:-1].strip()
            try:
                whole, _, frac = num.partition(".")
                if not is_digits(whole) or (frac and not is_digits(frac)) or len(frac) > 2:
                    raise ValueError(num)
                bp = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
            except ValueError as err:
                raise InvalidInput(
                    f"“{text}” is not a percentage: write e.g. 10% or 7.5%",
                    f"“{text}”不是有效的百分比：例如 10% 或 7.5%",
                ) from err
            return cls(DiscountKind.PERCENT, bp, reason)
        return cls(DiscountKind.AMOUNT, Money.parse(t).fen, reason)

    def amount_off(self, gross_fen: int) -> int:
        """Fen taken off a gross amount; never more than the amount itself."""
        off = percent_of(gross_fen, self.value) if self.kind is DiscountKind.PERCENT else self.value
        return max(0, min(off, gross_fen))

    def describe(self) -> str:
        if self.kind is DiscountKind.PERCENT:
            return f"{self.value / 100:g}%"
        return f"¥{Money(self.value)}"


def share_bp(off_fen: int, gross_fen: int) -> int:
    """How deep a discount is, in basis points of what it applies to (rounded up)."""
    if gross_fen <= 0:
        return 0 if off_fen <= 0 else 10_000
    return -((-off_fen * 10_000) // gross_fen)


def vat_contained(gross_fen: int, rate_bp: int) -> int:
    """VAT inside a VAT-inclusive amount: gross × r / (1 + r), half up."""
    return div_round_half_up(gross_fen * rate_bp, 10_000 + rate_bp)


@dataclass(frozen=True, slots=True)
class VatLine:
    rate_bp: int
    gross_fen: int
    vat_fen: int

    def as_dict(self) -> dict[str, int]:
        return {"rate_bp": self.rate_bp, "gross_fen": self.gross_fen, "vat_fen": self.vat_fen}


def vat_breakdown(amounts: Iterable[tuple[int, int]]) -> list[VatLine]:
    """(rate_bp, gross_fen) pairs → one VatLine per rate, computed on the rate's total."""
    by_rate: dict[int, int] = {}
    for rate, gross in amounts:
        by_rate[rate] = by_rate.get(rate, 0) + gross
    return [VatLine(r, g, vat_contained(g, r)) for r, g in sorted(by_rate.items())]


def spread(total_fen: int, over: list[int]) -> list[int]:
    """An order-level amount (discount, rounding) spread over line amounts exactly."""
    return allocate(total_fen, over)
