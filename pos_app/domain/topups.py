"""Stored-value top-ups (储值充值) and their bonus rules (充500送50).

A rule gives `bonus_fen` for a top-up of at least `min_fen`, for members of `tier` (None:
every tier), on business days from `starts_on` to `ends_on` (ISO dates, inclusive; None: open
ended).  Of the rules that fit, the one with the largest bonus wins; rules never add up, as
store counters print them ("充500送50，充1000送120": a top-up of 1000 gets 120, not 170).

The cloud and the till apply the same function: the cloud decides (its answer is booked), the
till shows what a top-up would get before the customer pays.

The bonus is a balance of its own, inside the member's stored value: it is spent after the paid
balance (`bonus_left_after_spend`), and a refund of the top-up forfeits what is left of its
bonus before any paid money goes back (`refund_split`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import InvalidInput
from .journal import canonical


@dataclass(frozen=True, slots=True)
class TopUpRule:
    id: str
    min_fen: int
    bonus_fen: int
    name: str = ""
    tier: str | None = None
    starts_on: str | None = None
    ends_on: str | None = None

    def __post_init__(self) -> None:
        if self.min_fen <= 0 or self.bonus_fen <= 0:
            raise InvalidInput(
                "A top-up rule needs a top-up and a bonus above zero (e.g. --min 500 --bonus 50)",
                "充值规则的充值金额和赠送金额都必须大于零（例如 --min 500 --bonus 50）",
            )
        for day in (self.starts_on, self.ends_on):
            if day is not None:
                _check_day(day)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise InvalidInput(
                f"The rule ends ({self.ends_on}) before it starts ({self.starts_on})",
                f"规则结束日期（{self.ends_on}）早于开始日期（{self.starts_on}）",
            )

    def applies(self, amount_fen: int, tier: str, day: str) -> bool:
        return (
            amount_fen >= self.min_fen
            and (self.tier is None or self.tier == tier)
            and (self.starts_on is None or self.starts_on <= day)
            and (self.ends_on is None or day <= self.ends_on)
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "min_fen": self.min_fen,
            "bonus_fen": self.bonus_fen,
            "tier": self.tier,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TopUpRule:
        return cls(
            id=str(d["id"]),
            name=str(d.get("name") or ""),
            min_fen=int(d["min_fen"]),
            bonus_fen=int(d["bonus_fen"]),
            tier=d.get("tier") or None,
            starts_on=d.get("starts_on") or None,
            ends_on=d.get("ends_on") or None,
        )


def _check_day(day: str) -> None:
    try:
        date.fromisoformat(day)
    except ValueError as err:
        raise InvalidInput(
            f"{day!r} is not a date: write it as 2026-12-01",
            f"{day!r} 不是有效日期：请写作 2026-12-01",
        ) from err


def rules_from(raw: object) -> list[TopUpRule]:
    """The rules as the cloud publishes them (a list of dicts); anything else: none."""
    if not isinstance(raw, list):
        return []
    return [TopUpRule.from_dict(r) for r in raw if isinstance(r, Mapping)]


def bonus_for(
    rules: Iterable[TopUpRule], amount_fen: int, tier: str, day: str
) -> tuple[int, TopUpRule | None]:
    """The bonus a top-up of `amount_fen` gets, and the rule that gives it."""
    best: TopUpRule | None = None
    for r in rules:
        if r.applies(amount_fen, tier, day) and (best is None or r.bonus_fen > best.bonus_fen):
            best = r
    return (best.bonus_fen, best) if best is not None else (0, None)


def bonus_left_after_spend(total_fen: int, bonus_fen: int) -> int:
    """Paid money is spent first: after a debit the bonus left is at most the whole balance."""
    return max(0, min(bonus_fen, total_fen))


@dataclass(frozen=True, slots=True)
class RefundSplit:
    forfeit_bonus_fen: int  # the top-up's bonus taken back first
    paid_back_fen: int  # then the money that goes back to the customer


def refund_split(
    amount_fen: int,
    *,
    paid_fen: int,
    refunded_fen: int,
    bonus_fen: int,
    forfeited_fen: int,
    bonus_balance_fen: int,
) -> RefundSplit:
    """A refund of (part of) a top-up: what is left of its bonus is forfeited first (at most
    what the member still holds of bonus), then `amount_fen` of what was paid goes back."""
    left = paid_fen - refunded_fen
    if amount_fen <= 0 or amount_fen > left:
        raise InvalidInput(
            f"A refund of this top-up is between 0.01 and {left / 100:.2f}",
            f"本笔充值可退金额为 0.01 至 {left / 100:.2f}",
        )
    forfeit = max(0, min(bonus_fen - forfeited_fen, bonus_balance_fen))
    return RefundSplit(forfeit, amount_fen)


def receipt_digest(
    *, topup_id: str, member_id: str, paid_fen: int, bonus_fen: int, tender: str
) -> bytes:
    """The 8 bytes a top-up receipt's token (version 3, docs/specs/ereceipt-token-v1.md) binds.

    A top-up is in no journal chain, so the token binds the booking both sides hold: the till
    from its request and the cloud's answer, the cloud from the row it booked (top-ups are online
    only, so the cloud always has it).  Only those fields: a digest of anything the cloud never
    saw (the cashier, the till's clock) could not be checked against its record."""
    body = {
        "bonus_fen": bonus_fen,
        "member_id": member_id,
        "paid_fen": paid_fen,
        "tender": tender,
        "topup_id": topup_id,
    }
    return hashlib.sha256(canonical(body)).digest()[:8]
