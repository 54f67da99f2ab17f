"""A part of the composition root built on first use, once, whatever thread asks first.

functools.cached_property takes no lock: the UI thread and a status probe's thread asking for
the payment service at once would build two (two terminal connections).  `Lazy` builds under
a lock and then reads without one (the value never changes once set)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Lazy(Generic[T]):
    __slots__ = ("_build", "_done", "_lock", "_value")

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None
        self._done = False

    def __call__(self) -> T:
        if not self._done:
            with self._lock:
                if not self._done:
                    self._value = self._build()
                    self._done = True
        return self._value  # type: ignore[return-value]  # set above, T may include None

    def built(self) -> T | None:
        """The part when it was built already, else None (closing builds nothing)."""
        return self._value if self._done else None
