"""The wired PaymentService: the card terminal from the devices table and every provider in
payment_providers, each behind its port."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.alipay.driver import AlipayClient
from drivers.wechatpay.driver import WechatPayV2

from .alipay import AlipayPort
from .common import Lookup
from .wechatpay import WechatPort
from .zvt import ZvtPort


def wallet_port(
    name: str, url: str, settings: dict[str, Any], lookup: Lookup, **kw: Any
) -> WechatPort | AlipayPort:
    """Build a provider's port from its payment_providers row."""
    timing = {
        k: float(settings[k]) for k in ("poll_interval_s", "give_up_after_s") if k in settings
    }
    timing.update(kw)
    timeout = float(settings.get("timeout", 10.0))
    if name == "wechat":
        cert = (settings["cert_file"], settings["key_file"]) if settings.get("cert_file") else None
        client = WechatPayV2(
            url,
            appid=settings["appid"],
            mch_id=settings["mch_id"],
            key=settings["key"],
            sign_type=settings.get("sign_type", "MD5"),
            timeout=timeout,
            cert=cert,
        )
        return WechatPort(client, lookup, **timing)
    if name == "alipay":
        alipay = AlipayClient.from_files(
            url,
            app_id=settings["app_id"],
            private_key_file=Path(settings["private_key_file"]),
            alipay_public_key_file=Path(settings["alipay_public_key_file"]),
            timeout=timeout,
        )
        return AlipayPort(alipay, lookup, **timing)
    raise ValueError(f"unknown payment provider {name!r}")


def terminal_uri(conn: Any) -> tuple[str, str] | None:
    """(name, uri) of the first payment terminal in the devices table (migration 0002, owned by
    the devices area), or None.  Absent table → None, so payments work without it."""
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'devices'"
    ).fetchone()
    if not has:
        return None
    row = conn.execute(
        "SELECT name, uri FROM devices WHERE kind = 'terminal' ORDER BY name LIMIT 1"
    ).fetchone()
    return (row[0], row[1]) if row else None


def build_payment_service(
    conn: Any,
    clock: Any,
    *,
    terminal: tuple[str, str] | None = None,
    timing: dict[str, float] | None = None,
    zvt_timeout: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Any:
    """The wired PaymentService: the card terminal (given, else from the devices table) and
    every provider in payment_providers.  timing: poll_interval_s / give_up_after_s overrides."""
    from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.payments import PaymentService

    uow = SqliteUnitOfWork(conn)  # joins the till's own on the same connection
    providers = SqlitePaymentProviders(conn)
    timing = dict(timing or {})
    ports: dict[str, Any] = {}
    terminal = terminal or terminal_uri(conn)
    if terminal is not None:
        name, uri = terminal
        ports["card"] = ZvtPort.from_uri(
            uri, name=name, **({"timeout": zvt_timeout} if zvt_timeout else {}), **timing
        )
    for name in providers.names():
        row = providers.get(name)
        assert row is not None
        url, settings = row
        ports[name] = wallet_port(name, url, settings, uow.payments.get, **timing)
    kw: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    return PaymentService(uow, ports, clock, **kw)
