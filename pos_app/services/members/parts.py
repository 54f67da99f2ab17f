"""Members at the counter: find, enroll, the member panel, member prices and promotions,
points, coupons, stored value, the associate's follow-ups and suggestions.

The cloud is the authority for balances (specs/sync-protocol.md); these parts keep the
till selling without it: a member enrolled offline syncs as `member.enrolled` (the cloud
merges a phone it already knows), points and offline coupon redemptions sync as events, and
an offline stored-value debit is allowed only under the per-card and per-till caps.

Each part is a small class over the few collaborators it needs; `Members` is the set the
App holds (`app.members()`), with no behaviour of its own: callers use the part they need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pos_app.domain.ports import Clock
from pos_app.domain.sale import Sellable

from ..unit_of_work import AbstractUnitOfWork
from .associates import MemberAssociates
from .chain_view import ChainViewCache, MemberChainViews, MemoryChainViewCache
from .common import MemberCloud, MemberContext
from .directory import MemberDirectory, ReceiptLookup
from .ledger import MemberLedger
from .ports import MemberRepo
from .pricing import CouponHolds, MemberPricing
from .returns import MemberReturns
from .store_credit import MemberStoreCredit
from .stored_value import MemberStoredValue


@dataclass(frozen=True, slots=True)
class Members:
    """The till's member parts, built once per till so a sale's pricing, payment and
    completion share one set of coupon holds."""

    context: MemberContext  # rules, identity, clock, business day, the cloud
    directory: MemberDirectory  # find, enroll, tags, the panel
    pricing: MemberPricing  # member prices, promotions, coupons, points
    stored_value: MemberStoredValue  # debits, give-backs (top-ups: App.topups)
    ledger: MemberLedger  # a sale's bookings inside its transaction
    returns: MemberReturns  # a refund's member side
    associates: MemberAssociates  # follow-ups, suggestions, sales by associate
    chain: MemberChainViews  # the member across every store, from the cloud or its cache


def compose_members(
    uow: AbstractUnitOfWork,
    repo: MemberRepo,
    clock: Clock,
    lookup: Callable[[str], Sellable],
    cloud: Callable[[], MemberCloud | None] = lambda: None,
    receipt_lookup: ReceiptLookup | None = None,
    chain_cache: ChainViewCache | None = None,
) -> Members:
    ctx = MemberContext(uow, repo, clock, cloud)
    holds = CouponHolds()
    directory = MemberDirectory(ctx, receipt_lookup)
    return Members(
        context=ctx,
        directory=directory,
        pricing=MemberPricing(ctx, directory, lookup, holds),
        stored_value=MemberStoredValue(ctx, directory),
        ledger=MemberLedger(ctx, holds),
        returns=MemberReturns(ctx, MemberStoreCredit(ctx, directory)),
        associates=MemberAssociates(ctx, directory),
        chain=MemberChainViews(ctx, chain_cache or MemoryChainViewCache()),
    )
