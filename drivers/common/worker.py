"""One thread owns each device: every call to its driver runs on that thread, in order."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_STOP = object()


class DeviceWorker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._q: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=f"device:{self.name}", daemon=True
                )
                self._thread.start()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        self.start()
        fut: Future[T] = Future()
        self._q.put((fn, fut))
        return fut

    def call(self, fn: Callable[[], T], timeout: float | None = None) -> T:
        if threading.current_thread() is self._thread:
            return fn()
        return self.submit(fn).result(timeout)

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is _STOP:
                return
            fn, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as err:  # delivered to the caller, never kills the thread
                fut.set_exception(err)

    def stop(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._q.put(_STOP)
            thread.join(timeout)
