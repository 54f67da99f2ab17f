"""The card terminal's payment port (tender `card`) on the ZVT driver (drivers/zvt)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any, Unpack
from urllib.parse import urlsplit

from drivers.common.payment_errors import PaymentDriverError, TransportError
from drivers.zvt.apdu import result_text
from drivers.zvt.driver import ZvtClient, ZvtResult, client_from_uri
from pos_app.domain.errors import InvalidInput
from pos_app.domain.payments import (
    PaymentAttempt,
    ProviderResult,
    TextCallback,
    mask_pan,
)

from .common import P, PortTiming, link_error, reachable

log = logging.getLogger(__name__)


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
    def from_uri(
        cls,
        uri: str,
        *,
        name: str = "T1",
        timeout: float | None = None,
        **timing: Unpack[PortTiming],
    ) -> ZvtPort:
        """`zvt+tcp://HOST:PORT?password=…` or `zvt+serial:///dev/ttyUSB0?baud=9600` (a device
        added with `guitai devices add T1 --kind terminal --uri …`)."""
        try:
            client = client_from_uri(uri, timeout=timeout) if timeout else client_from_uri(uri)
        except ValueError as err:
            raise InvalidInput(
                f"Terminal {name}: {err}. Use zvt+tcp://HOST:PORT?password=NNNNNN or "
                "zvt+serial:///dev/ttyUSB0?baud=9600",
                f"终端 {name} 地址无效（{err}）：请使用 zvt+tcp://主机:端口?password=六位数字",
            ) from err
        parts = urlsplit(uri)
        # client_from_uri has refused a zvt+tcp address without a host.
        host = parts.hostname if parts.scheme == "zvt+tcp" else None
        probe = (host, parts.port or 20007) if host else None
        return cls(client, name=name, probe=probe, **timing)

    def __repr__(self) -> str:
        return f"ZvtPort({self.provider}, {self.client!r})"

    def available(self) -> bool:
        if self._probe is None:
            return True
        return reachable(*self._probe)

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
            return link_error(err, first_call=True)

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
            return link_error(err, first_call=True)

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
            return link_error(err, first_call=False)
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
            return link_error(err, first_call=False)
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
