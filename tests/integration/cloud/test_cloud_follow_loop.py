"""Follow with attribution (issue 19, item 2): each receipt page carries its own temporary
follow QR code made by the official account's API (here `guitai emulate wechat-mp`'s
emulator), and the signed push a scan makes credits that receipt, its store and its
associate once: WeChat's retries, a second scan and a follower's SCAN count nothing."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from ereceipt_kit import APPID, start_rig

from cloud.follow_qr import FollowQrCodes, follow_scene
from cloud.wechat_mp import MpClient, MpError


def ticket_on_page(html: str) -> str:
    found = re.search(r'data-ticket="([^"]+)"', html)
    assert found, "the page shows no follow QR code"
    return found.group(1)


def funnel_row(svc, associate: str) -> dict:
    rows = [r for r in svc.members.funnel.funnel("S001") if r["associate"] == associate]
    assert len(rows) == 1
    return rows[0]


def test_a_scan_of_the_receipts_code_credits_receipt_store_and_associate_once(
    tmp_path: Path, cloud_db_url: str
) -> None:
    rig = start_rig(tmp_path, cloud_db_url)
    try:
        svc, emu = rig.cloud.service, rig.emulator
        url = f"{rig.cloud.url}/r/{rig.token(1)}"
        first = httpx.get(url)
        assert first.status_code == 200
        ticket = ticket_on_page(first.text)
        assert ticket in emu.tickets  # the code came from the official account's API
        scene = emu.tickets[ticket].scene_str
        assert scene.startswith("r.") and scene.endswith(".S001.A07") and len(scene) <= 64
        # fetched once per receipt: a reload, another visitor, show the same code
        again = httpx.get(url, headers={"User-Agent": "another phone"})
        assert ticket_on_page(again.text) == ticket and emu.qrcode_creates == 1
        assert emu.token_requests == 1

        scan = httpx.post(
            f"{emu.url}/test/scan", json={"ticket": ticket, "openid": "oFan1", "retries": 2}
        ).json()
        assert scan["event"] == "subscribe" and scan["event_key"] == "qrscene_" + scene
        assert [a["status"] for a in scan["answers"]] == [200, 200, 200]
        assert all(a["body"] == "success" for a in scan["answers"])
        assert funnel_row(svc, "A07")["follows"] == 1  # the retries were ignored

        # the same WeChat user scans again: a follower's SCAN, not a new follow
        rescan = httpx.post(f"{emu.url}/test/scan", json={"ticket": ticket, "openid": "oFan1"})
        assert rescan.json()["event"] == "SCAN" and rescan.json()["event_key"] == scene
        # another person follows from the same receipt: the receipt was followed already
        other = httpx.post(f"{emu.url}/test/scan", json={"ticket": ticket, "openid": "oFan2"})
        assert other.json()["event"] == "subscribe"
        assert funnel_row(svc, "A07")["follows"] == 1
        assert svc.members.followers.is_following("oFan1")
        assert svc.members.followers.is_following("oFan2")

        with svc.db.tx() as tx:
            follows = tx.execute(
                "SELECT follow_key, store_id, associate, source, openid FROM funnel_follows"
            ).fetchall()
        assert [tuple(r) for r in follows] == [(follows[0][0], "S001", "A07", "wechat", "oFan1")]
        assert follows[0][0].endswith(":1")  # receipt 1 is the one marked followed

        # receipt 2 has its own code and credits its own associate
        ticket2 = ticket_on_page(httpx.get(f"{rig.cloud.url}/r/{rig.token(2)}").text)
        assert ticket2 != ticket and emu.tickets[ticket2].scene_str.endswith(".S001.A08")
        httpx.post(f"{emu.url}/test/scan", json={"ticket": ticket2, "openid": "oFan3"})
        assert funnel_row(svc, "A08")["follows"] == 1
    finally:
        rig.stop()


def test_the_access_token_is_cached_and_refreshed_on_42001_and_40001(
    tmp_path: Path, cloud_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = start_rig(tmp_path, cloud_db_url)
    try:
        emu, db = rig.emulator, rig.cloud.db
        client = MpClient(db, emu.url, APPID, "0123456789abcdef0123456789abcdef")
        first = client.access_token()
        assert client.access_token() == first and emu.token_requests == 1
        # a second client (another worker) reads the token the first one stored
        other = MpClient(db, emu.url, APPID, "0123456789abcdef0123456789abcdef")
        assert other.access_token() == first and emu.token_requests == 1

        httpx.post(f"{emu.url}/test/expire-tokens")  # WeChat now answers 42001
        made = client.create_scene_qr("r.test.1", 60)
        assert made["ticket"] in emu.tickets and emu.token_requests == 2
        second = client.access_token()
        assert second != first

        with db.tx() as tx:  # a token WeChat never issued (replaced elsewhere): 40001
            tx.execute("UPDATE wechat_access_tokens SET access_token = 'stale'")
        client.create_scene_qr("r.test.2", 60)
        assert emu.token_requests == 3

        wrong = MpClient(db, emu.url, "wx_not_ours", "x")
        with db.tx() as tx:
            tx.execute("DELETE FROM wechat_access_tokens")
        with pytest.raises(MpError) as err:
            wrong.access_token()
        assert err.value.errcode == 40013
        assert "/cgi-bin/token" in caplog.text  # httpx logged the calls, without the secret
        assert "0123456789abcdef0123456789abcdef" not in caplog.text
    finally:
        rig.stop()


def test_without_the_official_account_the_page_still_serves(
    tmp_path: Path, cloud_db_url: str
) -> None:
    rig = start_rig(tmp_path, cloud_db_url)
    try:
        emu = rig.emulator
        emu._secret = "rotated-in-the-admin"  # the cloud's secret is now wrong: 40125
        page = httpx.get(f"{rig.cloud.url}/r/{rig.token(1)}")
        assert page.status_code == 200 and 'data-ticket="' not in page.text
        assert "关注「青衫服饰」" in page.text and "在微信中搜索公众号" in page.text
        assert emu.requests["/cgi-bin/token"] == 1
        # WeChat is not asked again for every page while it refuses
        assert 'data-ticket="' not in httpx.get(f"{rig.cloud.url}/r/{rig.token(2)}").text
        assert emu.requests["/cgi-bin/token"] == 1
        codes = FollowQrCodes(rig.cloud.db, None, rig.cloud.service.now, lambda: 0.0)
        assert codes.for_receipt({"device_id": "d", "store_id": "S001"}, "ab", 1, "") is None
    finally:
        rig.stop()


def test_the_scene_names_receipt_store_and_associate_in_at_most_64_characters() -> None:
    assert follow_scene("0a1b2c3d", 4294967295, "S001", "A07") == "r.0a1b2c3d.4294967295.S001.A07"
    long_ids = follow_scene("0a1b2c3d", 4294967295, "S" * 20, "A" * 20)
    assert len(long_ids) <= 64
    too_long = follow_scene("0a1b2c3d", 4294967295, "S" * 30, "A07")
    assert too_long.startswith("r.0a1b2c3d.4294967295.") and len(too_long) <= 64
    # a character WeChat's statistics or our parser would trip on is left out, not mangled
    assert follow_scene("0a1b2c3d", 7, "S.1", "A 7") == "r.0a1b2c3d.7.."


def test_workers_get_the_secrets_reference_and_read_it_themselves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atexit
    import json

    from cloud.ereceipt import CloudConfig
    from cloud.server import SERVE_ENV, app_from_env, serve_settings
    from pos_app.domain.errors import InvalidInput

    cfg = CloudConfig(
        wechat_mp_url="http://127.0.0.1:9",
        wechat_appid=APPID,
        wechat_secret_ref="env:WX_APP_SECRET",
        wechat_secret="the-app-secret-value",
    )
    settings = serve_settings(str(tmp_path / "c.db"), cfg, 1, 0)
    assert "the-app-secret-value" not in json.dumps(settings)
    assert settings["config"]["wechat_secret_ref"] == "env:WX_APP_SECRET"
    monkeypatch.setenv(SERVE_ENV, json.dumps(settings))
    closers: list = []
    monkeypatch.setattr(atexit, "register", closers.append)
    monkeypatch.delenv("WX_APP_SECRET", raising=False)
    with pytest.raises(InvalidInput):  # the worker reads the reference itself
        app_from_env()
    monkeypatch.setenv("WX_APP_SECRET", "the-app-secret-value")
    try:
        assert app_from_env() is not None
    finally:
        for close in closers:
            close()
