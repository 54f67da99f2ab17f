"""Headless Chromium at a phone's size (390×844) through Selenium and Debian's chromedriver,
as the e-receipt browser tests drive it (tests/e2e/browser), for pages a phone opens."""

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


def phone(tmp_path: Path) -> Iterator[Any]:
    """The body of a test module's `browser` fixture (yield from it)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=390,844",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--user-agent=Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    try:
        driver.set_window_size(390, 844)
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
