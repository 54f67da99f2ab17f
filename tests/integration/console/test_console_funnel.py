"""/console/funnel at a chain's scale (issue 22 follow-up): its figures come from summary rows
kept by the ingest and the e-receipt pages, never from a walk of the event log, and equal
`guitai cloud funnel`'s (cloud/members/funnel_days.py) for any period, store and associate —
receipts opened before and after their sale synced, a follow, joins, members who came back
within 90 days (sales arriving out of order, from another store, a till's member id merged
into the member of the same phone)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from typing import Any

from console_kit import Browser, Till, add_user
from sync_fixtures import Cloud

from cloud.console.facts import rebuild
from cloud.console.funnel_facts import FIGURES, SUMMARIES, grouped
from pos_app.cli import main


def open_receipt(cloud: Cloud, till: Till, receipt_no: int, visitor: str) -> None:
    device = {"device_id": till.device_id, "store_id": till.store_id}
    with cloud.db.tx() as tx:
        cloud.service.members.funnel.open_receipt(tx, device, receipt_no, "", visitor)


def enrolled(till: Till, member: str, phone: str, at: str, associate: str = "王芳") -> None:
    till.push("member.enrolled", {"member_id": member, "phone": phone, "name": "",
                                  "associate": associate, "completed_at": at})  # fmt: skip


def by_store_and_associate(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(FIGURES))
    for r in rows:
        acc = out[(r["store_id"], r["associate"] or "")]
        for i, f in enumerate(FIGURES):
            acc[i] += int(r[f])
    return {k: v for k, v in out.items() if any(v)}


def a_months_business(cloud: Cloud) -> dict[str, Till]:
    a, a2 = Till(cloud, "S001", "南京西路店"), Till(cloud, "S001", "南京西路店", till_no=2)
    b = Till(cloud, "S002", "淮海路店")
    enrolled(a, "M1", "13800000001", "2026-09-01T02:00:00Z")
    open_receipt(cloud, a, a.receipt_no + 1, "v1")  # opened before its sale synced
    a.sale("2026-09-01T02:10:00Z", member="M1")
    open_receipt(cloud, a, a.receipt_no, "v1")  # a reload: the same visitor
    open_receipt(cloud, a, a.receipt_no, "v2")  # a second visitor, after the sync
    a.sale("2026-09-03T03:00:00Z", associate="李娜")
    cloud.service.members.funnel.follow_receipt(
        {"device_id": a.device_id, "store_id": "S001"}, a.receipt_no
    )
    b.sale("2026-09-20T02:00:00Z", member="M1", associate="赵敏", unit_fen=30000)
    a.sale("2026-12-05T02:00:00Z", member="M1")  # 95 days after the first: not its return
    a2.sale("2026-08-25T02:00:00Z", member="M1", associate="李娜")  # arrives late, before
    b.sale("2026-10-01T02:00:00Z", member="M3", associate="赵敏")  # a till's own member id
    enrolled(b, "M3", "13800000001", "2026-10-01T01:00:00Z", "赵敏")  # …the phone of M1
    b.sale("2026-10-02T02:00:00Z", member="M3", associate="赵敏", unit_fen=12000)
    enrolled(b, "M9", "13900000009", "2026-10-02T03:00:00Z", "赵敏")
    enrolled(b, "M3", "13800000001", "2026-10-02T04:00:00Z", "赵敏")  # again: nothing moves
    b.sale("2026-10-04T02:00:00Z", member="M3", associate="赵敏", unit_fen=8000)
    return {"a": a, "a2": a2, "b": b}


PERIODS = [
    ("2026-08-01", "2026-12-31"),
    ("2026-09-01", "2026-09-30"),
    ("2026-08-20", "2026-10-01"),
    ("2026-09-02", "2026-12-05"),
]


def test_the_funnels_summaries_equal_guitai_cloud_funnel(cloud: Cloud, capsys: Any) -> None:
    a_months_business(cloud)
    by_day = cloud.service.members.funnel.by_day
    with cloud.db.tx() as tx:
        whole = grouped(tx, "2026-08-01", "2026-12-31", None)
    assert sum(r["returned_90d"] for r in whole) >= 3 and sum(r["joins"] for r in whole) >= 3
    assert sum(r["receipts_opened"] for r in whole) == 1 and sum(r["follows"] for r in whole)
    for lo, hi in PERIODS:
        for store in (None, "S001", "S002"):
            expected = by_day(store, None, date.fromisoformat(lo), date.fromisoformat(hi))
            with cloud.db.tx() as tx:
                got = grouped(tx, lo, hi, None if store is None else (store,))
            assert by_store_and_associate(got) == by_store_and_associate(expected), (lo, hi, store)


def test_the_funnel_page_equals_the_command(cloud: Cloud, cloud_db_url: str, capsys: Any) -> None:
    a_months_business(cloud)
    where = ["--database-url", cloud_db_url] if "://" in cloud_db_url else ["--db", cloud_db_url]
    capsys.readouterr()
    assert main(["cloud", "funnel", "--from", "2026-08-20", "--to", "2026-10-31", *where,
                 "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    cli = by_store_and_associate(out if isinstance(out, list) else out["rows"])
    add_user(cloud, "hq", "hq")
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/funnel?from=2026-08-20&to=2026-10-31").text
    table_html = page[page.index('id="funnel"') :]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", table_html)]
    shown = {(cells[i], cells[i + 1]): cells[i + 2 : i + 7] for i in range(0, len(cells), 9)}
    stages = ["receipts_printed", "receipts_opened", "follows", "joins", "returned_90d"]
    assert shown == {
        (s, a or "-"): [f"{v[FIGURES.index(k)]:,}" for k in stages] for (s, a), v in cli.items()
    }


def test_the_funnel_page_reads_the_summaries(cloud: Cloud) -> None:
    a_months_business(cloud)
    add_user(cloud, "hq", "hq")
    with cloud.db.tx() as tx:  # the event log is not read: the page's figures stay
        tx.execute("UPDATE events SET payload = '{}' WHERE type = 'sale.completed'")
    with Browser(cloud.url) as b:
        b.login("hq")
        page = b.get("/console/funnel?from=2026-09-01&to=2026-09-30").text
    table_html = page[page.index('id="funnel"') :]
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", table_html)]
    # S001 王芳: one receipt printed, opened by two visitors, the member back within 90 days
    assert cells[cells.index("王芳") - 1 : cells.index("王芳") + 7] == [
        "S001", "王芳", "1", "1", "0", "1", "1", "100%",
    ]  # fmt: skip


def test_the_funnels_summaries_made_again_from_the_event_log_are_the_same(cloud: Cloud) -> None:
    a_months_business(cloud)

    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        with cloud.db.tx() as tx:
            return {
                t: sorted(
                    tuple(r) for r in tx.execute(f"SELECT * FROM {t}").fetchall() if any(r[3:])
                )
                for t in SUMMARIES
            }

    kept = snapshot()
    rebuild(cloud.db)
    assert snapshot() == kept
