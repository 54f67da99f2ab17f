"""Alipay's payment port (tender `alipay`) on the Alipay driver (drivers/alipay)."""

from __future__ import annotations

from typing import Unpack

from drivers.alipay.driver import AlipayClient
from drivers.common.wallet import WalletAnswer
from pos_app.domain.payments import PaymentAttempt

from .common import Lookup, PortTiming
from .wallet import WalletPort


class AlipayPort(WalletPort):
    tender = "alipay"
    provider = "alipay"

    def __init__(self, client: AlipayClient, lookup: Lookup, **kw: Unpack[PortTiming]) -> None:
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
