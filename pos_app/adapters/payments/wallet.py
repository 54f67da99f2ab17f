"""What the payment-code ports (WeChat Pay, Alipay) share: the provider's answer as a
ProviderResult, and one flow for pay, query, cancel and refund."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from drivers.common.payment_errors import PaymentDriverError
from drivers.common.wallet import WalletAnswer, WalletStatus
from pos_app.domain.payments import PaymentAttempt, ProviderResult, TextCallback

from .common import Lookup, P, link_error, reachable

_WALLET = {
    WalletStatus.APPROVED: P.APPROVED,
    WalletStatus.DECLINED: P.DECLINED,
    WalletStatus.PENDING: P.PENDING,
    WalletStatus.UNKNOWN: P.UNKNOWN,
    WalletStatus.NOT_FOUND: P.NOT_FOUND,
    WalletStatus.CLOSED: P.CLOSED,
}


def wallet_result(a: WalletAnswer) -> ProviderResult:
    return ProviderResult(
        _WALLET[a.status], a.message or a.code, a.message or a.code, a.code, provider_ref=a.trade_no
    )


class WalletPort(ABC):
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
        return reachable(*self._probe)

    def abort(self) -> None:  # noqa: B027 - a wallet has nothing to abort; not abstract
        """Nothing to send: the service stops waiting and cancels the trade (reverse)."""

    def _guard(self, call: Callable[[], WalletAnswer], first_call: bool) -> ProviderResult:
        try:
            return wallet_result(call())
        except PaymentDriverError as err:
            return link_error(err, first_call)

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
                return link_error(err, False)
            result = wallet_result(answer)
            if answer.status is WalletStatus.CLOSED and not answer.retry:
                return result
            if not answer.retry:
                break
        return ProviderResult(P.UNKNOWN, result.message, result.message_zh, result.code)
