"""The database thread: the one thread that uses the till's writing connection.

Every write (and every read on the writing connection) runs here: the UI worker's calls, the
printing thread's and the device workers' job states, the sync relay, backups, follow-ups and
the status probes hand their database work to it with `call(fn)` (wait for the result) or
`submit(fn)` (a Future).  Readers on other threads open read-only connections of their own.

One OS thread, started once and kept: SQLite's "one connection, one thread" rule (see
../shared/ARCHITECTURE.md) then holds by construction instead of by a lock every caller must
remember.  Strict (the tests, GUITAI_DB_STRICT=1), a started thread's connection refuses a
statement from any other thread (connection.GuitaiConnection), so a missed hand-off fails a
test instead of racing a sale.

A connection nobody started a thread for (a tool's, a test's, `open_database()` in a script)
is used by whichever thread calls; units of work take turns so two threads never interleave
their transactions, as a script with a printing thread needs.  Not strict, a statement that
still comes from another thread keeps working as before (in its turn) rather than failing a
cashier's sale.
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Concatenate, ParamSpec, Protocol, TypeVar

T = TypeVar("T")
P = ParamSpec("P")
S = TypeVar("S", bound="OnDbThread")

NAME = "guitai-db"
# Quiet this long (no call queued), the thread runs its idle work: long enough that a
# cashier's next scan rarely meets it, short against the seconds between two customers.
IDLE_S = 0.5


class WrongThread(RuntimeError):
    """A statement on the writing connection from a thread other than the database thread."""


_Work = tuple[Callable[[], object], "Future[object]"]
_WAKE: _Work = (lambda: None, Future())  # wakes a `wait`; never run
_Item = _Work | None


def _run(item: _Work) -> None:
    fn, future = item
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(fn())
    except BaseException as err:  # handed to the caller, who re-raises it
        future.set_exception(err)


class DbThread:
    def __init__(
        self,
        name: str = NAME,
        *,
        strict: bool | None = None,
        busy: Callable[[], bool] | None = None,
    ) -> None:
        self.name = name
        # True while a transaction is open on the connection: then `wait` runs nobody else's
        # work (it would join that transaction).
        self._busy = busy or (lambda: False)
        self.ident: int | None = None
        self.strict = os.environ.get("GUITAI_DB_STRICT") == "1" if strict is None else strict
        # The units of work's turns: uncontended once every caller is on the thread.
        self._turns = threading.RLock()
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        # Run once whenever the thread has had nothing to do for IDLE_S (the connection's
        # checkpoint, connection.py): work that need not delay the call that caused it.
        self.idle: Callable[[], None] | None = None

    def watch(self, busy: Callable[[], bool]) -> None:
        """The connection this thread serves (busy: a transaction is open on it), for a thread
        started before its connection was opened (the CLI's, pos_app/cli/db_thread.py)."""
        self._busy = busy

    @property
    def bound(self) -> bool:
        return self.ident is not None

    def on_thread(self) -> bool:
        return self.ident is not None and threading.get_ident() == self.ident

    def start(self) -> None:
        """Start the thread; from now on the connection is used from it alone."""
        if self._thread is not None:
            return
        started = threading.Event()

        def loop() -> None:
            self.ident = threading.get_ident()
            started.set()
            while (item := self._next()) is not None:
                if item is not _WAKE:
                    _run(item)

        # daemon: a CLI interrupted with Ctrl-C must still exit; close() ends it normally.
        self._thread = threading.Thread(target=loop, name=self.name, daemon=True)
        self._thread.start()
        started.wait()

    def _next(self) -> _Item:
        """The next piece of work; after IDLE_S without any, the idle work runs once first."""
        if self.idle is None:
            return self._queue.get()
        try:
            return self._queue.get(timeout=IDLE_S)
        except queue.Empty:
            self.run_idle()
            return self._queue.get()

    def run_idle(self) -> None:
        """The idle work, now (on the database thread; a benchmark calls it between sales
        as a till's quiet seconds between customers would)."""
        if self.idle is not None and not self._busy():
            self.idle()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Queue fn for the database thread, in submission order (started if it was not)."""
        future: Future[T] = Future()
        if self._closed:  # a late call (a timer of a closed window): the connection is gone
            future.set_exception(RuntimeError("the till's database is closed"))
            return future
        self.start()
        self._queue.put((fn, future))  # type: ignore[arg-type]
        return future

    def call(self, fn: Callable[[], T]) -> T:
        """Run fn on the database thread and return its result (or raise its error)."""
        if self.ident is None:
            with self._turns:
                return fn()
        if threading.get_ident() == self.ident:
            return fn()
        return self.submit(fn).result()

    def wait(self, future: Future[T], timeout: float | None) -> T:
        """future.result(timeout), but on the database thread the work queued meanwhile runs
        while it waits: a printer's worker writes its job's states through this thread, so a
        call that waits for the printer here must not block them (outside a transaction)."""
        if not self.on_thread() or self._busy():
            return future.result(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        future.add_done_callback(lambda _f: self._queue.put(_WAKE))
        while not future.done():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            try:
                item = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if item is None:  # closing: leave it for the loop
                self._queue.put(None)
                break
            if item is not _WAKE:
                _run(item)
        return future.result(0)

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Held around a unit of work: the caller's turn on the connection (refused, when
        strict, off the started database thread)."""
        self.take_turn()
        try:
            yield
        finally:
            self.end_turn()

    # `turn()` in two calls, for the unit of work's __enter__/__exit__ (once per transaction).
    def take_turn(self) -> None:
        self.check()
        self._turns.acquire()

    def end_turn(self) -> None:
        self._turns.release()

    def check(self) -> None:
        if self.strict and self.ident is not None and threading.get_ident() != self.ident:
            raise WrongThread(
                f"the till's database connection is used by thread "
                f"{threading.current_thread().name!r}; only {self.name!r} may use it: "
                "submit the work to it (DbThread.call)"
            )

    def close(self) -> None:
        """Run what is queued, then end the thread (not from the thread itself)."""
        self._closed = True
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join()
        self._thread = None
        self.ident = None


class OnDbThread(Protocol):
    thread: DbThread


def on_db_thread(method: Callable[Concatenate[S, P], T]) -> Callable[Concatenate[S, P], T]:
    """A method of an adapter that device, sync or scheduler threads call: its database work
    runs on the adapter's `thread` (at once when already there)."""

    def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.thread.call(lambda: method(self, *args, **kwargs))

    functools.update_wrapper(run, method)  # its name and docstring; the type stays `run`'s
    return run
