"""The associate's workbench at /a/ over HTTP (issue 21, item 7): a visitor gets the sign-in
page; 小李 signs in and sees today's tasks for *her* member (the 3369 step due today, the
trigger's task; not the step due in 27 days), with the card, the brand's 话术 filled in and
escaped; done with a note (the follow-up marked in the member's data and published for the
tills), a coupon from the allowed list (once a day); 小王 sees none of it and cannot act on
it; a form without the session's CSRF token is refused; five wrong passwords lock the
account; a reassignment moves the member and the open tasks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from associate_kit import COUPON, MEMBER, PASSWORD, csrf_of, seed, sign_in
from cloud_shop import Shop
from sync_fixtures import Cloud

from cloud.service import CloudService


@pytest.fixture
def shop(cloud: Cloud) -> Iterator[Shop]:
    yield Shop(cloud)


def flash(resp: httpx.Response) -> str:
    assert resp.status_code == 303, resp.text
    return unquote(resp.headers["location"])


def test_the_workbench_over_http(shop: Shop) -> None:
    seed(shop, name="王<芳>")
    svc = shop.cloud.service
    with httpx.Client(base_url=shop.cloud.url) as li:
        first = li.get("/a/")
        assert first.status_code == 200 and 'action="/a/login"' in first.text
        assert first.headers["cache-control"] == "private, no-store"
        assert sign_in(li, "小李", PASSWORD).status_code == 303
        cookie = li.cookies.get("gt_associate")
        assert cookie
        page = li.get("/a/").text
        assert "今日任务 Today's tasks (2)" in page, page[:3000]
        assert "3369 回访 第2次" in page and "大单回访" in page
        assert "第3次" not in page  # due in 27 days: not today's
        assert "王&lt;芳&gt;您好，我是小李" in page and "王<芳>" not in page  # escaped
        assert "外套" in page and "回访礼券" in page
        assert "width=device-width" in page

        key = next(t["key"] for t in svc.associates.workbench.today("小李") if t["key"][0] == "f")
        # a form without this session's token is refused
        assert li.post("/a/done", data={"key": key, "csrf": "forged"}).status_code == 403
        token = csrf_of(page)
        assert "已完成" in flash(
            li.post("/a/done", data={"key": key, "note": "已电话", "csrf": token})
        )
        assert "已发券" in flash(
            li.post("/a/coupon", data={"member_id": MEMBER, "code": COUPON, "csrf": token})
        )
        assert "已发过" in flash(
            li.post("/a/coupon", data={"member_id": MEMBER, "code": COUPON, "csrf": token})
        )
        assert "(1)" in li.get("/a/").text
    with svc.db.tx() as tx:
        data = json.loads(
            tx.execute("SELECT data FROM members WHERE id = ?", (MEMBER,)).fetchone()[0]
        )
        done = [f for f in data["followups"] if f.get("done_at")]
        change = tx.execute(
            "SELECT data FROM changes WHERE kind = 'followup' ORDER BY cursor DESC LIMIT 1"
        ).fetchone()
        copies = tx.execute(
            "SELECT member_id, batch FROM coupon_issues WHERE code = ?", (COUPON,)
        ).fetchall()
    assert [(f["step"], f["done_by"], f["note"]) for f in done] == [(2, "小李", "已电话")]
    assert json.loads(change[0])["done_by"] == "小李"
    assert [c[0] for c in copies] == [MEMBER] and copies[0][1].startswith("associate:小李:")

    with httpx.Client(base_url=shop.cloud.url) as wang:
        assert sign_in(wang, "小王", PASSWORD).status_code == 303
        page = wang.get("/a/").text
        assert "(0)" in page and "王&lt;芳&gt;" not in page
        token = csrf_of(page)
        refused = flash(wang.post("/a/coupon", data={"member_id": MEMBER, "code": COUPON,
                                                     "csrf": token}))  # fmt: skip
        assert "不是您的专属会员" in refused
        task = next(t["key"] for t in svc.associates.workbench.today("小李"))
        assert "不是您未完成的任务" in flash(
            wang.post("/a/done", data={"key": task, "csrf": token})
        )

    # a manager reassigns the member: the open task goes with her
    svc.associates.workbench.assign(MEMBER, "小王")
    assert svc.associates.workbench.today("小李") == []
    assert [t["key"] for t in svc.associates.workbench.today("小王")] == [task]


def test_wrong_passwords_lock_the_account(shop: Shop) -> None:
    seed(shop)
    with httpx.Client(base_url=shop.cloud.url) as c:
        for _ in range(5):
            assert sign_in(c, "小李", "not-the-password").status_code == 401
        locked = sign_in(c, "小李", PASSWORD)  # the right one, but locked for 15 minutes
        assert locked.status_code == 401 and "锁定" in locked.text
        assert sign_in(c, "nobody", PASSWORD).status_code == 401
    forged = httpx.Client(base_url=shop.cloud.url, cookies={"gt_associate": "e30.forged"})
    with forged:  # a cookie not signed by the cloud is no session: the sign-in page
        assert 'action="/a/login"' in forged.get("/a/").text


class BusyClock:
    """The wall clock of a box so busy that a second passes between any two readings."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def test_the_seeded_big_sale_comes_after_its_trigger_on_a_busy_box(tmp_path: Path) -> None:
    """The workbench once showed "Today's tasks (1)" under load: the seed read the clock, the
    second ticked while it added the coupon and the trigger, and "today's big sale" was then
    stamped before the trigger existed, so it fired no task (the rule is right to ignore
    purchases older than itself).  The seed reads the clock after adding the trigger."""
    cloud = Cloud(str(tmp_path / "cloud.db"))
    cloud.service = CloudService(cloud.db, ereceipt_base_url="", now=BusyClock())
    cloud.start()
    try:
        seed(Shop(cloud))
        tasks = cloud.service.associates.workbench.today("小李")
    finally:
        cloud.stop()
    assert sorted(t["kind"] for t in tasks) == ["followup", "trigger"], tasks
    assert [t["title"] for t in tasks if t["kind"] == "trigger"] == ["大单回访"]
