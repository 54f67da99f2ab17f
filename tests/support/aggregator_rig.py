"""The aggregator acquirer's test rig: its emulator on loopback (port 0), a till database whose
till is activated as a terminal of it, and payment codes of each wallet kind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drivers.aggregator.driver import activate
from drivers.aggregator.emulator import AggregatorEmulator
from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
from pos_app.adapters.payments_wiring import build_payment_service
from pos_app.domain.ports import SystemClock

FAST = {"poll_interval_s": 0.02, "give_up_after_s": 0.6}
NO_ANSWER_HOLD = 1.2  # the emulator holds a no-answer request this long
CLIENT_TIMEOUT = 0.4  # the client gives up on an answer after this long
VENDOR_SN, VENDOR_KEY = "91800001", "0123456789abcdef0123456789abcdef"
ACTIVATION_CODE = "41752683"


def code(wallet: str, suffix: str = "00", n: int = 0) -> str:
    """A payment code of the wallet; its last two digits select the emulator's behaviour."""
    head = {"wechat": "134", "alipay": "28", "unionpay": "62", "ecny": "01"}[wallet]
    size = {"wechat": 18, "alipay": 18, "unionpay": 19, "ecny": 19}[wallet]
    return f"{head}{n:0{size - len(head) - 2}d}{suffix}"


def fast_polling(home: Path) -> None:
    """Short polling limits for the test on the till in HOME, its acquirer configured
    (operator settings of the provider row)."""
    opened = open_database(home / "till.db")
    try:
        store = SqlitePaymentProviders(opened.conn)
        url, settings = store.get("aggregator") or ("", {})
        settings.update(poll_interval_s=0.02, give_up_after_s=0.6, timeout=0.4)
        store.put("aggregator", url, settings, datetime.now(UTC))
    finally:
        opened.close()


def start_emulator(**options: Any) -> AggregatorEmulator:
    emu = AggregatorEmulator(
        vendor_sn=VENDOR_SN,
        vendor_key=VENDOR_KEY,
        activation_code=ACTIVATION_CODE,
        no_answer_limit=NO_ANSWER_HOLD,
        **options,
    )
    emu.start()
    return emu


class AggregatorRig:
    """A till database activated as a terminal of the emulated acquirer."""

    def __init__(self, home: Path, **options: Any) -> None:
        self.home = home
        self.db_path = home / "till.db"
        self.emu = start_emulator(**options)
        self.wechat = self.emu  # ledger_check reads the provider's book from rig.wechat
        terminal = activate(
            self.emu.url,
            vendor_sn=VENDOR_SN,
            vendor_key=VENDOR_KEY,
            app_id="guitai-test",
            code=ACTIVATION_CODE,
            device_id="till-1",
        )
        self.opened = open_database(self.db_path)
        SqlitePaymentProviders(self.opened.conn).put(
            "aggregator",
            self.emu.url,
            {
                "terminal_sn": terminal.terminal_sn,
                "key": terminal.terminal_key,
                "timeout": CLIENT_TIMEOUT,
            },
            datetime.now(UTC),
        )

    def service(self, conn: Any | None = None, **timing: float) -> Any:
        return build_payment_service(
            conn or self.opened.conn, SystemClock(), timing={**FAST, **timing}
        )

    def close(self) -> None:
        self.opened.close()
        self.emu.stop()


@pytest.fixture
def agg(tmp_path: Path) -> Iterator[AggregatorRig]:
    r = AggregatorRig(tmp_path)
    try:
        yield r
    finally:
        r.close()
