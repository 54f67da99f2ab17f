"""Kill a printing till with SIGKILL between a sale's commit and its receipt's printing (and at
random moments); after a restart every committed sale and refund has its receipt printed or
listed as not printed (`guitai devices jobs`).

Half the kills land exactly in the window between the commit and the rendering of the
receipt (the child stops there and says so: benchmarks/crash_child.py PAUSE_AT); the others
fall at random moments, mid-print included.  The printer is the virtual ESC/POS printer on
loopback, so "printed" is checked on what reached the paper, not only on the job's state.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.crash_check import check_database

PAPER_NO = re.compile(r"(?<!原)小票号\D*?(\d{6})")


@dataclass
class ReceiptCrashReport:
    kills: int = 0
    kills_after_commit: int = 0  # the child was stopped between a commit and its receipt
    receipts: int = 0  # sales and refunds committed
    printed: int = 0  # confirmed by the printer and found on the virtual paper
    listed: int = 0  # listed by `guitai devices jobs` (failed, unconfirmed, still queued)
    missing: list[int] = field(default_factory=list)  # neither: the failure this guards
    owed_at_kill: list[int] = field(default_factory=list)  # committed, killed before printing
    owed_printed: int = 0  # of those, printed on paper after the restart
    printed_nos: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")]
    )
    return env


def _add_printer(home: Path, port: int) -> None:
    from pos_app.adapters.db.connection import open_database
    from pos_app.adapters.db.devices import DeviceStore

    db = open_database(home / "till.db")
    try:
        DeviceStore(db.conn).add_device(
            "front", "printer", f"tcp://127.0.0.1:{port}", {"status_timeout": 0.5}, replace=True
        )
    finally:
        db.close()


def restart(home: Path, settle_s: float = 120.0) -> None:
    """Start the till as `guitai sale` does (printing wired), let it print what it owes."""
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build, shutdown
    from pos_app.config import Paths

    db = open_database(home / "till.db")
    till = build(Paths(home), db)
    try:
        till.side_effects.wire()
        store = till.hardware().store
        end = time.monotonic() + settle_s  # a generous bound, not a measured time
        while store.jobs(states=("queued", "printing"), limit=1) and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        shutdown(till)
        db.close()


def check_receipts(home: Path, paper: list[dict[str, Any]]) -> ReceiptCrashReport:
    """Every committed sale and refund: printed (on paper) or listed as not printed."""
    import sqlite3

    from pos_app.adapters.db.devices import DeviceStore

    on_paper = {
        int(m) for job in paper for m in PAPER_NO.findall("\n".join(job.get("text_lines", [])))
    }
    report = ReceiptCrashReport()
    conn = sqlite3.connect(home / "till.db")
    try:
        store = DeviceStore(conn)
        listed = {j.ref for j in store.open_jobs() if j.kind == "receipt"}
        done = {j.ref for j in store.jobs(states=("done",), limit=10**6) if j.kind == "receipt"}
        nos = [r[0] for r in conn.execute("SELECT receipt_no FROM sales ORDER BY receipt_no")]
    finally:
        conn.close()
    report.receipts = len(nos)
    for no in nos:
        if str(no) in done and no in on_paper:
            report.printed += 1
            report.printed_nos.add(no)
        elif str(no) in listed:
            report.listed += 1
        else:
            report.missing.append(no)
    return report


def run(home: Path, kills: int, seed: int = 1, max_wait: float = 0.4) -> ReceiptCrashReport:
    from drivers.escpos.emulator.printer import VirtualPrinter

    rnd = random.Random(seed)
    vp = VirtualPrinter(render=False)
    kills_after_commit = done = 0
    owed: list[int] = []
    acked = 0
    problems: list[str] = []
    try:
        _add_printer(home, vp.serve_tcp(0))
        for i in range(kills):
            at_commit = i % 2 == 0
            # 10**9: printing on, never pausing (killed at a random moment instead)
            pause_at = rnd.randint(1, 3) if at_commit else 10**9
            args = [str(home), str(seed + i), str(pause_at)]
            p = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.crash_child", *args],
                stdout=subprocess.PIPE,
                env=_child_env(),
            )
            assert p.stdout is not None
            out = b""
            if at_commit:
                while line := p.stdout.readline():  # it stops at its pause and says so
                    out += line
                    if line.startswith(b"P"):
                        kills_after_commit += 1
                        owed.append(int(line[1:]))
                        break
            else:
                out = p.stdout.readline()
                time.sleep(rnd.uniform(0, max_wait))
            p.send_signal(signal.SIGKILL)
            out += p.stdout.read()
            p.stdout.close()
            p.wait()
            done += 1
            nums = [int(x.lstrip(b"P")) for x in out.split() if x.lstrip(b"P").isdigit()]
            acked = max([acked, *nums])
            problems += [f"kill {i}: {x}" for x in check_database(home, acked, full=False)]
            if problems:
                break
        restart(home)
        report = check_receipts(home, vp.wait_for_jobs(0))
    finally:
        vp.close()
    report.kills = done
    report.kills_after_commit = kills_after_commit
    report.owed_at_kill = owed
    report.owed_printed = sum(1 for no in owed if no in report.printed_nos)
    report.problems = problems + [
        f"receipt {no}: neither printed nor listed" for no in report.missing
    ]
    return report
