"""`guitai emulate wechat-mp`: a WeChat official account (公众号) speaking WeChat's server API
(access tokens, parametric QR codes, their images, web authorization with snsapi_base) and
sending the signed follow pushes a scan makes, for the cloud's follow-with-attribution loop
and the join page's openid (docs/members.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pos_app.cli.emulate_pay_cmds import _serve
from pos_app.domain.secret_refs import resolve_secret


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


@click.command("wechat-mp")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8303, show_default=True, help="0: any free port.")
@click.option("--appid", required=True, help="The official account's AppID (wx…).")
@click.option(
    "--secret",
    required=True,
    metavar="env:VAR|@FILE",
    help="The account's AppSecret, as env:VAR or @FILE (a literal is refused).",
)
@click.option(
    "--push-url",
    default="",
    help="The server URL WeChat pushes events to (the cloud's /wechat/push).",
)
@click.option(
    "--token",
    required=True,
    metavar="env:VAR|@FILE",
    help="The server configuration's Token (signs the pushes), as env:VAR or @FILE.",
)
def emulate_wechat_mp(
    host: str, port: int, appid: str, secret: str, push_url: str, token: str
) -> None:
    """WeChat official account API: /cgi-bin/token, /cgi-bin/qrcode/create, /cgi-bin/showqrcode;
    web authorization (snsapi_base): /connect/oauth2/authorize, /sns/oauth2/access_token;
    POST /test/scan {"ticket", "openid"} simulates a user scanning a code (signed push);
    POST /test/browse {"openid"} names the WeChat user the authorize page signs in."""
    from drivers.wechat_mp.emulator import WechatMpEmulator

    app_secret = resolve_secret("--secret", secret, os.environ, _read)
    push_token = resolve_secret("--token", token, os.environ, _read)
    emu = WechatMpEmulator(
        host, port, appid=appid, secret=app_secret, token=push_token, push_url=push_url
    )
    _serve(emu, f"WeChat official account emulator on {emu.url} (appid {appid})")
