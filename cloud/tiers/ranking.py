"""The 631 rules, pure (no I/O, no clock: `now` is passed in).

Population: every member.  Contribution: net spend (sales less refunds, fen) over the window.
With N members and the policy's percents (10/30 by default), k_core = ⌊N·10/100⌋ and
k_top = ⌊N·(10+30)/100⌋ (the core and the potential together).

- A member is **core** when fewer than k_core members spent strictly more, **potential**
  when fewer than k_top did, else **ordinary**.  So without ties exactly k_core members are
  core; ties at a boundary go UP (same spend, same tier: every member who spent as much as
  the k_core-th is core, and the tier may hold a few more than 10%).
- A member who spent nothing (or more back than bought) is ordinary whatever the ranks.
- Moving up is immediate.  Moving down waits one grace period: the first recompute that finds
  a member below their tier keeps the tier and starts the grace; a recompute at least
  `grace_days` later that still finds them below moves them down (to the tier computed then);
  one that finds them back at or above their tier ends the grace.
- A tier this ranking does not know (set by hand) ranks as ordinary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

TIERS = ("core", "potential", "ordinary")
_RANK = {t: i for i, t in enumerate(TIERS)}


class PolicyError(ValueError):
    """A tier policy that cannot rank (percents out of range, a window under a day)."""


@dataclass(frozen=True, slots=True)
class TierPolicy:
    window_days: int = 365  # 12 months of net spend
    core_pct: int = 10
    potential_pct: int = 30
    grace_days: int = 30  # one period kept before a downgrade

    def __post_init__(self) -> None:
        if self.window_days < 1 or self.grace_days < 0:
            raise PolicyError("window_days must be ≥ 1 and grace_days ≥ 0")
        if self.core_pct < 0 or self.potential_pct < 0 or self.core_pct + self.potential_pct > 100:
            raise PolicyError("core_pct and potential_pct must be ≥ 0 and add up to at most 100")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> TierPolicy:
        base = asdict(cls())
        for k in base:
            if d and k in d:
                v = d[k]
                if not isinstance(v, int) or isinstance(v, bool):
                    raise PolicyError(f"{k} must be a whole number")
                base[k] = v
        return cls(**base)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The least net spend (fen) that reaches each tier in this ranking (None: nobody can,
    the tier is empty by its percent)."""

    core_fen: int | None
    potential_fen: int | None

    def next_tier(self, tier: str) -> tuple[str, int] | None:
        """The tier above `tier` and the spend it took in this ranking."""
        if tier == "core":
            return None
        if tier == "potential" or self.potential_fen is None:
            return None if self.core_fen is None else ("core", self.core_fen)
        return ("potential", self.potential_fen)


def thresholds(spends: Sequence[int], policy: TierPolicy) -> Thresholds:
    """From every member's net spend (any order; members who spent nothing included)."""
    n = len(spends)
    k_core = n * policy.core_pct // 100
    k_top = n * (policy.core_pct + policy.potential_pct) // 100
    desc = sorted(spends, reverse=True)

    def at(k: int) -> int | None:
        # the k-th largest (1-based); a member must also have spent something (≥ 1 fen)
        return max(desc[k - 1], 1) if k >= 1 else None

    return Thresholds(at(k_core), at(k_top))


def tier_of(spend: int, th: Thresholds) -> str:
    """The computed tier of one spend (ties go up: ≥ the threshold)."""
    if spend <= 0:
        return "ordinary"
    if th.core_fen is not None and spend >= th.core_fen:
        return "core"
    if th.potential_fen is not None and spend >= th.potential_fen:
        return "potential"
    return "ordinary"


def rank_of(tier: str) -> int:
    return _RANK.get(tier, _RANK["ordinary"])


@dataclass(frozen=True, slots=True)
class Settled:
    tier: str  # the member's tier after this recompute
    grace_since: datetime | None  # a downgrade waiting out its grace since then


def settle(
    current: str,
    computed: str,
    grace_since: datetime | None,
    now: datetime,
    policy: TierPolicy,
) -> Settled:
    """The grace rule: up at once, down only after one grace period below."""
    if rank_of(computed) <= rank_of(current):
        return Settled(computed, None)  # same or up: at once, and any grace ends
    if policy.grace_days == 0:
        return Settled(computed, None)
    if grace_since is None:
        return Settled(current, now)  # first time below: the grace begins
    if now - grace_since >= timedelta(days=policy.grace_days):
        return Settled(computed, None)
    return Settled(current, grace_since)


def window_start(now: datetime, policy: TierPolicy) -> datetime:
    return now - timedelta(days=policy.window_days)
