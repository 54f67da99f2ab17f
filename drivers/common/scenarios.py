"""Scripted behaviours shared by the three emulators, and the emulators' test cards.

Choose a behaviour for a whole run (`--behaviour decline`), per step (`--fault query=no_answer`),
or per payment: by the last two digits of the amount in fen (ZVT) or of the payment code
(WeChat Pay / Alipay):

    …91 decline            …92 insufficient funds     …93 user paying for a while, then approve
    …94 busy               …95 no answer              …96 connection dropped after approval
    …97 user paying until the till gives up (never approved)
    anything else: approve
"""

from __future__ import annotations

from enum import StrEnum


class Behaviour(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    INSUFFICIENT = "insufficient"
    USER_PAYING = "user_paying"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    DROP_AFTER_APPROVAL = "drop_after_approval"
    USER_PAYING_FOREVER = "user_paying_forever"


SUFFIXES: dict[str, Behaviour] = {
    "91": Behaviour.DECLINE,
    "92": Behaviour.INSUFFICIENT,
    "93": Behaviour.USER_PAYING,
    "94": Behaviour.BUSY,
    "95": Behaviour.NO_ANSWER,
    "96": Behaviour.DROP_AFTER_APPROVAL,
    "97": Behaviour.USER_PAYING_FOREVER,
}

# Faults that can be put on any step (a query, a reversal, a refund…), not only on the payment.
STEP_FAULTS = (Behaviour.BUSY, Behaviour.NO_ANSWER, Behaviour.DROP_AFTER_APPROVAL)


def behaviour_for(suffix_source: str, default: Behaviour = Behaviour.APPROVE) -> Behaviour:
    return SUFFIXES.get(suffix_source[-2:], default)


def parse_faults(items: list[str] | tuple[str, ...]) -> dict[str, Behaviour]:
    """["query=no_answer", "reverse=busy"] → {"query": NO_ANSWER, "reverse": BUSY}."""
    out: dict[str, Behaviour] = {}
    for item in items:
        step, _, name = item.partition("=")
        out[step.strip()] = Behaviour(name.strip())
    return out


# The ZVT emulator's test cards (public test numbers, Luhn-valid; never real cards).  A payment
# uses card number (amount in yuan) mod 4.  card_type is the emulator's BMP 8A value.
TEST_CARDS: list[tuple[str, int, str]] = [
    ("UnionPay", 0x2E, "6250941006528599"),
    ("Visa", 0x0A, "4111111111111111"),
    ("Mastercard", 0x06, "5555555555554444"),
    ("Maestro", 0x2D, "6759649826438453"),
]


def card_for_amount(amount_fen: int) -> tuple[str, int, str]:
    return TEST_CARDS[(amount_fen // 100) % len(TEST_CARDS)]
