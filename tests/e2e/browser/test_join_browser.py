"""Joining from an e-receipt typed in headless Chromium (Selenium + chromedriver) at a phone's
size (390×844): the code read from the SMS emulator, the member created, this receipt's points
credited once, the till seeing the member after its next sync, and my receipts listing it.
Screenshots: docs/screenshots/ereceipt-join.png, ereceipt-join-done.png, my-receipts.png,
return-voucher.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from join_kit import JoinRig, start_join_rig
from phone_browser import needs_chromium, phone, shot

from pos_app.domain.loyalty import LoyaltyRules, points_earned

PHONE = "13712345678"

pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    yield from phone(tmp_path)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[JoinRig]:
    r = start_join_rig(tmp_path, str(tmp_path / "cloud.db"))
    try:
        yield r
    finally:
        r.stop()


def test_join_typed_in_chromium(browser, rig: JoinRig, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    d = browser
    sale, token = rig.sale()
    want = points_earned(sale["payload"]["lines"], "ordinary", LoyaltyRules())
    d.get(f"{rig.url}/r/{token}/join")
    assert "入会领积分" in d.title
    shot(d, "ereceipt-join.png", tmp_path)
    wait = WebDriverWait(d, 20)
    msg = d.find_element(By.ID, "msg")

    # script injection in the name: refused with the Chinese message, nothing stored
    d.find_element(By.ID, "phone").send_keys(PHONE)
    d.find_element(By.ID, "send").click()
    wait.until(lambda _: "验证码已发送" in msg.text)
    assert d.find_element(By.ID, "send").get_attribute("disabled")  # the resend countdown
    d.find_element(By.ID, "code").send_keys(rig.last_code(PHONE))
    d.find_element(By.ID, "name").send_keys("<script>alert(1)</script>")
    d.find_element(By.ID, "consent").click()
    d.find_element(By.ID, "join").click()
    wait.until(lambda _: "姓名只能包含文字" in msg.text)
    with rig.cloud.service.db.tx() as tx:
        assert tx.execute("SELECT count(*) FROM members").fetchone()[0] == 0

    name = d.find_element(By.ID, "name")
    name.clear()
    name.send_keys("王芳")
    d.find_element(By.ID, "join").click()
    wait.until(lambda _: "已到账" in msg.text)
    assert f"本单积分 {want} 分已到账" in msg.text
    shot(d, "ereceipt-join-done.png", tmp_path)
    member = rig.cloud.service.admin.member_by_phone(PHONE)
    assert member["points"] == want and member["name"] == "王芳"
    cookie = d.get_cookie("gt_session")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # my receipts, from the session cookie alone
    d.find_element(By.LINK_TEXT, "查看我的小票").click()
    wait.until(lambda _: "我的小票" in d.title)
    assert "南京西路店" in d.page_source and f"/r/{token}" in d.page_source
    shot(d, "my-receipts.png", tmp_path)
    d.find_element(By.LINK_TEXT, "退换凭证").click()
    wait.until(lambda _: "退换凭证" in d.title)
    assert "可退" in d.page_source and (
        "可退换至" in d.page_source or "退换期已于" in d.page_source
    )
    shot(d, "return-voucher.png", tmp_path)

    # the same receipt joined again in the browser: 0 points, still one member
    with rig.cloud.service.db.tx() as tx:
        tx.execute("DELETE FROM join_sends")
    d.get(f"{rig.url}/r/{token}/join")
    msg = d.find_element(By.ID, "msg")
    d.find_element(By.ID, "phone").send_keys(PHONE)
    d.find_element(By.ID, "send").click()
    wait.until(lambda _: "验证码已发送" in msg.text)
    d.find_element(By.ID, "code").send_keys(rig.last_code(PHONE))
    d.find_element(By.ID, "consent").click()
    d.find_element(By.ID, "join").click()
    wait.until(lambda _: "欢迎回来" in msg.text)
    assert "本单积分此前已领取" in msg.text
    assert rig.cloud.service.admin.member_by_phone(PHONE)["points"] == want

    # the till sees the member after its next sync
    rig.pull()
    row = rig.od.conn.execute(
        "SELECT id, name, points FROM members WHERE phone = ?", (PHONE,)
    ).fetchone()
    assert row is not None and row[0] == member["id"] and row[1] == "王芳" and row[2] == want
