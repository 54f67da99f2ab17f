"""`guitai payments …` (providers, attempts, recovery, terminal admin) and the payment
emulators (`zvt`, `wechatpay`, `alipay`, to be attached to the `guitai emulate` group)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pos_app.cli.common import emit, json_option, obj
from pos_app.domain.errors import InvalidInput

if TYPE_CHECKING:
    from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
    from pos_app.services.payments import PaymentService

SECRET_KEYS = ("key",)


def _service(ctx: click.Context, terminal: str | None = None) -> PaymentService:
    from pos_app.adapters.payments_wiring import build_payment_service
    from pos_app.domain.ports import SystemClock

    conn = obj(ctx).database().conn
    return build_payment_service(
        conn, SystemClock(), terminal=("T1", terminal) if terminal else None
    )


def _providers(ctx: click.Context) -> SqlitePaymentProviders:
    from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders

    return SqlitePaymentProviders(obj(ctx).database().conn)


def _public_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return {k: ("********" if k in SECRET_KEYS else v) for k, v in settings.items()}


@click.group()
def payments() -> None:
    """Card terminal and WeChat Pay / Alipay payment codes: set up, check, recover."""


@payments.group()
def configure() -> None:
    """Set a payment-code provider's URL and merchant credentials."""


@configure.command("wechat")
@click.option(
    "--url", required=True, help="WeChat Pay v2 base URL, e.g. https://api.mch.weixin.qq.com"
)
@click.option("--appid", required=True, help="The merchant's app id (appid).")
@click.option("--mch-id", required=True, help="Merchant number (mch_id).")
# Refused, not read: a key on the command line is visible to every user of the PC in the
# process list (ps) and stays in the shell's history.
@click.option(
    "--key", hidden=True, help="Refused: the key is read from GUITAI_WECHAT_KEY or asked."
)
@click.option(
    "--sign-type",
    type=click.Choice(["MD5", "HMAC-SHA256"]),
    default="HMAC-SHA256",
    show_default=True,
)
@click.option(
    "--cert-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Client certificate (PEM) for reverse/refund (/secapi/).",
)
@click.option(
    "--cert-key-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Private key of the client certificate (PEM).",
)
@click.option("--timeout", type=float, default=10.0, show_default=True)
@json_option
@click.pass_context
def configure_wechat(
    ctx: click.Context,
    url: str,
    appid: str,
    mch_id: str,
    key: str | None,
    sign_type: str,
    cert_file: str | None,
    cert_key_file: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """WeChat Pay v2 (micropay, orderquery, reverse, refund).

    The merchant's API key is read from the GUITAI_WECHAT_KEY environment variable or a
    hidden prompt, never from the command line; it is stored sealed (keys/secrets.key)."""
    from .common import read_secret

    if key is not None:
        raise InvalidInput(
            "--key is refused: a key on the command line shows in the process list and the "
            "shell history. Leave it out and type the key at the hidden prompt, or set "
            "GUITAI_WECHAT_KEY; change the key in the WeChat Pay merchant platform if this "
            "command line was shared",
            "不接受 --key：命令行中的密钥会出现在进程列表和命令历史中。请去掉 --key，在隐藏提示中"
            "输入密钥，或设置环境变量 GUITAI_WECHAT_KEY；如该命令行已泄露，请在微信支付商户平台更换密钥",
        )
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"{url} is not an http(s) URL", f"{url} 不是 http(s) 地址")
    key = read_secret("GUITAI_WECHAT_KEY", "WeChat Pay API key")
    if not key:
        raise InvalidInput(
            "The WeChat Pay API key is empty: set GUITAI_WECHAT_KEY or type it at the prompt",
            "微信支付 API 密钥为空：请设置 GUITAI_WECHAT_KEY 或在提示时输入",
        )
    settings: dict[str, Any] = {
        "appid": appid,
        "mch_id": mch_id,
        "key": key,
        "sign_type": sign_type,
        "timeout": timeout,
    }
    if cert_file:
        if not cert_key_file:
            raise InvalidInput(
                "--cert-file needs --cert-key-file", "--cert-file 需要 --cert-key-file"
            )
        settings["cert_file"], settings["key_file"] = cert_file, cert_key_file
    _providers(ctx).put("wechat", url, settings, datetime.now(UTC))
    emit(
        {"provider": "wechat", "url": url, "settings": _public_settings(settings)},
        as_json,
        f"微信支付已配置：{url}（商户号 {mch_id}）\nWeChat Pay configured: {url} (mch_id {mch_id})",
    )


