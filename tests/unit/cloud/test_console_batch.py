"""The console's share of the ingest is a few statements a batch, whatever its size, and
touches only the till's own store (issue 22 follow-up; issue 18's ingest rate): a batch's
events add up by summary key in Python, one multi-row statement a table, no chain-wide row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from cloud.console.facts import apply


class SpyTx:
    """A unit of work that records what it is asked to write."""

    dialect = "sqlite"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Sequence[Any]]]] = []

    def execute(self, sql: str, args: Sequence[Any] = ()) -> SpyTx:
        if sql.startswith("SELECT"):  # the funnel's look-ups: nothing recorded yet
            return self
        width = sql[: sql.index(")")].count(",") + 1  # the INSERT's columns
        self.calls.append((sql, [tuple(args[i : i + width]) for i in range(0, len(args), width)]))
        return self

    def fetchall(self) -> list[Any]:
        return []

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.calls += [(sql, [tuple(r)]) for r in rows]


def sale(i: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "sale.completed",
        "payload": {
            "business_day": "2026-11-24", "completed_at": f"2026-11-24T0{i % 3 + 2}:10:00Z",
            "shift_id": 1, "associate": "王芳", "total_fen": 1000 + i,
            "lines": [{"qty": 1, "amount_fen": 1000 + i, "category": "外套"}],
            "payments": [{"tender": "wechat" if i % 2 else "cash", "amount_fen": 1000 + i,
                          "change_fen": 0}],
        },
    }  # fmt: skip


def status(i: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "device.status",
        "payload": {"device": "front", "kind": "printer", "state": f"s{i}", "reason": "",
                    "at": f"2026-11-24T05:0{i}:00Z"},
    }  # fmt: skip


def run(events: list[dict[str, Any]]) -> SpyTx:
    tx = SpyTx()
    apply(tx, "dev1", "S001", 1, events, [e["id"] for e in events], "2026-11-24T06:00:00Z")  # type: ignore[arg-type]
    return tx


def test_a_batch_costs_one_statement_a_summary_table_whatever_its_size() -> None:
    """(The spy counts an executemany as one statement a row.)"""
    small, big = run([sale(0)]), run([sale(i) for i in range(200)] + [status(i) for i in range(5)])
    tables = [sql.split("(")[0].split()[-1] for sql, _ in small.calls]
    assert tables == [
        "console_funnel_day", "console_funnel_month",  # printed, per store/day/associate
        "console_sales_day", "console_sales_month",
        "console_sales_dirty",  # the store's day marked changed for head office's rows
        "console_shift_sums",
    ]  # fmt: skip
    assert len(big.calls) == len(small.calls) + 1  # and the device statuses
    day = next(rows for sql, rows in big.calls if "console_sales_day" in sql)
    keys = [tuple(r[:4]) for r in day]
    assert len(keys) == len(set(keys)) == 1 + 3 + 1 + 1 + 1 + 2  # day, hours, …, tenders
    assert keys == sorted(keys)  # in key order: two tills of a store never deadlock
    whole = next(r for r in day if r[2] == "")
    assert whole[4] == 200 and whole[7] == sum(1000 + i for i in range(200))
    statuses = next(rows for sql, rows in big.calls if "console_device_status" in sql)
    assert [r[3] for r in statuses] == ["s4"]  # the device's latest of the batch


def test_no_row_is_shared_by_the_whole_chain() -> None:
    for sql, rows in run([sale(i) for i in range(10)]).calls:
        if "console_sales" in sql:
            assert {r[0] for r in rows} == {"S001"}, sql


def test_a_large_batch_is_written_in_statements_of_at_most_500_rows() -> None:
    events = []
    for i in range(700):
        e = status(0)
        e["payload"] |= {"device": f"p{i:03d}", "at": f"2026-11-24T05:00:{i % 60:02d}Z"}
        events.append(e)
    statuses = [rows for sql, rows in run(events).calls if "console_device_status" in sql]
    assert [len(rows) for rows in statuses] == [500, 200]
    assert sorted(r[1] for rows in statuses for r in rows) == [f"p{i:03d}" for i in range(700)]
