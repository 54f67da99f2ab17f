"""`guitai payments configure aggregator` and `guitai payments checkin`: the till as a terminal
of an aggregator acquirer (聚合支付, drivers/aggregator)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import click

from pos_app.cli.common import emit, json_option, read_secret
from pos_app.domain.errors import InvalidInput, NotFound, StateError

from .payments_cmds import _providers, _public_settings, configure, payments

APP_ID = "guitai-pos"


def _device_id() -> str:
    # Unique per till under the vendor's app id (the acquirer's rule), stable across restarts.
    return f"guitai-{socket.gethostname()}"[:128]


def _acquirer_error(err: Exception, url: str) -> InvalidInput:
    return InvalidInput(
        f"The acquirer at {url} did not activate this till ({err}): check the URL, the vendor "
        "sn/key and that the activation code is fresh (ask the acquirer for a new one)",
        f"收单机构 {url} 未能激活本收银台（{err}）：请检查地址、服务商序列号/密钥，"
        "以及激活码是否有效（可向收单机构申请新的激活码）",
    )


@configure.command("aggregator")
@click.option("--url", required=True, help="The acquirer's API base URL.")
@click.option("--vendor-sn", required=True, help="The vendor's serial number (vendor_sn).")
@click.option(
    "--vendor-key",
    help="The vendor's key (used once, to sign the activation; never stored). Or set "
    "GUITAI_AGGREGATOR_VENDOR_KEY, or type it at the hidden prompt.",
)
@click.option("--code", required=True, help="The activation code the acquirer issued.")
@click.option("--timeout", default=10.0, show_default=True, type=float)
@json_option
@click.pass_context
def configure_aggregator(
    ctx: click.Context,
    url: str,
    vendor_sn: str,
    vendor_key: str | None,
    code: str,
    timeout: float,
    as_json: bool,
) -> None:
    """Activate this till as a terminal of an aggregator acquirer (WeChat, Alipay, UnionPay QR
    and digital RMB payment codes through one API).

    The terminal key it receives is stored sealed (keys/secrets.key) and never printed."""
    from drivers.aggregator.driver import activate
    from drivers.common.payment_errors import PaymentDriverError

    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"{url} is not an http(s) URL", f"{url} 不是 http(s) 地址")
    key = vendor_key or read_secret("GUITAI_AGGREGATOR_VENDOR_KEY", "Vendor key")
    if not key:
        raise InvalidInput(
            "The vendor key is empty: pass --vendor-key or set GUITAI_AGGREGATOR_VENDOR_KEY",
            "服务商密钥为空：请使用 --vendor-key 或设置 GUITAI_AGGREGATOR_VENDOR_KEY",
        )
    try:
        terminal = activate(
            url,
            vendor_sn=vendor_sn,
            vendor_key=key,
            app_id=APP_ID,
            code=code,
            device_id=_device_id(),
            timeout=timeout,
        )
    except (PaymentDriverError, ValueError) as err:
        raise _acquirer_error(err, url) from err
    settings: dict[str, Any] = {
        "terminal_sn": terminal.terminal_sn,
        "key": terminal.terminal_key,
        "device_id": _device_id(),
        "timeout": timeout,
    }
    _providers(ctx).put("aggregator", url, settings, datetime.now(UTC))
    emit(
        {"provider": "aggregator", "url": url, "settings": _public_settings(settings)},
        as_json,
        f"聚合支付已激活：{url}（终端号 {terminal.terminal_sn}）\n"
        f"Aggregator activated: {url} (terminal_sn {terminal.terminal_sn})",
    )


@payments.command("checkin")
@json_option
@click.pass_context
def checkin(ctx: click.Context, as_json: bool) -> None:
    """Check in with the aggregator acquirer: it hands out a new terminal key, stored sealed
    (the acquirer expects a check-in each day; run it from a daily timer)."""
    from drivers.aggregator.driver import UpayClient
    from drivers.common.payment_errors import PaymentDriverError

    store = _providers(ctx)
    row = store.get("aggregator")
    if row is None:
        raise NotFound(
            "No aggregator is set up: run `guitai payments configure aggregator` first",
            "未配置聚合支付：请先运行 guitai payments configure aggregator",
        )
    url, settings = row
    client = UpayClient(
        url,
        terminal_sn=settings["terminal_sn"],
        terminal_key=settings["key"],
        timeout=float(settings.get("timeout", 10.0)),
    )
    try:
        terminal = client.checkin(settings.get("device_id") or _device_id())
    except (PaymentDriverError, ValueError) as err:
        raise StateError(
            f"Check-in with {url} failed ({err}): the old terminal key is still in use; try "
            "again when the link is back",
            f"向 {url} 签到失败（{err}）：仍使用原终端密钥；请在网络恢复后重试",
        ) from err
    settings.update(terminal_sn=terminal.terminal_sn, key=terminal.terminal_key)
    store.put("aggregator", url, settings, datetime.now(UTC))
    emit(
        {"provider": "aggregator", "checked_in": True, "terminal_sn": terminal.terminal_sn},
        as_json,
        f"已签到，终端密钥已更新（终端号 {terminal.terminal_sn}）\n"
        f"Checked in; terminal key rotated (terminal_sn {terminal.terminal_sn})",
    )
