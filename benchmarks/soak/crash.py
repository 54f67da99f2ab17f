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
    }
