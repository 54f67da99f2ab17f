"""Every HTTP emulator runs on one loopback server (drivers/common/http_emulator.LoopbackServer):
the WeChat official account's emulator included, answering as it did (the redirect of its web
authorization, the AppSecret kept out of its log)."""

from __future__ import annotations

import logging

import httpx
import pytest

from drivers.aggregator.emulator import AggregatorEmulator
from drivers.alipay.emulator import AlipayEmulator
from drivers.common.http_emulator import LoopbackServer
from drivers.wechat_mp.emulator import WechatMpEmulator
from drivers.wechatpay.emulator import WechatPayEmulator

EMULATORS = [WechatPayEmulator, AlipayEmulator, AggregatorEmulator, WechatMpEmulator]


@pytest.mark.parametrize("kind", EMULATORS, ids=lambda k: k.__name__)
def test_each_emulator_has_the_one_server_lifecycle(kind: type) -> None:
    assert issubclass(kind, LoopbackServer)
    for own in ("start", "stop", "url", "__enter__", "__exit__"):
        assert getattr(kind, own) is getattr(LoopbackServer, own), f"{kind.__name__}.{own}"


def test_the_official_account_answers_as_before_on_the_base(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="drivers")
    with WechatMpEmulator(appid="wxapp", secret="s3cret-value", token="tok") as emu:
        got = httpx.get(
            emu.url + "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": "wxapp", "secret": "s3cret-value"},
        )
        assert got.status_code == 200 and got.json()["expires_in"] == 7200
        back = "http://127.0.0.1:1/join"
        authorized = httpx.get(
            emu.url + "/connect/oauth2/authorize",
            params={
                "appid": "wxapp",
                "redirect_uri": back,
                "response_type": "code",
                "scope": "snsapi_base",
                "state": "s1",
            },
        )
        assert authorized.status_code == 302
        assert authorized.headers["Location"].startswith(back + "?code=")
        assert httpx.post(emu.url + "/nowhere").status_code == 404
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "/cgi-bin/token" in logged and "secret=***" in logged
    assert "s3cret-value" not in logged