@configure.command("alipay")
@click.option("--url", required=True, help="Gateway, e.g. https://openapi.alipay.com/gateway.do")
@click.option("--app-id", required=True)
@click.option(
    "--private-key-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The app's RSA private key (PEM): requests are signed RSA2 with it.",
)
@click.option(
    "--alipay-public-key-file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Alipay's public key (PEM): answers are checked with it.",
)
@click.option("--timeout", type=float, default=10.0, show_default=True)
@json_option
@click.pass_context
def configure_alipay(
    ctx: click.Context,
    url: str,
    app_id: str,
    private_key_file: str,
    alipay_public_key_file: str,
    timeout: float,
    as_json: bool,
) -> None:
    """Alipay (alipay.trade.pay scene=bar_code, query, cancel, refund)."""
    from drivers.alipay.driver import load_private_key, load_public_key

    try:
        load_private_key(Path(private_key_file).read_bytes())
        load_public_key(Path(alipay_public_key_file).read_bytes())
    except ValueError as err:
        raise InvalidInput(f"Key file not usable: {err}", f"密钥文件无法使用：{err}") from err
    settings = {
        "app_id": app_id,
        "private_key_file": str(Path(private_key_file).resolve()),
        "alipay_public_key_file": str(Path(alipay_public_key_file).resolve()),
        "timeout": timeout,
    }
    _providers(ctx).put("alipay", url, settings, datetime.now(UTC))
    emit(
        {"provider": "alipay", "url": url, "settings": settings},
        as_json,
        f"支付宝已配置：{url}（应用 {app_id}）\nAlipay configured: {url} (app {app_id})",
    )


@payments.command("providers")
@json_option
@click.pass_context
def providers_cmd(ctx: click.Context, as_json: bool) -> None:
    """The configured providers (credentials hidden)."""
    store = _providers(ctx)
    rows = []
    for name in store.names():
        got = store.get(name)
        assert got is not None
        rows.append({"name": name, "url": got[0], "settings": _public_settings(got[1])})
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(f"{r['name']}\t{r['url']}" for r in rs)
            or "未配置支付服务 no providers configured"
        ),
    )


def _attempt_dict(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "kind": a.kind,
        "sale_id": a.sale_id,
        "tender": a.tender,
        "amount_fen": a.amount_fen,
        "state": str(a.state),
        "provider": a.provider,
        "out_trade_no": a.out_trade_no,
        "provider_ref": a.provider_ref,
        "auth_code_masked": a.auth_code_masked,
        "card_type": a.card_type,
        "masked_pan": a.masked_pan,
        "terminal_ref": a.terminal_ref,
        "started_at": a.started_at.isoformat(),
        "updated_at": a.updated_at.isoformat(),
        "error": a.error,
    }


@payments.command("list")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--sale", "sale_id", help="Only the attempts of this sale.")
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, limit: int, sale_id: str | None, as_json: bool) -> None:
    """Recent payment attempts, newest first."""
    from pos_app.adapters.db.repositories.payments import SqlitePaymentAttempts

    rows = [
        _attempt_dict(a)
        for a in SqlitePaymentAttempts(obj(ctx).database().conn).list(limit=limit, sale_id=sale_id)
    ]
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['started_at'][:19]}  {r['id'][:12]}  {r['kind']:6} {r['tender']:6} "
                f"{r['amount_fen'] / 100:>10.2f}  {r['state']:9} {r['masked_pan'] or ''}"
                for r in rs
            )
            or "no payment attempts"
        ),
    )


