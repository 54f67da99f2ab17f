"""The tender screen takes a scanned 云闪付 (62…) or 数字人民币 (01…) payment code as the
command line's `--pay code:…` does (issue 23): routed by its prefix to the aggregator acquirer
(its emulator on loopback), the sale paid and recorded under the wallet's own tender."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aggregator_rig import (
    ACTIVATION_CODE,
    VENDOR_KEY,
    VENDOR_SN,
    code,
    fast_polling,
    start_emulator,
)
from on_db import on_db
from uihelp import TIMEOUT, idle, start_selling, wedge_scan

from drivers.aggregator.emulator import AggregatorEmulator
from pos_app.cli import main


@pytest.fixture
def aggregator() -> Iterator[AggregatorEmulator]:
    emu = start_emulator()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def till_home(
    till_home: Path, aggregator: AggregatorEmulator, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The conftest's till, activated as a terminal of the emulated acquirer."""
    monkeypatch.setenv("GUITAI_PIN", "9472")
    args = ["--url", aggregator.url, "--vendor-sn", VENDOR_SN, "--vendor-key", VENDOR_KEY]
    configure = ["--home", str(till_home), "payments", "configure", "aggregator"]
    rc = main([*configure, *args, "--code", ACTIVATION_CODE])
    assert rc == 0
    fast_polling(till_home)
    return till_home


@pytest.mark.parametrize("wallet", ["unionpay", "ecny"])
def test_a_scanned_unionpay_or_ecny_code_pays_through_the_aggregator(
    qtbot: Any, app_ui: Any, aggregator: AggregatorEmulator, wallet: str
) -> None:
    t = app_ui
    start_selling(qtbot, t)
    wedge_scan(qtbot, t, "6901234567908")  # T-shirt ¥199
    t.window.show_tender()
    idle(qtbot, t)
    tender = t.window.tender
    assert tender.availability.get(wallet, False) is None  # the acquirer takes it here
    tender.scanned(code(wallet))
    qtbot.waitUntil(lambda: tender.stack.currentIndex() == 1, timeout=TIMEOUT)
    idle(qtbot, t)
    paid = on_db(t.session.till, lambda: t.session.till.reads.receipt(1))
    assert [(p["tender"], p["amount_fen"]) for p in paid["payments"]] == [(wallet, 19_900)]
    assert list(aggregator.wallets.values()) == [wallet]
