"""The aggregator acquirer's payment port (drivers/aggregator): one activated terminal that takes
WeChat, Alipay, UnionPay QR and digital RMB payment codes.  One port per wallet tender, all on
the same client, so each sale names the wallet the customer paid with."""

from __future__ import annotations

from typing import Unpack

from drivers.aggregator.driver import UpayClient
from drivers.common.wallet import WalletAnswer
from pos_app.domain.payments import AttemptState, PaymentAttempt

from .common import Lookup, PortTiming
from .wallet import WalletPort

OPERATOR = "guitai"


class AggregatorPort(WalletPort):
    provider = "aggregator"

    def __init__(
        self, client: UpayClient, lookup: Lookup, *, tender: str, **kw: Unpack[PortTiming]
    ) -> None:
        super().__init__(client.url, lookup, **kw)
        self.client = client
        self.tender = tender

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
