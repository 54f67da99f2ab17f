"""A count coupon (计次券) at one till: each use takes one of its uses, online or offline, and
the use after the last is refused (issue 21: the second use was refused with uses left)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from members_cloud_rig import Rig, open_rig
from members_kit import member_sale, run

JKT, TEE = "6901234567892", "6901234567908"
PHONE = "13800138000"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


def _sell(rig: Rig, ok: bool = True) -> dict:
    return member_sale(rig.a, JKT, TEE, pay="cash:100", member=PHONE, coupon="CARE3", ok=ok)


def test_a_count_coupon_is_used_three_times_at_one_till_and_refused_the_fourth(rig: Rig) -> None:
    rig.svc.admin.add_coupon("CARE3", {"kind": "count", "name": "护理3次", "uses": 3})
    run(rig.a, "member", "enroll", "--phone", PHONE)
    rig.sync(rig.a)
    first = _sell(rig)  # online: the cloud books it and publishes 2 left
    assert [s["name"] for s in first["savings"]] == ["护理3次"]
    second = _sell(rig)  # before the till pulled the new count: its own use counts
    assert [s["name"] for s in second["savings"]] == ["护理3次"]
    rig.sync(rig.a)
    rig.offline(rig.a)
    third = _sell(rig)  # offline: 1 left by the cloud's figure and by the till's own uses
    assert [s["name"] for s in third["savings"]] == ["护理3次"]
    err = _sell(rig, ok=False)
    assert "no uses left" in err["error"]["message"]
    assert "已无剩余次数" in err["error"]["message_zh"]
    rig.online(rig.a)
    rig.sync(rig.a)  # the cloud's count (0 left, redeemed) reaches the till
    err = _sell(rig, ok=False)
    assert err["error"]["message"] == "Coupon CARE3 was already used"
    with rig.db.tx() as tx:
        rows = tx.execute(
            "SELECT sale_id, offline FROM coupon_redemptions WHERE code = 'CARE3' ORDER BY at"
        ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(s["sale_id"] for s in (first, second, third))
    assert rig.svc.members.views.reconciliation() == []
    assert len(run(rig.a, "sales", "list")) == 3
