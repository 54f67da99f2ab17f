"""The limits a sale keeps: sizes, the most one sale may hold, cash change, and how deep a
discount each role may give without a manager."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import InvalidInput, RuleViolation
from .money import format_fen

MAX_QTY = 9999
MAX_LINES = 500
# The e-receipt token (specs/ereceipt-token-v1.md) carries a total as a signed 32-bit integer:
# a sale or refund at or beyond it could be committed but never get its receipt.
TOKEN_MAX_FEN = 2**31 - 1
# A brand's limit per sale (setting `max_sale_total`), far below the token's: a bigger sale at
# a clothing till is a typo (a quantity or price with a digit too many) more often than not.
DEFAULT_MAX_SALE_FEN = 100_000_000  # ¥1,000,000.00
HIGHEST_MAX_SALE_FEN = 2_000_000_000  # ¥20,000,000.00, the most a brand may set
# Cash tendered may exceed what is due by at most this much: no customer hands over ten ¥100
# notes too many, so more change than that is a mistyped amount (an extra zero), not a payment.
MAX_CHANGE_FEN = 100_000  # ¥1,000.00


@dataclass(frozen=True, slots=True)
class DiscountLimits:
    """The deepest discount (basis points) each role may give without a manager."""

    by_role: dict[str, int] = field(
        default_factory=lambda: {"cashier": 1000, "technician": 0, "manager": 10_000}
    )

    def limit_for(self, roles: frozenset[str]) -> int:
        return max((self.by_role.get(r, 0) for r in roles), default=0)


def sale_too_big(amount_fen: int, limit_fen: int) -> RuleViolation:
    return RuleViolation(
        f"This sale would come to ¥{format_fen(amount_fen)}, more than the ¥"
        f"{format_fen(limit_fen)} one sale may hold: check the quantities and prices, or split "
        "it into several sales (a manager can change the limit: guitai settings set "
        "max_sale_total AMOUNT --user MANAGER)",
        f"本单金额 ¥{format_fen(amount_fen)} 超过单笔上限 ¥{format_fen(limit_fen)}：请核对数量和"
        "价格，或分成几笔结账（店长可修改上限：guitai settings set max_sale_total 金额 --user 店长）",
    )


def check_qty(qty: int) -> None:
    if not isinstance(qty, int) or qty < 1 or qty > MAX_QTY:
        raise InvalidInput(
            f"Quantity must be a whole number from 1 to {MAX_QTY}",
            f"数量必须是 1 到 {MAX_QTY} 之间的整数",
        )
