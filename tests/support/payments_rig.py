"""Fixtures for the payments suite: a real SQLite file, the three emulators on loopback
(port 0), and a PaymentService wired to them with short time limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drivers.alipay.driver import new_key, private_pem, public_pem
from drivers.alipay.emulator import AlipayEmulator
from drivers.wechatpay.emulator import WechatPayEmulator
from drivers.zvt.emulator import ZvtEmulator, ZvtEmulatorConfig
from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
from pos_app.adapters.payments_wiring import build_payment_service
from pos_app.domain.ports import SystemClock

FAST = {"poll_interval_s": 0.02, "give_up_after_s": 0.6}
WECHAT_KEY = "192006250b4c09247ec02edce69f6a2d"
WECHAT_MCH = "1900000109"
NO_ANSWER_HOLD = 1.2  # the emulators hold a no-answer request this long
CLIENT_TIMEOUT = 0.4  # the clients give up on an answer after this long

_KEYS: dict[str, Any] = {}


def keys() -> dict[str, Any]:
    """One RSA key pair for the app and one for the Alipay emulator, per test session."""
    if not _KEYS:
        _KEYS["app"], _KEYS["alipay"] = new_key(), new_key()
    return _KEYS


class Rig:
    """A till database plus the three emulators; service() wires a PaymentService to them."""

    def __init__(self, home: Path, **emu: Any) -> None:
        self.home = home
        self.db_path = home / "till.db"
        self.zvt = ZvtEmulator(
            config=ZvtEmulatorConfig(
                no_answer_limit=NO_ANSWER_HOLD,
                step_delay=0.01,
                forever_limit=3.0,
                **emu.get("zvt", {}),
            )
        ).start()
        self.wechat = WechatPayEmulator(
            mch_id=WECHAT_MCH,
            key=WECHAT_KEY,
            no_answer_limit=NO_ANSWER_HOLD,
            **emu.get("wechat", {}),
        )
        self.wechat.start()
        k = keys()
        self.alipay = AlipayEmulator(
            app_public_key=k["app"].public_key(),
            private_key=k["alipay"],
            no_answer_limit=NO_ANSWER_HOLD,
            **emu.get("alipay", {}),
        )
        self.alipay.start()
        (home / "keys").mkdir(parents=True, exist_ok=True)
        self.app_key_file = home / "keys" / "alipay_app_private.pem"
        self.app_key_file.write_bytes(private_pem(k["app"]))
        self.alipay_pub_file = home / "keys" / "alipay_public.pem"
        self.alipay_pub_file.write_bytes(public_pem(k["alipay"]))
        self.opened = open_database(self.db_path)
        self.configure(self.opened.conn)

    def provider_settings(self) -> dict[str, tuple[str, dict[str, Any]]]:
        return {
            "wechat": (
                self.wechat.url,
                {
                    "appid": self.wechat.appid,
                    "mch_id": WECHAT_MCH,
                    "key": WECHAT_KEY,
                    "sign_type": "HMAC-SHA256",
                    "timeout": CLIENT_TIMEOUT,
                },
            ),
            "alipay": (
                self.alipay.url,
                {
                    "app_id": self.alipay.app_id,
                    "private_key_file": str(self.app_key_file),
                    "alipay_public_key_file": str(self.alipay_pub_file),
                    "timeout": CLIENT_TIMEOUT,
                },
            ),
        }

    def configure(self, conn: Any) -> None:
        providers = SqlitePaymentProviders(conn)
        for name, (url, settings) in self.provider_settings().items():
            providers.put(name, url, settings, datetime.now(UTC))

    def service(self, conn: Any | None = None, **timing: float) -> Any:
        return build_payment_service(
            conn or self.opened.conn,
            SystemClock(),
            terminal=("T1", self.zvt.uri),
            timing={**FAST, **timing},
            zvt_timeout=CLIENT_TIMEOUT * 3,
        )

    def close(self) -> None:
        self.opened.close()
        for emu in (self.zvt, self.wechat, self.alipay):
            emu.stop()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(tmp_path)
    try:
        yield r
    finally:
        r.close()


# Payment codes: WeChat 18 digits starting 10–15, Alipay 16–24 digits starting 25–30.  The last
# two digits select the emulator's behaviour (drivers/common/scenarios.py).
def wechat_code(suffix: str = "00", n: int = 0) -> str:
    return f"134{n:013d}{suffix}"


def alipay_code(suffix: str = "00", n: int = 0) -> str:
    return f"28{n:016d}{suffix}"


def card_amount(yuan: int, suffix: str = "00") -> int:
    """An amount whose last two fen digits select the ZVT emulator's behaviour."""
    return yuan * 100 + int(suffix)
