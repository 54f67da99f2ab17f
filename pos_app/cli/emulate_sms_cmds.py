"""`guitai emulate sms --port N`: the SMS provider emulator (drivers/sms), for the cloud's
join page in demos and tests (`guitai cloud serve --sms-url http://127.0.0.1:N/`)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pos_app.cli.emulate_pay_cmds import _serve
from pos_app.domain.errors import InvalidInput


def _secret(ref: str) -> str:
    """env:VAR or @FILE (a literal would show in the process list): the secret it names."""
    value = ""
    if ref.startswith("env:"):
        value = os.environ.get(ref[4:], "")
    elif ref.startswith("@"):
        try:
            value = Path(ref[1:]).read_text(encoding="utf-8").strip()
        except OSError:
            value = ""
    else:
        raise InvalidInput(
            "--access-key-secret takes a reference, not the secret itself: pass env:VAR "
            "(the secret in the environment variable VAR) or @FILE",
            "--access-key-secret 只接受引用，不接受密钥本身：请使用 env:变量名 或 @文件路径",
        )
    if not value:
        raise InvalidInput(
            f"--access-key-secret {ref}: the variable or file is missing or empty; put the "
            "secret there and start again",
            f"--access-key-secret {ref}：对应的环境变量或文件不存在或为空；请写入密钥后重试",
        )
    return value


@click.command(name="sms")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="TCP port (0: any free port).")
@click.option("--access-key-id", default="LTAIemulator", show_default=True)
@click.option(
    "--access-key-secret",
    default=None,
    metavar="env:VAR|@FILE",
    help="The AccessKey secret requests are signed with (default: emulator-secret).",
)
@click.option(
    "--template",
    "templates",
    multiple=True,
    metavar="CODE=TEXT",
    help="Another SMS template, e.g. SMS_1=您的验证码为${code} (repeatable).",
)
def emulate_sms(
    host: str,
    port: int,
    access_key_id: str,
    access_key_secret: str | None,
    templates: tuple[str, ...],
) -> None:
    """An SMS provider in the shape of Aliyun's dysmsapi SendSms (signed requests checked);
    what it "sent" is listed at GET /messages?phone=PHONE (newest first)."""
    from drivers.sms.emulator import SmsEmulator

    extra = {}
    for t in templates:
        code, sep, text = t.partition("=")
        if not sep or not code:
            raise InvalidInput(
                f"--template {t!r}: write CODE=TEXT", f"--template {t!r}：格式应为 模板代码=内容"
            )
        extra[code] = text
    secret = _secret(access_key_secret) if access_key_secret else "emulator-secret"
    emu = SmsEmulator(
        host, port, access_key_id=access_key_id, access_key_secret=secret, templates=extra
    )
    _serve(emu, f"SMS emulator (Aliyun SendSms) on {emu.url}/ ; messages at {emu.url}/messages")
