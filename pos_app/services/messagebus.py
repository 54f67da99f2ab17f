"""A small message bus for what follows a commit (house rule 2).

A use case's handler commits, then publishes the event it produced.  Each subscriber runs
either at once on the publishing thread (the CLI prints before it answers) or on the executor
it was subscribed with (the till's printing thread, in commit order).  A subscriber that fails
is logged and never reaches the use case: the sale is paid and stays so; each subscriber
reports its own problems to the cashier (the printing's `notice`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from pos_app.domain.events import Event

log = logging.getLogger(__name__)

Subscriber = Callable[[Any], None]


class Executor(Protocol):
    """Where a subscriber runs (concurrent.futures.Executor fits)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any: ...


class MessageBus:
    def __init__(self) -> None:
        self._subscribers: dict[type[Event], list[tuple[Subscriber, Executor | None]]] = {}

    def subscribe(
        self, event_type: type[Event], subscriber: Subscriber, executor: Executor | None = None
    ) -> None:
        """Run `subscriber(event)` after each commit that publishes `event_type`, in the order
        subscribed; on `executor` when given.  Subscribing the same callable twice is a no-op
        (the wiring may run again, e.g. a second `App.side_effects.wire`)."""
        subs = self._subscribers.setdefault(event_type, [])
        if all(s != subscriber for s, _ in subs):
            subs.append((subscriber, executor))

    def subscribed(self, event_type: type[Event], subscriber: Subscriber) -> bool:
        return any(s == subscriber for s, _ in self._subscribers.get(event_type, ()))

    def clear(self) -> None:
        """Drop every subscriber (a till that is to stop right after its commits)."""
        self._subscribers.clear()

    def publish(self, event: Event) -> None:
        for subscriber, executor in list(self._subscribers.get(type(event), ())):
            if executor is None:
                _run(subscriber, event)
                continue
            try:
                executor.submit(_run, subscriber, event)
            except Exception:  # e.g. the printing thread already shut down with the till
                log.exception("after-commit step %s not run for %s", _name(subscriber), event.type)


def _run(subscriber: Subscriber, event: Event) -> None:
    try:
        subscriber(event)
    except Exception:  # a printer or sync failure never undoes what committed
        log.exception("after-commit step %s failed for %s", _name(subscriber), event.type)


def _name(subscriber: Subscriber) -> str:
    return str(getattr(subscriber, "__qualname__", subscriber))
