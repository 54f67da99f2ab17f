"""The members page's tier distribution over time (issue 22 item 5): the counts at each month
end come from the tier recompute's history, not from the month members joined."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from console_kit import Browser, Till, add_user, clock_at
from sync_fixtures import Cloud


def _at(cloud: Cloud, when: datetime) -> None:
    clock_at(cloud, when)
    cloud.service.tiers.now = lambda: when  # the recompute's own clock


def _enrol(till: Till, mid: str, at: str) -> None:
    till.push("member.enrolled", {"member_id": mid, "phone": f"1380000{mid[1:]:0>4}",
                                  "name": mid, "tier": "ordinary", "store_id": till.store_id,
                                  "enrolled_at": at, "completed_at": at})  # fmt: skip


def _trend(page: str) -> dict[str, list[int]]:
    """{month end: [core, potential, ordinary, total]} from the page's table."""
    card = page[page.index('id="tier-trend"') :]
    table = card[card.index("<tbody>") : card.index("</tbody>")]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        out[cells[0]] = [int(c.replace(",", "")) for c in cells[1:]]
    return out


def test_the_tier_distribution_at_each_month_end_follows_two_recomputes(cloud: Cloud) -> None:
    a, b = Till(cloud, "S001", "南京西路店"), Till(cloud, "S002", "淮海路店")
    add_user(cloud, "hq", "hq")
    add_user(cloud, "mia", "store-manager", ["S002"])
    cloud.service.tiers.set_policy({"grace_days": 0})  # a downgrade at once: two runs suffice
    _at(cloud, datetime(2026, 6, 5, 4, 0, tzinfo=UTC))
    for i in range(1, 8):
        _enrol(a, f"M{i}", "2026-06-05T02:00:00Z")
    _enrol(b, "M9", "2026-06-05T02:00:00Z")
    _enrol(b, "M10", "2026-06-05T02:00:00Z")
    # the first run ranks 9 members: none core (10 % of 9 rounds down), 3 potential
    _at(cloud, datetime(2026, 7, 15, 4, 0, tzinfo=UTC))
    a.sale("2026-07-01T02:00:00Z", member="M1", unit_fen=90000)
    a.sale("2026-07-01T03:00:00Z", member="M2", unit_fen=50000)
    b.sale("2026-07-01T04:00:00Z", member="M9", unit_fen=40000)
    first = cloud.service.tiers.recompute()
    assert (first["core"], first["potential"], first["ordinary"]) == (0, 3, 6), first
    # M8 joins in September; the second run is on 1 November, Shanghai (31 October, UTC):
    # it belongs to the current month, not to October's end
    _at(cloud, datetime(2026, 9, 20, 4, 0, tzinfo=UTC))
    _enrol(a, "M8", "2026-09-20T02:00:00Z")
    second_at = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)
    _at(cloud, second_at)
    a.sale("2026-10-30T02:00:00Z", member="M3", unit_fen=900000)
    a.sale("2026-10-30T03:00:00Z", member="M4", unit_fen=60000)
    b.sale("2026-10-30T04:00:00Z", member="M10", unit_fen=950000)
    second = cloud.service.tiers.recompute()
    # 10 members: M10 core, M3, M1 and M4 potential; M2 and M9 down to ordinary
    assert (second["core"], second["potential"], second["ordinary"]) == (1, 3, 6), second
    _at(cloud, datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
    with Browser(cloud.url) as hq:
        hq.login("hq")
        trend = _trend(hq.get("/console/members").text)
    assert list(trend) == [f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)]
                           + [(2026, m) for m in range(1, 11)]] + ["现在 now"]  # fmt: skip
    zero, joined = [0, 0, 0, 0], [0, 0, 9, 9]
    assert [trend[f"2025-{m}"] for m in (11, 12)] == [zero, zero]
    assert [trend[f"2026-0{m}"] for m in range(1, 6)] == [zero] * 5
    assert trend["2026-06"] == joined  # joined in June, nobody ranked yet
    assert trend["2026-07"] == trend["2026-08"] == [0, 3, 6, 9]
    assert trend["2026-09"] == trend["2026-10"] == [0, 3, 7, 10]  # M8 joined, ordinary
    assert trend["现在 now"] == [1, 3, 6, 10]
    with Browser(cloud.url) as mia:  # S002's members only: M9 and M10
        mia.login("mia")
        page = mia.get("/console/members").text
    mine = _trend(page)
    assert mine["2026-06"] == [0, 0, 2, 2]
    assert mine["2026-07"] == mine["2026-10"] == [0, 1, 1, 2]  # M9 potential
    assert mine["现在 now"] == [1, 0, 1, 2]  # M10 core, M9 back to ordinary
    assert 'id="tier-trend-chart"' in page and "tier-hatch" in page  # the chart's patterns


def test_a_member_ranked_from_another_tier_keeps_it_until_their_first_move(
    cloud: Cloud,
) -> None:
    """A member who joined as core (an enrolment's own tier) is core until the recompute
    moves them: the tier before a member's first move is that move's from_tier."""
    a = Till(cloud, "S001", "南京西路店")
    add_user(cloud, "hq", "hq")
    cloud.service.tiers.set_policy({"grace_days": 0})
    _at(cloud, datetime(2026, 8, 2, 4, 0, tzinfo=UTC))
    a.push("member.enrolled", {"member_id": "M1", "phone": "13800000001", "name": "甲",
                               "tier": "core", "store_id": "S001",
                               "enrolled_at": "2026-08-02T02:00:00Z"})  # fmt: skip
    _at(cloud, datetime(2026, 10, 5, 4, 0, tzinfo=UTC))
    cloud.service.tiers.recompute()  # no spend: ordinary
    _at(cloud, datetime(2026, 11, 25, 6, 0, tzinfo=UTC))
    with Browser(cloud.url) as hq:
        hq.login("hq")
        trend: dict[str, Any] = _trend(hq.get("/console/members").text)
    assert trend["2026-07"] == [0, 0, 0, 0]
    assert trend["2026-08"] == trend["2026-09"] == [1, 0, 0, 1]
    assert trend["2026-10"] == trend["现在 now"] == [0, 0, 1, 1]
