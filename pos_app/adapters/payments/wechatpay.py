"""WeChat Pay's payment port (tender `wechat`) on the WeChat Pay v2 driver (drivers/wechatpay)."""

from __future__ import annotations

from typing import Unpack

from drivers.common.wallet import WalletAnswer
from drivers.wechatpay.driver import WechatPayV2
from pos_app.domain.payments import PaymentAttempt

from .common import Lookup, PortTiming
from .wallet import WalletPort


class WechatPort(WalletPort):
    tender = "wechat"
    provider = "wechat"

    def __init__(self, client: WechatPayV2, lookup: Lookup, **kw: Unpack[PortTiming]) -> None:
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
