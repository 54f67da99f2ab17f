"""Reading the till from a test the way the till does: on its database thread.

Once the window is built, the App's connection belongs to its database thread (guitai-db,
adapters/db/writer_thread.DbThread) and, strict as the whole suite runs, a statement from the
GUI thread raises WrongThread.  A test's assertions that look at the App or its database run
their reads here instead: the same calls, on the thread that owns the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def on_db(till: Any, fn: Callable[[], T]) -> T:
    """fn() on the App's database thread; its result (or its error, raised here)."""
    result: T = till.database.thread.call(fn)
    return result


def sql(till: Any, query: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """All rows of one statement on the App's writing connection, run on its database thread."""
    return on_db(till, lambda: till.database.conn.execute(query, args).fetchall())
