"""An exchange with a member (issue 20, item 3): the points earned on the returned goods are
taken back by the refund, the new items earn theirs on the sale, till and cloud agree after
sync, and the cloud takes both entries of the exchange."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from members_cloud_rig import Rig, open_rig
from members_kit import run

JKT, TEE = "6901234567892", "6901234567908"  # member ¥269.00, ¥99.00
PHONE = "13900003333"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


def test_an_exchange_settles_the_members_points_and_syncs_both_entries(rig: Rig) -> None:
    m = rig.svc.admin.add_member(PHONE, "钱先生", points=0)
    rig.sync(rig.a)
    sale = run(
        rig.a, "sale", "--user", "admin", "--member", PHONE, "--scan", TEE, "--pay", "cash:99"
    )
    earned = sale["points_earned"]
    assert earned == 99 and run(rig.a, "member", "show", m["id"])["points"] == earned
    ex = run(
        rig.a, "exchange", "--user", "admin", "--receipt", str(sale["receipt_no"]),
        "--return-line", "1=1", "--scan", JKT, "--pay", "cash:170",
    )  # fmt: skip
    assert ex["new_fen"] == 26900  # the member price: the original sale's member is on it
    assert ex["difference_fen"] == 26900 - 9900
    # the tee's 99 points went back with it; the jacket earned 269
    assert run(rig.a, "member", "show", m["id"])["points"] == 269
    rig.sync(rig.a)
    assert rig.svc.members.views.member_view(m["id"])["points"] == 269
    totals = rig.svc.admin.totals()
    assert totals["sales_and_refunds"] == 3 and totals["total_fen"] == 26900
    assert run(rig.a, "sync", "status")["dead_letters"] == []
