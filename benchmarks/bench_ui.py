"""The till's UI speed.

    python -m benchmarks.bench_ui

* scan → painted: from a keyboard-wedge scanner's Enter to the sale table painting the new
  line, p50/p99 over 1,000 scans (ten sales, each growing to 100 lines; target p99 < 16 ms,
  one frame at 60 Hz); the baseline is the bare service call (lookup + add to the sale) in the
  same run.
* start → ready: a fresh process from its first line to a ready sale screen (database opened,
  window built, the cashier's PIN checked at full scrypt cost, a sale started; target < 1.5 s).
* status bar: one round of the six probes as the status bar asks for it (answered from each
  probe's cache; target < 100 ms), and each probe's own check when it refreshes.
* the worker's payment and print steps against the emulators on loopback: a card payment on
  the ZVT emulator, a WeChat Pay code, and commit → receipt printed on the virtual printer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

N_ITEMS = 100
# Scan → painted is measured over SALES sales of N_ITEMS lines each: a p99 wants at least
# 1,000 samples (issue 17), and a till's sale is tens of lines, not a thousand.
SALES = 1 if os.environ.get("GUITAI_BENCH_QUICK") == "1" else 10
# GUITAI_BENCH_QUICK=1 (the short run inside `make test`) skips the big catalog
CATALOG_SKUS = 0 if os.environ.get("GUITAI_BENCH_QUICK") == "1" else 500_000


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def make_till(home: Path, fast_pins: bool) -> None:
    from pos_app.cli import main as cli

    env_before = os.environ.get("GUITAI_SCRYPT_N")
    if fast_pins:
        os.environ["GUITAI_SCRYPT_N"] = "4096"
    else:
        os.environ.pop("GUITAI_SCRYPT_N", None)
    try:
        args = ["--home", str(home), "init", "--store-id", "B1", "--store-name", "基准店"]
        args += ["--till-no", "1", "--admin-pin", "2468"]
        assert cli(args) == 0
    finally:
        if env_before is None:
            os.environ.pop("GUITAI_SCRYPT_N", None)
        else:
            os.environ["GUITAI_SCRYPT_N"] = env_before
    if fast_pins and CATALOG_SKUS:
        # the scan-to-paint figure is taken with a store-sized catalog behind it
        assert cli(["--home", str(home), "demo-data", "--skus", str(CATALOG_SKUS), "--json"]) == 0
    conn = sqlite3.connect(home / "till.db")
    with conn:
        for i in range(N_ITEMS + 5):
            sku = f"UIBENCH{i:04d}"
            conn.execute(
                "INSERT INTO skus (sku, style, name, price_fen) VALUES (?, ?, ?, ?)",
                (sku, f"ST{i:03d}", f"测试商品 {i:03d} 黑 M", 10_000 + i * 100),
            )
            conn.execute(
                "INSERT INTO barcodes (code, sku, kind) VALUES (?, ?, 'ean13')",
                (f"69000000{i:05d}", sku),
            )
    conn.close()


def scanner_stamps() -> Any:
    """An event filter that stamps each key with the time a scanner typed it, 2 ms apart, as
    the input system does: the bench hands a scan's keys over between turns of the event loop,
    and a loaded box must not make the till's wedge take one scan for typing."""
    from pos_app.ui.qt import QEvent, QObject

    class ScannerStamps(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.next_ms = int(time.monotonic() * 1000)

        def eventFilter(self, obj: Any, ev: Any) -> bool:
            if ev.type() == QEvent.Type.KeyPress and not ev.timestamp():
                ev.setTimestamp(self.next_ms)
                self.next_ms += 2
            return False

    return ScannerStamps()


def scan_latency(home: Path, sales: int = SALES) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest

    from pos_app.cli.context import AppContext
    from pos_app.ui.app import build_app, teardown
    from pos_app.ui.qt import QApplication, QEvent, QObject, Qt

    ctx = AppContext(home)
    till = ctx.till
    admin = till.users.authenticate("admin", "2468")
    till.shifts.open(admin, 0)

    # baseline: the service call alone, same items, same machine, same run
    base: list[float] = []
    s = till.sales.new_sale(admin)
    for i in range(N_ITEMS):
        t0 = time.perf_counter()
        till.sales.scan(s, f"69000000{i:05d}")
        base.append((time.perf_counter() - t0) * 1000)

    t = build_app(till, lang="zh", customer_display=True)
    win = t.window
    win.resize(1280, 800)
    t.session.user = admin
    win.new_sale()
    deadline = time.monotonic() + 10
    while win.current != "sale" and time.monotonic() < deadline:
        QApplication.processEvents()
    win.activateWindow()
    field = win.sale.scan
    field.setFocus()
    table = win.sale.table

    class PaintProbe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.want_rows = -1
            self.painted_at: float | None = None
            self.painted_cpu = 0.0

        def eventFilter(self, obj: Any, ev: Any) -> bool:
            if (
                ev.type() == QEvent.Type.Paint
                and self.painted_at is None
                and table.rowCount() == self.want_rows
            ):
                self.painted_at = time.perf_counter()
                self.painted_cpu = time.process_time()
            return False

    stamps = scanner_stamps()
    QApplication.instance().installEventFilter(stamps)  # last installed: before the wedge
    probe = PaintProbe()
    table.viewport().installEventFilter(probe)
    samples: list[float] = []
    cpu: list[float] = []  # the process's CPU over the same span (all threads)
    for n in range(sales):
        if n:  # the next customer: a new, empty sale on the same screen
            before = t.session.sale
            win.new_sale()
            deadline = time.monotonic() + 10
            while (t.session.sale is before or table.rowCount()) and time.monotonic() < deadline:
                QApplication.processEvents()
            field.setFocus()
        for i in range(N_ITEMS):
            code = f"69000000{i:05d}"
            # A wedge scanner's keys reach the till one by one through the event loop (a few
            # ms apart), so what the last scan left queued (the customer display, layouts)
            # runs between them, as at a till, not inside the next scan's measured span.
            for ch in code:
                QTest.keyClick(field, ch)
                QApplication.processEvents()
            probe.want_rows, probe.painted_at = i + 1, None
            t0, c0 = time.perf_counter(), time.process_time()
            QTest.keyClick(field, Qt.Key.Key_Return)
            deadline = time.monotonic() + 5
            while probe.painted_at is None and time.monotonic() < deadline:
                QApplication.processEvents()
            if probe.painted_at is None:
                raise RuntimeError(f"line {i + 1} of sale {n + 1} was never painted")
            # over the same span as the wall clock: up to the paint, not what the event loop
            # went on to do after it in the same turn (the customer display's repaint)
            cpu.append((probe.painted_cpu - c0) * 1000)
            samples.append((probe.painted_at - t0) * 1000)
        assert table.rowCount() == N_ITEMS
    table.viewport().removeEventFilter(probe)
    QApplication.instance().removeEventFilter(stamps)
    teardown(t)
    ctx.close()
    return {
        "scan_to_paint_p50_ms": round(statistics.median(samples), 2),
        "scan_to_paint_p99_ms": round(_pct(samples, 99), 2),
        "scan_to_paint_max_ms": round(max(samples), 2),
        "scan_to_paint_cpu_p50_ms": round(statistics.median(cpu), 2),
        "scan_to_paint_cpu_p99_ms": round(_pct(cpu, 99), 2),
        "service_scan_p50_ms": round(statistics.median(base), 3),
        "scan_to_paint_vs_service_p50": round(
            statistics.median(samples) / max(1e-6, statistics.median(base)), 1
        ),
        "lines": N_ITEMS,
        "scans": len(samples),
    }


# The start as `guitai run` takes it (pos_app/cli/run_cmd.py): the till built before Qt is
# imported, then the window; the waits block for the next event as the till's own event loop
# does (app.exec()), instead of spinning processEvents, which took a core from the PIN check.
STARTUP = r"""
import time
t0 = time.perf_counter()
import os, sys, json
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from pos_app.cli.context import AppContext
from pos_app.bootstrap import register_probes
till = AppContext(sys.argv[1]).till
register_probes(till)
from pos_app.ui.app import build_app
from pos_app.ui.qt import QApplication, QTimer
from PySide6.QtCore import QEventLoop
t = build_app(till, lang="zh")
wake = QTimer()  # the deadline is checked at least every 50 ms
wake.start(50)
def wait_until(ready):
    deadline = time.monotonic() + 20
    while not ready() and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
wait_until(lambda: t.window.signin.tiles)
signin_ready = time.perf_counter()
t.window.signin.choose("admin")
t.window.signin.pin.setText("2468")
t.window.signin.submit()
wait_until(lambda: t.window.current == "sale" and t.session.sale is not None)
t.window.sale.scan.repaint()
ready = time.perf_counter()
assert t.window.current == "sale"
print(json.dumps({"signin": (signin_ready - t0) * 1000, "sale": (ready - t0) * 1000,
                  "sale_cpu": time.process_time() * 1000}))
t.session.worker.shutdown()
"""


def startup(home: Path, runs: int = 3) -> dict[str, float]:
    from pos_app.cli.context import AppContext

    ctx = AppContext(home)
    pins = []
    for _ in range(runs):
        t0 = time.perf_counter()
        admin = ctx.till.users.authenticate("admin", "2468")
        pins.append((time.perf_counter() - t0) * 1000)
    ctx.till.shifts.open(admin, 0)
    ctx.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("GUITAI_SCRYPT_N", None)
    # The packaged till runs compiled bytecode (PyInstaller ships .pyc); a machine with
    # PYTHONDONTWRITEBYTECODE set would otherwise compile every module of ours on each start
    # (~90 ms measured).  The bytecode goes to a cache beside the till folder, warmed by one
    # run that is not counted.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home.parent / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")]
    )
    signin, sale, cpu = [], [], []
    for i in range(runs + 1):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP, str(home)],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        if i == 0:
            continue  # the warm-up run that wrote the bytecode
        d = json.loads(out.stdout.strip().splitlines()[-1])
        signin.append(d["signin"])
        sale.append(d["sale"])
        cpu.append(d["sale_cpu"])
    return {
        "start_to_signin_ms": round(statistics.median(signin), 1),
        "start_to_ready_sale_ms": round(statistics.median(sale), 1),
        "pin_check_ms (scrypt, inside the above)": round(statistics.median(pins), 1),
        "ready_sale_minus_pin_ms": round(statistics.median(sale) - statistics.median(pins), 1),
        # CPU of the whole process (all its threads, the interpreter's own start included) up
        # to the ready sale screen: what the start costs, apart from the neighbours' load
        "start_to_ready_sale_cpu_ms": round(statistics.median(cpu), 1),
    }


