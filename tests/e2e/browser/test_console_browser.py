"""The brand's console driven in headless Chromium (issue 22): sign in through the form, see
a till go unsynced when its sync stops, re-queue a dead letter, read a Z report that agrees
with the synced sales, export the sales as CSV, and a store manager refused another store's
page.  Screenshots of each page: docs/screenshots/console-*.png (laptop width; the stores
page at tablet width too)."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paths
import pytest
from console_kit import PASSWORD, Till, add_user, clock_at
from phone_browser import chrome, needs_chromium
from sync_fixtures import Cloud

SHOTS = paths.SCREENSHOTS
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)

pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    driver = chrome(tmp_path / "chromium", 1280, 900)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[dict[str, Any]]:
    cloud = Cloud(str(tmp_path / "cloud.db")).start()
    try:
        clock_at(cloud, NOW)
        a = Till(cloud, "S001", "南京西路店")
        b = Till(cloud, "S002", "淮海路店")
        s1 = a.sale("2026-11-24T02:10:00Z", associate="王芳")
        s2 = a.sale("2026-11-24T03:40:00Z", associate="李娜", tender="cash", category="配饰",
                    unit_fen=26000)  # fmt: skip
        s3 = a.sale("2026-11-24T07:15:00Z", associate="王芳", tender="alipay", qty=2)
        r1 = a.refund(s1, "2026-11-24T08:00:00Z")
        z = a.z_report("2026-11-24", [s1, s2, s3], [r1])
        for day in range(1, 25):
            b.sale(f"2026-11-{day:02d}T04:00:00Z", associate="赵敏", unit_fen=10000 + 900 * day)
        a.device_status("front", "printer", "warning", "纸将用完 paper low", "2026-11-25T05:50:00Z")
        a.device_status("zvt", "terminal", "ok", "", "2026-11-25T05:50:00Z")
        dead = a.rejected_sale("2026-11-25T05:00:00Z")
        cloud.service.admin.upsert_product(
            {
                "style": "QP-001",
                "skus": [
                    {
                        "sku": f"QP-001-{c}-{z}",
                        "price_fen": 45900,
                        "member_price_fen": 41300,
                        "colour": colour,
                        "size": z,
                    }
                    for c, colour in (("BLK", "黑"), ("GRY", "灰"))
                    for z in ("S", "M", "L", "XL")
                ],
            }
        )
        from cloud.stock import CloudStock

        for n, store in enumerate(("S001", "S002")):
            CloudStock(cloud.service).set_quantities(
                store,
                {
                    f"QP-001-{c}-{z}": 2 + n + i
                    for i, (c, z) in enumerate(
                        (c, z) for c in ("BLK", "GRY") for z in ("S", "M", "L", "XL")
                    )
                },
            )
        cloud.service.admin.add_promotion(
            "P-1111",
            {
                "name": "双十一 满 500 减 50",
                "kind": "spend_save",
                "threshold_fen": 50000,
                "off_fen": 5000,
            },
        )
        cloud.service.admin.add_coupon(
            "WELCOME-20",
            {
                "kind": "amount",
                "amount_fen": 2000,
                "name": "新会员 20 元券",
                "expires_at": "2026-12-31T15:59:59Z",
            },
        )
        seed_tiers(cloud)
        add_user(cloud, "hq", "hq")
        add_user(cloud, "mia", "store-manager", ["S001"])
        yield {"cloud": cloud, "a": a, "b": b, "z": z, "dead": dead}
    finally:
        cloud.stop()


def seed_tiers(cloud: Cloud) -> None:
    """40 members joined January to June, ranked by two tier recomputes (30 June and 30
    September, a 60-day window) on their spend: the members page's distribution moves."""
    svc = cloud.service
    svc.tiers.set_policy({"grace_days": 0})
    ids = [svc.admin.add_member(f"139{i:08d}", f"会员{i}")["id"] for i in range(40)]
    with svc.db.tx() as tx:
        tx.executemany(
            "UPDATE members SET created_at = ? WHERE id = ?",
            [(f"2026-{1 + i % 6:02d}-10T02:00:00Z", m) for i, m in enumerate(ids)],
        )
        tx.executemany(
            "INSERT INTO member_purchases(event_id, member_id, kind, total_fen, at) "
            "VALUES (?, ?, 'sale', ?, ?)",
            [(f"seed-{run}-{i}", m, (i + 1) * 10000, f"2026-{month}-01T02:00:00Z")
             for run, month, lo, hi in (("a", "06", 0, 16), ("b", "09", 20, 27))
             for i, m in enumerate(ids) if lo <= i < hi],
        )  # fmt: skip
    for at, window in ((datetime(2026, 6, 30, 4, tzinfo=UTC), 365),
                       (datetime(2026, 9, 30, 4, tzinfo=UTC), 60)):  # fmt: skip
        svc.tiers.set_policy({"window_days": window})  # September: only its 7 spenders
        svc.tiers.now = lambda at=at: at
        svc.tiers.recompute()
    svc.tiers.now = lambda: NOW


