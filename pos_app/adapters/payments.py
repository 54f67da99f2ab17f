"""The payment port (pos_app.domain.payments.PaymentPort) for each tender, composed from the
payment drivers: a ZVT terminal for `card` (drivers/zvt), WeChat Pay v2 for `wechat`
(drivers/wechatpay), Alipay for `alipay` (drivers/alipay).

Driver errors become ProviderResults here: nothing sent → UNAVAILABLE (only for the first
call of a payment), anything else that went wrong → UNKNOWN (to be resolved by a query).
"""

from __future__ import annotations

import logging
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from drivers.alipay.driver import AlipayClient
from drivers.common.payment_errors import (
    FrameError,
    PaymentDriverError,
    ProviderRefused,
    TransportError,
)
from drivers.common.wallet import WalletAnswer, WalletStatus
from drivers.wechatpay.driver import WechatPayV2
from drivers.zvt.apdu import result_text
from drivers.zvt.driver import ZvtClient, ZvtResult, client_from_uri
from pos_app.domain.errors import InvalidInput
from pos_app.domain.payments import (
    PaymentAttempt,
    ProviderResult,
    ProviderStatus,
    TextCallback,
    mask_pan,
)

log = logging.getLogger(__name__)
P = ProviderStatus
Lookup = Callable[[str], PaymentAttempt | None]


