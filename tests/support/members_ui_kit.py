"""Helpers of the member flows at the till's screen (constants, signing in, waiting for the
member column).  The fixtures are in members_ui_fixtures.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from uihelp import TIMEOUT, idle, open_shift, sign_in

JACKET, TEE = "6901234567892", "6901234567908"  # ¥1299 (member ¥1199), ¥199
PHONE_A, PHONE_B = "13800138000", "13900138000"  # both end in 8000


def cli(home: Path, *args: str) -> None:
    from pos_app.cli import main

    assert main(["--home", str(home), *args]) == 0


def start_selling(qtbot: Any, t: Any) -> None:
    sign_in(qtbot, t, "李娜", "7391")
    if t.window.current == "shift":
        open_shift(qtbot, t)
    assert t.window.current == "sale"
    t.window.activateWindow()
    t.window.sale.scan.setFocus()


def panel_ready(qtbot: Any, t: Any) -> Any:
    col = t.window.sale.member_col
    qtbot.waitUntil(lambda: col.data is not None, timeout=TIMEOUT)
    idle(qtbot, t)
    return col


def savings_names(payload: dict[str, Any]) -> list[str]:
    return [s["name"] for s in payload.get("savings", [])]
