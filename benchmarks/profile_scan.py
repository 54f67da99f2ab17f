"""Where the GUI thread's time goes on one scan (issue 17: scan → painted line < 16 ms p99).

The bench (`bench_ui --only scan`) says how long; this says what for.  It drives the offscreen
till as the bench does (a keyboard wedge's Enter, then the event loop until the sale table paints
the new line) and reports, per scan, the process's CPU, a cProfile of the Python side, and the
time spent in Qt's own event handling by receiver and event type (paints, layouts, timers…: the
C++ work cProfile cannot see).  Run it on two checkouts to compare.

    python -m benchmarks.profile_scan [--sales 3] [--skus 0] [--no-customer-display]

The catalog is empty by default (the GUI's work per scan does not depend on it; bench_ui takes
its figure at 500,000 SKUs).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import gc
import io
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks import bench_ui
from benchmarks.bench_ui import N_ITEMS, _pct, make_till, scanner_stamps
from pos_app.ui.qt import QApplication, QEvent, QObject, Qt

WATCHED = {
    QEvent.Type.Paint,
    QEvent.Type.UpdateRequest,
    QEvent.Type.LayoutRequest,
    QEvent.Type.Timer,
    QEvent.Type.MetaCall,
    QEvent.Type.KeyPress,
    QEvent.Type.Resize,
    QEvent.Type.Show,
    QEvent.Type.Hide,
}


class TimedApp(QApplication):
    """Adds up the time each (receiver, event type) takes, outermost events only (a paint
    inside an UpdateRequest counts under the UpdateRequest's receiver and, separately, as the
    paint's own line)."""

    def __init__(self) -> None:
        super().__init__(["guitai-profile"])
        self.on = False
        self.spent: dict[tuple[str, str], list[float]] = collections.defaultdict(lambda: [0, 0.0])

    def notify(self, receiver: Any, event: Any) -> bool:
        if not self.on or event.type() not in WATCHED:
            return super().notify(receiver, event)
        t0 = time.process_time()
        try:
            return super().notify(receiver, event)
        finally:
            name = receiver.objectName() or type(receiver).__name__
            parent = receiver.parent() if hasattr(receiver, "parent") else None
            if parent is not None and isinstance(parent, QObject):
                name = f"{parent.objectName() or type(parent).__name__}/{name}"
            row = self.spent[(name, event.type().name)]
            row[0] += 1
            row[1] += time.process_time() - t0


def run(sales: int, customer_display: bool) -> None:
    from PySide6.QtTest import QTest

    from pos_app.cli.context import AppContext
    from pos_app.ui.app import build_app, teardown

    app = TimedApp()
    with tempfile.TemporaryDirectory() as d:
        home = Path(d) / "till"
        with contextlib.redirect_stdout(io.StringIO()):
            make_till(home, fast_pins=True)
        ctx = AppContext(home)
        till = ctx.till
        admin = till.users.authenticate("admin", "2468")
        till.shifts.open(admin, 0)
        t = build_app(till, lang="zh", customer_display=customer_display)
        win = t.window
        win.resize(1280, 800)
        t.session.user = admin
        win.new_sale()
        deadline = time.monotonic() + 10
        while win.current != "sale" and time.monotonic() < deadline:
            app.processEvents()
        field = win.sale.scan
        field.setFocus()
        table = win.sale.table
        painted: list[bool] = [False]

        class Probe(QObject):
            want = -1

            def eventFilter(self, obj: Any, ev: Any) -> bool:
                if ev.type() == QEvent.Type.Paint and table.rowCount() == self.want:
                    painted[0] = True
                return False

        probe = Probe()
        table.viewport().installEventFilter(probe)
        stamps = scanner_stamps()
        app.installEventFilter(stamps)  # last installed: before the till's wedge
        prof = cProfile.Profile()
        cpu: list[float] = []
        # the garbage collector's pauses inside the scans, by generation (a tail suspect)
        gc_pauses: dict[int, list[float]] = collections.defaultdict(list)
        gc_started = [0.0]

        def gc_watch(phase: str, info: dict[str, int]) -> None:
            if not app.on:
                return
            if phase == "start":
                gc_started[0] = time.perf_counter()
            else:
                gc_pauses[info["generation"]].append(time.perf_counter() - gc_started[0])

        gc.callbacks.append(gc_watch)
        for n in range(sales):
            if n:
                before = t.session.sale
                win.new_sale()
                while t.session.sale is before or table.rowCount():
                    app.processEvents()
                field.setFocus()
            for i in range(N_ITEMS):
                for ch in f"69000000{i:05d}":  # through the event loop, as bench_ui
                    QTest.keyClick(field, ch)
                    app.processEvents()
                probe.want, painted[0] = i + 1, False
                app.on = True
                prof.enable()
                c0 = time.process_time()
                QTest.keyClick(field, Qt.Key.Key_Return)
                deadline = time.monotonic() + 10
                while not painted[0] and time.monotonic() < deadline:
                    app.processEvents()
                if not painted[0]:
                    raise RuntimeError(f"line {i + 1} of sale {n + 1} was never painted")
                cpu.append((time.process_time() - c0) * 1000)
                prof.disable()
                app.on = False
        gc.callbacks.remove(gc_watch)
        table.viewport().removeEventFilter(probe)
        app.removeEventFilter(stamps)
        teardown(t)
        ctx.close()
    print(
        f"scans {len(cpu)}  CPU per scan p50 {statistics.median(cpu):.2f} ms"
        f"  p99 {_pct(cpu, 99):.2f} ms  (profiled: slower than the bench)"
    )
    for gen, pauses in sorted(gc_pauses.items()):
        print(
            f"gc generation {gen}: {len(pauses)} collections in the scans, "
            f"{max(pauses) * 1000:.2f} ms the longest"
        )
    print("\nQt event handling per scan (outermost and nested both listed), ms CPU:")
    rows = sorted(app.spent.items(), key=lambda kv: -kv[1][1])[:25]
    for (name, kind), (count, secs) in rows:
        print(f"  {secs * 1000 / len(cpu):8.3f}  {count / len(cpu):6.2f}×  {kind:14} {name}")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
    print(out.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sales", type=int, default=3, help="100-line sales to scan")
    ap.add_argument("--skus", type=int, default=0, help="demo SKUs in the catalog")
    ap.add_argument("--no-customer-display", action="store_true")
    args = ap.parse_args()
    bench_ui.CATALOG_SKUS = args.skus
    run(args.sales, not args.no_customer_display)


if __name__ == "__main__":
    main()
