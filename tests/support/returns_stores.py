"""Three stores' tills enrolled against one served cloud, a shift open at each (issue 20's
returns and exchanges across stores), and a `guitai` process to race them with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from members_kit import init_till, run

JKT = "6901234567892"  # ¥299.00


def open_stores(
    cloud: Any, tmp: Path, stores: tuple[str, ...] = ("S001", "S002", "S003")
) -> dict[str, Path]:
    homes = {}
    for store in stores:
        cloud.service.admin.add_store(store, f"门店 {store}")
        home = init_till(tmp / store, 1, store)
        code = cloud.service.admin.enrollment_code(store)["code"]
        run(home, "enroll", "--cloud", cloud.url, "--code", code)
        run(home, "shift", "open", "--user", "admin", "--float", "500")
        homes[store] = home
    return homes


def cli(home: Path, *args: str) -> subprocess.Popen[bytes]:
    """`guitai --home HOME args… --json` as a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "pos_app.cli", "--home", str(home), *args, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "GUITAI_PIN": "7391"},
    )


def outcomes(
    procs: dict[str, subprocess.Popen[bytes]],
) -> tuple[dict[str, tuple[int, Any]], list[str], list[str]]:
    """Each racing process's exit code and JSON answer by store, then the stores whose
    process succeeded and those whose failed."""
    results = {}
    for s, p in procs.items():
        out, err = p.communicate(timeout=120)
        results[s] = (p.returncode, json.loads(out or err))
    won = [s for s, (rc, _) in results.items() if rc == 0]
    lost = [s for s, (rc, _) in results.items() if rc != 0]
    return results, won, lost


def refunds_of(home: Path) -> list[dict[str, Any]]:
    return [s for s in run(home, "sales", "list") if s["kind"] == "refund"]
