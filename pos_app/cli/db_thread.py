"""A command runs on the database thread of its process.

The till's database has one writing connection, used from one thread (ARCHITECTURE.md,
Threads).  A CLI command's printing thread, device workers and sync relay hand their database
work to that thread (adapters/db/writer_thread.DbThread); so the command itself runs there too,
and the connection it opens (cli/context.AppContext.database) is served by it.  Strict
(GUITAI_DB_STRICT=1) a statement from any other thread is then refused in a CLI process as in
the till's window.

The main thread waits for the command and keeps what must stay on it: closing (the device
threads stop while the database thread still serves them, then the connection closes on it)
and Ctrl-C, handed to the command as the KeyboardInterrupt it would have got.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

import click

from pos_app.adapters.db.writer_thread import DbThread

T = TypeVar("T")

META_KEY = "guitai.db_thread"

# Commands that keep the main thread: the window (Qt's event loop runs on the main thread; its
# calls go through the UI worker onto the connection's database thread), the emulators (a
# SIGTERM handler can only be set on the main thread; they open no till database) and the
# self-test, whose Qt check makes the QGuiApplication: made on another thread, the process
# answered every check and then died of SIGSEGV at exit (exit 139, the bundled till's test).
MAIN_THREAD = frozenset({"run", "emulate", "selftest"})


def command_name(ctx: click.Context) -> str | None:
    """The sub-command the group is about to run (click keeps it in the protected args)."""
    state = vars(ctx)
    args: list[str] = state.get("_protected_args", state.get("protected_args")) or []
    return args[0] if args else None


def thread_of(ctx: click.Context) -> DbThread | None:
    """The database thread the command runs on (None: it runs on the main thread)."""
    thread: DbThread | None = ctx.meta.get(META_KEY)
    return thread


def invoke_on_db_thread(ctx: click.Context, ours: frozenset[str], invoke: Callable[[], T]) -> T:
    """invoke() (the group's callback and its command) on a database thread of its own, for
    the till's commands (`ours`) except the main thread's; the result or error comes back."""
    name = command_name(ctx)
    if name is None or name not in ours or name in MAIN_THREAD:
        return invoke()
    thread = DbThread()
    ctx.meta[META_KEY] = thread
    # Closed after the AppContext (registered before it: closes run last-in first-out), from
    # the main thread: device threads still hand their last writes to this thread meanwhile.
    ctx.call_on_close(thread.close)
    thread.start()
    future = thread.submit(invoke)
    try:
        return future.result()
    except KeyboardInterrupt:
        _interrupt(thread, future)
        raise


def _interrupt(thread: DbThread, future: Future[T]) -> None:
    """Ctrl-C reaches the main thread only: raise it in the command too, as when the command
    ran there (its transaction rolls back), and wait for it to end before exiting."""
    if thread.ident is not None and not future.done():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
        )
    try:
        future.exception()
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
        pass
