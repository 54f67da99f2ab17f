"""A real top-up's receipt QR scanned with a phone (issue 23 item 5): the top-up is made through
the till's command line against the served cloud, the URL its receipt's QR carries is opened
in headless Chromium (Selenium, Debian's chromedriver) at a phone's size with WeChat's user
agent, and the page shows the store, the time, the amount paid, the bonus, the tender and the
balance masked, with the follow action above the fold; the same URL with one character of its
token changed shows the altered page.  Screenshot: docs/screenshots/ereceipt-topup-page.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run, run_text
from phone_browser import needs_chromium, phone, shot

PHONE = "13900008888"


@pytest.fixture
def rig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(tmp_path, monkeypatch)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    yield from phone(tmp_path)


def _qr_url(home: Path, topup_no: int) -> str:
    text = run_text(home, "member", "topup-receipt", str(topup_no))
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("[QR"))
    return line.strip().removeprefix("[QR ").removesuffix("]").strip()


@needs_chromium
def test_a_phone_scanning_a_top_up_receipt_sees_the_top_up(
    rig: Rig, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    till = rig.a
    rig.svc.admin.add_member(PHONE, "陈女士")
    run_cloud(rig, "topup-rule", "add", "R500", "--min", "500", "--bonus", "50",
              "--name", "充500送50")  # fmt: skip
    rig.sync(till)
    top = run(till, "member", "topup", PHONE, "500", "--cash", "--user", "admin")
    url = _qr_url(till, int(top["topup_no"]))
    assert url.startswith("HTTP://127.0.0.1:")  # the printed QR: upper case, as scanned

    browser.get(url)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "青衫" in body and "储值充值" in body and "真实小票" in body
    assert browser.find_element(By.ID, "gt-total").text == "¥500.00"
    table = browser.find_element(By.ID, "gt-topup").text
    assert f"{top['topup_no']:06d}" in table and "赠送金额 ¥50.00" in table
    assert "支付方式 现金" in table and "充值后余额 ¥****" in table
    assert "¥550.00" not in body  # the new balance is the member's to see, not the paper's
    action = browser.find_element(By.ID, "gt-action")
    assert action.text.startswith("关注") and action.rect["y"] + action.rect["height"] <= 844
    shot(browser, "ereceipt-topup-page.png", tmp_path)

    head, token = url.rsplit("/", 1)
    forged = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    browser.get(f"{head}/{forged}")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "此小票已被篡改" in body and "has been altered" in body and "¥500.00" not in body
