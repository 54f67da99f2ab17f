"""Crash safety: a till process killed with SIGKILL during the provider call, between "approved"
and "sale committed", and after the commit; then `guitai payments recover` in a fresh process.
Afterwards the emulators' books and the database agree (ledger_check.check)."""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import paths
import pytest
from ledger_check import check
from payments_rig import Rig, alipay_code, card_amount, wechat_code

HERE = paths.SUPPORT
ROOT = paths.ROOT


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _wait_line(proc: subprocess.Popen[str], want: str, timeout: float) -> str:
    # A reader thread, not select(): select() on a buffered text pipe misses lines that a
    # previous readline() already pulled into Python's buffer (two lines in one chunk).
    assert proc.stdout is not None
    lines: queue.Queue[str] = getattr(proc, "_lines", None) or queue.Queue()
    if not hasattr(proc, "_lines"):
        proc._lines = lines  # type: ignore[attr-defined]
        out = proc.stdout

        def pump() -> None:
            try:
                for line in out:
                    lines.put(line)
            except (ValueError, OSError):  # the test closed the pipe after the kill
                pass
            lines.put("")

        threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if line.startswith(want):
            return line
        if not line:
            break
    raise AssertionError(
        f"child never printed {want!r}; stderr: {proc.stderr.read() if proc.stderr else ''}"
    )


def _wait_for(cond, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


CASES = [
    (t, k)
    for t in ("card", "wechat", "alipay")
    for k in ("during_call", "after_approved", "after_commit")
]


@pytest.mark.parametrize(("tender", "kill_at"), CASES, ids=[f"{t}-{k}" for t, k in CASES])
def test_sigkill_then_recover_in_a_fresh_process(rig: Rig, tender: str, kill_at: str) -> None:
    rig.opened.conn.execute("CREATE TABLE test_sales (id TEXT PRIMARY KEY, total_fen INTEGER)")
    suffix = "97" if kill_at == "during_call" else "00"  # 97: the customer never confirms
    rig.zvt.config.forever_limit = 60
    code = {"wechat": wechat_code(suffix, 5), "alipay": alipay_code(suffix, 5)}.get(tender, "-")
    amount = card_amount(33, suffix) if tender == "card" else 3305
    mode = "commit" if kill_at == "after_commit" else "hold"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "payments_child.py"),
            str(rig.home),
            tender,
            str(amount),
            code,
            rig.zvt.uri,
            mode,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        if kill_at == "during_call":
            _wait_line(proc, "CHARGING", 20)
            if tender == "card":
                _wait_for(lambda: "authorization" in rig.zvt.commands, 20)
            else:
                emu = rig.wechat if tender == "wechat" else rig.alipay
                _wait_for(lambda: "query" in emu.calls, 20)  # the customer is "still paying"
        elif kill_at == "after_approved":
            _wait_line(proc, "APPROVED", 20)
        else:
            _wait_line(proc, "COMMITTED", 20)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    rig.opened.close()
    # a fresh process: the command a technician (or the till at start-up) runs
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pos_app.cli",
            "--home",
            str(rig.home),
            "payments",
            "recover",
            "--terminal",
            rig.zvt.uri,
            "--json",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    outcomes = json.loads(out.stdout)
    conn = sqlite3.connect(rig.db_path)
    try:
        sales = {r[0] for r in conn.execute("SELECT id FROM test_sales")}
        assert sales == ({"SALE-K"} if kill_at == "after_commit" else set())
        problems = check(conn, rig, tender, sales, set(), set())
        assert problems == [], problems
        states = [r[0] for r in conn.execute("SELECT state FROM payment_attempts")]
    finally:
        conn.close()
    expected = {
        "during_call": {"declined", "reversed"},
        "after_approved": {"reversed"},
        "after_commit": {"attached"},
    }[kill_at]
    assert len(states) == 1 and set(states) <= expected, (states, outcomes)
    rig.opened = __import__("pos_app.adapters.db.connection", fromlist=["x"]).open_database(
        rig.db_path
    )
