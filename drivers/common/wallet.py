"""What a payment-code provider (WeChat Pay, Alipay) answered, in one shape for both."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class WalletStatus(StrEnum):
    APPROVED = "approved"  # the money moved
    DECLINED = "declined"  # definitely not paid (insufficient funds, bad code…)
    PENDING = "pending"  # the customer is still confirming on the phone (USERPAYING, 10003)
    UNKNOWN = "unknown"  # system error or no answer: query before doing anything else
    NOT_FOUND = "not_found"  # the provider has no such trade: it never happened
    CLOSED = "closed"  # reversed / cancelled / closed: definitely not paid (or refunded)


@dataclass(frozen=True, slots=True)
class WalletAnswer:
    status: WalletStatus
    code: str = ""
    message: str = ""
    trade_no: str | None = None  # the provider's transaction id
    amount_fen: int | None = None
    retry: bool = False  # reverse/cancel: the provider asks us to call again


def yuan(fen: int) -> str:
    """Alipay amounts are yuan with two decimals: never through float."""
    if fen < 0:
        raise ValueError("amount must not be negative")
    return f"{fen // 100}.{fen % 100:02d}"


def fen_from_yuan(text: str) -> int:
    whole, _, frac = text.strip().partition(".")
    if (
        not (whole.isascii() and whole.isdigit())
        or (frac and not (frac.isascii() and frac.isdigit()))
        or len(frac) > 2
    ):
        raise ValueError(f"not an amount: {text!r}")
    return int(whole) * 100 + int(frac.ljust(2, "0") or "0")
