"""A complete sale does each piece of its work once (issue 17, the sale against the bare
durable insert): its payload is serialised once (the journal's canonical bytes are also the
outbox event's payload), and it asks SQLite for nothing the handler already knows (the outbox
seq of the row it inserts, the store and till its payload already names)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ADMIN_PIN

CODES = ("6901234567892", "6901234567908", "6901234567915")


def _sell(till: Any, traced: list[str] | None = None) -> dict[str, Any]:
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    user = till.users.authenticate("admin", ADMIN_PIN)
    sale = till.sales.new_sale(user)
    for code in CODES:
        till.sales.scan(sale, code)
    sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
    conn = till.database.conn
    if traced is not None:
        conn.set_trace_callback(traced.append)
    try:
        done: dict[str, Any] = till.sales.complete(sale)
    finally:
        conn.set_trace_callback(None)
    return done


def test_the_outbox_event_of_a_sale_carries_the_bytes_its_journal_entry_hashed(
    till: Any,
) -> None:
    till.shifts.open(till.users.authenticate("admin", ADMIN_PIN), 10_000)
    done = _sell(till)
    conn = till.database.conn
    journal, entry_hash = conn.execute(
        "SELECT payload, entry_hash FROM journal WHERE ref_id = ?", (done["sale_id"],)
    ).fetchone()
    outbox, outbox_hash = conn.execute(
        "SELECT payload, entry_hash FROM outbox WHERE type = 'sale.completed'"
    ).fetchone()
    assert outbox == journal and outbox_hash == entry_hash == done["_entry_hash"]
    # the same fields as the payload the handler returned (only `_entry_hash` is added there)
    assert json.loads(outbox) == {k: v for k, v in done.items() if k != "_entry_hash"}


def test_a_sale_asks_sqlite_for_no_seq_and_no_setting_it_already_knows(till: Any) -> None:
    till.shifts.open(till.users.authenticate("admin", ADMIN_PIN), 10_000)
    statements: list[str] = []
    done = _sell(till, statements)
    assert not [s for s in statements if "max(seq)" in s], statements
    assert not [s for s in statements if "FROM settings" in s], statements
    conn = till.database.conn
    events = conn.execute("SELECT seq, type, payload FROM outbox ORDER BY seq").fetchall()
    # gap-free, in order, and each stock move carries the seq of the event that reported it
    assert [seq for seq, _t, _p in events] == list(range(1, len(events) + 1))
    moved_seq, _type, moved = next(e for e in events if e[1] == "stock.moved")
    assert {r[0] for r in conn.execute("SELECT outbox_seq FROM stock_moves")} == {moved_seq}
    moved = json.loads(moved)
    assert (moved["store_id"], moved["till_no"]) == (done["store_id"], done["till_no"])
    settings = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    assert (moved["store_id"], moved["till_no"]) == (settings["store_id"], int(settings["till_no"]))
