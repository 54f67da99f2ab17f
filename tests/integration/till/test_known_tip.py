"""A sale takes its receipt number and the journal's last hash from what the till's connection
remembers since its last COMMIT (adapters/db/known_tip.py), not from two SELECTs a sale
(issue 17), and never from a stale memory: another connection's sale, a write on the same
connection outside the unit of work and a rolled-back sale are all seen by the next sale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_PIN

CODES = ("6901234567892", "6901234567908", "6901234567915")
RECEIPT_SQL = "SELECT coalesce(max(receipt_no), 0) + 1 FROM sales"
TIP_SQL = "SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1"


def _sell(till: Any, code: str = CODES[0]) -> dict[str, Any]:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    user = till.users.authenticate("admin", ADMIN_PIN)
    sale = till.sales.new_sale(user)
    till.sales.scan(sale, code)
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    return dict(till.sales.complete(sale))


def _verified(till: Any) -> None:
    from pos_app.services.journal import verify

    with till.uow:
        result = verify(till.uow)
    assert not result.problems, result.problems


@pytest.fixture
def second(till_home: Path, clock: Any) -> Iterator[Any]:
    """A second till object on the same folder: its own connection, as a `guitai` command
    beside the running till has."""
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build
    from pos_app.config import Paths

    db = open_database(Paths(till_home).database)
    yield build(Paths(till_home), db, clock)
    db.close()


def test_a_sale_after_the_first_asks_sqlite_for_neither_its_number_nor_the_last_hash(
    till: Any,
) -> None:
    till.shifts.open(till.users.authenticate("admin", ADMIN_PIN), 10_000)
    first = _sell(till)
    statements: list[str] = []
    till.database.conn.set_trace_callback(statements.append)
    try:
        done = _sell(till, CODES[1])
    finally:
        till.database.conn.set_trace_callback(None)
    assert not [s for s in statements if s in (RECEIPT_SQL, TIP_SQL)], statements
    assert done["receipt_no"] == first["receipt_no"] + 1
    (prev,) = till.database.conn.execute(
        "SELECT prev_hash FROM journal WHERE seq = (SELECT max(seq) FROM journal)"
    ).fetchone()
    assert prev == first["_entry_hash"]
    _verified(till)


def test_sales_from_two_connections_in_turn_keep_one_gap_free_chain(till: Any, second: Any) -> None:
    till.shifts.open(till.users.authenticate("admin", ADMIN_PIN), 10_000)
    tills = {"A": till, "B": second}
    numbers = [_sell(tills[t], CODES[i % 3])["receipt_no"] for i, t in enumerate("AABABBA")]
    assert numbers == list(range(1, 8))
    _verified(till)
    _verified(second)


def test_a_write_beside_the_unit_of_work_and_a_rolled_back_sale_are_seen_by_the_next_sale(
    till: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    till.shifts.open(till.users.authenticate("admin", ADMIN_PIN), 10_000)
    _sell(till)
    conn = till.database.conn
    # A tool's entry on the same connection, outside the unit of work.
    conn.execute(
        "INSERT INTO journal(seq, kind, ref_id, payload, prev_hash, entry_hash, created_at) "
        "SELECT seq + 1, kind, 'tool', payload, entry_hash, ?, created_at FROM journal "
        "ORDER BY seq DESC LIMIT 1",
        ("ab" * 32,),
    )
    after_tool = _sell(till, CODES[1])
    (prev,) = conn.execute(
        "SELECT prev_hash FROM journal WHERE ref_id = ?", (after_tool["sale_id"],)
    ).fetchone()
    assert prev == "ab" * 32 and after_tool["receipt_no"] == 2

    def broken(*_args: Any, **_kw: Any) -> None:
        raise RuntimeError("the stock write failed")

    monkeypatch.setattr(till.uow.stock, "record", broken)
    with pytest.raises(RuntimeError):
        _sell(till, CODES[2])
    monkeypatch.undo()
    again = _sell(till, CODES[2])
    assert again["receipt_no"] == 3
    (prev,) = conn.execute(
        "SELECT prev_hash FROM journal WHERE ref_id = ?", (again["sale_id"],)
    ).fetchone()
    assert prev == after_tool["_entry_hash"]
