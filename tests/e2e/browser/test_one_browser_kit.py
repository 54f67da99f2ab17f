"""The browser tests start Chromium through one kit (tests/support/phone_browser.py): no test
module builds its own Selenium driver, so its flags, size and user agent live in one place."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
OWN_DRIVER = ("webdriver.Chrome(", "ChromeOptions(", "chrome.options import Options")


def test_no_browser_test_builds_its_own_driver() -> None:
    own = {
        f"{path.name}: {needle}"
        for path in sorted(HERE.glob("*.py"))
        if path.name != Path(__file__).name
        for needle in OWN_DRIVER
        if needle in path.read_text(encoding="utf-8")
    }
    assert own == set()
    kit = (HERE.parents[1] / "support" / "phone_browser.py").read_text(encoding="utf-8")
    assert "webdriver.Chrome(" in kit
