"""Tiers computed in the cloud reach every till with one pull and drive the till's tier
benefits (issue 21): a member's sales at till A make them core; after `guitai cloud tiers
recompute` and one `sync run`, till B sells to them with the core discount."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run
from tier_chain import seed_chain

from pos_app.domain.timeutil import iso_utc

TEE = "6901234567908"  # no member price: the tier discount applies
PHONE = "13800138000"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


def _sale(rig: Rig, home: Path) -> dict:
    return run(
        home, "sale", "--user", "admin", "--member", PHONE, "--scan", TEE, "--pay", "cash:100"
    )


def test_a_member_made_core_in_the_cloud_is_core_at_every_till_after_one_pull(rig: Rig) -> None:
    # 19 other members spent ¥0.00 … ¥1.80 this year; ours buys a T-shirt at till A
    seed_chain(rig.db, [i * 10 for i in range(19)], iso_utc(datetime.now(UTC)))
    run(rig.a, "member", "enroll", "--phone", PHONE)
    before = _sale(rig, rig.a)
    assert [s["kind"] for s in before["savings"]] == []  # ordinary: no tier discount
    rig.sync(rig.a)
    rig.sync(rig.b)
    assert run(rig.b, "member", "show", PHONE)["tier"] == "ordinary"

    r = run_cloud(rig, "tiers", "recompute")
    assert (r["core"], r["potential"], r["ordinary"]) == (2, 6, 12)  # 20 members: 10/30/60
    assert r["moved_up"] == 8

    rig.sync(rig.b)  # one pull
    assert run(rig.b, "member", "show", PHONE)["tier"] == "core"
    after = _sale(rig, rig.b)
    tier = [s for s in after["savings"] if s["kind"] == "tier"]
    assert [s["name"] for s in tier] == ["核心会员折扣"]
    assert after["total_fen"] < before["total_fen"]
    rig.sync(rig.a)
    assert run(rig.a, "member", "show", PHONE)["tier"] == "core"
