"""`guitai shift no-sale` opens the drawer through the path sales use, and says whether it did:
with a drawer (on the receipt printer) it opens and the open is recorded with the user; with
no drawer set up the no-sale is still recorded and the cashier is told, in both languages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from printer_kit import cli, print_on

from drivers.escpos.emulator.printer import VirtualPrinter


def test_no_sale_opens_the_drawer_and_says_so(
    till_home: Path,
    vprinter: VirtualPrinter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    vprinter.set(auto_close_drawer=True)
    print_on(vprinter, till_home, capsys)

    rc, out, err = cli(till_home, capsys, "shift", "no-sale", "--user", "admin", "--json")
    assert rc == 0, err
    move = json.loads(out)
    assert move["kind"] == "no_sale" and move["drawer"]["opened"] is True
    assert len(vprinter.kicks) == 1
    conn = sqlite3.connect(till_home / "till.db")
    row = conn.execute(
        "SELECT reason, user FROM drawer_opens WHERE id = ?", (move["drawer"]["drawer_open_id"],)
    ).fetchone()
    conn.close()
    assert row == ("no_sale", "admin")
    rc, out, _ = cli(till_home, capsys, "shift", "no-sale", "--user", "admin")
    assert rc == 0 and "钱箱已打开" in out and "drawer opened" in out
    assert len(vprinter.kicks) == 2


def test_no_sale_without_a_drawer_is_recorded_and_the_cashier_told(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    assert cli(till_home, capsys, "shift", "open", "--user", "admin", "--float", "100")[0] == 0
    rc, out, err = cli(till_home, capsys, "shift", "no-sale", "--user", "admin", "--json")
    assert rc == 0, err
    drawer = json.loads(out)["drawer"]
    assert drawer["opened"] is False and drawer["reason"] == "not_set_up"
    assert "No cash drawer is set up" in err and "未设置钱箱" in err and "key" in err
    rc, out, _ = cli(till_home, capsys, "report", "x", "--json")
    assert rc == 0 and json.loads(out)["cash"]["no_sale_opens"] == 1  # recorded all the same
