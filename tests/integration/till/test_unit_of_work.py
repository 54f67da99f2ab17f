"""The SQLite unit of work (pos_app/adapters/db/unit_of_work.py) on a real database file:
commit, rollback, savepoints, BEGIN IMMEDIATE, disk errors, and repositories that never
begin or end a transaction themselves."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.adapters.db import repositories
from pos_app.adapters.db.connection import OpenDatabase, open_database
from pos_app.adapters.db.storage_errors import StorageFull
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork


@pytest.fixture
def db(tmp_path: Path) -> Iterator[OpenDatabase]:
    opened = open_database(tmp_path / "till.db")
    yield opened
    opened.close()


def other_view(db: OpenDatabase, key: str) -> str | None:
    """What a separate reader of the file sees (only committed data)."""
    reader = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    try:
        row = reader.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])
    finally:
        reader.close()


def traced(conn: sqlite3.Connection) -> list[str]:
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    return statements


def control(statements: list[str]) -> list[str]:
    keep = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
    return [s.strip() for s in statements if keep.match(s)]


def test_commit_makes_the_writes_durable(db: OpenDatabase) -> None:
    uow = SqliteUnitOfWork(db.conn)
    with uow:
        uow.settings.put("k", "v")
        assert other_view(db, "k") is None  # not before the commit
        uow.commit()
    assert other_view(db, "k") == "v"
    assert not db.conn.in_transaction


def test_leaving_without_commit_or_with_an_error_rolls_back(db: OpenDatabase) -> None:
    uow = SqliteUnitOfWork(db.conn)
    with uow:
        uow.settings.put("forgotten", "1")
    with pytest.raises(ValueError), uow:
        uow.settings.put("failed", "1")
        raise ValueError("half-way")
    assert uow.settings.get("forgotten") is None and uow.settings.get("failed") is None
    assert not db.conn.in_transaction


def test_it_begins_immediate_so_the_write_lock_is_taken_at_once(db: OpenDatabase) -> None:
    uow = SqliteUnitOfWork(db.conn)
    statements = traced(db.conn)
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
    try:
        with uow:
            assert control(statements) == ["BEGIN IMMEDIATE"]
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            uow.commit()
    finally:
        other.close()
        db.conn.set_trace_callback(None)
    assert control(statements) == ["BEGIN IMMEDIATE", "COMMIT"]


def test_a_nested_unit_of_work_is_a_savepoint(db: OpenDatabase) -> None:
    uow = SqliteUnitOfWork(db.conn)
    with uow:
        uow.settings.put("outer", "1")
        with pytest.raises(RuntimeError), uow:
            uow.settings.put("inner-failed", "1")
            raise RuntimeError("the inner step fails")
        with uow:
            uow.settings.put("inner-kept", "1")
            uow.commit()  # kept for the outer commit, not durable yet
        assert other_view(db, "inner-kept") is None
        uow.commit()
    assert other_view(db, "outer") == "1" and other_view(db, "inner-kept") == "1"
    assert other_view(db, "inner-failed") is None

    with uow, uow:
        uow.settings.put("joined", "1")
        uow.commit()
    assert other_view(db, "joined") is None  # the outer block rolled back what it joined


def test_two_units_of_work_on_one_connection_share_the_transaction(db: OpenDatabase) -> None:
    """A tool's (the payment wiring's) unit of work inside the till's joins it."""
    till, tool = SqliteUnitOfWork(db.conn), SqliteUnitOfWork(db.conn)
    statements = traced(db.conn)
    try:
        with till:
            till.settings.put("sale", "1")
            with tool:
                tool.settings.put("attach", "1")
                tool.commit()
            till.commit()
    finally:
        db.conn.set_trace_callback(None)
    assert control(statements) == ["BEGIN IMMEDIATE", "SAVEPOINT uow_1", "RELEASE uow_1", "COMMIT"]
    assert other_view(db, "attach") == "1"


def test_a_transaction_begun_outside_the_unit_of_work_is_refused(db: OpenDatabase) -> None:
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        with (
            pytest.raises(RuntimeError, match="through the unit of work"),
            SqliteUnitOfWork(db.conn),
        ):
            pass
    finally:
        db.conn.execute("ROLLBACK")


def test_a_full_disk_rolls_back_and_says_what_to_do(db: OpenDatabase) -> None:
    uow = SqliteUnitOfWork(db.conn)
    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StorageFull) as err, uow:
        uow.settings.put("blob", "x" * 200_000)
        uow.commit()
    assert "disk is full" in err.value.message and "磁盘已满" in err.value.message_zh
    assert not db.conn.in_transaction
    db.conn.execute("PRAGMA max_page_count = 1073741823")
    with uow:
        uow.settings.put("after", "1")
        uow.commit()
    assert other_view(db, "after") == "1" and other_view(db, "blob") is None


def test_no_repository_begins_or_ends_a_transaction() -> None:
    folder = Path(repositories.__file__).parent
    sources = sorted(folder.glob("*.py"))
    assert len(sources) >= 10
    control_sql = re.compile(r"\b(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b")
    for source in sources:
        code = source.read_text(encoding="utf-8")
        for n, line in enumerate(code.splitlines(), 1):
            if "execute" in line or line.strip().startswith(('"', "f'", 'f"')):
                assert not control_sql.search(line), f"{source.name}:{n}: {line.strip()}"
        assert "in_transaction" not in code, source.name
        assert "contextmanager" not in code or source.name == "catalog.py", source.name


def test_a_sale_is_one_transaction_and_its_repositories_add_none(till) -> None:  # type: ignore[no-untyped-def]
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    u = till.users.authenticate("admin", "7391")
    till.shifts.open(u, 0)
    sale = till.sales.new_sale(u)
    till.sales.scan(sale, "6901234567892")
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    statements = traced(till.database.conn)
    try:
        till.sales.complete(sale)
    finally:
        till.database.conn.set_trace_callback(None)
    outer = [s for s in control(statements) if s in ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")]
    assert outer == ["BEGIN IMMEDIATE", "COMMIT"]
    assert not [s for s in control(statements) if s.startswith("BEGIN ") and s != "BEGIN IMMEDIATE"]
