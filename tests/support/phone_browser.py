"""Headless Chromium through Selenium and Debian's chromedriver: the one kit of the browser
tests (tests/e2e/browser), at a phone's size (390×844) for the pages a phone opens, or at the
size a test gives (the console at a desk)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paths
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

needs_chromium = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed",
)


# WeChat's in-app browser on an iPhone: the pages a phone opens must work there
WECHAT_IPHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47"
)


def chrome(
    user_data_dir: Path,
    width: int,
    height: int,
    *,
    user_agent: str | None = None,
    mobile: bool = False,
) -> Any:
    """A started headless Chromium (the caller quits it) whose page is width×height: the
    window's size, or with `mobile` a phone's viewport (touch, no desktop scroll bars)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={user_data_dir}",
    ]
    if not mobile:
        args.append(f"--window-size={width},{height}")
    if user_agent:
        args.append(f"--user-agent={user_agent}")
    for arg in args:
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    try:
        if mobile:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True},
            )
        else:
            driver.set_window_size(width, height)
    except BaseException:
        driver.quit()
        raise
    return driver


def phone(tmp_path: Path) -> Iterator[Any]:
    """The body of a test module's `browser` fixture (yield from it): a phone (390×844) in
    WeChat's browser."""
    driver = chrome(tmp_path / "chromium", 390, 844, user_agent=WECHAT_IPHONE_UA)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: Any, name: str, tmp: Path) -> None:
    """A screenshot kept in docs/screenshots (never a blank page)."""
    from PIL import Image

    out = tmp / name
    driver.save_screenshot(str(out))
    img = Image.open(out).convert("RGB")
    assert len(img.getcolors(maxcolors=1 << 20) or []) > 20
    paths.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out, paths.SCREENSHOTS / name)
