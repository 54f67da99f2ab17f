"""`guitai return --refund cash` of a card sale with no cash in the drawer is refused and says
to refund to the original card (or pay in first); `--refund original` then goes through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from payments_rig import Rig

from pos_app.cli import main

TEE = "6901234567908"  # ¥99.00


@pytest.fixture
def card_shop(till_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    rig = Rig(till_home)
    try:
        h = ["--home", str(till_home)]
        assert main([*h, "devices", "add", "T1", "--kind", "terminal", "--uri", rig.zvt.uri]) == 0
        assert main([*h, "shift", "open", "--user", "admin", "--float", "0"]) == 0
        yield till_home
    finally:
        rig.close()


def test_cash_refund_of_a_card_sale_with_an_empty_drawer(
    card_shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = ["--home", str(card_shop)]

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        rc = main([*h, *args])
        o = capsys.readouterr()
        return rc, o.out or o.err  # the terminal's prompts go to stderr

    rc, out = run("sale", "--user", "admin", "--scan", TEE, "--pay", "card:99.00", "--json")
    assert rc == 0, out
    receipt = str(json.loads(out)["receipt_no"])
    rc, out = run("return", "--user", "admin", "--receipt", receipt, "--refund", "cash", "--json")
    assert rc == 2, out
    err = json.loads(out)["error"]
    assert err["code"] == "drawer_cash_short"
    assert "--refund original" in err["message"] and "shift pay-in" in err["message"]
    assert "原路退回" in err["message_zh"] and "¥99.00" in err["message_zh"]
    rc, out = run("sales", "list", "--json")
    assert [s["kind"] for s in json.loads(out)] == ["sale"]  # no refund written
    rc, out = run(
        "return", "--user", "admin", "--receipt", receipt, "--refund", "original", "--json"
    )
    assert rc == 0, out
    refund = json.loads(out)
    assert [p["tender"] for p in refund["payments"]] == ["card"]
