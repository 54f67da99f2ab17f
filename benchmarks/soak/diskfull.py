"""Disk full and read-only database under a selling till.

Disk full is simulated with `PRAGMA max_page_count` (SQLite answers SQLITE_FULL exactly as on
a full disk, with no root or loop device needed); read-only with the till's own database
opened `mode=ro` (SQLITE_READONLY, what a file system remounted read-only gives).  Checks:
selling stops with the bilingual StorageFull / StorageReadOnly error, no half-written sale,
integrity and the journal verify, and selling resumes once space returns.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .common import PIN, make_till


def _sell(till: Any, user: Any, codes: list[str], n: int) -> int:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    for i in range(n):
        s = till.sales.new_sale(user)
        till.sales.scan(s, codes[i % len(codes)])
        s.add_tender(Tender.CASH, s.totals().due_fen, CashRounding.NONE)
        till.sales.complete(s)
    return n


def run(work: Path) -> dict[str, Any]:
    from benchmarks.crash_check import check_database
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.storage_errors import StorageFull, StorageReadOnly
    from pos_app.bootstrap import build
    from pos_app.config import Paths
    from pos_app.domain.ports import ManualClock

    home = make_till(work / "diskfull")
    paths = Paths(home)
    clock = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    db = open_database(paths.database)
    till = build(paths, db, clock)
    user = till.users.authenticate("admin", PIN)
    till.shifts.open(user, 10000)
    codes = [r[0] for r in db.conn.execute("SELECT code FROM barcodes LIMIT 40")]
    _sell(till, user, codes, 5)
    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
    before_full = db.conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    full_error: StorageFull | None = None
    sold_until_full = 0
    for _ in range(2000):
        try:
            _sell(till, user, codes, 1)
            sold_until_full += 1
        except StorageFull as err:
            full_error = err
            break
    after_full = db.conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    retry_refused = False
    try:
        _sell(till, user, codes, 1)
    except StorageFull:
        retry_refused = True
    db.conn.execute("PRAGMA max_page_count = 1073741823")  # space returns
    resumed = _sell(till, user, codes, 5)
    db.close()
    problems_after_full = check_database(home, before_full + sold_until_full + resumed)

    ro = open_database(paths.database, readonly=True)
    ro_till = build(paths, ro, clock)
    ro_error: StorageReadOnly | None = None
    try:
        _sell(ro_till, user, codes, 1)  # signed in before the disk turned read-only
    except StorageReadOnly as err:
        ro_error = err
    ro.close()
    db = open_database(paths.database)
    till = build(paths, db, clock)
    resumed_rw = _sell(till, user, codes, 3)
    total = db.conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    db.close()
    problems_after_ro = check_database(home, total)
    conn = sqlite3.connect(paths.database)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return {
        "method": "disk full: PRAGMA max_page_count; read-only: the database opened mode=ro",
        "sales_before_full": before_full,
        "sales_until_full": sold_until_full,
        "full_error_raised": full_error is not None,
        "full_error_en": full_error.message if full_error else "",
        "full_error_zh": full_error.message_zh if full_error else "",
        "half_written_sales": after_full - before_full - sold_until_full,
        "retry_while_full_refused": retry_refused,
        "sales_after_space_returned": resumed,
        "read_only_error_raised": ro_error is not None,
        "read_only_error_en": ro_error.message if ro_error else "",
        "read_only_error_zh": ro_error.message_zh if ro_error else "",
        "sales_after_read_write_again": resumed_rw,
        "integrity": integrity,
        "problems": problems_after_full + problems_after_ro,
        "ok": bool(
            full_error
            and ro_error
            and retry_refused
            and after_full == before_full + sold_until_full
            and integrity == "ok"
            and not problems_after_full
            and not problems_after_ro
        ),
    }
