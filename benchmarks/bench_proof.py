"""Proof figures the other benchmarks do not cover (issue 10).

    python -m benchmarks.bench_proof            # full sizes
    GUITAI_BENCH_QUICK=1 python -m benchmarks.bench_proof

* period report over a year of sales (1,000,000 sale lines; target < 1 s), through the same
  service `guitai report period` uses; the baseline is a bare `count(*)` over the same lines
  in the same run (the cost of touching every line once);
* member lookup by phone among 1,000,000 members (`members.phone` is UNIQUE; target p99 < 2 ms);
  baseline: the primary-key lookup by member id in the same run;
* resident memory of the till during a day: the scripted demo day (`pos_app.demo`) in a child
  process, its RSS sampled from /proc every 50 ms (target peak < 300 MB).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("GUITAI_SCRYPT_N", "4096")

ROOT = Path(__file__).resolve().parent.parent


def quick() -> bool:
    return os.environ.get("GUITAI_BENCH_QUICK") == "1"


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def _init(home: Path, members: int = 0) -> None:
    from pos_app.cli import main as cli

    args = ["--home", str(home)]
    init = ["init", "--store-id", "P1", "--store-name", "证明店", "--till-no", "1"]
    assert cli([*args, *init, "--admin-pin", "7391"]) == 0
    assert cli([*args, "demo-data", "--skus", "200", "--members", str(members), "--json"]) == 0


def fill_year(conn: sqlite3.Connection, lines: int, seed: int = 3) -> int:
    """A year of sales written straight into the till's tables (3 lines a sale, 1 in 20 a
    refund).  Journal rows are not needed by the report, so foreign keys are off while filling."""
    rnd = random.Random(seed)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    shift = conn.execute(
        "INSERT INTO shifts(business_day, opened_at, opened_by, float_fen) "
        "VALUES('2025-01-01', '2025-01-01T01:00:00Z', 'admin', 0) RETURNING id"
    ).fetchone()[0]
    n_sales = lines // 3
    start = date(2025, 1, 1)
    cats = ["上衣", "裤装", "外套", "配饰", "鞋", "裙装"]
    tenders = ["cash", "wechat", "alipay", "card"]
    conn.execute("BEGIN")
    for i in range(n_sales):
        day = (start + timedelta(days=i * 365 // n_sales)).isoformat()
        sid = uuid.UUID(int=rnd.getrandbits(128)).hex
        refund = i % 20 == 19
        sign = -1 if refund else 1
        amounts = [rnd.randrange(5_000, 80_000) for _ in range(3)]
        total = sign * sum(amounts)
        conn.execute(
            "INSERT INTO sales(id, kind, receipt_no, shift_id, business_day, completed_at, "
            "cashier, subtotal_fen, discount_fen, rounding_fen, total_fen, journal_seq) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                sid,
                "refund" if refund else "sale",
                i + 1,
                shift,
                day,
                day + "T06:00:00Z",
                "wang",
                total,
                0,
                0,
                total,
                i + 1,
            ),
        )
        conn.executemany(
            "INSERT INTO sale_lines(sale_id, line_no, sku, name, qty, unit_price_fen, "
            "discount_fen, amount_fen, vat_rate_bp, category) VALUES(?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    sid,
                    n + 1,
                    f"SKU{rnd.randrange(500_000)}",
                    "商品",
                    1,
                    a,
                    0,
                    a,
                    1300 if n else 600,
                    cats[rnd.randrange(len(cats))],
                )
                for n, a in enumerate(amounts)
            ],
        )
        conn.execute(
            "INSERT INTO payments(sale_id, seq, tender, amount_fen) VALUES(?,?,?,?)",
            (sid, 1, tenders[i % 4], total),
        )
    conn.execute("COMMIT")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("ANALYZE")
    return n_sales


def period_report(root: Path) -> dict[str, Any]:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.period_report import period_report as report

    lines = 30_000 if quick() else 1_000_000
    home = root / "period"
    _init(home)
    db = open_database(home / "till.db")
    try:
        t = time.perf_counter()
        fill_year(db.conn, lines)
        fill_s = time.perf_counter() - t
        uow = SqliteUnitOfWork(db.conn)
        report(uow, "2025-01-01", "2025-12-31")  # warm the page cache, as a till that sells
        runs, bare = [], []
        for _ in range(3 if quick() else 5):
            t = time.perf_counter()
            r = report(uow, "2025-01-01", "2025-12-31")
            runs.append(time.perf_counter() - t)
            t = time.perf_counter()
            db.conn.execute("SELECT count(*), sum(amount_fen) FROM sale_lines").fetchone()
            bare.append(time.perf_counter() - t)
        assert r["sales"]["count"] + r["refunds"]["count"] == lines // 3
    finally:
        db.close()
    med, base = statistics.median(runs), statistics.median(bare)
    return {
        "period_lines": float(lines // 3 * 3),
        "period_fill_s": round(fill_s, 1),
        "period_report_year_s": round(med, 3),
        "period_bare_scan_s": round(base, 3),
        "period_vs_bare_scan_ratio": round(med / base, 2),
    }


def member_lookup(root: Path) -> dict[str, Any]:
    from pos_app.adapters.db.connection import open_database

    members = 20_000 if quick() else 1_000_000
    home = root / "members"
    t = time.perf_counter()
    _init(home, members)
    gen_s = time.perf_counter() - t
    db = open_database(home / "till.db")
    try:
        rows = db.conn.execute(
            "SELECT id, phone FROM members ORDER BY random() LIMIT 2000"
        ).fetchall()
        count = db.conn.execute("SELECT count(*) FROM members").fetchone()[0]
        by_phone, by_id = [], []
        for mid, phone in rows:
            t = time.perf_counter()
            got = db.conn.execute(
                "SELECT id, name, tier, points, stored_value_fen FROM members WHERE phone = ?",
                (phone,),
            ).fetchone()
            by_phone.append((time.perf_counter() - t) * 1000)
            assert got[0] == mid
            t = time.perf_counter()
            db.conn.execute(
                "SELECT id, name, tier, points, stored_value_fen FROM members WHERE id = ?",
                (mid,),
            ).fetchone()
            by_id.append((time.perf_counter() - t) * 1000)
        plan = " ".join(
            str(r[-1])
            for r in db.conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM members WHERE phone = ?", ("1",)
            )
        )
        assert "USING INDEX" in plan, plan  # the UNIQUE constraint's index, never a scan
    finally:
        db.close()
    return {
        "members": float(count),
        "members_generate_s": round(gen_s, 1),
        "member_by_phone_p50_ms": round(_pct(by_phone, 0.5), 4),
        "member_by_phone_p99_ms": round(_pct(by_phone, 0.99), 4),
        "member_by_id_p99_ms": round(_pct(by_id, 0.99), 4),
        "member_phone_vs_id_p99_ratio": round(_pct(by_phone, 0.99) / _pct(by_id, 0.99), 2),
    }


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def day_memory(root: Path) -> dict[str, Any]:
    """The scripted demo day in a child process; RSS sampled from /proc while it sells."""
    skus, sales = ("500", "30") if quick() else ("50000", "1500")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    env.update(GUITAI_DEMO_DIR=str(root / "day"), GUITAI_DEMO_SKUS=skus, GUITAI_DEMO_SALES=sales)
    t = time.perf_counter()
    p = subprocess.Popen(
        [sys.executable, "-m", "pos_app.demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    samples: list[int] = []
    hwm = 0
    while p.poll() is None:
        rss = _rss_kb(p.pid)
        if rss:
            samples.append(rss)
            hwm = max(hwm, _rss_kb(p.pid, "VmHWM"))
        time.sleep(0.05)
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if p.stderr:
        p.stderr.close()
    if p.returncode != 0:
        raise RuntimeError(f"demo day failed (exit {p.returncode}): {err[-2000:]}")
    peak = max(hwm, max(samples, default=0))
    return {
        "day_skus": float(skus),
        "day_sales": float(sales),
        "day_seconds": round(time.perf_counter() - t, 1),
        "day_rss_samples": float(len(samples)),
        "day_rss_median_mb": round(statistics.median(samples) / 1024, 1) if samples else 0.0,
        "day_rss_peak_mb": round(peak / 1024, 1),
    }


def main() -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="guitai-proof-bench-"))
    try:
        figures: dict[str, Any] = {"quick": quick()}
        figures.update(period_report(root))
        figures.update(member_lookup(root))
        figures.update(day_memory(root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    figures["targets"] = {
        "period_report_year_s": {
            "target": "< 1 s at 1,000,000 lines",
            "met": figures["period_report_year_s"] < 1.0,
        },
        "member_by_phone_p99_ms": {
            "target": "< 2 ms among 1,000,000 members",
            "met": figures["member_by_phone_p99_ms"] < 2.0,
        },
        "day_rss_peak_mb": {"target": "< 300 MB", "met": figures["day_rss_peak_mb"] < 300},
    }
    return figures


if __name__ == "__main__":
    for k, v in main().items():
        print(f"{k:32} {v}")
