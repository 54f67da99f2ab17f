"""Service calls off the GUI thread.

Every call runs on the till's database thread (adapters/db/writer_thread.DbThread), the one
thread that uses the till's SQLite connection, in submission order, so a sale's mutations apply
in the order the cashier made them.  (A QThreadPool may run its jobs on a different OS thread
over time; the database thread stays one.)  Results and errors come back to the GUI thread
through a queued signal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import Any, Protocol, TypeVar

from pos_app.domain.errors import GuitaiError

from ..qt import QObject, QRunnable, QThreadPool, Signal, isValid

log = logging.getLogger(__name__)

OnOk = Callable[[Any], None]
OnErr = Callable[[GuitaiError], None]
T = TypeVar("T")


class DbExecutor(Protocol):
    """The till's database thread (adapters/db/writer_thread.DbThread, via App.database)."""

    def start(self) -> None: ...

    def submit(self, fn: Callable[[], T]) -> Future[T]: ...


def receiver_alive(callback: Callable[[Any], None]) -> bool:
    """False when the callback is a method of a widget that is gone (a language switch
    rebuilds the window while a call for the old one is still on the worker)."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or isValid(owner)


def deliver(callback: Callable[[Any], None], value: Any) -> None:
    """Hand a result to the widget that asked, or drop it if that widget is gone.  A wrapper
    that does its own bookkeeping first (the session keeping the sale's snapshot) hands the
    rest on through here, since the worker only sees the wrapper."""
    if receiver_alive(callback):
        callback(value)


class _Relay(QObject):
    # Emitted from the pool thread; Qt queues it to the relay's thread (the GUI thread).
    done = Signal(object, object, object)  # callback, value, busy-token


class _Job:
    def __init__(self, fn: Callable[[], Any], ok: OnOk, err: OnErr, relay: _Relay) -> None:
        self.fn, self.ok, self.err, self.relay = fn, ok, err, relay

    def run(self) -> None:
        try:
            value = self.fn()
        except GuitaiError as e:
            self.relay.done.emit(self.err, e, None)
            return
        except Exception as e:  # a bug must reach the cashier as a message, not kill the till
            log.exception("till worker call failed")
            wrapped = GuitaiError(
                f"Something went wrong ({type(e).__name__}: {e}). Try again; if it repeats, "
                "call the technician",
                f"操作失败（{type(e).__name__}: {e}）。请重试；如反复出现请联系技术人员",
            )
            wrapped.__cause__ = e
            self.relay.done.emit(self.err, wrapped, None)
            return
        self.relay.done.emit(self.ok, value, None)


class _SideJob(QRunnable):
    def __init__(self, job: _Job) -> None:
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self.job.run()


class ServiceWorker(QObject):
    """`submit(fn, on_ok, on_err)`: run fn on the database thread, the callback on the GUI
    thread."""

    busy_changed = Signal(bool)

    def __init__(self, thread: DbExecutor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        thread.start()  # from now on the connection is used from that thread alone
        self._thread = thread
        self._last: Future[None] | None = None
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._pending = 0
        # Calls that must not wait behind the running one (the Cancel of a card payment that
        # occupies the worker).  They never touch the database.
        self._side = QThreadPool(self)
        self._side.setMaxThreadCount(1)
        self._side_relay = _Relay(self)
        self._side_relay.done.connect(lambda cb, value, _t: deliver(cb, value))

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, fn: Callable[[], Any], on_ok: OnOk, on_err: OnErr) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._last = self._thread.submit(_Job(fn, on_ok, on_err, self._relay).run)

    def submit_side(self, fn: Callable[[], Any], on_ok: OnOk, on_err: OnErr) -> None:
        """Run fn at once on the side thread (no database), even while the worker is busy."""
        self._side.start(_SideJob(_Job(fn, on_ok, on_err, self._side_relay)))

    def _deliver(self, callback: Callable[[Any], None], value: Any, _token: Any) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        deliver(callback, value)

    def wait_idle(self, msecs: int = 10_000) -> bool:
        """Block until queued calls have run (shutdown and tests only; never while selling)."""
        last = self._last  # calls run in order: the last one done means all are
        if last is None:
            return True
        return not wait([last], timeout=msecs / 1000).not_done

    def shutdown(self) -> None:
        self._side.waitForDone(10_000)
        self.wait_idle(10_000)
