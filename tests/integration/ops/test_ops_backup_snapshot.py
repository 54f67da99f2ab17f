"""The online backup reads a WAL snapshot through its own connection: it never waits for the
till's writer lock, sales go on during the copy, and each sale is wholly in or wholly out of
the copy, which verifies after a restore."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from pos_app.adapters.db.backup import backup, check_backup
from pos_app.cli import main
from pos_app.domain.tenders import Tender

TEE = "6901234567908"


def _sell(till: Any, user: Any) -> dict[str, Any]:
    s = till.sales.new_sale(user)
    till.sales.scan(s, TEE)
    till.checkout.pay(s, Tender.parse("cash"), 9900, None)
    return dict(till.checkout.complete(s))


def _count(path: Path, table: str) -> int:
    c = sqlite3.connect(path)
    try:
        return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        c.close()


def _in_thread(fn: Any) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = fn()
        except BaseException as err:  # handed to the test thread
            box["error"] = err

    t = threading.Thread(target=run, name="backup-under-test")
    t.start()
    return t, box


def test_backup_completes_while_the_main_thread_holds_the_writer_lock(
    till: Any, tmp_path: Path
) -> None:
    user = till.users.authenticate("admin", "7391")
    till.shifts.open(user, 0)
    _sell(till, user)
    conn = till.database.conn
    with till.uow.thread.turn():  # held throughout: a backup that waited for it would hang
        conn.execute("BEGIN IMMEDIATE")  # and a sale half-written on the till's connection
        conn.execute("INSERT INTO settings(key, value) VALUES('half_written', 'never in a backup')")
        t, box = _in_thread(lambda: till.backups.backup("manual", [tmp_path / "b"]))
        t.join(60)
        alive = t.is_alive()
        conn.execute("ROLLBACK")
    t.join(60)
    assert not alive, "the backup waited for the till's writer lock"
    assert "error" not in box, box.get("error")
    [copy] = box["result"]
    check_backup(copy)
    assert _count(copy, "sales") == 1
    c = sqlite3.connect(copy)
    try:
        assert c.execute("SELECT 1 FROM settings WHERE key = 'half_written'").fetchone() is None
    finally:
        c.close()


def test_the_backup_runs_no_statement_on_the_tills_connection(till: Any, tmp_path: Path) -> None:
    """A statement run on the till's connection from the backup's thread would sit beside a
    sale's transaction on the selling thread, whose COMMIT then fails with "SQL statements in
    progress" (it happened in bench_ops).  The backup reads only through its own connection."""
    conn = till.database.conn
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        with till.uow.thread.turn():
            t, box = _in_thread(lambda: till.backups.backup("manual", [tmp_path / "b"]))
            t.join(60)
    finally:
        conn.set_trace_callback(None)
    assert "error" not in box, box.get("error")
    check_backup(box["result"][0])
    assert seen == []


def test_a_sale_committed_during_the_copy_is_wholly_out_and_the_copy_verifies(
    till: Any, till_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sale commits after the copy's snapshot is fixed and before a page is copied: the
    copy has every earlier sale complete and nothing of this one; the live till has it."""
    user = till.users.authenticate("admin", "7391")
    till.shifts.open(user, 0)
    before = [_sell(till, user) for _ in range(3)]
    during: list[dict[str, Any]] = []

    def commit_a_sale() -> None:  # runs on the backup's thread, between snapshot and copy
        during.append(_sell(till, user))

    copy = backup(
        till.database.conn,
        [tmp_path / "b1", tmp_path / "b2"],
        till.clock.now(),
        "manual",
        on_snapshot=commit_a_sale,
    )[1]
    assert during and _count(till.paths.database, "sales") == 4
    c = sqlite3.connect(copy)
    try:
        ids = {r[0] for r in c.execute("SELECT id FROM sales")}
        assert ids == {p["sale_id"] for p in before}
        sale_id = during[0]["sale_id"]
        for table, col in (("sale_lines", "sale_id"), ("payments", "sale_id")):
            assert (
                c.execute(f"SELECT count(*) FROM {table} WHERE {col} = ?", (sale_id,)).fetchone()[0]
                == 0
            )
        assert c.execute("SELECT count(*) FROM journal").fetchone()[0] == len(before)
    finally:
        c.close()
    # restored onto another till folder, `guitai journal verify` passes
    home = tmp_path / "restored-till"
    home.mkdir()
    assert main(["--home", str(home), "restore", str(copy), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["journal_ok"] and out["entries"] == len(before)
    assert main(["--home", str(home), "journal", "verify"]) == 0


def test_sales_racing_the_backup_are_each_wholly_in_or_out(till: Any, tmp_path: Path) -> None:
    """A selling thread commits sales while backups run: whatever the interleaving, every sale
    in a copy has its lines, payments and journal entry, and the journal verifies."""
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.journal import verify

    user = till.users.authenticate("admin", "7391")
    till.shifts.open(user, 0)
    stop = threading.Event()
    sold: list[str] = []

    def sell() -> None:
        while not stop.is_set() and len(sold) < 150:
            sold.append(_sell(till, user)["sale_id"])

    seller = threading.Thread(target=sell)
    seller.start()
    copies: list[Path] = []
    try:
        for i in range(4):
            copies += backup(till.database.conn, [tmp_path / f"b{i}"], till.clock.now(), "race")
    finally:
        stop.set()
        seller.join(60)
    assert not seller.is_alive()
    for copy in copies:
        target = tmp_path / "r" / copy.parent.name / "till.db"
        target.parent.mkdir(parents=True)
        target.write_bytes(copy.read_bytes())
        db = open_database(target)
        try:
            c = db.conn
            in_copy = [r[0] for r in c.execute("SELECT id FROM sales ORDER BY rowid")]
            assert in_copy == sold[: len(in_copy)]  # a prefix of the sales, in order
            for table in ("sale_lines", "payments"):
                assert c.execute(
                    f"SELECT count(DISTINCT sale_id) FROM {table}"
                ).fetchone()[0] == len(in_copy)  # fmt: skip
            result = verify(SqliteUnitOfWork(c))
            assert result.ok, result.problems
            assert result.receipts == len(in_copy)
        finally:
            db.close()
