"""The associate's phone tests' set-up (issue 21, item 7): a store's till pushes a member who
joined with 小李 (consent given) and a sale with its 3369 follow-up schedule, a sale of today
above ¥1,000 makes a trigger open a task for 小李, the brand adds 小李's account, a 话术 and an allowed coupon."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from typing import Any

import httpx
from cloud_shop import Shop

PASSWORD = "xiaoli-2026!"
MEMBER = "M1"
COUPON = "THANKS20"


def seed(shop: Shop, *, name: str = "王芳") -> dict[str, Any]:
    svc = shop.cloud.service
    svc.admin.add_coupon(
        COUPON, {"amount_fen": 2000, "percent_off": None, "min_spend_fen": None,
                 "expires": None, "name": "回访礼券"},
    )  # fmt: skip
    svc.triggers.add("big", "purchase_above:100000", ["task:大单回访"])
    # Read the clock only now: a trigger never fires for a purchase made before it was
    # added, so "today's big sale" must be stamped after the rule exists.  Read before it,
    # a busy box could tick a second in between and the sale would predate the trigger.
    now = svc.now().astimezone(UTC)
    shop._event(
        "member.enrolled",
        {
            "member_id": MEMBER,
            "phone": "13800000001",
            "name": name,
            "associate": "小李",
            "store_id": "S001",
            "consent_at": "2026-11-01T02:00:00Z",
            "completed_at": "2026-11-01T02:00:00Z",
        },
        chained=False,
    )
    sold = (now - timedelta(days=3, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sale, _ = shop.sale(at=sold, associate="小李", member=MEMBER)
    due = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (now + timedelta(days=27)).strftime("%Y-%m-%dT%H:%M:%SZ")
    plan = [
        {"step": 2, "due_at": due, "associate": "小李", "sale_id": sale["sale_id"]},
        {"step": 3, "due_at": later, "associate": "小李", "sale_id": sale["sale_id"]},
    ]
    shop._event(
        "member.updated",
        {"member_id": MEMBER, "followups": plan, "completed_at": sold},
        chained=False,
    )
    shop.sale(at=now.strftime("%Y-%m-%dT%H:%M:%SZ"), associate="小李", member=MEMBER)
    svc.triggers.run_stream()  # the big sale of today: a task for 小李
    svc.associates.accounts.add("小李", "S001", PASSWORD)
    svc.associates.accounts.add("小王", "S001", PASSWORD)
    svc.associates.workbench.add_script(
        "followup", "{name}您好，我是{associate}，新衣服穿着合身吗？"
    )
    svc.associates.workbench.allow_coupon(COUPON)
    return {"sale": sale}


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, page[:500]
    return m.group(1)


def sign_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    page = client.get("/a/").text
    return client.post("/a/login", data={"name": name, "password": password, "csrf": csrf_of(page)})
