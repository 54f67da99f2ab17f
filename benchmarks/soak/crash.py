"""Random SIGKILLs during selling, refunds and Z closes (benchmarks/crash_check.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .common import child_env, make_till


def run(work: Path, kills: int, seed: int = 7) -> dict[str, Any]:
    import os

    from benchmarks import crash_check

    home = make_till(work / "crash")
    os.environ.update({k: v for k, v in child_env().items() if k.startswith("GUITAI_")})
    t = time.monotonic()
    r = crash_check.run(home, kills, seed=seed)
    import sqlite3

    conn = sqlite3.connect(home / "till.db")
    z = conn.execute("SELECT count(*) FROM shifts WHERE closed_at IS NOT NULL").fetchone()[0]
    refunds = conn.execute("SELECT count(*) FROM sales WHERE kind = 'refund'").fetchone()[0]
    conn.close()
    return {
        "kills": r.kills,
        "acknowledged_receipt_max": r.acknowledged,
        "sales_in_db": r.sales_in_db,
        "refunds_in_db": refunds,
        "z_closes_in_db": z,
        "problems": r.problems,
        "seconds": round(time.monotonic() - t, 1),
        "ok": not r.problems and r.kills == kills,
        "receipts": receipts(work, kills, seed),
    }


def receipts(work: Path, kills: int, seed: int) -> dict[str, Any]:
    """The same kills on a till that prints (virtual printer on loopback), half of them
    between a sale's commit and its receipt: after the restart every committed sale and refund
    has its receipt printed or listed as not printed (benchmarks/crash_receipts.py)."""
    from benchmarks import crash_receipts

    home = make_till(work / "crash-receipts")
    t = time.monotonic()
    r = crash_receipts.run(home, kills, seed=seed)
    return {
        "kills": r.kills,
        "kills_after_commit": r.kills_after_commit,
        "receipts": r.receipts,
        "printed": r.printed,
        "listed_unprinted": r.listed,
        "owed_at_kill": len(r.owed_at_kill),
        "owed_printed_after_restart": r.owed_printed,
        "missing": r.missing,
        "problems": r.problems,
        "seconds": round(time.monotonic() - t, 1),
        "ok": not r.problems and not r.missing and r.kills == kills,
    }
