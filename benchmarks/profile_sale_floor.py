"""How small a sale's COMMIT would have to be to meet issue 17's ratios (p50 <= 2.5x, p99 <= 2x
the bare durable insert), measured by leaving parts of the sale out of it.

Each shape runs `bench_foundation.complete_vs_bare` (the fair baseline: the same connection
class and PRAGMAs, the same quiet moment after each side) on the same till, the shapes taken
in turns and their order rotated every round, so the box's drift lands on all of them:

- `whole`: the sale as it commits today;
- `rule_1`: what the house plan's rule 1 puts in one transaction (sale, lines, payments,
  journal entry, outbox event): the stock movement and the receipt's print job left out;
- `journal_outbox`: the journal entry and the outbox event alone (the sale's row and lines,
  the payments' attachment, stock and print job left out);
- `journal`: the hash-chained journal entry alone.

The parts are left out by replacing them with no-ops for the run; this is a measurement, not a
design: a till that did it would lose the sale's rows, stock or receipt in a crash.

    python -m benchmarks.profile_sale_floor [--skus 20000] [--sales 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from benchmarks.bench_foundation import PIN, complete_vs_bare, make_till, open_till

SHAPES: dict[str, frozenset[str]] = {
    "whole": frozenset(),
    "rule_1": frozenset({"stock", "print"}),
    "journal_outbox": frozenset({"stock", "print", "payments", "sale_rows"}),
    "journal": frozenset({"stock", "print", "payments", "sale_rows", "outbox"}),
}


def _noop(*_args: Any, **_kwargs: Any) -> None:
    return None


@contextlib.contextmanager
def left_out(till: Any, parts: frozenset[str]) -> Iterator[None]:
    """The sale's handler with `parts` replaced by no-ops, put back after."""
    from pos_app.services.handlers import sales as handler

    deps = till.sales.deps
    replace = {
        "stock": (handler, "stock", SimpleNamespace(book_sale=_noop)),
        "payments": (handler, "payments", SimpleNamespace(attach_all=_noop)),
        "print": (deps, "receipt_jobs", None),
        "sale_rows": (deps.uow.sales, "add", _noop),
        "outbox": (deps.uow.outbox, "add", _noop),
    }
    with contextlib.ExitStack() as stack:
        for part in parts:
            target, name, value = replace[part]
            stack.enter_context(mock.patch.object(target, name, value))
        yield


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skus", type=int, default=20_000)
    ap.add_argument("--sales", type=int, default=1000, help="timed sales per shape and round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    os.environ.setdefault("GUITAI_SCRYPT_N", "4096")
    root = Path(tempfile.mkdtemp(prefix="guitai-floor-"))
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            home = make_till(root, args.skus)
        till, _clock = open_till(home)
        codes = [
            r[0]
            for r in till.database.conn.execute(
                "SELECT code FROM barcodes WHERE kind = 'ean13' ORDER BY random() LIMIT 300"
            )
        ]
        user = till.users.authenticate("admin", PIN)
        if till.uow.shifts.find_open() is None:
            till.shifts.open(user, 0)
        names = list(SHAPES)
        runs: dict[str, list[dict[str, float]]] = {n: [] for n in names}
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                with left_out(till, SHAPES[name]):
                    runs[name].append(
                        complete_vs_bare(till, codes, Path(tempfile.mkdtemp(dir=root)), args.sales)
                    )
        till.database.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    out: dict[str, Any] = {"load_1min": round(os.getloadavg()[0], 2)}
    for name in names:
        fig = {
            k: [round(run[k], 3) for run in runs[name]]
            for k in (
                "complete_vs_bare_p50_ratio",
                "complete_vs_bare_p99_ratio",
                "complete_sale_p50_ms",
                "bare_insert_p50_ms",
                "complete_above_bare_p50_ms",
            )
        }
        fig["median_p50_ratio"] = [statistics.median(fig["complete_vs_bare_p50_ratio"])]
        fig["median_p99_ratio"] = [statistics.median(fig["complete_vs_bare_p99_ratio"])]
        out[name] = fig
        print(name)
        for k, v in fig.items():
            print(f"  {k:30} {' / '.join(f'{x:.3f}' for x in v)}")
    print(f"load_1min {out['load_1min']}")
    return out


if __name__ == "__main__":
    main()
