"""The associate's phone (导购工作台, issue 21 item 7) in headless Chromium at phone size: a
till sells to a member who joined with 小李 (3369 cadence starting at once) and the sale sets
off a trigger; 小李 signs in at /a/, sees today's two tasks for her member, finishes the 3369
step with a note and sends a coupon from the brand's list; after the till's next sync the
till's follow-up list and the phone agree (the step done, the trigger's task open, the coupon
the member's), and a task finished at the till is gone from the phone.  Screenshots:
docs/screenshots/associate-signin.png, associate-tasks.png, associate-done.png."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run, run_text, set_setting
from phone_browser import needs_chromium, phone, shot

pytestmark = needs_chromium

PHONE = "13800138000"
JKT = "6901234567892"
PASSWORD = "xiaoli-2026!"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    monkeypatch.setenv("GUITAI_ASSOCIATE_PASSWORD", PASSWORD)
    yield from open_rig(tmp_path, monkeypatch)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    yield from phone(tmp_path)


def till_open(rig: Rig) -> list[tuple[str, int]]:
    rows = run(rig.a, "member", "followups", "--associate", "小李", "--due")
    return sorted((r["sale_id"], r["step"]) for r in rows)


def phone_open(rig: Rig) -> list[tuple[str, int]]:
    out = []
    for t in rig.svc.associates.workbench.today("小李"):
        if t["key"].startswith("t:"):
            out.append((f"task:{t['key'][2:]}", 0))
        else:
            _, _, sale, step = t["key"].split(":", 3)
            out.append((sale, int(step)))
    return sorted(out)


def test_sign_in_see_tasks_finish_one_send_a_coupon(rig: Rig, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    run_cloud(rig, "coupon", "add", "THANKS20", "--amount-fen", "2000", "--name", "回访礼券")
    run_cloud(rig, "associate", "allow-coupon", "THANKS20")
    run_cloud(
        rig,
        "associate",
        "script",
        "followup",
        "--text",
        "{name}您好，我是{associate}，夹克穿着合身吗？",
    )
    run_cloud(rig, "associate", "add", "小李", "--store", "S001")
    run_cloud(
        rig, "trigger", "add", "big", "--when", "purchase_above:20000", "--then", "task:大单回访"
    )
    # the brand's 3369 cadence with its first step at once (so it is today's, whatever the hour)
    set_setting(rig.a, "loyalty_rules", json.dumps({"followup_minutes": [0, 4320, 43200]}))
    run(rig.a, "member", "enroll", "--phone", PHONE, "--name", "王芳", "--consent",
        "--associate", "小李")  # fmt: skip
    sale = run(rig.a, "sale", "--user", "admin", "--member", PHONE, "--associate", "小李",
               "--scan", JKT, "--pay", "cash:300")  # fmt: skip
    rig.sync(rig.a)
    rig.svc.triggers.run_stream()  # what `cloud serve` runs every 10 seconds
    rig.sync(rig.a)  # the trigger's task reaches the till
    assert till_open(rig) == phone_open(rig)
    assert [s for s, _ in phone_open(rig)].count(sale["sale_id"]) == 1

    browser.get(rig.url + "/a/")
    assert browser.find_element(By.ID, "sign-in")
    shot(browser, "associate-signin.png", tmp_path)
    browser.find_element(By.ID, "name").send_keys("小李")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "sign-in").click()
    today = landed(browser).text
    assert "(2)" in today, browser.page_source[:2000]
    cards = browser.find_elements(By.CSS_SELECTOR, ".task")
    step = next(i for i, c in enumerate(cards) if "3369" in c.text)
    assert "王芳您好，我是小李，夹克穿着合身吗？" in cards[step].text
    assert "大单回访" in cards[1 - step].text
    shot(browser, "associate-tasks.png", tmp_path)

    browser.find_element(By.ID, f"note-{step}").send_keys("已电话回访，很合身")
    browser.find_element(By.ID, f"done-{step}").click()
    assert "已完成" in flash_after_post(browser, "已完成")
    assert "(1)" in browser.find_element(By.ID, "today").text
    browser.find_element(By.ID, "send-0").click()
    assert "已发券" in flash_after_post(browser, "已发券")
    shot(browser, "associate-done.png", tmp_path)

    # the till and the cloud agree after the till's next sync
    rig.sync(rig.a)
    assert till_open(rig) == phone_open(rig)
    assert [s for s, _ in till_open(rig)] == [phone_open(rig)[0][0]]  # the trigger's task
    done = run(rig.a, "member", "followups", "--associate", "小李")
    assert sale["sale_id"] not in {(r["sale_id"]) for r in done if r["step"] == 1}
    coupons = run(rig.a, "member", "show", PHONE)["coupons"]
    assert any(c["code"].startswith("THANKS20-") for c in coupons), coupons

    # the trigger's task finished at the till is gone from the phone
    task_row = run(rig.a, "member", "followups", "--associate", "小李", "--due")[0]
    run_text(rig.a, "member", "followup-done", str(task_row["id"]), "--user", "admin",
             "--note", "到店试穿")  # fmt: skip
    rig.sync(rig.a)
    rig.svc.triggers.run_stream()
    assert phone_open(rig) == []
    browser.refresh()
    assert "(0)" in browser.find_element(By.ID, "today").text


def flash_after_post(browser: Any, expected: str) -> str:
    """The flash once it says `expected` (the page a form's POST led to), or what it says
    after 20 s: a click may return before the browser has navigated."""
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def says(b: Any) -> bool:
        try:
            return expected in b.find_element(By.ID, "flash").text
        except WebDriverException:  # between two pages
            return False

    try:
        WebDriverWait(browser, 20).until(says)
    except TimeoutException:
        pass
    landed(browser)
    return str(browser.find_element(By.ID, "flash").text)


def landed(browser: Any) -> Any:
    """The workbench's task list once the page a form led to has loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "today")))
