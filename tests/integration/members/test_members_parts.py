"""The member service as composed parts (issue 17, item 5): each part is a small class over
the collaborators it needs, none inherits another, the coupons reserved with the cloud have
one owner that the pricing and the ledger share, and nothing is left at the old module paths."""

from __future__ import annotations

import importlib.util
from dataclasses import fields
from typing import Any

OLD_MODULES = [
    "member_associates",
    "member_base",
    "member_checkout",
    "member_completion",
    "member_directory",
    "member_pricing",
    "member_returns",
    "member_stored_value",
]


def test_the_till_holds_member_parts_that_inherit_nothing(till: Any) -> None:
    from pos_app.services.members.parts import Members

    members = till.members()
    assert isinstance(members, Members)
    assert till.members() is members  # one set per till: a sale's steps share it
    for f in fields(Members):
        part = getattr(members, f.name)
        assert type(part).__mro__ == (type(part), object), f"{f.name} is not a plain class"


def test_coupon_holds_have_one_owner_shared_by_pricing_and_ledger(till: Any) -> None:
    members = till.members()
    holds = members.pricing.holds
    assert members.ledger.holds is holds
    holds.hold("S1", True)
    holds.hold("S2", False)
    assert holds.take("S1") is True
    assert holds.take("S1") is False  # taken once: the completion or the abandonment
    assert holds.take("S2") is False
    assert holds.take("never-held") is False


def test_no_member_modules_left_at_the_old_paths() -> None:
    for name in OLD_MODULES:
        assert importlib.util.find_spec(f"pos_app.services.{name}") is None, name
    assert importlib.util.find_spec("pos_app.services.members.parts") is not None