def shot(driver: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.body.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, min(max(900, height + 40), 3000))
    driver.save_screenshot(str(SHOTS / f"console-{name}.png"))
    driver.set_window_size(width, 900)


def sign_in(driver: Any, url: str, name: str, *, screenshot: bool = False) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/console/")
    assert "/console/login" in driver.current_url  # no session yet: the sign-in form
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    if screenshot:
        shot(driver, "login")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: d.current_url.endswith("/console/"))


def test_head_office_runs_the_chain_from_the_console(browser: Any, chain: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    cloud = chain["cloud"]
    sign_in(browser, cloud.url, "hq", screenshot=True)
    assert "S002" in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "stores")

    # a till syncing, then its sync stops: 16 minutes later the console says so
    browser.find_element(By.LINK_TEXT, "S001").click()
    tills = browser.find_element(By.ID, "tills").text
    assert "已同步 synced" in tills and "纸将用完 paper low" in tills and "2.4.1" in tills
    clock_at(cloud, NOW + timedelta(minutes=16))
    browser.refresh()
    assert "未同步 unsynced" in browser.find_element(By.ID, "tills").text
    shot(browser, "store")

    # the dead letter, its reason, re-queued
    dead = browser.find_element(By.ID, "dead-letters")
    assert "total_mismatch" in dead.text
    dead.find_element(By.CSS_SELECTOR, "button").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg"))
    assert "已清除" in browser.find_element(By.CSS_SELECTOR, ".msg").text
    assert "guitai sync requeue" in browser.find_element(By.ID, "dead-letters").text
    with cloud.db.tx() as tx:
        status = tx.execute("SELECT status FROM events WHERE id = ?", (chain["dead"],)).fetchone()
    assert status[0] == "cleared"

    # the Z report as received, agreeing with the synced sales
    browser.find_element(By.LINK_TEXT, "日结 Z reports").click()
    assert "一致 agrees" in browser.find_element(By.ID, "z-reports").text
    shot(browser, "z-reports")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Z1").click()
    check = browser.find_element(By.ID, "z-check").text
    assert "不一致" not in check and "¥1,637.00" in check  # 459 + 260 + 918
    shot(browser, "z-report")

    # sales of the month, charts, and the CSV a spreadsheet opens
    browser.get(f"{cloud.url}/console/sales?from=2026-11-01&to=2026-11-25&day=2026-11-24")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "王芳" in main and "赵敏" in main
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg")) == 3
    shot(browser, "sales")
    browser.find_element(By.CSS_SELECTOR, "#by-store + .card a").click()
    target = browser.downloads / "sales-by-store-2026-11-01-2026-11-25.csv"
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:2] == ["store", "sales"]
    assert rows[1] == ["S001", "3", "1", "3", "163700", "-45900", "117800", "1178.00"]
    assert rows[2][0:3] == ["S002", "24", "0"]

    browser.find_element(By.LINK_TEXT, "审计 Audit").click()
    assert "requeue_dead_letter" in browser.find_element(By.ID, "audit").text
    shot(browser, "audit")

    # the funnel, members, catalog and stock pages
    for name, path in (("funnel", "/console/funnel?from=2026-11-01&to=2026-11-30"),
                       ("members", "/console/members"), ("catalog", "/console/catalog"),
                       ("stock", "/console/stock?style=QP-001")):  # fmt: skip
        browser.get(f"{cloud.url}{path}")
        assert browser.find_elements(By.CSS_SELECTOR, "main h1"), name
        if name == "members":  # the distribution at each month end, as a chart and a table
            assert browser.find_element(By.ID, "tier-trend-chart").is_displayed()
        shot(browser, name)

    # the stores page at tablet width
    browser.set_window_size(820, 1180)
    browser.get(f"{cloud.url}/console/stores/S001")
    browser.save_screenshot(str(SHOTS / "console-store-tablet.png"))


def test_a_store_manager_is_refused_another_stores_page(
    browser: Any, chain: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    cloud = chain["cloud"]
    sign_in(browser, cloud.url, "mia")
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "S001" in main and "S002" not in main
    browser.get(f"{cloud.url}/console/stores/S002")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "无权访问 Not allowed" in text and "淮海路店" not in text
    shot(browser, "refused")
