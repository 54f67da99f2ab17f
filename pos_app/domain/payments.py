"""Payments in the domain: the payment port and the payment-attempt state machine.

Rule 3 of the house: the one device call before a sale commits is payment, and it is a persisted
state machine.  An attempt is written `started` before the terminal or provider is called, and
moved to `approved`, `declined` or `unknown` after.  An unknown attempt is resolved by asking the
terminal or provider (never by guessing); an approval ends `attached` to a completed sale (inside
the sale's transaction) or `reversed`.

    started ─▶ approved ─▶ attached
       │  ╲        ╲
       │   ▶ declined ▶ reversed
       ▼            ▲
    unknown ────────┘   (unknown ▶ approved | declined | reversed | unknown)

Card data stays out: only card type, masked number (first six, last four), auth code and
terminal references are kept.  Pure: standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .digits import is_digits
from .errors import GuitaiError, InvalidInput, StateError

TENDERS = ("card", "wechat", "alipay", "unionpay", "ecny")
# Wallets paid with a scanned payment code, in the order a code is routed by its prefix.
CODE_TENDERS = ("wechat", "alipay", "unionpay", "ecny")
TextCallback = Callable[[str, str], None]  # (english, chinese) shown to the cashier


class AttemptState(StrEnum):
    STARTED = "started"
    APPROVED = "approved"
    DECLINED = "declined"
    UNKNOWN = "unknown"
    REVERSED = "reversed"
    ATTACHED = "attached"


S = AttemptState
TRANSITIONS: dict[AttemptState, frozenset[AttemptState]] = {
    S.STARTED: frozenset({S.APPROVED, S.DECLINED, S.UNKNOWN}),
    S.UNKNOWN: frozenset({S.APPROVED, S.DECLINED, S.REVERSED, S.UNKNOWN}),
    S.APPROVED: frozenset({S.ATTACHED, S.REVERSED}),
    S.DECLINED: frozenset(),
    S.REVERSED: frozenset(),
    S.ATTACHED: frozenset(),
}
UNRESOLVED = frozenset({S.STARTED, S.UNKNOWN})
FINAL = frozenset({S.DECLINED, S.REVERSED, S.ATTACHED})


class ProviderStatus(StrEnum):
    """What the terminal or provider said about a payment."""

    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"  # customer still confirming (USERPAYING / WAIT_BUYER_PAY)
    UNKNOWN = "unknown"  # no definite answer (timeout, dropped link, system error)
    NOT_FOUND = "not_found"  # the provider has no such payment: it never happened
    CLOSED = "closed"  # reversed / cancelled
    UNAVAILABLE = "unavailable"  # could not even send the request: definitely not paid


@dataclass(frozen=True, slots=True)
class ProviderResult:
    status: ProviderStatus
    message: str = ""
    message_zh: str = ""
    code: str = ""
    provider_ref: str | None = None  # WeChat transaction_id / Alipay trade_no / terminal trace
    terminal_ref: str | None = None  # ZVT receipt number (what a reversal needs)
    card_type: str | None = None
    masked_pan: str | None = None
    auth_code: str | None = None
    slip: tuple[str, ...] = ()  # the terminal's print lines, for our printer


@dataclass(frozen=True, slots=True)
class PaymentAttempt:
    id: str
    kind: str  # sale | refund
    tender: str
    amount_fen: int
    state: AttemptState
    provider: str
    out_trade_no: str
    started_at: datetime
    updated_at: datetime
    sale_id: str | None = None
    original_id: str | None = None  # a refund's original attempt
    provider_ref: str | None = None
    auth_code_masked: str | None = None
    card_type: str | None = None
    masked_pan: str | None = None
    terminal_ref: str | None = None
    error: str | None = None
    slip: tuple[str, ...] = ()

    def moved(self, state: AttemptState, at: datetime, **changes: object) -> PaymentAttempt:
        """This attempt in a new state; StateError if the state machine does not allow it."""
        if state not in TRANSITIONS[self.state]:
            raise StateError(
                f"Payment {self.id} is {self.state}; it cannot become {state}",
                f"支付记录 {self.id} 当前为 {self.state}，不能改为 {state}",
            )
        return replace(self, state=state, updated_at=at, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ApprovedPayment:
    """What the sale records for an approved tender (payments.reference = attempt_id)."""

    attempt_id: str
    tender: str
    amount_fen: int
    provider_ref: str | None
    card_type: str | None
    masked_pan: str | None
    auth_code: str | None
    terminal_ref: str | None
    slip: tuple[str, ...]


class PaymentPort(Protocol):
    """A card terminal or a payment-code provider (implemented in pos_app/adapters/payments/).

    Methods never raise for link or protocol trouble: they answer with a ProviderResult
    (UNAVAILABLE if nothing was sent, UNKNOWN if something may have been).
    """

    tender: str
    provider: str
    needs_network: bool
    poll_interval_s: float  # between status queries while the customer is paying
    give_up_after_s: float  # then reverse / cancel

    def available(self) -> bool: ...

    def sale(
        self, attempt: PaymentAttempt, code: str | None, on_text: TextCallback | None
    ) -> ProviderResult: ...

    def refund(
        self, attempt: PaymentAttempt, original: PaymentAttempt, on_text: TextCallback | None
    ) -> ProviderResult: ...

    def cancel(self, attempt: PaymentAttempt) -> ProviderResult: ...

    def abort(self) -> None:
        """The cashier pressed cancel while a payment runs (ZVT 06 B0); may be a no-op."""

    def query(self, attempt: PaymentAttempt, claimed_refs: Collection[str]) -> ProviderResult:
        """Status of this attempt.  claimed_refs: terminal refs other attempts already own
        (a terminal without our reference in its answer must not match someone else's)."""


# ---- errors the cashier sees --------------------------------------------------------------------


class PaymentError(GuitaiError):
    code = "payment"

    def __init__(
        self, message: str, message_zh: str | None = None, attempt_id: str | None = None
    ) -> None:
        super().__init__(message, message_zh)
        self.attempt_id = attempt_id


class PaymentDeclined(PaymentError):
    """Definitely not paid: ask for another tender or another try."""

    code = "payment_declined"


class PaymentUnknown(PaymentError):
    """The terminal or provider did not confirm: do not charge again; recover first."""

    code = "payment_unknown"


class PaymentUnavailable(PaymentError):
    """The terminal or provider cannot be reached (link down): use another tender."""

    code = "payment_unavailable"


# ---- card data stays out ------------------------------------------------------------------------

_PAN_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")


def mask_pan(pan: str) -> str:
    """First six and last four digits, the rest '*'."""
    digits = "".join(c for c in pan if c.isdigit() or c == "*")
    if len(digits) <= 10:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def scrub_card_numbers(text: str) -> str:
    """Mask any run of 13–19 digits in free text (a slip line, an error) as a card number."""
    return _PAN_RUN.sub(lambda m: mask_pan(m.group(0)), text)


def mask_code(code: str) -> str:
    """A payment code (付款码) is a one-minute bearer token: keep its tail only."""
    return "*" * max(len(code) - 4, 0) + code[-4:]


def check_payment_code(tender: str, code: str | None) -> str:
    """WeChat: 18 digits starting 10–15; Alipay: 16–24 digits starting 25–30 (§4.5); UnionPay
    QR (云闪付): starting 62; digital RMB (数字人民币): starting 01.  The last two are checked
    only by prefix and a 16–24 digit length: refusing a good code at the till would be worse
    than letting the acquirer refuse a bad one."""
    code = (code or "").strip()
    rule = _CODE_RULES.get(tender)
    if rule is None:
        return code
    lo_len, hi_len, lo, hi, en, zh = rule
    if lo_len <= len(code) <= hi_len and is_digits(code) and lo <= int(code[:2]) <= hi:
        return code
    raise InvalidInput(f"That is not a {en}: scan it again", f"不是有效的{zh}：请重新扫码")


_CODE_RULES = {
    "wechat": (
        18,
        18,
        10,
        15,
        "WeChat Pay payment code (18 digits starting 10–15)",
        "微信付款码（18 位，以 10–15 开头）",
    ),
    "alipay": (
        16,
        24,
        25,
        30,
        "Alipay payment code (16–24 digits starting 25–30)",
        "支付宝付款码（16–24 位，以 25–30 开头）",
    ),
    "unionpay": (
        16,
        24,
        62,
        62,
        "UnionPay QR payment code (digits starting 62)",
        "云闪付付款码（以 62 开头的数字）",
    ),
    "ecny": (
        16,
        24,
        1,
        1,
        "digital RMB payment code (digits starting 01)",
        "数字人民币付款码（以 01 开头的数字）",
    ),
}


def tender_for_code(code: str) -> str | None:
    """Route a scanned payment code to its wallet by prefix, or None."""
    for tender in CODE_TENDERS:
        try:
            check_payment_code(tender, code)
        except InvalidInput:
            continue
        return tender
    return None
