"""The chain view at the till (issue 21), on fakes with an injected clock: from the cloud and
kept; offline from the copy with its age; a member the cloud does not know yet; no cloud."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from pos_app.domain.errors import NotFound
from pos_app.services.members.chain_view import (
    ChainViewNotEnrolled,
    MemberChainViews,
    MemoryChainViewCache,
    NoChainView,
)
from pos_app.services.members.common import CloudUnavailable, MemberContext

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
VIEW = {"member_id": "m1", "phone": "13800138000", "lifetime_spend_fen": 116_800}


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


class Cloud:
    def __init__(self) -> None:
        self.answer: dict[str, Any] | None = VIEW
        self.down = False

    def chain_view(self, phone: str) -> dict[str, Any] | None:
        if self.down:
            raise CloudUnavailable("no network", "无网络")
        return self.answer


def _views(cloud: Cloud | None, clock: Clock) -> MemberChainViews:
    ctx = MemberContext(cast(Any, None), cast(Any, None), clock, lambda: cast(Any, cloud))
    return MemberChainViews(ctx, MemoryChainViewCache())


def test_online_it_comes_from_the_cloud_and_offline_from_the_copy_with_its_age() -> None:
    clock, cloud = Clock(), Cloud()
    views = _views(cloud, clock)
    v = views.show("13800138000")
    assert (v["source"], v["age_s"], v["fetched_at"]) == ("cloud", 0, "2026-12-06T10:00:00Z")
    assert v["phone_masked"] == "138****8000" and "phone" not in v
    cloud.down = True
    clock.at = T0 + timedelta(minutes=90)
    c = views.show("13800138000")
    assert (c["source"], c["age_s"], c["lifetime_spend_fen"]) == ("cache", 5400, 116_800)


def test_a_member_the_cloud_does_not_know_yet_and_no_copy() -> None:
    cloud = Cloud()
    cloud.answer = None
    with pytest.raises(NotFound, match="sync run"):
        _views(cloud, Clock()).show("13800138000")


def test_offline_without_a_copy_and_without_a_cloud() -> None:
    cloud = Cloud()
    cloud.down = True
    with pytest.raises(NoChainView) as err:
        _views(cloud, Clock()).show("13800138000")
    assert err.value.code == "chain_view_unavailable"
    with pytest.raises(ChainViewNotEnrolled) as err2:
        _views(None, Clock()).show("13800138000")
    assert err2.value.code == "not_enrolled"
