"""Fixtures shared by the whole suite: a real till folder on a real SQLite file."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# PIN hashing at full cost (scrypt N=2^17) would dominate the suite; the cost is a parameter
# stored with each hash, so tests use a cheaper one.  Production never sets this.
os.environ.setdefault("GUITAI_SCRYPT_N", "4096")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Strict database thread for every test and every process a test starts (the CLI's too): once
# a till's database thread runs, a statement on its writing connection from any other thread
# raises WrongThread (adapters/db/writer_thread.py) instead of racing a sale.  A test reads the
# App on that thread (tests/support/on_db.py).
os.environ["GUITAI_DB_STRICT"] = "1"

ADMIN_PIN = "7391"

# The cloud on SQLite and PostgreSQL (cloud_db_url, cloud, pg_server), for every suite that
# talks to a cloud (tests/support/sync_fixtures.py).
pytest_plugins = ["sync_fixtures"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """House rule: a test leaves no thread running (a device worker or loopback server left
    alive can fire into a later test, and has once crashed Qt's event loop).  Threads Python
    did not start (Qt's, seen as _DummyThread) are not ours to join."""
    main = threading.main_thread()
    ours = [
        t
        for t in threading.enumerate()
        if t is not main and not isinstance(t, threading._DummyThread)
    ]
    for t in ours:
        t.join(timeout=2.0)
    alive = [f"{t.name} ({getattr(t, '_target', None)})" for t in ours if t.is_alive()]
    if alive:
        print("\nThreads still running after the suite:\n  " + "\n  ".join(alive))
        if exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


CATALOG = [
    # sku, style, name, price, member price, category, vat bp, barcode
    (
        "QP-2026-001-BLK-L",
        "QP-2026-001",
        "男士羊毛夹克 黑 L",
        29900,
        26900,
        "男装",
        1300,
        "6901234567892",
    ),
    ("QP-2026-002-WHT-M", "QP-2026-002", "纯棉T恤 白 M", 9900, None, "男装", 1300, "6901234567908"),
    (
        "QP-2026-003-RED-S",
        "QP-2026-003",
        "真丝围巾 红",
        59900,
        53900,
        "配饰",
        1300,
        "6901234567915",
    ),
    ("QP-2026-004-BOOK", "QP-2026-004", "品牌画册", 5000, None, "图书", 900, "6901234567922"),
    ("QP-2026-005-CARE", "QP-2026-005", "洗护服务", 3000, None, "服务", 600, "6901234567939"),
]


def seed_catalog(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute("BEGIN IMMEDIATE")
    for sku, style, name, price, mprice, cat, vat, code in CATALOG:
        conn.execute(
            "INSERT INTO skus(sku, style, name, price_fen, member_price_fen, category, "
            "vat_rate_bp) VALUES(?,?,?,?,?,?,?)",
            (sku, style, name, price, mprice, cat, vat),
        )
        conn.execute("INSERT INTO barcodes(code, sku, kind) VALUES(?,?, 'ean13')", (code, sku))
    conn.execute("COMMIT")


@pytest.fixture
def till_home(tmp_path: Path) -> Path:
    """An initialised till (store S001, till 1, admin PIN 1234) with a small catalog."""
    from pos_app.cli import main

    home = tmp_path / "till"
    rc = main(
        [
            "--home",
            str(home),
            "init",
            "--store-id",
            "S001",
            "--store-name",
            "静安嘉里店",
            "--till-no",
            "1",
            "--admin-pin",
            ADMIN_PIN,
        ]
    )
    assert rc == 0
    from pos_app.adapters.db.connection import open_database

    db = open_database(home / "till.db")
    seed_catalog(db.conn)
    db.close()
    return home


class Clock:
    def __init__(self) -> None:
        from pos_app.domain.ports import ManualClock

        self.inner = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.inner.now()

    def advance(self, **kw: float) -> None:
        self.inner.advance(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def till(till_home: Path, clock: Clock) -> Iterator[object]:
    """The wired application over the till folder, with a manual clock."""
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    paths = Paths(till_home)
    db = open_database(paths.database)
    t = build(paths, db, clock)
    yield t
    db.close()
