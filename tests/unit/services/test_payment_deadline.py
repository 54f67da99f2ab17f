"""The payment service's recovery time limit runs on the injected Stopwatch, not on the
machine's clock or a real sleep: a customer who never confirms is polled every
poll_interval_s until give_up_after_s have passed, then the trade is reversed; a wall clock
that jumps meanwhile changes nothing.  No time passes in these tests."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from itertools import count

import pytest
from fakes import FakeUnitOfWork

from pos_app.domain.payments import (
    AttemptState,
    PaymentAttempt,
    PaymentDeclined,
    PaymentUnknown,
    ProviderResult,
    ProviderStatus,
    TextCallback,
)
from pos_app.domain.ports import ManualClock
from pos_app.services.payments import PaymentService

P = ProviderStatus


class FakeStopwatch:
    """Moves only when slept on."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


class SlowWallet:
    """A payment-code provider whose customer confirms after `confirm_after` queries (never
    if None); a query may also move the wall clock (a clock set while waiting)."""

    tender = "wechat"
    provider = "wechat"
    needs_network = False
    poll_interval_s = 2.0
    give_up_after_s = 10.0

    def __init__(
        self,
        confirm_after: int | None,
        on_query: Callable[[], object] | None = None,
        cancel_status: ProviderStatus = P.CLOSED,
    ) -> None:
        self.confirm_after = confirm_after
        self.cancel_status = cancel_status
        self.queries = 0
        self.cancels = 0
        self.on_query = on_query

    def available(self) -> bool:
        return True

    def sale(
        self, attempt: PaymentAttempt, code: str | None, on_text: TextCallback | None
    ) -> ProviderResult:
        return ProviderResult(P.PENDING, "USERPAYING")

    def refund(
        self, attempt: PaymentAttempt, original: PaymentAttempt, on_text: TextCallback | None
    ) -> ProviderResult:
        raise AssertionError("not used here")

    def cancel(self, attempt: PaymentAttempt) -> ProviderResult:
        self.cancels += 1
        return ProviderResult(self.cancel_status, "REVOKED")

    def abort(self) -> None:
        pass

    def query(self, attempt: PaymentAttempt, claimed_refs: Collection[str]) -> ProviderResult:
        self.queries += 1
        if self.on_query is not None:
            self.on_query()
        if self.confirm_after is not None and self.queries >= self.confirm_after:
            return ProviderResult(P.APPROVED, provider_ref="4200001")
        return ProviderResult(P.PENDING, "USERPAYING")


def service(port: SlowWallet, stopwatch: FakeStopwatch, clock: ManualClock) -> PaymentService:
    ids = count(1)
    return PaymentService(
        FakeUnitOfWork(),
        {"wechat": port},
        clock,
        new_id=lambda: f"A{next(ids)}",
        stopwatch=stopwatch,
    )


CODE = "134000000000000000"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_a_customer_who_never_confirms_is_polled_until_the_limit_then_reversed() -> None:
    port, sw = SlowWallet(confirm_after=None), FakeStopwatch()
    svc = service(port, sw, ManualClock(START))
    with pytest.raises(PaymentDeclined, match="not confirmed in time and has been reversed"):
        svc.charge("SALE-1", "wechat", 1500, CODE)
    assert sw.slept == [2.0] * 5  # 10 s limit / 2 s interval, measured on the stopwatch
    assert port.queries == 5 and port.cancels == 1
    (attempt,) = svc.attempts.in_states({AttemptState.REVERSED})  # type: ignore[attr-defined]
    assert attempt.amount_fen == 1500


def test_a_confirmation_within_the_limit_is_approved_without_waiting_longer() -> None:
    port, sw = SlowWallet(confirm_after=3), FakeStopwatch()
    paid = service(port, sw, ManualClock(START)).charge("SALE-1", "wechat", 1500, CODE)
    assert paid.provider_ref == "4200001" and paid.amount_fen == 1500
    assert sw.slept == [2.0, 2.0, 2.0] and port.cancels == 0


def test_the_wall_clock_jumping_does_not_shorten_or_stretch_the_limit() -> None:
    clock = ManualClock(START)
    jumps = iter([{"days": 1}, {"days": -3}, {"hours": 5}, {"minutes": -1}, {"seconds": 30}])
    port, sw = SlowWallet(None, on_query=lambda: clock.advance(**next(jumps))), FakeStopwatch()
    with pytest.raises(PaymentDeclined):
        service(port, sw, clock).charge("SALE-1", "wechat", 1500, CODE)
    assert sw.slept == [2.0] * 5 and port.queries == 5


def test_a_limit_already_reached_gives_up_without_sleeping() -> None:
    """give_up_after_s = 0: no query, no sleep; a cancel without a definite answer leaves
    the attempt unknown for `guitai payments recover`."""
    port, sw = SlowWallet(confirm_after=None, cancel_status=P.UNKNOWN), FakeStopwatch()
    port.give_up_after_s = 0.0
    svc = service(port, sw, ManualClock(START))
    with pytest.raises(PaymentUnknown, match="payments recover"):
        svc.charge("SALE-1", "wechat", 1500, CODE)
    assert sw.slept == [] and port.queries == 0 and port.cancels == 1
    assert [a.state for a in svc.attempts.in_states({AttemptState.UNKNOWN})] == [  # type: ignore[attr-defined]
        AttemptState.UNKNOWN
    ]
