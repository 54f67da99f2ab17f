"""Members at the counter: find, enroll, the member panel, member prices and promotions,
points, coupons, stored value, the associate's follow-ups and suggestions.

The cloud is the authority for balances (specs/sync-protocol.md); this service keeps the
till selling without it: a member enrolled offline syncs as `member.enrolled` (the cloud
merges a phone it already knows), points and offline coupon redemptions sync as events, and
an offline stored-value debit is allowed only under the per-card and per-till caps.
"""

from __future__ import annotations

from .member_associates import MemberAssociates
from .member_base import CloudUnavailable, MemberBase, MemberCloud, _member_from_cloud
from .member_completion import MemberCompletion
from .member_directory import MemberDirectory
from .member_pricing import MemberPricing
from .member_returns import MemberReturns
from .member_stored_value import MemberStoredValue

__all__ = [
    "CloudUnavailable",
    "MemberBase",
    "MemberCloud",
    "MemberService",
    "_member_from_cloud",
]


class MemberService(
    MemberAssociates,
    MemberDirectory,
    MemberPricing,
    MemberStoredValue,
    MemberCompletion,
    MemberReturns,
):
    """The member service the till uses (`till.members`): each part lives in its own module
    (member_directory, member_pricing, member_stored_value, member_completion, member_returns,
    member_associates); the constructor and shared helpers are in member_base."""
