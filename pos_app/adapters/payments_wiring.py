"""The wired PaymentService: the card terminal from the devices table and every provider in
payment_providers, each behind its port.

Composition, not a payments adapter: it joins the SQLite attempts/providers (adapters.db) to the
ports in adapters.payments, which must not import the database side (import-linter contract)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from drivers.aggregator.driver import UpayClient
from drivers.alipay.driver import AlipayClient
from drivers.wechatpay.driver import WechatPayV2
from pos_app.adapters.payments.aggregator import AggregatorPort
from pos_app.adapters.payments.alipay import AlipayPort
from pos_app.adapters.payments.common import Lookup, PortTiming
from pos_app.adapters.payments.wechatpay import WechatPort
from pos_app.adapters.payments.zvt import ZvtPort
from pos_app.adapters.timing import SystemStopwatch
from pos_app.domain.payments import CODE_TENDERS, PaymentPort
from pos_app.domain.ports import Clock, Stopwatch

if TYPE_CHECKING:
    from pos_app.services.payments import PaymentService


def _timing(settings: dict[str, Any], kw: PortTiming) -> PortTiming:
    timing: PortTiming = {}
    if "poll_interval_s" in settings:
        timing["poll_interval_s"] = float(settings["poll_interval_s"])
    if "give_up_after_s" in settings:
        timing["give_up_after_s"] = float(settings["give_up_after_s"])
    timing.update(kw)
    return timing


def aggregator_ports(
    url: str,
    settings: dict[str, Any],
    lookup: Lookup,
    direct: dict[str, PaymentPort] | None = None,
    **kw: Unpack[PortTiming],
) -> dict[str, AggregatorPort]:
    """One port per wallet tender on the till's one activated aggregator terminal."""
    client = UpayClient(
        url,
        terminal_sn=settings["terminal_sn"],
        terminal_key=settings["key"],
        timeout=float(settings.get("timeout", 10.0)),
    )
    timing = _timing(settings, kw)
    by_provider = {p.provider: p for p in (direct or {}).values()}
    return {
        t: AggregatorPort(client, lookup, tender=t, direct=by_provider, **timing)
        for t in CODE_TENDERS
    }


def wallet_port(
    name: str,
    url: str,
    settings: dict[str, Any],  # the provider row's JSON settings, as the operator saved them
    lookup: Lookup,
    **kw: Unpack[PortTiming],
) -> WechatPort | AlipayPort:
    """Build a provider's port from its payment_providers row."""
    timing = _timing(settings, kw)
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


def terminal_uri(conn: sqlite3.Connection) -> tuple[str, str] | None:
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
    conn: sqlite3.Connection,
    clock: Clock,
    *,
    terminal: tuple[str, str] | None = None,
    timing: PortTiming | None = None,
    zvt_timeout: float | None = None,
    stopwatch: Stopwatch | None = None,
) -> PaymentService:
    """The wired PaymentService: the card terminal (given, else from the devices table) and
    every provider in payment_providers.  timing: poll_interval_s / give_up_after_s overrides."""
    from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.payments import PaymentService

    uow = SqliteUnitOfWork(conn)  # joins the till's own on the same connection
    providers = SqlitePaymentProviders(conn)
    timing = timing or PortTiming()
    ports: dict[str, PaymentPort] = {}
    terminal = terminal or terminal_uri(conn)
    if terminal is not None:
        name, uri = terminal
        ports["card"] = ZvtPort.from_uri(uri, name=name, timeout=zvt_timeout, **timing)
    aggregator = None
    for name in providers.names():
        row = providers.get(name)
        assert row is not None
        url, settings = row
        if name == "aggregator":
            aggregator = (url, settings)
        else:
            ports[name] = wallet_port(name, url, settings, uow.payments.get, **timing)
    if aggregator is not None:
        # A store with an acquirer takes every payment code through it, direct accounts or not.
        direct = {t: p for t, p in ports.items() if t in CODE_TENDERS}
        ports.update(aggregator_ports(*aggregator, uow.payments.get, direct, **timing))
    return PaymentService(uow, ports, clock, stopwatch=stopwatch or SystemStopwatch())
