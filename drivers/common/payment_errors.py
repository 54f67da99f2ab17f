"""The driver-level error tree for payments (no pos_app imports: drivers stay independent).

Shared by zvt/, wechatpay/ and alipay/, which move bytes and report what the terminal or
provider said: PaymentDriverError ← FrameError (bad bytes/answers: every parser raises only
this), TransportError (link down, timeout, connection dropped), ProviderRefused (a command the
terminal or provider would not run, e.g. busy).
"""

from __future__ import annotations


class PaymentDriverError(Exception):
    """Base of every error raised by the payment drivers (zvt, wechatpay, alipay)."""


class FrameError(PaymentDriverError, ValueError):
    """Bytes or an answer that do not parse: truncated, bad length, bad CRC, bad signature.

    Every parser in this package (ZVT APDUs and BMPs, serial frames, WeChat XML, Alipay JSON)
    raises only this for bad input, so callers can treat the answer as "unknown".
    """


class TransportError(PaymentDriverError):
    """The link failed: could not connect, timed out, or the peer closed the connection.

    `sent` says whether the request may have reached the peer (then the outcome is unknown and
    must be resolved by a query, never by guessing).
    """

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent


class ProviderRefused(PaymentDriverError):
    """The terminal or provider refused to run the command at all (busy, not possible)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class TransportTimeout(TransportError):
    """No (complete) answer before the deadline."""

    def __init__(self, message: str = "the terminal did not answer in time") -> None:
        super().__init__(message, sent=True)
