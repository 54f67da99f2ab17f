"""One connection, one thread (ARCHITECTURE.md, SQLite rules and Threads): every statement on
the till's writing connection runs on its database thread, whichever thread asked for it (the
selling calls, the printing thread and the printer's worker writing job states, the sync
relay's ports, the backup schedule, the follow-ups job, the status probes); and, strict as in
the tests, a statement from any other thread is refused."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from printer_fixtures import vprinter  # noqa: F401  (the fixture)

from drivers.escpos.emulator.printer import VirtualPrinter
from tests.conftest import ADMIN_PIN

T = TypeVar("T")


def on_own_thread(fn: Callable[[], T], name: str) -> T:
    """fn on a thread of its own (as the scheduler, the printer or a probe calls), joined."""
    got: list[Any] = []

    def run() -> None:
        try:
            got.append(fn())
        except BaseException as err:  # handed back to the test
            got.append(err)

    t = threading.Thread(target=run, name=name)
    t.start()
    t.join()
    if isinstance(got[0], BaseException):
        raise got[0]
    return got[0]  # type: ignore[no-any-return]


def test_a_statement_from_another_thread_is_refused(tmp_path: Path) -> None:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.adapters.db.writer_thread import WrongThread

    od = open_database(tmp_path / "till.db")
    db = od.thread
    db.strict = True
    db.start()
    uow = SqliteUnitOfWork(od.conn)
    try:
        with pytest.raises(WrongThread, match="guitai-db"):
            od.conn.execute("INSERT INTO settings (key, value) VALUES ('k', 'main')")
        with pytest.raises(WrongThread), uow:
            uow.settings.put("k", "main")
        with pytest.raises(WrongThread):
            on_own_thread(lambda: od.conn.execute("SELECT 1"), "intruder")

        def write() -> None:
            with uow:
                uow.settings.put("k", "db")
                uow.commit()

        db.call(write)  # handed to the database thread: it runs
        assert db.call(lambda: uow.settings.get("k")) == "db"
    finally:
        od.close()
    assert not any(t.name == "guitai-db" for t in threading.enumerate())


def test_the_suite_runs_strict(tmp_path: Path) -> None:
    """No test sets strict itself: the whole suite (and the CLI processes it starts) runs with
    GUITAI_DB_STRICT=1, so a test that reads the App off its database thread fails."""
    import os

    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.writer_thread import WrongThread

    assert os.environ.get("GUITAI_DB_STRICT") == "1"
    od = open_database(tmp_path / "till.db")
    od.start_thread()
    try:
        assert od.thread.strict
        with pytest.raises(WrongThread, match="guitai-db"):
            od.conn.execute("SELECT 1")
    finally:
        od.close()


def test_a_day_at_the_till_touches_the_database_from_one_thread(
    till: Any,
    vprinter: VirtualPrinter,
) -> None:
    from pos_app.adapters.db.relay_ports import RelayOutbox
    from pos_app.adapters.followup_jobs import FollowupJob
    from pos_app.bootstrap import register_probes, shutdown
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    conn = till.database.conn
    db = till.database.thread
    db.strict = True
    db.start()
    used_by: set[str] = set()
    db.call(
        lambda: conn.set_trace_callback(lambda _sql: used_by.add(threading.current_thread().name))
    )
    vprinter.set(auto_close_drawer=True)
    notices: list[Any] = []
    try:

        def open_day() -> None:
            uri = f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}"
            till.hardware().store.add_device("front", "printer", uri)
            till.side_effects.wire(notices.append, background=True)  # the printing thread
            till.shifts.open(till.users.authenticate("admin", ADMIN_PIN), 10000)

        def sell() -> dict[str, Any]:
            u = till.users.authenticate("admin", ADMIN_PIN)
            sale = till.sales.new_sale(u)
            till.sales.scan(sale, "6901234567908")
            sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
            done: dict[str, Any] = till.sales.complete(sale)
            return done

        db.call(open_day)
        payload = db.call(sell)
        till.side_effects.close()  # the receipt printed: its job states were written
        assert len(vprinter.jobs) == 1 and notices == []
        jobs = db.call(lambda: till.hardware().store.jobs("front"))
        assert [j.state for j in jobs] == ["done"]

        # the sync relay's push, from the scheduler's thread
        box = RelayOutbox(till.uow)
        now = datetime.now(UTC)
        sent = on_own_thread(lambda: box.pending(500, 1 << 20, now), "sync-scheduler")
        assert any(e.payload.get("receipt_no") == payload["receipt_no"] for e in sent)
        on_own_thread(lambda: box.mark_sent([e.id for e in sent], now), "sync-scheduler")
        assert on_own_thread(lambda: box.stats(now), "sync-scheduler")["pending"] == 0

        # the nightly backup and the follow-ups job, from their schedulers' threads
        written = on_own_thread(lambda: till.backups.backup("scheduled"), "backup-scheduler")
        assert written and written[0].exists()
        associates = db.call(lambda: till.members().associates)
        job = FollowupJob(associates, lambda _rows: None, interval_s=3600, thread=db)
        assert on_own_thread(job.run_once, "followups") == []

        # the status bar's probes, on their threads
        register_probes(till, ttl_s=600.0)
        for kind in ("printer", "drawer", "network", "sync"):
            on_own_thread(till.devices._probes[kind].refresh_now, f"probe-{kind}")
    finally:
        till.devices.close()
        shutdown(till)
        db.call(lambda: conn.set_trace_callback(None))
    assert used_by == {"guitai-db"}
