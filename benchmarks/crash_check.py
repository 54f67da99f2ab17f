"""Kill a selling till with SIGKILL again and again; check nothing acknowledged is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CrashReport:
    kills: int = 0
    acknowledged: int = 0
    sales_in_db: int = 0
    problems: list[str] = field(default_factory=list)


def check_database(home: Path, acked: int, full: bool = True) -> list[str]:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from pos_app.services.journal import verify

    problems: list[str] = []
    db = open_database(home / "till.db")  # runs quick_check
    try:
        conn = db.conn
        nos = [r[0] for r in conn.execute("SELECT receipt_no FROM sales ORDER BY receipt_no")]
        if nos != list(range(1, len(nos) + 1)):
            problems.append("receipt numbers have a gap")
        if (nos[-1] if nos else 0) < acked:
            problems.append(f"acknowledged receipt {acked} lost (db has {len(nos)})")
        missing = conn.execute(
            "SELECT count(*) FROM journal j WHERE NOT EXISTS "
            "(SELECT 1 FROM outbox o WHERE o.entry_hash = j.entry_hash AND o.entry_hash IS NOT NULL)"
        ).fetchone()[0]
        if missing:
            problems.append(f"{missing} journal entries without their outbox event")
        seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
        if seqs != list(range(1, len(seqs) + 1)):
            problems.append("outbox sequence has a gap")
        if full:
            result = verify(SqliteUnitOfWork(conn))
            problems += [f"journal: {p.problem}" for p in result.problems[:5]]
    finally:
        db.close()
    return problems


def run(home: Path, kills: int, seed: int = 1, max_wait: float = 0.6) -> CrashReport:
    rnd = random.Random(seed)
    report = CrashReport()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")]
    )
    for i in range(kills):
        p = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.crash_child", str(home), str(seed + i)],
            stdout=subprocess.PIPE,
            env=env,
        )
        # wait until it is selling, then kill at a random moment
        first = p.stdout.readline() if p.stdout else b""
        time.sleep(rnd.uniform(0, max_wait))
        p.send_signal(signal.SIGKILL)
        out = first + (p.stdout.read() if p.stdout else b"")
        if p.stdout:
            p.stdout.close()
        p.wait()
        report.kills += 1
        nums = [int(x) for x in out.split() if x.isdigit()]
        if nums:
            report.acknowledged = max(report.acknowledged, max(nums))
        # the cheap checks after every kill, the whole journal every tenth and at the end
        full = i % 10 == 9 or i == kills - 1
        problems = check_database(home, report.acknowledged, full=full)
        report.problems += [f"kill {i}: {x}" for x in problems]
        if report.problems:
            break
    conn = sqlite3.connect(home / "till.db")
    report.sales_in_db = conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    conn.close()
    return report
