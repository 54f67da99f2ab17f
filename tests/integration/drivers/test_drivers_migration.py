"""Migration 0002_devices applies on a till database written before it (0001 only)."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.devices import DeviceStore
from pos_app.adapters.db.migrations import migrations


def test_0002_on_an_older_database(tmp_path) -> None:
    path = tmp_path / "till.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn)
    migrations.apply(db, stop_before="0002_devices")
    conn.execute("INSERT INTO settings(key, value) VALUES ('store_id', 'S001')")
    conn.execute(
        "INSERT INTO outbox(seq, id, type, occurred_at, payload) "
        "VALUES (7, 'e7', 'shift.opened', '2026-11-25T00:00:00Z', '{}')"
    )
    conn.close()

    opened = open_database(path)
    try:
        names = [m.name for m in migrations.applied(opened.db)]
        assert names[:2] == ["0001_initial", "0002_devices"] and names == [
            m.name for m in migrations._migrations
        ]
        assert opened.conn.execute("SELECT value FROM settings").fetchone() == ("S001",)
        store = DeviceStore(opened.conn)
        store.add_device("front", "printer", "tcp://127.0.0.1:9100")
        job = store.enqueue("front", b"\x1b@hi\n", "receipt", "sale-1")
        assert store.job(job).state == "queued"
        store.emit_device_status("front", "printer", "ok", None)
        assert opened.conn.execute("SELECT max(seq) FROM outbox").fetchone() == (8,)
    finally:
        opened.close()


def test_bad_rows_are_refused_by_the_schema(store) -> None:
    import pytest

    from pos_app.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        store.add_device("x", "toaster", "tcp://127.0.0.1:9100")
    with pytest.raises(InvalidInput):
        store.record_drawer_open("because", user="a")
    with pytest.raises(InvalidInput):
        store.enqueue("front", b"", "receipt")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO print_jobs(printer, created_at, kind, data, state) "
            "VALUES ('p', 'now', 'receipt', x'00', 'lost')"
        )


def test_device_write_waits_for_a_sale_transaction_and_survives_its_rollback(store) -> None:
    """The till has one writing connection; a device thread must not join (and lose its write
    with) a transaction the unit of work has open on it."""
    import threading

    db = store.thread  # the connection's database thread: the sale's and the device's work
    db.start()
    began, done = threading.Event(), threading.Event()

    def unit_of_work() -> None:
        # a sale's unit of work, on the database thread throughout
        store.conn.execute("BEGIN IMMEDIATE")
        store.conn.execute("INSERT INTO settings(key, value) VALUES ('half', 'sale')")
        began.set()
        done.wait(0.3)  # the device thread tries to write meanwhile
        store.conn.execute("ROLLBACK")

    sale = db.submit(unit_of_work)
    began.wait(5)
    job = store.enqueue("front", b"data", "receipt", "sale-1")  # waits for the rollback
    done.set()
    sale.result(5)
    assert store.job(job).state == "queued"
    count = db.call(
        lambda: store.conn.execute("SELECT count(*) FROM settings WHERE key = 'half'").fetchone()
    )
    assert count == (0,)
