"""The aggregator acquirer's payment port (drivers/aggregator): one activated terminal that takes
WeChat, Alipay, UnionPay QR and digital RMB payment codes.  One port per wallet tender, all on
the same client, so each sale names the wallet the customer paid with."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Unpack

from drivers.aggregator.driver import UpayClient
from drivers.common.wallet import WalletAnswer
from pos_app.domain.payments import (
    AttemptState,
    PaymentAttempt,
    PaymentPort,
    ProviderResult,
    TextCallback,
)

from .common import Lookup, P, PortTiming
from .wallet import WalletPort

OPERATOR = "guitai"


class AggregatorPort(WalletPort):
    provider = "aggregator"

    def __init__(
        self,
        client: UpayClient,
        lookup: Lookup,
        *,
        tender: str,
        direct: Mapping[str, PaymentPort] | None = None,
        **kw: Unpack[PortTiming],
    ) -> None:
        super().__init__(client.url, lookup, **kw)
        self.client = client
        self.tender = tender
        # Payments taken before the acquirer was set up stay with the provider that took them:
        # their queries, cancels and refunds go there, never to the acquirer (which has never
        # heard of them and would answer "no such order").
        self._direct = dict(direct or {})

    def _elsewhere(self, attempt: PaymentAttempt) -> tuple[bool, PaymentPort | None]:
        """(taken by another provider?, that provider's port if it is still set up)."""
        first = self._original(attempt) if attempt.kind == "refund" else attempt
        if first is None or first.provider == self.provider:
            return False, None
        return True, self._direct.get(first.provider)

    @staticmethod
    def _gone(attempt: PaymentAttempt) -> ProviderResult:
        return ProviderResult(
            P.UNKNOWN,
            f"taken through {attempt.provider}, which is no longer set up: set it up again",
            f"该笔经 {attempt.provider} 支付，但其已不再配置：请重新配置后处理",
            "provider_gone",
        )

    def refund(
        self, attempt: PaymentAttempt, original: PaymentAttempt, on_text: TextCallback | None
    ) -> ProviderResult:
        other, port = self._elsewhere(attempt)
        if not other:
            return super().refund(attempt, original, on_text)
        return port.refund(attempt, original, on_text) if port else self._gone(original)

    def query(self, attempt: PaymentAttempt, claimed_refs: Collection[str]) -> ProviderResult:
        other, port = self._elsewhere(attempt)
        if not other:
            return super().query(attempt, claimed_refs)
        return port.query(attempt, claimed_refs) if port else self._gone(attempt)

    def cancel(self, attempt: PaymentAttempt) -> ProviderResult:
        other, port = self._elsewhere(attempt)
        if not other:
            return super().cancel(attempt)
        return port.cancel(attempt) if port else self._gone(attempt)

    def __repr__(self) -> str:
        return f"AggregatorPort({self.tender}, {self.client!r})"

    def _pay(self, attempt: PaymentAttempt, code: str) -> WalletAnswer:
        # client_sn is our persisted out_trade_no: a query or cancel after a crash names the
        # same order, and the acquirer refuses a second order under it.
        return self.client.pay(
            attempt.out_trade_no, attempt.amount_fen, code, "Guitai 门店消费", OPERATOR
        )

    def _query(self, attempt: PaymentAttempt) -> WalletAnswer:
        return self.client.query(attempt.out_trade_no)

    def _cancel(self, attempt: PaymentAttempt) -> WalletAnswer:
        # revoke undoes a payment known to be paid (a sale that never completed); cancel is
        # for one whose outcome is not known.
        return self.client.cancel(
            attempt.out_trade_no, revoke=attempt.state is AttemptState.APPROVED
        )

    def _refund(self, attempt: PaymentAttempt, original: PaymentAttempt) -> WalletAnswer:
        return self.client.refund(
            original.out_trade_no, attempt.out_trade_no, attempt.amount_fen, OPERATOR
        )
