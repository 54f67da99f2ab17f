"""The complete-sale-versus-bare-insert figure treats both sides alike (issue 17): the sales and
the bare inserts alternate one for one, after an untimed warm-up of both, so a noisy second on
the shared box lands on both sides and not on whichever block ran then; and each side's quiet
moment does the same work, the till's own idle (`checkpoint_if_written`).  The bare side
once checkpointed after every insert instead: its WAL then started over inside every timed
COMMIT, a second fsync a sale paid only once per checkpoint (about one in seven), which made
the bare insert twice as slow and the ratio look half what it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from benchmarks import bench_foundation
from pos_app.adapters.db.connection import GuitaiConnection


class _Sale:
    def add_tender(self, *_args: Any) -> None:
        pass

    def totals(self) -> Any:
        return SimpleNamespace(due_fen=100)


def _till(order: list[str]) -> Any:
    def complete(_sale: _Sale) -> None:
        order.append("sale")

    return SimpleNamespace(
        users=SimpleNamespace(authenticate=lambda *_a: "admin"),
        database=SimpleNamespace(thread=SimpleNamespace(run_idle=lambda: order.append("idle"))),
        sales=SimpleNamespace(
            new_sale=lambda _user: _Sale(), scan=lambda *_a: None, complete=complete
        ),
        identity=lambda: SimpleNamespace(cash_rounding="none"),
    )


def test_sales_and_bare_inserts_alternate_after_a_warm_up_of_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    real = bench_foundation.bare_connection

    def traced(path: Path) -> GuitaiConnection:
        conn = real(path)
        conn.set_trace_callback(lambda sql: order.append("bare") if sql == "COMMIT" else None)
        work = conn.checkpoint_if_written

        def idle() -> None:
            order.append("bare idle")
            work()

        monkeypatch.setattr(conn, "checkpoint_if_written", idle)
        return conn

    monkeypatch.setattr(bench_foundation, "bare_connection", traced)
    figures = bench_foundation.complete_vs_bare(
        _till(order), [f"690{i:010d}" for i in range(60)], tmp_path, n=30, warmup=5
    )
    # One for one, each followed by the same untimed quiet moment; five of each untimed first.
    assert order == ["sale", "idle", "bare", "bare idle"] * 35
    assert figures["complete_vs_bare_samples"] == 30
    with sqlite3.connect(tmp_path / "bare.db") as bare:
        assert bare.execute("SELECT count(*) FROM t").fetchone()[0] == 35
    for key in ("complete_sale_p50_ms", "bare_insert_p99_ms", "complete_vs_bare_p50_ratio"):
        assert figures[key] > 0, key
    above = figures["complete_sale_p50_ms"] - figures["bare_insert_p50_ms"]
    assert figures["complete_above_bare_p50_ms"] == above


def test_the_bare_inserts_wal_is_written_through_a_checkpoint_before_timing(
    tmp_path: Path,
) -> None:
    """As the till's is: a WAL file still growing costs each fsync the file's new size too."""
    from pos_app.adapters.db.connection import CHECKPOINT_CHANGES

    conn = bench_foundation.bare_connection(tmp_path / "bare.db")
    try:
        wal = tmp_path / "bare.db-wal"
        assert wal.stat().st_size >= 32 + CHECKPOINT_CHANGES * (24 + 4096)
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
        busy, log, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and log == copied <= 1  # started over: at most the one-page write
    finally:
        conn.close()
