"""CPU per complete sale on the till's database thread, and where it goes (issue 17).

The box the benchmarks run on is shared, so wall-clock percentiles there say more about the
neighbours than about the sale: this counts the database thread's CPU time (time.thread_time)
per `till.sales.complete`, the same for the bare durable insert, the CPU of each kind of
statement, and a cProfile of the handler.  `floor_*` is the smallest COMMIT a sale could make
(its journal entry and outbox event alone, _floor); `load_*` the box's 1-minute load average.  Run it on two checkouts alternately to compare.

    python -m benchmarks.profile_complete_sale [--skus 20000] [--sales 400] [--sync FULL|OFF]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import gc
import hashlib
import io
import os
import pstats
import shutil
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.bench_foundation import PIN, bare_connection, make_till, open_till, pct


def _floor(conn: sqlite3.Connection, n: int, idle: Any) -> list[float]:
    """The smallest COMMIT a sale could make: its journal entry and its outbox event alone
    (the last sale's payload bytes, fresh ids and hashes, every index those two tables
    have), on the till's own connection.  CPU ms per COMMIT."""
    payload, at = conn.execute(
        "SELECT payload, created_at FROM journal ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    out = []
    for _ in range(n):
        digest = hashlib.sha256(os.urandom(16)).hexdigest()
        c = time.thread_time()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO journal(kind, ref_id, payload, prev_hash, entry_hash, created_at) "
            "VALUES('sale', ?, ?, ?, ?, ?)",
            (str(uuid.uuid4()), payload, digest, digest, at),
        )
        conn.execute(
            "INSERT INTO outbox(id, type, occurred_at, payload, entry_hash) "
            "VALUES(?, 'sale.completed', ?, ?, ?)",
            (str(uuid.uuid4()), at, payload, digest),
        )
        conn.execute("COMMIT")
        out.append((time.thread_time() - c) * 1000)
        if idle is not None:
            idle()
    return out


