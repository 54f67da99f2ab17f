"""The e-receipt page in every state this part of issue 19 owns, in headless Chromium driven
by Selenium at a phone's size (390×844, a WeChat user agent): what is on the page, what is
not, and what is above the fold, from the elements' bounding boxes.  Screenshots go to
docs/screenshots/ereceipt-<state>.png.

States: visitor (关注, with the receipt's own follow QR code from the WeChat emulator),
follower (入会领积分), member (我的会员, with the member block), altered, unknown till, and
pre-sync (the total from the token, details on their way)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paths
import pytest
from ereceipt_kit import ISSUED_AT, Rig, start_rig
from phone_browser import chrome, needs_chromium
from sync_testkit import make_till_home, token_for

SHOTS = paths.SCREENSHOTS
WIDTH, HEIGHT = 390, 844
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323a) NetType/WIFI"
)
PRIVATE = ("积分余额", "本次积分", "核心会员", "138****5678", "王芳")

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tmp = tmp_path_factory.mktemp("ereceipt-states")
    r = start_rig(tmp, str(tmp / "cloud.db"))
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    driver = chrome(
        tmp_path_factory.mktemp("chromium"), WIDTH, HEIGHT, user_agent=WECHAT_UA, mobile=True
    )
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: Any, rig: Rig, token: str, **session: str) -> None:
    driver.delete_all_cookies()
    if session:
        driver.get(rig.cloud.url + "/healthz")  # a page of the origin, to set its cookie on
        name, value = rig.session(**session)
        driver.add_cookie({"name": name, "value": value, "path": "/"})
    driver.get(rig.base + token)  # the printed QR's upper-case URL
    assert driver.execute_script("return [innerWidth, innerHeight]") == [WIDTH, HEIGHT]


def box(driver: Any, element_id: str) -> dict[str, float]:
    found: dict[str, float] = driver.execute_script(
        "const e = document.getElementById(arguments[0]); if (!e) return null;"
        "const r = e.getBoundingClientRect(); const s = getComputedStyle(e);"
        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
        " height: r.height, visible: s.visibility !== 'hidden' && s.display !== 'none'};",
        element_id,
    )
    assert found is not None, f"#{element_id} is not on the page"
    return found


def above_the_fold(driver: Any, *ids: str) -> None:
    for element_id in ids:
        b = box(driver, element_id)
        assert b["visible"] and b["height"] > 0, element_id
        assert b["top"] >= 0 and b["bottom"] <= HEIGHT, (element_id, b)
        assert b["left"] >= 0 and b["right"] <= WIDTH, (element_id, b)


def text(driver: Any) -> str:
    return str(driver.execute_script("return document.body.innerText"))


def shot(driver: Any, name: str, tmp: Path) -> None:
    from PIL import Image

    out = tmp / name
    out.write_bytes(driver.get_screenshot_as_png())
    img = Image.open(out).convert("RGB")
    assert img.size == (WIDTH, HEIGHT)
    assert len(img.getcolors(maxcolors=1 << 20) or []) > 50  # not a blank page
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out, SHOTS / name)


def hero_state(driver: Any) -> str:
    return str(driver.find_element("id", "gt-hero").get_attribute("data-state"))


def test_visitor_sees_follow_with_this_receipts_own_qr_code(
    browser: Any, rig: Rig, tmp_path: Path
) -> None:
    open_page(browser, rig, rig.token(1))
    assert hero_state(browser) == "visitor"
    above_the_fold(browser, "gt-brand", "gt-badge", "gt-total", "gt-action")
    assert browser.find_element("id", "gt-action").text == "关注「青衫服饰」"
    assert browser.find_element("id", "gt-total").text == "¥599.00"
    body = text(browser)
    assert "真实小票" in body and "男士羊毛夹克" in body
    for private in PRIVATE:
        assert private not in body, private
    shot(browser, "ereceipt-visitor.png", tmp_path)
    # one tap shows the code; its ticket is the emulator's, made for this receipt
    browser.find_element("id", "gt-action").click()
    qr = box(browser, "gt-follow-qr")
    assert qr["visible"] and qr["height"] >= 150 and qr["bottom"] <= HEIGHT
    ticket = browser.find_element("id", "gt-follow-qr").get_attribute("data-ticket")
    assert rig.emulator.tickets[ticket].scene_str.endswith(".S001.A07")
    assert "长按识别二维码" in text(browser)
    shot(browser, "ereceipt-visitor-follow.png", tmp_path)


def test_follower_sees_join_and_no_member_data(browser: Any, rig: Rig, tmp_path: Path) -> None:
    rig.cloud.service.members.funnel.wechat_event("oFollower1", "SCAN")  # follows already
    open_page(browser, rig, rig.token(1), openid="oFollower1")
    assert hero_state(browser) == "follower"
    above_the_fold(browser, "gt-brand", "gt-badge", "gt-total", "gt-action")
    action = browser.find_element("id", "gt-action")
    assert action.text == "入会领积分"
    assert action.get_attribute("href").endswith(f"/r/{rig.token(1)}/join")
    body = text(browser)
    for private in PRIVATE:
        assert private not in body, private
    assert "关注我们" not in body  # one action: no second invitation to follow
    shot(browser, "ereceipt-follower.png", tmp_path)


def test_member_sees_my_membership_and_their_own_member_block(
    browser: Any, rig: Rig, tmp_path: Path
) -> None:
    open_page(browser, rig, rig.token(1), openid="oFollower1", member_id=rig.member_id)
    assert hero_state(browser) == "member"
    above_the_fold(browser, "gt-brand", "gt-badge", "gt-total", "gt-action")
    assert browser.find_element("id", "gt-action").text == "我的会员"
    body = text(browser)
    assert "积分余额" in body and "8888" in body and "核心会员" in body
    shot(browser, "ereceipt-member.png", tmp_path)


@pytest.mark.parametrize("kind", ["altered", "unknown"])
def test_an_unverified_token_says_so_and_shows_nothing_of_the_receipt(
    browser: Any, rig: Rig, tmp_path: Path, kind: str
) -> None:
    if kind == "altered":
        p = rig.writer.sales[0]
        token = token_for(rig.key, 1, ISSUED_AT, p["total_fen"] - 50000, rig.hashes[1])
        words = "此小票已被篡改"
    else:
        _, _, stranger = make_till_home(tmp_path / "stranger")
        token = token_for(stranger, 1, ISSUED_AT, 59900, "ab" * 32)
        words = "来自未知收银台"
    open_page(browser, rig, token)
    assert hero_state(browser) == {"altered": "altered", "unknown": "unknown_till"}[kind]
    above_the_fold(browser, "gt-brand", "gt-badge")
    body = text(browser)
    assert words in body and "请勿凭它退换货" in body and "Do not use it" in body
    for detail in ("¥", "599", "99.00", "明细正在同步中", "合计", "男士羊毛夹克", "南京西路店"):
        assert detail not in body, detail
    assert not browser.find_elements("id", "gt-action")
    assert not browser.find_elements("id", "gt-total")
    shot(browser, f"ereceipt-{kind}.png", tmp_path)


def test_pre_sync_shows_the_tokens_total_and_the_follow_action(
    browser: Any, rig: Rig, tmp_path: Path
) -> None:
    open_page(browser, rig, token_for(rig.key, 3, ISSUED_AT, 45600, "cd" * 32))
    assert hero_state(browser) == "visitor"
    above_the_fold(browser, "gt-brand", "gt-badge", "gt-total", "gt-action")
    assert browser.find_element("id", "gt-total").text == "¥456.00"
    assert "明细正在同步中" in text(browser)
    shot(browser, "ereceipt-presync.png", tmp_path)
