"""Money in integer fen (1 yuan = 100 fen).  Never a float anywhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import InvalidInput

_AMOUNT = re.compile(r"^\s*(-)?\s*[¥￥]?\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$")


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in fen.  Arithmetic stays in integers; rounding is explicit."""

    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError(f"Money needs integer fen, got {self.fen!r}")

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse "12", "12.5", "12.50", "¥12.50" or "-3.00" as yuan."""
        m = _AMOUNT.match(text)
        if not m:
            raise InvalidInput(
                f"“{text}” is not an amount: write yuan with up to two decimals, e.g. 12.50",
                f"“{text}”不是有效金额：请输入元，最多两位小数，例如 12.50",
            )
        sign, whole, frac = m.groups()
        fen = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
        return cls(-fen if sign else fen)

    @classmethod
    def yuan(cls, amount: int) -> Money:
        return cls(amount * 100)

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __mul__(self, qty: int) -> Money:
        if not isinstance(qty, int):
            raise TypeError("Money can only be multiplied by an integer quantity")
        return Money(self.fen * qty)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.fen != 0

    def __str__(self) -> str:
        return format_fen(self.fen)


ZERO = Money(0)


def format_fen(fen: int) -> str:
    """12345 → "123.45"; -5 → "-0.05"."""
    sign = "-" if fen < 0 else ""
    whole, frac = divmod(abs(fen), 100)
    return f"{sign}{whole}.{frac:02d}"


def div_round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero: the one rounding rule of the till."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def percent_of(fen: int, basis_points: int) -> int:
    """basis_points / 10000 of fen, half up (1000 bp = 10%)."""
    return div_round_half_up(fen * basis_points, 10_000)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split total across weights in proportion, exactly (largest remainder).

    Used to spread an order discount or a cash rounding over lines so that every line's
    net amount is exact and the parts always add up to the whole.
    """
    if not total:  # nothing to spread (most sales: no order discount, no rounding)
        return [0] * len(weights)
    if not weights:
        raise ValueError("cannot allocate a non-zero total over nothing")
    base = sum(weights)
    if base == 0:
        shares = [0] * len(weights)
        shares[-1] = total
        return shares
    sign = -1 if total < 0 else 1
    t = abs(total)
    raw = [(t * w, i) for i, w in enumerate(weights)]
    shares = [q // base for q, _ in raw]
    rest = t - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i][0] % base), i))
    for i in order[:rest]:
        shares[i] += 1
    return [sign * s for s in shares]


class CashRounding(StrEnum):
    """抹零: the store's rule for dropping small change on cash payments."""

    NONE = "none"
    JIAO = "jiao"  # drop the fen: 123.45 → 123.40
    YUAN = "yuan"  # drop the jiao and fen: 123.45 → 123.00

    @property
    def unit(self) -> int:
        return {"none": 1, "jiao": 10, "yuan": 100}[self.value]

    def cash_due(self, fen: int) -> int:
        """What the customer hands over in cash for an amount due (never more than due)."""
        if fen <= 0:
            return fen
        return fen - fen % self.unit
