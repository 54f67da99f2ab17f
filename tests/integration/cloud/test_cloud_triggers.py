"""Triggers on the real cloud, SQLite and PostgreSQL (issue 21, item 6): sales, refunds and
enrollments pushed by a till, the engine reading them by its cursor; each event type fires
once per occurrence under duplicate delivery (the cursor read again) and two workers racing
(two services on one database); caps and consent respected; the daily pass (3369 step,
birthday, lapsed, an e-receipt opened by someone who did not join) run by one of two
workers; a WeChat template message through the official-account emulator; every firing in
`guitai cloud trigger log`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cloud_shop import Shop
from sync_fixtures import Cloud

from cloud.service import CloudService
from cloud.triggers.wechat import send_pending
from cloud.wechat_mp import MpClient
from drivers.wechat_mp.emulator import WechatMpEmulator
from pos_app.cli import main

SALE_DAY = "2026-11-25T02:10:00Z"  # 10:10 in the store
ADDED = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # the triggers were added before the sales
THEN = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # the daily pass: three days after the sales


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def shop(cloud: Cloud) -> Iterator[Shop]:
    yield Shop(cloud)


def brand(shop: Shop, clock: Clock) -> CloudService:
    """Another worker of the same cloud (its own service and pool on the same database)."""
    return CloudService(type(shop.cloud.db)(shop.cloud.db.url), ereceipt_base_url="", now=clock)


def enrol(shop: Shop, mid: str, phone: str, *, consent: bool, birthday: str = "") -> None:
    payload: dict[str, Any] = {
        "member_id": mid,
        "phone": phone,
        "name": "",
        "associate": "小李",
        "store_id": "S001",
        "completed_at": "2026-11-01T02:00:00Z",
    }
    if consent:
        payload["consent_at"] = "2026-11-01T02:00:00Z"
    if birthday:
        payload["birthday"] = birthday
    shop._event("member.enrolled", payload, chained=False)


def firings(svc: CloudService) -> list[tuple[str, str, str, str]]:
    with svc.db.tx() as tx:
        rows = tx.execute(
            "SELECT trigger, member_id, occurrence, outcome FROM trigger_firings ORDER BY id"
        ).fetchall()
    return [tuple(r) for r in rows]


def cli(capsys: pytest.CaptureFixture[str], svc: CloudService, *args: str) -> Any:
    capsys.readouterr()
    url = svc.db.url
    rc = main(["cloud", *args, "--database-url" if url.startswith("postgres") else "--db", url])
    out = capsys.readouterr().out
    assert rc == 0, out
    return json.loads(out)


def race(*jobs: Any) -> list[Any]:
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = jobs[i]()
        except BaseException as err:  # reported below, not lost in the thread
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_stream_events_fire_once_per_occurrence_under_duplicates_and_two_workers(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock(ADDED)
    a, b = brand(shop, clock), brand(shop, clock)
    try:
        cli(capsys, a, "coupon", "add", "BIG", "--amount-fen", "5000", "--json")
        a.triggers.add("welcome", "first_purchase", ["task:欢迎新客", "tag:新客"])
        a.triggers.add("big", "purchase_above:100000", ["coupon:BIG"], cap="1/30d")
        a.triggers.add("sorry", "return", ["task"], cond="tier=ordinary")
        enrol(shop, "M1", "13800000001", consent=True)
        enrol(shop, "M2", "13800000002", consent=False)
        # 1,178.00: first and big; rung by 小王, but M1's tasks go to 小李, her own associate
        s1, _ = shop.sale(at=SALE_DAY, associate="小王", member="M1")
        shop.sale(at="2026-11-25T04:00:00Z", associate="小李", member="M1")  # big again: capped
        shop.sale(at=SALE_DAY, associate="小王", member="M2")  # no consent: nothing reaches M2
        shop.sale(at=SALE_DAY)  # no member: no trigger
        shop.refund_one_coat(s1)  # M1's return (the refund names no member: its sale does)

        # two workers read the same new events at once
        r1, r2 = race(a.triggers.run_stream, b.triggers.run_stream)
        once = firings(a)
        assert r1["fired"] + r2["fired"] == 3, (r1, r2, once)  # and three did not
        assert sorted((t, m, o) for t, m, _, o in once) == sorted(
            [
                ("welcome", "M1", "fired"),
                ("big", "M1", "fired"),
                ("big", "M1", "capped"),
                ("sorry", "M1", "fired"),
                ("welcome", "M2", "no_consent"),
                ("big", "M2", "no_consent"),
            ]
        )
        # duplicate delivery: the events read again from the start, by both workers
        with a.db.tx() as tx:
            tx.execute("DELETE FROM trigger_cursors")
        race(a.triggers.run_stream, b.triggers.run_stream)
        assert firings(a) == once

        # what the firings did: one copy of BIG for M1, one task each, the tag
        with a.db.tx() as tx:
            copies = tx.execute("SELECT member_id FROM coupon_issues WHERE code = 'BIG'").fetchall()
            tasks = tx.execute(
                "SELECT member_id, associate, store_id, title FROM member_tasks ORDER BY id"
            ).fetchall()
            data = json.loads(tx.execute("SELECT data FROM members WHERE id = 'M1'").fetchone()[0])
            pulled = tx.execute(
                "SELECT count(*) FROM changes WHERE kind = 'coupon' AND key LIKE ?", ("BIG-%",)
            ).fetchone()[0]
        assert [tuple(c) for c in copies] == [("M1",)] and pulled == 1
        assert sorted(tuple(t) for t in tasks) == sorted(
            [("M1", "小李", "S001", "欢迎新客"), ("M1", "小李", "S001", "退货回访 · return")]
        )
        assert data["tags"] == ["新客"]

        listed = {r["name"]: r for r in cli(capsys, a, "trigger", "list", "--json")}
        assert listed["big"]["fired"] == 1 and listed["big"]["cap"] == "1/30d"
        log = cli(capsys, a, "trigger", "log", "--trigger", "big", "--json")
        assert sorted(e["outcome"] for e in log) == ["capped", "fired", "no_consent"]
        fired = next(e for e in log if e["outcome"] == "fired")
        assert fired["actions"][0]["action"] == "coupon:BIG"
        assert fired["actions"][0]["coupon_code"].startswith("BIG-")
    finally:
        a.db.close()
        b.db.close()


def test_the_daily_pass_runs_once_and_sends_a_wechat_message(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = Clock(ADDED)
    a, b = brand(shop, clock), brand(shop, clock)
    emu = WechatMpEmulator(appid="wxapp", secret="s3cret", token="tok").start()
    try:
        cli(capsys, a, "coupon", "add", "BDAY", "--amount-fen", "2000", "--json")
        a.triggers.add("visit3", "followup:3", ["wechat:TPL-3369", "task"])
        a.triggers.add("bday", "birthday:7", ["coupon:BDAY"])
        a.triggers.add("sleepy", "lapsed:90", ["tag:沉睡"])
        a.triggers.add("invite", "opened_not_joined", ["task:邀请入会"])
        enrol(shop, "M1", "13800000001", consent=True, birthday="1990-12-01")
        enrol(shop, "M3", "13800000003", consent=False)
        with a.db.tx() as tx:
            tx.execute(
                "INSERT INTO member_openids(openid, member_id, at) VALUES ('oM1', 'M1', ?)",
                (SALE_DAY,),
            )
            # a walk-in's receipt opened on the 26th, nobody joined from it
            tx.execute(
                "INSERT INTO funnel_opens(receipt_key, visitor, store_id, associate, at) "
                "VALUES (?, 'v1', 'S001', '小王', '2026-11-26T05:00:00Z')",
                (f"{shop.device_id}:99",),
            )
        emu.followers.add("oM1")
        shop.sale(at=SALE_DAY, associate="小李", member="M1")
        shop.sale(at="2026-08-01T02:00:00Z", associate="小李", member="M3")  # 119 days before

        clock.now = THEN
        ran = race(lambda: a.triggers.run_daily("worker-a"), lambda: b.triggers.run_daily("b"))
        assert sorted(r["ran"] for r in ran) == [False, True]  # one worker took the day
        assert sum(r["fired"] for r in ran) == 4
        outcomes = sorted((t, m, o) for t, m, _, o in firings(a))
        assert outcomes == [
            ("bday", "M1", "fired"),
            ("invite", "", "fired"),
            ("sleepy", "M3", "fired"),  # a tag needs no consent
            ("visit3", "M1", "fired"),
        ]
        again = a.triggers.run_daily("worker-a", force=True)  # run again: nothing new fires
        assert again["ran"] and again["fired"] == 0

        sent = send_pending(a.db, MpClient(a.db, emu.url, "wxapp", "s3cret"), clock)
        assert sent == {"sent": 1, "failed": 0}
        assert send_pending(a.db, MpClient(a.db, emu.url, "wxapp", "s3cret"), clock) == {
            "sent": 0,
            "failed": 0,
        }
        [msg] = emu.template_messages
        assert msg["touser"] == "oM1" and msg["template_id"] == "TPL-3369"
        [visit] = cli(capsys, a, "trigger", "log", "--trigger", "visit3", "--json")
        assert visit["message"]["state"] == "sent" and visit["occurrence"].endswith(":3d")
        with a.db.tx() as tx:
            tasks = tx.execute("SELECT member_id, associate, title FROM member_tasks").fetchall()
        assert sorted(tuple(t) for t in tasks) == sorted(
            [("M1", "小李", "3369 回访 · follow-up"), ("", "小王", "邀请入会")]
        )
    finally:
        emu.stop()
        a.db.close()
        b.db.close()


def test_the_served_clouds_jobs_fire_on_their_own_and_stop(shop: Shop) -> None:
    """What `cloud serve` starts (cloud.jobs.start_worker_jobs): the stream job reads new
    events and sends the queued WeChat messages without anyone running a command."""
    from cloud.jobs import worker_scheduler
    from cloud.triggers.schedule import TriggerJobs

    clock = Clock(ADDED)
    a = brand(shop, clock)
    emu = WechatMpEmulator(appid="wxapp", secret="s3cret", token="tok").start()
    jobs = TriggerJobs(a, MpClient(a.db, emu.url, "wxapp", "s3cret"), stream_s=0.2, daily_s=60)
    scheduler = worker_scheduler()
    try:
        a.triggers.add("hello", "first_purchase", ["wechat:TPL-WELCOME"])
        enrol(shop, "M1", "13800000001", consent=True)
        with a.db.tx() as tx:
            tx.execute("INSERT INTO member_openids(openid, member_id, at) VALUES ('oM1', 'M1', '')")
        emu.followers.add("oM1")
        shop.sale(at=SALE_DAY, member="M1")
        jobs.register(scheduler)
        scheduler.start()
        deadline = datetime.now(UTC).timestamp() + 30
        while datetime.now(UTC).timestamp() < deadline and not (
            emu.template_messages and jobs.runs["daily"]
        ):
            threading.Event().wait(0.1)
        assert [m["template_id"] for m in emu.template_messages] == ["TPL-WELCOME"]
        assert jobs.runs["daily"] >= 1  # the daily pass was tried at start
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        emu.stop()
        a.db.close()


def test_the_3369_steps_are_the_brands_cadence(shop: Shop) -> None:
    """The cadence the brand pushed to the tills (`loyalty` config, followup_minutes) is the
    one the daily pass counts: a step two days after the sale."""
    clock = Clock(ADDED)
    a = brand(shop, clock)
    try:
        a.admin.set_config("loyalty", {"followup_minutes": [30, 2880]})
        a.triggers.add("visit2", "followup:2", ["tag:回访2"])
        a.triggers.add("visit3", "followup:3", ["tag:回访3"])
        enrol(shop, "M1", "13800000001", consent=True)
        shop.sale(at=SALE_DAY, member="M1")
        clock.now = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 2 days and 50 minutes later
        assert a.triggers.run_daily("w")["fired"] == 1
        assert [(t, o) for t, _, _, o in firings(a)] == [("visit2", "fired")]
    finally:
        a.db.close()
