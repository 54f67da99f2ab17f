"""631 tiers on a generated chain of 100,000 members with known net spend (issue 21), on
SQLite and PostgreSQL: exact percentiles, a tie at the core boundary going up, refunds and
purchases before the window, one grace period before a downgrade, the history, the change
feed, and the nightly run claimed once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tier_chain import add_purchase, member_id, seed_chain, tiers_of

from cloud.db import CloudDB
from cloud.members.rows import full_member
from cloud.service import CloudService

N = 100_000
AT = "2026-11-20T10:00:00Z"
T0 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # 02:00 the next day in Shanghai


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def chain(cloud_db_url: str) -> Iterator[tuple[CloudService, Clock]]:
    clock = Clock()
    db = CloudDB(cloud_db_url)
    try:
        yield CloudService(db, ereceipt_base_url="", now=clock), clock
    finally:
        db.close()


def _member_changes(svc: CloudService) -> int:
    with svc.db.tx() as tx:
        return int(tx.execute("SELECT count(*) FROM changes WHERE kind = 'member'").fetchone()[0])


def _expected(i: int) -> str:
    # member i spent i fen, except 89999 who spent 90000: a tie with member 90000, the
    # 10,000th largest spend, so both are core (ties go up) and the core holds 10,001
    if i >= 89_999:
        return "core"
    if i >= 60_000:  # the 40,000th largest spend
        return "potential"
    return "ordinary"


def test_a_chain_of_100000_members_is_ranked_exactly_with_grace_before_a_downgrade(
    chain: tuple[CloudService, Clock],
) -> None:
    svc, clock = chain
    spends = list(range(N))
    spends[89_999] = 90_000
    seed_chain(svc.db, spends, AT)

    dry = svc.tiers.recompute(dry_run=True)
    assert (dry["core"], dry["potential"], dry["ordinary"]) == (10_001, 29_999, 60_000)
    assert (dry["moved_up"], dry["moved_down"], dry["run_id"]) == (40_000, 0, None)
    assert set(tiers_of(svc.db).values()) == {"ordinary"} and _member_changes(svc) == 0

    r = svc.tiers.recompute()
    assert (r["core"], r["potential"], r["ordinary"]) == (10_001, 29_999, 60_000)
    assert (r["moved_up"], r["moved_down"], r["members"]) == (40_000, 0, N)
    assert r["thresholds"] == {"core_fen": 90_000, "potential_fen": 60_000}
    got = tiers_of(svc.db)
    assert all(got[member_id(i)] == _expected(i) for i in range(N))
    # member 0 bought for ¥10,000,000 before the window, and nothing since: ordinary
    assert got[member_id(0)] == "ordinary"
    assert _member_changes(svc) == 40_000  # every move reaches the tills' mirrors
    assert svc.tiers.history(member_id(99_999)) == [
        {
            "from_tier": "ordinary",
            "to_tier": "core",
            "spend_fen": 99_999,
            "run_id": r["run_id"],
            "at": "2026-12-01T18:00:00Z",
        }
    ]

    # the top spender returns everything: below the core, but kept one grace period; one
    # spender fewer above ¥600 makes the 40,000th largest spend member 59999's (up at once)
    clock.at = T0 + timedelta(days=1)
    add_purchase(svc.db, "back", 99_999, -99_999, "2026-12-02T09:00:00Z")
    r2 = svc.tiers.recompute()
    assert (r2["core"], r2["potential"], r2["ordinary"]) == (10_001, 30_000, 59_999)
    assert (r2["moved_up"], r2["moved_down"], r2["grace_started"], r2["in_grace"]) == (1, 0, 1, 1)
    assert r2["thresholds"] == {"core_fen": 90_000, "potential_fen": 59_999}
    got = tiers_of(svc.db)
    assert (got[member_id(99_999)], got[member_id(59_999)]) == ("core", "potential")
    clock.at = T0 + timedelta(days=30, hours=23)  # 29 days 23 hours into the grace
    r3 = svc.tiers.recompute()
    assert (r3["core"], r3["moved_down"], r3["grace_started"], r3["in_grace"]) == (10_001, 0, 0, 1)
    clock.at = T0 + timedelta(days=31)  # one period (30 days) after the grace began
    r4 = svc.tiers.recompute()
    assert (r4["core"], r4["potential"], r4["ordinary"]) == (10_000, 30_000, 60_000)
    assert (r4["moved_up"], r4["moved_down"], r4["in_grace"]) == (0, 1, 0)
    assert [h["to_tier"] for h in svc.tiers.history(member_id(99_999))] == ["core", "ordinary"]
    assert _member_changes(svc) == 40_002
    with svc.db.tx() as tx:
        last = tx.execute(
            "SELECT data FROM changes WHERE kind = 'member' ORDER BY cursor DESC LIMIT 1"
        ).fetchone()[0]
    assert json.loads(last)["tier"] == "ordinary" and json.loads(last)["id"] == member_id(99_999)


def test_the_nightly_run_is_claimed_once_per_day_and_a_dry_run_claims_nothing(
    chain: tuple[CloudService, Clock],
) -> None:
    svc, clock = chain
    seed_chain(svc.db, [i * 100 for i in range(20)], AT)
    svc.tiers.recompute(dry_run=True, nightly=True)
    first = svc.tiers.recompute(nightly=True)
    assert first["run_id"] == "nightly:2026-12-02" and first["core"] == 2
    assert svc.tiers.recompute(nightly=True) == {
        "run_id": "nightly:2026-12-02",
        "skipped": True,
        "reason": "already run",
    }
    clock.at = T0 + timedelta(days=1)
    assert svc.tiers.recompute(nightly=True)["run_id"] == "nightly:2026-12-03"


def test_the_policy_changes_the_window_and_the_percents(
    chain: tuple[CloudService, Clock],
) -> None:
    svc, _ = chain
    seed_chain(svc.db, [i * 100 for i in range(100)], AT)
    top = member_id(99)
    with svc.db.tx() as tx:
        extra = {"tags": ["修身", "VIP"], "birthday": "1990-05-01", "associate": "小李"}
        tx.execute("UPDATE members SET data = ? WHERE id = ?", (json.dumps(extra), top))
        tx.execute(
            "INSERT INTO stored_value_ledger(member_id, delta_fen, reference, at) "
            "VALUES (?, 30000, 'topup', ?)",
            (top, AT),
        )
    svc.tiers.set_policy({"core_pct": 20, "potential_pct": 50})
    r = svc.tiers.recompute()
    assert (r["core"], r["potential"], r["ordinary"]) == (20, 50, 30)
    with svc.db.tx() as tx:  # the tills get each member as every other change describes them
        published = tx.execute(
            "SELECT key, data FROM changes WHERE kind = 'member' ORDER BY cursor"
        ).fetchall()
        assert len(published) == 70
        for key, data in published:
            assert json.loads(data) == full_member(tx, key)
    assert dict(published)[top] and json.loads(dict(published)[top])["tags"] == "修身,VIP"
    svc.tiers.set_policy({"window_days": 5})  # the purchases are 11 days old: nobody spent
    r = svc.tiers.recompute()
    assert (r["core"], r["potential"], r["ordinary"]) == (20, 50, 30)  # kept: grace
    assert (r["grace_started"], r["moved_down"]) == (70, 0)
