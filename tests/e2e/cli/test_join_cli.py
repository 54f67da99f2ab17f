"""`guitai emulate sms` and `guitai cloud serve --sms-url … --sms-secret env:VAR` as separate
processes: a customer's code call reaches the emulator through the real command line wiring,
and the secret is in neither command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_fixtures import _free_port, wait_ready
from sync_testkit import enroll_device, token_for

from cloud.db import CloudDB
from cloud.service import CloudService

PHONE = "13512345678"


def test_cloud_serve_sends_join_codes_through_the_sms_emulator(tmp_path: Path) -> None:
    db_path = tmp_path / "cloud.db"
    db = CloudDB(str(db_path))
    svc = CloudService(db, ereceipt_base_url="")
    svc.admin.add_store("S001", "南京西路店")
    key = Ed25519PrivateKey.generate()
    enroll_device(svc, key)
    db.close()
    token = token_for(key, 1, 1_796_000_000, 45_900, "ab" * 32)  # a sale not synced yet

    env = {**os.environ, "SMS_SECRET": "the-access-key-secret"}
    guitai = [sys.executable, "-m", "pos_app.cli"]
    emu = subprocess.Popen(
        [*guitai, "emulate", "sms", "--port", "0", "--access-key-id", "LTAIcli",
         "--access-key-secret", "env:SMS_SECRET"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        try:
            assert emu.stdout is not None
            sms_url = emu.stdout.readline().split(" on ", 1)[1].split("/ ;", 1)[0]
            cloud = subprocess.Popen(
                [*guitai, "cloud", "serve", "--db", str(db_path), "--port", str(port),
                 "--sms-url", sms_url + "/", "--sms-access-key-id", "LTAIcli",
                 "--sms-secret", "env:SMS_SECRET", "--sms-sign-name", "青衫"],
                stdout=out, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
            try:
                url = f"http://127.0.0.1:{port}"
                wait_ready(url, cloud, log)
                r = httpx.post(f"{url}/r/{token}/join/code", json={"phone": PHONE})
                assert r.status_code == 200, r.text
                msgs = httpx.get(f"{sms_url}/messages", params={"phone": PHONE}).json()
                assert len(msgs) == 1 and msgs[0]["text"].startswith("【青衫】您的验证码为")
                code = msgs[0]["params"]["code"]
                r = httpx.post(
                    f"{url}/r/{token}/join", json={"phone": PHONE, "code": code, "consent": True}
                )
                assert r.status_code == 200, r.text
                assert (r.json()["claim"], r.json()["points_credited"]) == ("pending", 0)
                for proc in (emu, cloud):
                    cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
                    assert b"the-access-key-secret" not in cmdline
            finally:
                cloud.terminate()
                cloud.wait(timeout=20)
        finally:
            emu.terminate()
            emu.communicate(timeout=10)
