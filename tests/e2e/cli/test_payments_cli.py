"""The `guitai payments` commands and the emulator commands, run as a person would: separate
processes, the emulators on loopback, credentials kept out of output."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import paths
import pytest

from drivers.alipay.driver import new_key, private_pem, public_pem
from pos_app.adapters.db.connection import open_database

ROOT = paths.ROOT


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("GUITAI_WECHAT_KEY", None)
    return env


def guitai(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app.cli", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env={**_env(), **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


class Emulator:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pos_app.cli", "emulate", *args, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 20
        self.line = ""
        while time.monotonic() < deadline and not self.line:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                self.line = self.proc.stdout.readline()
            if self.proc.poll() is not None:
                break
        assert self.line, self.proc.stderr.read() if self.proc.stderr else ""
        m = re.search(r"(zvt\+tcp|http)://127\.0\.0\.1:(\d+)", self.line)
        assert m
        self.url = m.group(0)
        self.port = int(m.group(2))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(10)
        finally:
            for s in (self.proc.stdout, self.proc.stderr):
                if s:
                    s.close()
        return code


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    open_database(tmp_path / "till.db").close()
    yield tmp_path


def test_configure_wechat_hides_the_key_and_pays_through_the_emulator(home: Path) -> None:
    emu = Emulator("wechatpay", "--mch-id", "1900000109", "--key", "s3cret-api-key")
    try:
        out = guitai(
            home,
            "payments",
            "configure",
            "wechat",
            "--url",
            emu.url,
            "--appid",
            "wx0000000000000000",
            "--mch-id",
            "1900000109",
            "--json",
            env={"GUITAI_WECHAT_KEY": "s3cret-api-key"},
        )
        assert out.returncode == 0, out.stderr
        assert "s3cret" not in out.stdout
        listed = guitai(home, "payments", "providers", "--json")
        assert "s3cret" not in listed.stdout
        assert json.loads(listed.stdout)[0]["settings"]["key"] == "********"
        # a charge through the service, as the sale command will do it
        from pos_app.adapters.payments_wiring import build_payment_service
        from pos_app.domain.ports import SystemClock

        db = open_database(home / "till.db")
        try:
            svc = build_payment_service(db.conn, SystemClock())
            assert "s3cret" not in repr(svc.ports["wechat"])
            paid = svc.charge("S1", "wechat", 1999, "134567890123456700")
        finally:
            db.close()
        rows = json.loads(guitai(home, "payments", "list", "--json").stdout)
        assert rows[0]["id"] == paid.attempt_id and rows[0]["state"] == "approved"
        assert rows[0]["auth_code_masked"] == "**************6700"
        rec = guitai(home, "payments", "recover", "--keep-unattached", "--json")
        assert json.loads(rec.stdout)[0]["action"] == "needs_decision"
        rec = guitai(home, "payments", "recover", "--json")
        assert rec.returncode == 0 and json.loads(rec.stdout)[0]["action"] == "reversed"
    finally:
        assert emu.stop() == 0


def test_zvt_emulator_command_and_terminal_admin(home: Path) -> None:
    emu = Emulator("zvt", "--password", "123456", "--pty")
    try:
        uri = f"{emu.url}?password=123456"
        for action in ("register", "status", "end-of-day"):
            out = guitai(home, "payments", "terminal", action, "--uri", uri, "--json")
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout)["ok"] is True
        serial = re.search(r"zvt\+serial://\S+", emu.line)
        assert serial
        out = guitai(
            home,
            "payments",
            "terminal",
            "status",
            "--uri",
            f"{serial.group(0)}?password=123456",
            "--json",
        )
        assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True, out.stderr
        bad = guitai(home, "payments", "terminal", "status", "--uri", f"{emu.url}?password=000000")
        assert bad.returncode == 2 and "terminal" in bad.stderr
    finally:
        assert emu.stop() == 0
    down = guitai(home, "payments", "terminal", "status", "--uri", uri)
    assert down.returncode == 2 and "did not answer" in down.stderr


def test_alipay_emulator_command_writes_its_public_key(home: Path, tmp_path: Path) -> None:
    app = new_key()
    (tmp_path / "app.pem").write_bytes(private_pem(app))
    (tmp_path / "app.pub.pem").write_bytes(public_pem(app))
    emu = Emulator(
        "alipay",
        "--app-public-key",
        str(tmp_path / "app.pub.pem"),
        "--private-key",
        str(tmp_path / "emu.pem"),
    )
    try:
        pub = tmp_path / "emu.pem.pub.pem"
        assert pub.exists()
        out = guitai(
            home,
            "payments",
            "configure",
            "alipay",
            "--url",
            emu.url + "/gateway.do",
            "--app-id",
            "2021000000000001",
            "--private-key-file",
            str(tmp_path / "app.pem"),
            "--alipay-public-key-file",
            str(pub),
        )
        assert out.returncode == 0, out.stderr
        from pos_app.adapters.payments_wiring import build_payment_service
        from pos_app.domain.payments import PaymentDeclined
        from pos_app.domain.ports import SystemClock

        db = open_database(home / "till.db")
        try:
            svc = build_payment_service(db.conn, SystemClock())
            paid = svc.charge("S1", "alipay", 5000, "281234567890123400")
            assert paid.provider_ref
            with pytest.raises(PaymentDeclined):
                svc.charge("S2", "alipay", 5000, "281234567890123492")  # insufficient funds
        finally:
            db.close()
    finally:
        assert emu.stop() == 0


def test_configure_refuses_bad_input(home: Path, tmp_path: Path) -> None:
    out = guitai(
        home,
        "payments",
        "configure",
        "wechat",
        "--url",
        "ftp://x",
        "--appid",
        "a",
        "--mch-id",
        "m",
        env={"GUITAI_WECHAT_KEY": "k"},
    )
    assert out.returncode == 2 and "http" in out.stderr
    (tmp_path / "junk.pem").write_text("not a key")
    out = guitai(
        home,
        "payments",
        "configure",
        "alipay",
        "--url",
        "http://127.0.0.1:1",
        "--app-id",
        "1",
        "--private-key-file",
        str(tmp_path / "junk.pem"),
        "--alipay-public-key-file",
        str(tmp_path / "junk.pem"),
    )
    assert out.returncode == 2 and "Key file" in out.stderr
    assert json.loads(guitai(home, "payments", "providers", "--json").stdout) == []


def test_bad_terminal_uri_is_a_clear_error(home: Path) -> None:
    out = guitai(
        home, "payments", "terminal", "status", "--uri", "zvt+tcp://127.0.0.1:1?password=12"
    )
    assert out.returncode == 2 and "six digits" in out.stderr
    out = guitai(home, "payments", "recover", "--terminal", "http://nowhere")
    assert out.returncode == 2 and "zvt+tcp://" in out.stderr
