"""What every payment port shares: is the provider reachable, and what a driver error means.

Driver errors become ProviderResults here: nothing sent → UNAVAILABLE (only for the first
call of a payment), anything else that went wrong → UNKNOWN (to be resolved by a query).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TypedDict

from drivers.common.payment_errors import (
    FrameError,
    PaymentDriverError,
    ProviderRefused,
    TransportError,
)
from drivers.zvt.apdu import result_text
from pos_app.domain.payments import PaymentAttempt, ProviderResult, ProviderStatus

P = ProviderStatus
Lookup = Callable[[str], PaymentAttempt | None]


class PortTiming(TypedDict, total=False):
    """How long a port polls for a payment's outcome and when it gives up (seconds)."""

    poll_interval_s: float
    give_up_after_s: float


def reachable(host: str, port: int, timeout: float = 1.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def link_error(err: PaymentDriverError, first_call: bool) -> ProviderResult:
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
