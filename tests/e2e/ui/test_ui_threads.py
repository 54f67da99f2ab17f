"""The GUI thread never waits on the database: every statement of a whole selling session
runs on the worker thread; a failing call reaches the cashier as a message."""

from __future__ import annotations

import threading
from typing import Any

from uihelp import TIMEOUT, idle, open_shift, sign_in, tap, wedge_scan

from pos_app.domain.errors import GuitaiError


class WatchedConnection:
    """Wraps the till's sqlite3 connection and notes the threads that use it."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self.gui_calls: list[str] = []
        self.worker_calls = 0
        self.worker_threads: set[str] = set()

    def _note(self, sql: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self.gui_calls.append(sql)
        else:
            self.worker_calls += 1
            self.worker_threads.add(threading.current_thread().name)

    def execute(self, sql: str, *args: Any) -> Any:
        self._note(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._note(sql)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_selling_session_never_touches_the_database_on_the_gui_thread(
    qtbot: Any, app_ui: Any
) -> None:
    t = app_ui
    till = t.session.till
    watched = WatchedConnection(till.database.conn)
    # the unit of work and each of its repositories hold the connection
    holders = [till.uow, *(r for r in vars(till.uow).values() if hasattr(r, "conn"))]
    for holder in holders:
        holder.conn = watched
    till.database.conn = watched
    try:
        sign_in(qtbot, t, "李娜", "7391")
        open_shift(qtbot, t)
        t.window.activateWindow()
        t.window.sale.scan.setFocus()
        wedge_scan(qtbot, t, "6901234567892")
        wedge_scan(qtbot, t, "6901234567908")
        t.window.show_tender()
        t.window.tender.pay_cash()
        idle(qtbot, t)
        tap(qtbot, t, t.window.tender.next_btn)
        t.window.show_shift()
        idle(qtbot, t)
        t.window.status.poll()
        idle(qtbot, t)
    finally:
        for holder in holders:
            holder.conn = watched._conn
        till.database.conn = watched._conn
    assert t.session.last_payload["receipt_no"] == 1
    assert watched.worker_calls > 10
    assert watched.gui_calls == []
    # one thread, the database thread, ran every statement (not a pool's thread of the moment)
    assert watched.worker_threads == {"guitai-db"}


def test_a_crashing_call_becomes_a_message(qtbot: Any, app_ui: Any) -> None:
    t = app_ui
    # The window's start-up reads may still be queued: the count below is this call's alone.
    idle(qtbot, t)
    got: list[GuitaiError] = []
    t.session.call(lambda: 1 // 0, lambda _v: None, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=TIMEOUT)
    assert "ZeroDivisionError" in got[0].message
    assert got[0].message_zh.startswith("操作失败")
    assert t.session.worker.pending == 0
