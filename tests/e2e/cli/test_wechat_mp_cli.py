"""`guitai emulate wechat-mp` and `guitai cloud serve --wechat-…` as a person runs them (issue
19, item 2): the emulator in its own process speaks WeChat's API shapes and errcodes; the
AppSecret and the push token are given as env:VAR or @FILE, a literal is refused with a
message in Chinese and English, and no secret is ever printed."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import paths

ROOT = paths.ROOT
SECRET = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
APPID = "wx5f3e0c1d2b4a6978"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env | extra


def guitai(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app.cli", *args],
        capture_output=True,
        text=True,
        env=_env(**env),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_the_emulator_speaks_wechats_api_with_secrets_by_reference(tmp_path: Path) -> None:
    token_file = tmp_path / "push-token"
    token_file.write_text("push-token-123\n", encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "pos_app.cli", "emulate", "wechat-mp", "--port", "0",
            "--appid", APPID, "--secret", "env:WX_APP_SECRET", "--token", f"@{token_file}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(WX_APP_SECRET=SECRET),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = ""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not line and proc.poll() is None:
            if select.select([proc.stdout], [], [], 0.1)[0]:
                line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, line
        url = found.group(0)
        get = httpx.get(
            f"{url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": APPID, "secret": SECRET},
        ).json()
        assert set(get) == {"access_token", "expires_in"} and get["expires_in"] == 7200
        bad_secret = httpx.get(
            f"{url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": APPID, "secret": "nope"},
        ).json()
        assert bad_secret["errcode"] == 40125
        bad_appid = httpx.get(
            f"{url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": "wx0", "secret": SECRET},
        ).json()
        assert bad_appid["errcode"] == 40013
        body = {
            "expire_seconds": 604800,
            "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": "r.0a1b2c3d.7.S001.A07"}},
        }
        made = httpx.post(
            f"{url}/cgi-bin/qrcode/create", params={"access_token": get["access_token"]}, json=body
        ).json()
        assert set(made) == {"ticket", "expire_seconds", "url"} and made["expire_seconds"] == 604800
        assert made["url"].startswith("http://weixin.qq.com/q/")
        stale = httpx.post(
            f"{url}/cgi-bin/qrcode/create", params={"access_token": "not-issued"}, json=body
        ).json()
        assert stale["errcode"] == 40001
        image = httpx.get(f"{url}/cgi-bin/showqrcode", params={"ticket": made["ticket"]})
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        assert httpx.get(f"{url}/cgi-bin/showqrcode", params={"ticket": "x"}).status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        out = (proc.stdout.read() if proc.stdout else "") + line
        err = proc.stderr.read() if proc.stderr else ""
        for s in (proc.stdout, proc.stderr):
            if s:
                s.close()
    assert SECRET not in out + err and "push-token-123" not in out + err


def test_a_literal_secret_is_refused_with_what_to_do(tmp_path: Path) -> None:
    emulate = ["emulate", "wechat-mp", "--port", "0", "--appid", APPID]
    literal = guitai(*emulate, "--secret", SECRET, "--token", "env:WX_T", WX_T="t")
    assert literal.returncode == 2
    assert "--secret" in literal.stderr and "env:VAR" in literal.stderr
    assert "环境变量" in literal.stderr and SECRET not in literal.stdout + literal.stderr
    unset = guitai(*emulate, "--secret", "env:WX_NOT_SET", "--token", "env:WX_T", WX_T="t")
    assert unset.returncode == 2 and "WX_NOT_SET" in unset.stderr and "未设置" in unset.stderr
    missing = guitai(*emulate, "--secret", f"@{tmp_path / 'none'}", "--token", "env:WX_T", WX_T="t")
    assert missing.returncode == 2 and "无法读取" in missing.stderr

    db = tmp_path / "c.db"
    serve = ["cloud", "serve", "--db", str(db), "--port", "0"]
    mp = ["--wechat-mp-url", "http://127.0.0.1:9", "--wechat-appid", APPID]
    refused = guitai(*serve, *mp, "--wechat-secret", SECRET)
    assert refused.returncode == 2 and "--wechat-secret" in refused.stderr
    assert "env:VAR" in refused.stderr and "@" in refused.stderr and "密钥" in refused.stderr
    assert SECRET not in refused.stdout + refused.stderr
    partial = guitai(*serve, "--wechat-appid", APPID)
    assert partial.returncode == 2 and "--wechat-mp-url" in partial.stderr
    assert not db.exists()  # refused before anything started


class Proc:
    """A `guitai …` process; `wait_for(pattern)` reads its output until a line matches."""

    def __init__(self, *args: str, **env: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pos_app.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_env(**env),
        )
        self.output = ""

    def wait_for(self, pattern: str) -> re.Match[str]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.proc.poll() is None:
            if select.select([self.proc.stdout], [], [], 0.1)[0]:
                self.output += self.proc.stdout.readline()
                found = re.search(pattern, self.output)
                if found:
                    return found
        raise AssertionError(f"no {pattern!r} in: {self.output}")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)
        if self.proc.stdout:
            self.output += self.proc.stdout.read()
            self.proc.stdout.close()
        return self.output


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_follow_loop_between_the_served_cloud_and_the_emulator_processes(
    tmp_path: Path,
) -> None:
    from ereceipt_kit import start_rig

    from cloud.db import CloudDB
    from cloud.members.funnel import Funnel
    from cloud.receipt_lookup import SyncedReceipts

    db = tmp_path / "cloud.db"
    rig = start_rig(tmp_path, str(db))  # a store, an enrolled till, two synced sales
    token = rig.token(1)
    rig.stop()
    secrets = {"WX_APP_SECRET": SECRET, "WX_PUSH_TOKEN": "push-token-456"}
    port = free_port()
    emulator = Proc(
        "emulate", "wechat-mp", "--port", "0", "--appid", APPID, "--secret", "env:WX_APP_SECRET",
        "--token", "env:WX_PUSH_TOKEN", "--push-url", f"http://127.0.0.1:{port}/wechat/push",
        **secrets,
    )  # fmt: skip
    emu_url = emulator.wait_for(r"http://127\.0\.0\.1:\d+").group(0)
    cloud = Proc(
        "cloud", "serve", "--db", str(db), "--port", str(port), "--account-name", "青衫服饰",
        "--wechat-mp-url", emu_url, "--wechat-appid", APPID, "--wechat-secret",
        "env:WX_APP_SECRET",
        GUITAI_WECHAT_TOKEN="push-token-456", **secrets,
    )  # fmt: skip
    try:
        cloud.wait_for(r"cloud on http://")
        deadline = time.monotonic() + 20
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/R/{token}")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        ticket = re.search(r'data-ticket="([^"]+)"', page.text)
        assert page.status_code == 200 and ticket, page.text
        scan = httpx.post(
            f"{emu_url}/test/scan", json={"ticket": ticket.group(1), "openid": "oE2E", "retries": 1}
        ).json()
        assert scan["event"] == "subscribe" and scan["event_key"].endswith(".S001.A07")
        assert [a["body"] for a in scan["answers"]] == ["success", "success"]
    finally:
        out = cloud.stop() + emulator.stop()
    assert SECRET not in out and "push-token-456" not in out
    cdb = CloudDB(str(db))
    try:
        funnel = Funnel(cdb, lambda: datetime.now(UTC), SyncedReceipts(cdb)).funnel("S001")
        assert [(r["associate"], r["follows"]) for r in funnel if r["follows"]] == [("A07", 1)]
    finally:
        cdb.close()


def test_inside_wechat_the_follower_who_joins_is_one_person_across_the_processes(
    tmp_path: Path,
) -> None:
    """A visitor scans the receipt's follow code, then opens the join page in WeChat's browser:
    the cloud sends them through the emulator's snsapi_base authorize, learns the same openid,
    and the member they become is the follower."""
    from ereceipt_kit import start_rig

    from cloud.db import CloudDB
    from cloud.service import CloudService

    wechat_ua = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Mobile Safari/537.36 MicroMessenger/8.0.49.2600 NetType/WIFI Language/zh_CN"
    )
    phone_no, openid = "13712345678", "oJoinedFromTheReceipt"
    db = tmp_path / "cloud.db"
    rig = start_rig(tmp_path, str(db))  # receipt 2: associate A08, sold to no member
    token = rig.token(2)
    rig.stop()
    secrets = {"WX_APP_SECRET": SECRET, "WX_PUSH_TOKEN": "push-token-789", "SMS_SECRET": "sms-k"}
    port = free_port()
    cloud_url = f"http://127.0.0.1:{port}"
    emulator = Proc(
        "emulate", "wechat-mp", "--port", "0", "--appid", APPID, "--secret", "env:WX_APP_SECRET",
        "--token", "env:WX_PUSH_TOKEN", "--push-url", f"{cloud_url}/wechat/push", **secrets,
    )  # fmt: skip
    sms = Proc(
        "emulate", "sms", "--port", "0", "--access-key-id", "LTAIe2e",
        "--access-key-secret", "env:SMS_SECRET", **secrets,
    )  # fmt: skip
    emu_url = emulator.wait_for(r"http://127\.0\.0\.1:\d+").group(0)
    sms_url = sms.wait_for(r"http://127\.0\.0\.1:\d+").group(0)
    cloud = Proc(
        "cloud", "serve", "--db", str(db), "--port", str(port), "--public-url", cloud_url,
        "--account-name", "青衫服饰", "--wechat-mp-url", emu_url, "--wechat-appid", APPID,
        "--wechat-secret", "env:WX_APP_SECRET", "--sms-url", sms_url + "/",
        "--sms-access-key-id", "LTAIe2e", "--sms-secret", "env:SMS_SECRET",
        "--sms-sign-name", "青衫", GUITAI_WECHAT_TOKEN="push-token-789", **secrets,
    )  # fmt: skip
    try:
        cloud.wait_for(r"cloud on http://")
        deadline = time.monotonic() + 20
        while True:
            try:
                page = httpx.get(f"{cloud_url}/r/{token}")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        ticket = re.search(r'data-ticket="([^"]+)"', page.text)
        assert page.status_code == 200 and ticket, page.text
        scan = httpx.post(
            f"{emu_url}/test/scan", json={"ticket": ticket.group(1), "openid": openid}
        )
        assert scan.json()["event"] == "subscribe"
        assert [a["body"] for a in scan.json()["answers"]] == ["success"]
        # the same WeChat user now browses: the phone that scanned opens the join page
        assert httpx.post(f"{emu_url}/test/browse", json={"openid": openid}).status_code == 200
        with httpx.Client(headers={"User-Agent": wechat_ua}) as browser:
            join = browser.get(f"{cloud_url}/r/{token}/join", follow_redirects=True)
            assert join.status_code == 200 and "入会领积分" in join.text, join.text
            hops = [str(r.url).split("?")[0] for r in join.history]
            assert hops == [
                f"{cloud_url}/r/{token}/join",
                f"{emu_url}/connect/oauth2/authorize",
                f"{cloud_url}/wx/oauth",
            ]
            assert openid not in str(join.url) and all(openid not in h for h in hops)
            sent = browser.post(f"{cloud_url}/r/{token}/join/code", json={"phone": phone_no})
            assert sent.status_code == 200, sent.text
            msgs = httpx.get(f"{sms_url}/messages", params={"phone": phone_no}).json()
            joined = browser.post(
                f"{cloud_url}/r/{token}/join",
                json={"phone": phone_no, "code": msgs[0]["params"]["code"], "consent": True},
            )
            assert joined.status_code == 200, joined.text
            member_id = joined.json()["member_id"]
            assert joined.json()["points_credited"] > 0
    finally:
        out = cloud.stop() + sms.stop() + emulator.stop()
    assert SECRET not in out and "push-token-789" not in out
    cdb = CloudDB(str(db))
    try:
        svc = CloudService(cdb, ereceipt_base_url="")
        assert svc.members.followers.is_following(openid)  # the follow came from the scan
        assert svc.joining.member_of_openid(openid) == member_id  # the member is that follower
    finally:
        cdb.close()
