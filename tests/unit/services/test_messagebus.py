"""The message bus: subscribers in order, on their executor, failures contained."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from pos_app.domain.events import RefundCompleted, SaleCompleted
from pos_app.services.messagebus import MessageBus


class Queue:
    """An executor that runs what it was given when told (a thread, without the thread)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self.closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> None:
        if self.closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        self.jobs.append((fn, args))

    def run(self) -> None:
        for fn, args in self.jobs:
            fn(*args)
        self.jobs.clear()


def test_subscribers_run_in_order_and_only_for_their_event() -> None:
    bus, seen = MessageBus(), []
    bus.subscribe(SaleCompleted, lambda e: seen.append(("a", e.payload["receipt_no"])))
    bus.subscribe(SaleCompleted, lambda e: seen.append(("b", e.payload["receipt_no"])))
    bus.subscribe(RefundCompleted, lambda e: seen.append(("refund", 0)))
    bus.publish(SaleCompleted({"receipt_no": 7}))
    assert seen == [("a", 7), ("b", 7)]


def test_a_subscriber_with_an_executor_runs_there() -> None:
    bus, queue, seen = MessageBus(), Queue(), []
    bus.subscribe(SaleCompleted, seen.append, queue)
    event = SaleCompleted({"receipt_no": 1})
    bus.publish(event)
    assert seen == []
    queue.run()
    assert seen == [event]


def test_failures_are_logged_never_raised(caplog: pytest.LogCaptureFixture) -> None:
    bus, queue, seen = MessageBus(), Queue(), []

    def broken(event: SaleCompleted) -> None:
        raise OSError("paper out")

    bus.subscribe(SaleCompleted, broken)
    bus.subscribe(SaleCompleted, broken, queue)  # the same callable: subscribed once
    bus.subscribe(RefundCompleted, broken, queue)
    bus.subscribe(SaleCompleted, seen.append)
    with caplog.at_level(logging.ERROR):
        bus.publish(SaleCompleted({"receipt_no": 1}))
        bus.publish(RefundCompleted({"receipt_no": 2}))
        queue.run()  # the threaded failure is logged on its thread
        queue.closed = True  # the till shut its printing thread: the commit still stands
        bus.publish(RefundCompleted({"receipt_no": 3}))
    assert len(seen) == 1
    failed = [r for r in caplog.records if "broken" in r.getMessage()]
    assert len(failed) == 3


def test_wire_payloads_leave_out_what_only_the_till_carries() -> None:
    event = SaleCompleted({"receipt_no": 1, "_entry_hash": "ab"})
    assert event.type == "sale.completed" and event.wire() == {"receipt_no": 1}


def test_clear_drops_every_subscriber() -> None:
    bus, seen = MessageBus(), []
    bus.subscribe(SaleCompleted, seen.append)
    assert bus.subscribed(SaleCompleted, seen.append)
    bus.clear()
    bus.publish(SaleCompleted({"receipt_no": 1}))
    assert seen == [] and not bus.subscribed(SaleCompleted, seen.append)
