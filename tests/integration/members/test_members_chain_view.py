"""The single view at the counter (issue 21): a till that never sold to a member shows their
purchases at every store, sizes, favourite categories, last visit, lifetime spend, open
coupons, tier and the spend to the next tier, from the cloud; offline, from its cache with
the cache's age; a till that never fetched it says so in both languages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run
from tier_chain import seed_chain

from pos_app.cli import main
from pos_app.domain.timeutil import iso_utc

JKT = "6901234567892"  # member price ¥269.00
PHONE = "13800138000"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


def test_a_member_across_the_chain_at_a_till_that_never_sold_to_them(
    rig: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    enrolled = run(rig.a, "member", "enroll", "--phone", PHONE, "--name", "王女士")
    mid = enrolled["member_id"]
    run(rig.a, "sale", "--user", "admin", "--member", PHONE, "--scan", JKT, "--pay", "cash:300")
    rig.sync(rig.a)
    # the same member bought a scarf and a jacket at another store two months ago
    earlier = iso_utc(datetime.now(UTC) - timedelta(days=60))
    rig.svc.admin.add_store("S002", "徐汇店")
    items = [
        {"name": "真丝围巾 红", "qty": 1, "amount_fen": 59_900, "category": "配饰", "size": "F"},
        {"name": "羊毛夹克", "qty": 1, "amount_fen": 30_000, "category": "男装", "size": "L"},
    ]
    with rig.db.tx() as tx:
        tx.execute(
            "INSERT INTO member_purchases(event_id, member_id, sale_id, store_id, till_no, kind, "
            "receipt_no, total_fen, items, at) VALUES ('x1', ?, 's-x1', 'S002', 1, "
            "'sale.completed', 7, 89900, ?, '2026-10-01T06:00:00Z')",
            (mid, json.dumps(items, ensure_ascii=False)),
        )
    rig.svc.admin.add_coupon("BDAY20", {"kind": "cash", "amount_fen": 2000, "member_id": mid})
    rig.svc.admin.add_coupon("OTHER", {"kind": "cash", "amount_fen": 2000, "member_id": "m-x"})
    # 19 other members spent ¥0 … ¥18,000 in the year: the potential tier starts at ¥11,000
    seed_chain(rig.db, [i * 100_000 for i in range(19)], earlier)
    run_cloud(rig, "tiers", "recompute")
    rig.sync(rig.b)

    v = run(rig.b, "member", "show", PHONE, "--chain")
    assert (v["source"], v["age_s"], v["member_id"]) == ("cloud", 0, mid)
    assert v["phone_masked"] == "138****8000" and "phone" not in v
    assert v["lifetime_spend_fen"] == 26_900 + 89_900 and v["visits"] == 2
    assert [(s["store_id"], s["name"], s["visits"]) for s in v["stores"]] == [
        ("S002", "徐汇店", 1),
        ("S001", "静安嘉里店", 1),
    ]
    assert {s["size"]: s["qty"] for s in v["sizes"]}.items() >= {"F": 1}.items()
    assert v["favourite_categories"][0]["category"] == "配饰"
    assert v["last_visit"]["store_id"] == "S001" and v["lapsed"] is False
    assert [c["code"] for c in v["open_coupons"]] == ["BDAY20"]
    assert v["tier"] == "ordinary"
    assert v["next_tier"] == {
        "tier": "potential",
        "threshold_fen": 1_100_000,  # the 8th largest of 20 members' spend
        "spend_fen": 116_800,  # net spend in the window: both stores
        "to_go_fen": 1_100_000 - 116_800,
    }
    assert [p["store_id"] for p in v["purchases"]] == ["S001", "S002"]

    # offline: the copy fetched above, with its age
    rig.offline(rig.b)
    cached = run(rig.b, "member", "show", PHONE, "--chain")
    assert cached["source"] == "cache" and cached["age_s"] >= 0
    assert cached["lifetime_spend_fen"] == v["lifetime_spend_fen"]
    capsys.readouterr()
    assert main(["--home", str(rig.b), "member", "show", PHONE, "--chain"]) == 0
    text = capsys.readouterr().out
    assert "缓存 cached" in text and "徐汇店" in text and "138****8000" in text

    # a till that never fetched it, offline: said in both languages, exit 2
    rig.offline(rig.a)
    err = run(rig.a, "member", "show", PHONE, "--chain", ok=False)
    assert err["error"]["code"] == "chain_view_unavailable"
    assert "network is back" in err["error"]["message"]
    assert "网络恢复后重试" in err["error"]["message_zh"]