@payments.command("recover")
@click.option(
    "--void-unattached/--keep-unattached",
    default=True,
    show_default=True,
    help="Reverse approvals whose sale never completed (the CLI has no open sale to "
    "complete them with); --keep-unattached only lists them.",
)
@click.option(
    "--min-age",
    type=float,
    default=0.0,
    show_default=True,
    help="Skip attempts younger than this many seconds (a sale may still be running).",
)
@click.option("--terminal", help="Card terminal URI (default: the terminal device).")
@json_option
@click.pass_context
def recover_cmd(
    ctx: click.Context, void_unattached: bool, min_age: float, terminal: str | None, as_json: bool
) -> None:
    """Resolve unknown payments by asking the terminal or provider; void orphan approvals."""
    outcomes = _service(ctx, terminal).recover(void_unattached=void_unattached, min_age_s=min_age)
    rows = [_slots(o) for o in outcomes]
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(
                f"{r['attempt_id'][:12]}  {r['tender']:6} {r['amount_fen'] / 100:>10.2f}  "
                f"{r['before']} → {r['after']}  {r['action']}  {r['message']}"
                for r in rs
            )
            or "nothing to recover"
        ),
    )
    if any(r["action"] in ("still_unknown", "void_failed") for r in rows):
        ctx.exit(3)


def _slots(o: Any) -> dict[str, Any]:
    return {name: getattr(o, name) for name in o.__slots__}


@payments.command("void")
@click.argument("attempt_ids", nargs=-1, required=True)
@click.option("--terminal", help="Card terminal URI (default: the terminal device).")
@json_option
@click.pass_context
def void_cmd(
    ctx: click.Context, attempt_ids: tuple[str, ...], terminal: str | None, as_json: bool
) -> None:
    """Reverse approved payments whose sale never completed."""
    outcomes = _service(ctx, terminal).void_unattached(list(attempt_ids))
    rows = [_slots(o) for o in outcomes]
    emit(
        rows,
        as_json,
        lambda rs: (
            "\n".join(f"{r['attempt_id']}  {r['action']}" for r in rs)
            or "nothing voided (not approved, or unknown id)"
        ),
    )


@payments.command("terminal")
@click.argument(
    "action", type=click.Choice(["register", "status", "end-of-day", "repeat-receipt", "abort"])
)
@click.option("--uri", help="zvt+tcp://HOST:PORT or zvt+serial:///dev/… (default: the device).")
@json_option
@click.pass_context
def terminal_cmd(ctx: click.Context, action: str, uri: str | None, as_json: bool) -> None:
    """ZVT terminal administration: registration, status, end of day, last receipt, abort."""
    from drivers.common.payment_errors import PaymentDriverError
    from drivers.zvt.driver import client_from_uri
    from pos_app.adapters.payments_wiring import terminal_uri
    from pos_app.domain.payments import PaymentUnavailable, scrub_card_numbers

    if uri is None:
        found = terminal_uri(obj(ctx).database().conn)
        if found is None:
            raise InvalidInput(
                "No terminal: pass --uri or add one with `guitai devices add T1 "
                "--kind terminal --uri zvt+tcp://HOST:20007`",
                "未配置终端：请用 --uri 指定或先添加终端设备",
            )
        uri = found[1]
    try:
        client = client_from_uri(uri)
    except ValueError as err:
        raise InvalidInput(f"{uri}: {err}", f"终端地址无效：{err}") from err
    try:
        if action == "abort":
            client.abort()
            emit({"action": action, "ok": True}, as_json, "已发送中止 abort sent")
            return
        call = {
            "register": client.register,
            "status": client.status_enquiry,
            "end-of-day": client.end_of_day,
            "repeat-receipt": client.repeat_receipt,
        }[action]
        r = call()
    except PaymentDriverError as err:
        raise PaymentUnavailable(
            f"The terminal at {uri} did not answer: {err}", f"终端 {uri} 无应答：{err}"
        ) from err
    data = {
        "action": action,
        "ok": r.approved,
        "result": f"{r.result_code:02X}",
        "message": r.message[0],
        "info": r.info.as_dict() if r.info else None,
        "slip": [scrub_card_numbers(s) for s in r.print_lines],
    }
    emit(
        data,
        as_json,
        lambda d: "\n".join(
            [
                f"{d['action']}: {'成功 OK' if d['ok'] else '失败 FAILED'} ({d['message']})",
                *d["slip"],
            ]
        ),
    )


def _attach_aggregator() -> None:
    # The aggregator's commands live in their own module; importing it adds them to the groups.
    from pos_app.cli import payments_aggregator_cmds  # noqa: F401


_attach_aggregator()