def live_figures(d: Path) -> dict[str, Any]:
    from pos_app.cli.context import AppContext
    from pos_app.demo.live import configure_till, start_stack
    from pos_app.domain.tenders import Tender

    home = d / "live"
    make_till(home, fast_pins=True)
    stack = start_stack(d / "emu", cloud=False, fast=True)
    ctx = None
    try:
        configure_till(home, stack, enroll=False)
        ctx = AppContext(home)
        till = ctx.till
        till.side_effects.wire(background=True)  # as the till's window wires it
        from pos_app.bootstrap import register_probes

        register_probes(till, ttl_s=60)
        board = till.devices
        own: dict[str, float] = {}
        for kind in ("printer", "drawer", "scanner", "terminal", "network", "sync"):
            t0 = time.perf_counter()
            board._probes[kind].refresh_now()
            own[kind] = round((time.perf_counter() - t0) * 1000, 1)
        rounds = []
        for _ in range(200):
            t0 = time.perf_counter()
            board.all()
            rounds.append((time.perf_counter() - t0) * 1000)
        os.environ.setdefault("GUITAI_SCRYPT_N", "4096")
        admin = till.users.authenticate("admin", "2468")
        till.shifts.open(admin, 10_000)
        card, wechat, committed, printed = [], [], [], []
        for i in range(5):
            sale = till.sales.new_sale(admin)
            till.sales.scan(sale, f"69000000{i:05d}")
            due = sale.totals().due_fen
            t0 = time.perf_counter()
            till.checkout.pay(sale, Tender.CARD, due // 2)
            card.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            till.checkout.pay(sale, Tender.WECHAT, sale.totals().due_fen, "134000000000000000")
            wechat.append((time.perf_counter() - t0) * 1000)
            jobs = len(stack.printer.jobs)
            t0 = time.perf_counter()
            till.checkout.complete(sale)  # commit; the receipt prints on its own thread
            committed.append((time.perf_counter() - t0) * 1000)
            assert len(stack.printer.wait_for_jobs(jobs + 1)) == jobs + 1
            printed.append((time.perf_counter() - t0) * 1000)
        return {
            "status_round_p50_ms": round(statistics.median(rounds), 3),
            "status_round_p99_ms": round(_pct(rounds, 99), 3),
            "probe_refresh_ms": own,
            "card_payment_zvt_p50_ms": round(statistics.median(card), 1),
            "wechat_payment_p50_ms": round(statistics.median(wechat), 1),
            "commit_to_change_screen_p50_ms": round(statistics.median(committed), 1),
            "commit_to_receipt_printed_p50_ms": round(statistics.median(printed), 1),
        }
    finally:
        if ctx is not None:
            ctx.close()
        stack.close()


def main(only: str | None = None) -> dict[str, Any]:
    """only: "scan", "start" or "live" to take that part alone (python -m … --only scan)."""
    res: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as d:
        if only in (None, "live"):
            res |= live_figures(Path(d))
        if only in (None, "scan"):
            fast = Path(d) / "scan"
            make_till(fast, fast_pins=True)
            res |= scan_latency(fast)
        if only in (None, "start"):
            real = Path(d) / "start"
            make_till(real, fast_pins=False)
            res |= startup(real)
    if only is not None:
        for k, v in res.items():
            print(f"{k:32} {v}")
        return res
    res["catalog_skus"] = CATALOG_SKUS + N_ITEMS + 5
    res["targets"] = {
        "scan_to_paint_p99_ms": {
            "target": "< 16 ms",
            "met": res["scan_to_paint_p99_ms"] < 16,
        },
        "start_to_ready_sale_ms": {
            "target": "< 1500 ms",
            "met": res["start_to_ready_sale_ms"] < 1500,
        },
        "status_round_p99_ms": {
            "target": "< 100 ms",
            "met": res["status_round_p99_ms"] < 100,
        },
    }
    for k, v in res.items():
        print(f"{k:32} {v}")
    return res


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=("scan", "start", "live"), help="one part alone")
    main(ap.parse_args().only)