def _reachable(host: str, port: int, timeout: float = 1.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _link_error(err: PaymentDriverError, first_call: bool) -> ProviderResult:
    if isinstance(err, TransportError) and not err.sent and first_call:
        return ProviderResult(P.UNAVAILABLE, str(err), "无法连接", "link_down")
    if isinstance(err, ProviderRefused):
        en, zh = result_text(int(err.code, 16)) if _is_hex(err.code) else (str(err), str(err))
        return ProviderResult(
            P.DECLINED if first_call else P.UNKNOWN, f"{en}: try again", f"{zh}：请重试", err.code
        )
    kind = "bad_answer" if isinstance(err, FrameError) else "no_answer"
    return ProviderResult(P.UNKNOWN, str(err), "未收到确定的结果", kind)


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


# ---- card terminal (ZVT) ----------------------------------------------------------------------


class ZvtPort:
    tender = "card"
    needs_network = True

    def __init__(
        self,
        client: ZvtClient,
        *,
        name: str = "T1",
        probe: tuple[str, int] | None = None,
        poll_interval_s: float = 2.0,
        give_up_after_s: float = 10.0,
    ) -> None:
        self.client = client
        self.provider = f"zvt:{name}"
        self._probe = probe
        self.poll_interval_s = poll_interval_s
        self.give_up_after_s = give_up_after_s

    @classmethod
    def from_uri(cls, uri: str, *, name: str = "T1", **kw: Any) -> ZvtPort:
        """`zvt+tcp://HOST:PORT?password=…` or `zvt+serial:///dev/ttyUSB0?baud=9600` (a device
        added with `guitai devices add T1 --kind terminal --uri …`)."""
        timeout = kw.pop("timeout", None)
        try:
            client = client_from_uri(uri, **({"timeout": timeout} if timeout else {}))
        except ValueError as err:
            raise InvalidInput(
                f"Terminal {name}: {err}. Use zvt+tcp://HOST:PORT?password=NNNNNN or "
                "zvt+serial:///dev/ttyUSB0?baud=9600",
                f"终端 {name} 地址无效（{err}）：请使用 zvt+tcp://主机:端口?password=六位数字",
            ) from err
        parts = urlsplit(uri)
        probe = (parts.hostname, parts.port or 20007) if parts.scheme == "zvt+tcp" else None
        return cls(client, name=name, probe=probe, **kw)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"ZvtPort({self.provider}, {self.client!r})"

    def available(self) -> bool:
        if self._probe is None:
            return True
        return _reachable(*self._probe)

    @staticmethod
    def _result(r: ZvtResult) -> ProviderResult:
        info = r.info
        en, zh = r.message
        common: dict[str, Any] = {"slip": tuple(r.print_lines), "code": f"{r.result_code:02X}"}
        if info is not None:
            common.update(
                provider_ref=str(info.trace) if info.trace is not None else None,
                terminal_ref=str(info.receipt_no) if info.receipt_no is not None else None,
                card_type=info.card_name or (str(info.card_type) if info.card_type else None),
                masked_pan=mask_pan(info.masked_pan) if info.masked_pan else None,
                auth_code=info.auth_code or None,
            )
        if r.approved:
            return ProviderResult(P.APPROVED, en, zh, **common)
        return ProviderResult(P.DECLINED, en, zh, **common)

    def sale(
        self, attempt: PaymentAttempt, code: str | None, on_text: TextCallback | None
    ) -> ProviderResult:
        try:
            return self._result(self.client.authorize(attempt.amount_fen, on_text))
        except PaymentDriverError as err:
            if isinstance(err, TransportError) and err.sent:
                self._abort_quietly()
            return _link_error(err, first_call=True)

    def abort(self) -> None:
        """Cancel the running card payment: the terminal ends it with 06 1E (declined)."""
        try:
            self.client.abort()
        except PaymentDriverError as err:
            log.info("abort: %s", err)

    def _abort_quietly(self) -> None:
        # The terminal went silent mid-payment: ask it to abort (06 B0) so that it cannot approve
        # later, after we have asked for its status and moved on.  Best effort: it may be gone.
        try:
            self.client.abort()
        except PaymentDriverError as err:
            log.info("abort after a silent terminal failed: %s", err)

    def refund(
        self, attempt: PaymentAttempt, original: PaymentAttempt, on_text: TextCallback | None
    ) -> ProviderResult:
        try:
            return self._result(self.client.refund(attempt.amount_fen, on_text))
        except PaymentDriverError as err:
            return _link_error(err, first_call=True)

    def cancel(self, attempt: PaymentAttempt) -> ProviderResult:
        if not attempt.terminal_ref:
            return ProviderResult(
                P.UNKNOWN,
                "no receipt number from the terminal: cannot reverse",
                "终端未给出凭证号，无法撤销",
                "no_receipt_no",
            )
        try:
            r = self.client.reverse(int(attempt.terminal_ref))
        except PaymentDriverError as err:
            return _link_error(err, first_call=False)
        if r.approved or r.result_code == 0xB4:  # B4: already reversed
            return ProviderResult(
                P.CLOSED, "reversed", "已撤销", f"{r.result_code:02X}", slip=tuple(r.print_lines)
            )
        en, zh = r.message
        return ProviderResult(P.UNKNOWN, en, zh, f"{r.result_code:02X}")

    def query(self, attempt: PaymentAttempt, claimed_refs: Collection[str]) -> ProviderResult:
        # ZVT has no "status of my payment X": Repeat Receipt (06 20) returns the terminal's last
        # transaction.  It is ours if the amount matches and no other attempt owns its trace
        # number; otherwise our command never became a transaction.
        try:
            r = self.client.repeat_receipt()
        except PaymentDriverError as err:
            return _link_error(err, first_call=False)
        info = r.info
        if info is None or info.trace is None or r.result_code == 0x83:
            return ProviderResult(
                P.NOT_FOUND,
                "the terminal has no such transaction",
                "终端无此交易",
                f"{r.result_code:02X}",
            )
        if info.amount_fen != attempt.amount_fen or str(info.trace) in claimed_refs:
            return ProviderResult(
                P.NOT_FOUND,
                "the terminal's last transaction is not this one",
                "终端最后一笔交易不是本笔",
                "not_last",
            )
        result = self._result(r)
        if info.result not in (0, None):
            en, zh = result_text(info.result)
            return ProviderResult(P.DECLINED, en, zh, f"{info.result:02X}")
        return ProviderResult(
            P.APPROVED,
            "approved (from the terminal's last receipt)",
            "已批准（终端最后一笔凭证）",
            result.code,
            result.provider_ref,
            result.terminal_ref,
            result.card_type,
            result.masked_pan,
            result.auth_code,
            result.slip,
        )


# ---- payment codes ------------------------------------------------------------------------------

_WALLET = {
    WalletStatus.APPROVED: P.APPROVED,
    WalletStatus.DECLINED: P.DECLINED,
    WalletStatus.PENDING: P.PENDING,
    WalletStatus.UNKNOWN: P.UNKNOWN,
    WalletStatus.NOT_FOUND: P.NOT_FOUND,
    WalletStatus.CLOSED: P.CLOSED,
}


def _wallet(a: WalletAnswer) -> ProviderResult:
    return ProviderResult(
        _WALLET[a.status], a.message or a.code, a.message or a.code, a.code, provider_ref=a.trade_no
    )


class _WalletPort(ABC):
    needs_network = True
    tender = ""
    provider = ""

    def __init__(
        self,
        url: str,
        lookup: Lookup,
        *,
        poll_interval_s: float = 5.0,
        give_up_after_s: float = 45.0,
    ) -> None:
        # WeChat: reverse not before ~15 s after paying (hardware-notes §4.5): 45 s covers it.
        parts = urlsplit(url)
        self._probe = (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        self._lookup = lookup
        self.poll_interval_s = poll_interval_s
        self.give_up_after_s = give_up_after_s

    def available(self) -> bool:
        return _reachable(*self._probe)

    def abort(self) -> None:  # noqa: B027 - a wallet has nothing to abort; not abstract
        """Nothing to send: the service stops waiting and cancels the trade (reverse)."""

    def _guard(self, call: Callable[[], WalletAnswer], first_call: bool) -> ProviderResult:
        try:
            return _wallet(call())
        except PaymentDriverError as err:
            return _link_error(err, first_call)

    def _original(self, attempt: PaymentAttempt) -> PaymentAttempt | None:
        return self._lookup(attempt.original_id) if attempt.original_id else None

    @abstractmethod
    def _pay(self, attempt: PaymentAttempt, code: str) -> WalletAnswer:
        """Charge the customer's payment code."""

    @abstractmethod
    def _query(self, attempt: PaymentAttempt) -> WalletAnswer:
        """What the provider knows of this attempt."""

    @abstractmethod
    def _cancel(self, attempt: PaymentAttempt) -> WalletAnswer:
        """Cancel (reverse) this attempt's trade."""

    @abstractmethod
    def _refund(self, attempt: PaymentAttempt, original: PaymentAttempt) -> WalletAnswer:
        """Refund part or all of the original payment."""

    def sale(
        self, attempt: PaymentAttempt, code: str | None, on_text: TextCallback | None
    ) -> ProviderResult:
        if on_text is not None:
            on_text("Waiting for the customer to confirm on the phone", "等待顾客在手机上确认")
        return self._guard(lambda: self._pay(attempt, code or ""), True)

    def refund(
        self, attempt: PaymentAttempt, original: PaymentAttempt, on_text: TextCallback | None
    ) -> ProviderResult:
        return self._guard(lambda: self._refund(attempt, original), True)

    def query(self, attempt: PaymentAttempt, claimed_refs: Collection[str]) -> ProviderResult:
        if attempt.kind == "refund":
            # A refund is resolved by sending it again: both providers treat the same refund
            # number as the same refund (idempotent), so it is never paid out twice.
            original = self._original(attempt)
            if original is None:
                return ProviderResult(P.UNKNOWN, "original payment missing", "原支付记录缺失")
            return self._guard(lambda: self._refund(attempt, original), False)
        return self._guard(lambda: self._query(attempt), False)

    def cancel(self, attempt: PaymentAttempt) -> ProviderResult:
        result = ProviderResult(P.UNKNOWN)
        for _ in range(3):  # the provider may ask to call again (recall / retry_flag)
            try:
                answer = self._cancel(attempt)
            except PaymentDriverError as err:
                return _link_error(err, False)
            result = _wallet(answer)
            if answer.status is WalletStatus.CLOSED and not answer.retry:
                return result
            if not answer.retry:
                break
        return ProviderResult(P.UNKNOWN, result.message, result.message_zh, result.code)


class WechatPort(_WalletPort):
    tender = "wechat"
    provider = "wechat"

    def __init__(self, client: WechatPayV2, lookup: Lookup, **kw: Any) -> None:
        super().__init__(client.url, lookup, **kw)
        self.client = client

    def __repr__(self) -> str:
        return f"WechatPort({self.client!r})"

    def _pay(self, attempt: PaymentAttempt, code: str) -> WalletAnswer:
        return self.client.micropay(
            attempt.out_trade_no, attempt.amount_fen, code, "Guitai 门店消费"
        )

    def _query(self, attempt: PaymentAttempt) -> WalletAnswer:
        return self.client.orderquery(attempt.out_trade_no)

    def _cancel(self, attempt: PaymentAttempt) -> WalletAnswer:
        return self.client.reverse(attempt.out_trade_no)

    def _refund(self, attempt: PaymentAttempt, original: PaymentAttempt) -> WalletAnswer:
        return self.client.refund(
            original.out_trade_no, attempt.out_trade_no, original.amount_fen, attempt.amount_fen
        )


class AlipayPort(_WalletPort):
    tender = "alipay"
    provider = "alipay"

    def __init__(self, client: AlipayClient, lookup: Lookup, **kw: Any) -> None:
        super().__init__(client.url, lookup, **kw)
        self.client = client

    def __repr__(self) -> str:
        return f"AlipayPort({self.client!r})"

    def _pay(self, attempt: PaymentAttempt, code: str) -> WalletAnswer:
        return self.client.pay(attempt.out_trade_no, attempt.amount_fen, code, "Guitai 门店消费")

    def _query(self, attempt: PaymentAttempt) -> WalletAnswer:
        return self.client.query(attempt.out_trade_no)

    def _cancel(self, attempt: PaymentAttempt) -> WalletAnswer:
        return self.client.cancel(attempt.out_trade_no)

    def _refund(self, attempt: PaymentAttempt, original: PaymentAttempt) -> WalletAnswer:
        return self.client.refund(original.out_trade_no, attempt.out_trade_no, attempt.amount_fen)


# ---- composition ------------------------------------------------------------------------------


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
    from pos_app.adapters.db.payment_attempts import SqlitePaymentAttempts, SqlitePaymentProviders
    from pos_app.services.payments import PaymentService

    attempts = SqlitePaymentAttempts(conn)
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
        ports[name] = wallet_port(name, url, settings, attempts.get, **timing)
    kw: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    return PaymentService(attempts, ports, clock, **kw)