def _tail(
    cpu: list[float], sql_ms: list[float], gc_in: list[bool], per_sale: list[dict[str, float]]
) -> dict[str, Any]:
    """What the slowest 1% of sales do that the others do not: their SQL and their Python
    (the rest of the sale's CPU) against the median sale's, and how many of them had a
    garbage collection start inside `complete()` (against how many sales had one at all)."""
    order = sorted(range(len(cpu)), key=lambda i: cpu[i])
    slow = order[-max(1, len(cpu) // 100) :]

    def mid(xs: list[float]) -> float:
        return sorted(xs)[len(xs) // 2]

    typical = {k: mid([p.get(k, 0) * 1000 for p in per_sale]) for k in per_sale[0]}

    def excess(k: str) -> float:
        return mid([per_sale[i].get(k, 0) * 1000 for i in slow]) - typical[k]

    return {
        "median_sql_ms": mid(sql_ms),
        "median_python_ms": mid([c - s for c, s in zip(cpu, sql_ms, strict=True)]),
        "slowest_1pct_sql_ms": mid([sql_ms[i] for i in slow]),
        "slowest_1pct_python_ms": mid([cpu[i] - sql_ms[i] for i in slow]),
        "sales_with_gc": sum(gc_in),
        "slowest_1pct_with_gc": sum(gc_in[i] for i in slow),
        # Per kind of statement, its ms in the slowest 1% beyond its median in all sales.
        "slowest_1pct_excess_ms": {
            k: round(mid([per_sale[i].get(k, 0) * 1000 for i in slow]) - typical[k], 3)
            for k in sorted(typical, key=lambda k: -excess(k))[:4]
        },
    }


def measure(skus: int, sales: int, sync: str, profile: bool) -> dict[str, Any]:
    from pos_app.adapters.db import connection
    from pos_app.domain.tenders import Tender

    root = Path(tempfile.mkdtemp(prefix="guitai-prof-"))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        home = make_till(root, skus)
    till, _clock = open_till(home)
    db = till.database.thread
    db.start()
    conn = till.database.conn
    by_statement: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])
    counting = [False]
    # The tail's probes: the SQL CPU of the sale being timed, every distinct statement text
    # (against the connection's statement cache, 128 by default), and the garbage
    # collections that start while a sale is being completed.
    sale_sql = [0.0]
    sale_by: dict[str, float] = collections.defaultdict(float)
    texts: set[str] = set()
    collecting = [0]
    in_sale = [False]

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start" and in_sale[0]:
            collecting[0] += 1

    execute = connection._execute

    def counted(self: sqlite3.Connection, *args: Any) -> sqlite3.Cursor:
        if not counting[0]:
            return execute(self, *args)
        t = time.thread_time()
        try:
            return execute(self, *args)
        finally:
            spent = time.thread_time() - t
            kind = by_statement[str(args[0])[:48]]
            kind[0] += 1
            kind[1] += spent
            sale_sql[0] += spent
            sale_by[str(args[0])[:24]] += spent
            texts.add(str(args[0]))

    executemany = connection.GuitaiConnection.executemany

    def counted_many(self: sqlite3.Connection, sql: str, rows: Any) -> sqlite3.Cursor:
        # Each row of an executemany is a statement SQLite runs: counted as such, so the
        # count does not drop when a repository batches its rows.
        if not counting[0]:
            return executemany(self, sql, rows)  # type: ignore[arg-type]
        rows = list(rows)
        t = time.thread_time()
        try:
            return executemany(self, sql, rows)  # type: ignore[arg-type]
        finally:
            spent = time.thread_time() - t
            kind = by_statement[sql[:48]]
            kind[0] += len(rows)
            kind[1] += spent
            sale_sql[0] += spent
            sale_by[sql[:24]] += spent
            texts.add(sql)

    connection._execute = counted  # type: ignore[assignment]
    connection.GuitaiConnection.executemany = counted_many  # type: ignore[method-assign,assignment]
    prof = cProfile.Profile()

    def run() -> tuple[list[float], list[float]]:
        conn.execute(f"PRAGMA synchronous = {sync}")
        codes = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM barcodes WHERE kind = 'ean13' ORDER BY code LIMIT 300"
            )
        ]
        user = till.users.authenticate("admin", PIN)
        till.shifts.open(user, 0)
        cpu, wall = [], []
        for i in range(sales + 20):
            sale = till.sales.new_sale(user)
            for c in codes[i % 40 : i % 40 + 3]:
                till.sales.scan(sale, c)
            sale.add_tender(Tender.CASH, sale.totals().due_fen, till.identity().cash_rounding)
            warm = i >= 20
            counting[0] = warm and not profile
            if warm and profile:
                prof.enable()
            sale_sql[0], collected = 0.0, collecting[0]
            sale_by.clear()
            in_sale[0] = True
            c, w = time.thread_time(), time.perf_counter()
            till.sales.complete(sale)
            c, w = time.thread_time() - c, time.perf_counter() - w
            in_sale[0] = False
            prof.disable()
            counting[0] = False
            # The quiet seconds before the next customer: the database thread's idle work (the
            # WAL checkpoint, connection.checkpoint_if_written) runs there, untimed.  A tree
            # without it (the one before) checkpoints inside its COMMITs instead.
            if idle is not None:
                idle()
            if warm:
                cpu.append(c * 1000)
                wall.append(w * 1000)
                sql_ms.append(sale_sql[0] * 1000)
                per_sale.append(dict(sale_by))
                gc_in.append(collecting[0] > collected)
        # Pages each COMMIT writes: from an empty WAL, ten more sales (well under the
        # auto-checkpoint's 1,000 pages, so the WAL only grows).
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for i in range(10):
            sale = till.sales.new_sale(user)
            for c in codes[i % 40 : i % 40 + 3]:
                till.sales.scan(sale, c)
            sale.add_tender(Tender.CASH, sale.totals().due_fen, till.identity().cash_rounding)
            till.sales.complete(sale)
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        frames[0] = (wal.stat().st_size - 32) / (24 + page) / 10
        floor_cpu.extend(_floor(conn, sales, idle))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _floor(conn, 10, None)
        floor_frames[0] = (wal.stat().st_size - 32) / (24 + page) / 10
        return cpu, wall

    wal = Path(f"{till.database.path}-wal")
    idle = getattr(db, "run_idle", None)
    frames = [0.0]
    floor_cpu: list[float] = []
    floor_frames = [0.0]
    load = os.getloadavg()[0]
    sql_ms: list[float] = []
    per_sale: list[dict[str, float]] = []
    gc_in: list[bool] = []
    gc.callbacks.append(on_gc)
    try:
        cpu, wall = db.call(run)
    finally:
        gc.callbacks.remove(on_gc)
        connection._execute = execute  # type: ignore[assignment]
        connection.GuitaiConnection.executemany = executemany  # type: ignore[method-assign]
        till.database.close()
    bare = bare_connection(root / "bare.db")
    bare.execute(f"PRAGMA synchronous = {sync}")
    bare_cpu = []
    for i in range(sales):
        c = time.thread_time()
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT INTO t(v) VALUES(?)", (str(i),))
        bare.execute("COMMIT")
        bare_cpu.append((time.thread_time() - c) * 1000)
        if idle is not None:  # the same quiet moment, untimed
            bare.checkpoint_if_written()
    bare.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for i in range(10):
        bare.execute("BEGIN IMMEDIATE")
        bare.execute("INSERT INTO t(v) VALUES(?)", (str(i),))
        bare.execute("COMMIT")
    bare_frames = ((root / "bare.db-wal").stat().st_size - 32) / (24 + 4096) / 10
    bare.close()
    shutil.rmtree(root, ignore_errors=True)
    out: dict[str, Any] = {
        "sale_cpu_p50_ms": pct(cpu, 0.5),
        "sale_cpu_p99_ms": pct(cpu, 0.99),
        "sale_cpu_mean_ms": sum(cpu) / len(cpu),
        "sale_wall_p50_ms": pct(wall, 0.5),
        "sale_wall_p99_ms": pct(wall, 0.99),
        "bare_cpu_p50_ms": pct(bare_cpu, 0.5),
        "bare_cpu_p99_ms": pct(bare_cpu, 0.99),
        "sale_wal_pages": frames[0],
        "bare_wal_pages": bare_frames,
        "floor_cpu_p50_ms": pct(floor_cpu, 0.5),
        "floor_cpu_p99_ms": pct(floor_cpu, 0.99),
        "floor_wal_pages": floor_frames[0],
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }
    if profile:
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(70)
        out["profile"] = text.getvalue()
    else:
        out.update(_tail(cpu, sql_ms, gc_in, per_sale))
        out["distinct_statements"] = len(texts)
        out["statements_per_sale"] = sum(n for n, _ in by_statement.values()) / sales
        out["statement_cpu_ms"] = {
            sql: round(spent / sales * 1000, 3)
            for sql, (_n, spent) in sorted(by_statement.items(), key=lambda kv: -kv[1][1])[:40]
        }
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=20_000)
    ap.add_argument("--sales", type=int, default=400)
    ap.add_argument("--sync", choices=("FULL", "OFF"), default="FULL")
    ap.add_argument("--profile", action="store_true", help="cProfile the handler instead")
    args = ap.parse_args()
    for k, v in measure(args.skus, args.sales, args.sync, args.profile).items():
        print(f"{k:22} {v:.3f}" if isinstance(v, float) else f"{k:22} {v}")
