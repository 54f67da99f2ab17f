"""Operations figures: how long the scheduled/Z-close online backup takes at a store-sized
database and how long a sale's commit waits meanwhile (the backup reads a WAL snapshot and no
longer holds the till's write lock), restore time, migrating each old-schema
fixture (backup included), and the in-process self-test.

    python -m benchmarks.bench_ops [--skus 100000]      (GUITAI_BENCH_QUICK=1: 5,000 SKUs)
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("GUITAI_SCRYPT_N", "4096")


def _till(root: Path, skus: int) -> Path:
    from pos_app.cli import main

    home = root / "till"
    args = ["--home", str(home)]
    assert main([*args, "init", "--store-id", "S001", "--store-name", "店", "--till-no", "1",
                 "--admin-pin", "7391"]) == 0  # fmt: skip
    assert main([*args, "demo-data", "--skus", str(skus), "--members", "2000", "--seed", "1"]) == 0
    return home


def main(skus: int | None = None) -> dict[str, Any]:
    from pos_app.adapters.db.backup import restore
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build, shutdown
    from pos_app.cli.selftest_cmd import run_selftest
    from pos_app.config import Paths
    from pos_app.logs import setup  # noqa: F401  (the CLI sets logging up)

    if skus is None:
        skus = 5_000 if os.environ.get("GUITAI_BENCH_QUICK") else 100_000
    out: dict[str, Any] = {"skus": skus}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = _till(root, skus)
        paths = Paths(home)
        db = open_database(paths.database)
        till = build(paths, db)
        size_mb = paths.database.stat().st_size / 1e6
        runs = []
        waits = []
        for _ in range(3):
            # The backup on its own thread (as the scheduler runs it); the till's thread keeps
            # committing and records how long each commit waited for the writer lock.
            done = threading.Event()
            box: dict[str, Any] = {}

            def run(box: dict[str, Any] = box, done: threading.Event = done) -> None:
                t0 = time.perf_counter()
                box["written"] = till.backups.backup("bench", [root / "b"])
                box["s"] = time.perf_counter() - t0
                done.set()

            t = threading.Thread(target=run)
            t.start()
            worst = 0.0
            n = 0
            while not done.is_set() or n == 0:
                t0 = time.perf_counter()
                with till.uow:
                    till.uow.settings.put("bench_tick", str(n))
                    till.uow.commit()
                worst = max(worst, time.perf_counter() - t0)
                n += 1
            t.join()
            written = box["written"]
            runs.append(box["s"])
            waits.append(worst)
        # Baseline: the same commits with no backup running (fsync=FULL on a busy disk).
        baseline = 0.0
        for n in range(200):
            t0 = time.perf_counter()
            with till.uow:
                till.uow.settings.put("bench_tick", str(n))
                till.uow.commit()
            baseline = max(baseline, time.perf_counter() - t0)
        shutdown(till)
        db.close()
        best = min(runs)
        out.update(
            database_mb=round(size_mb, 1),
            backup_s=round(best, 3),
            # The longest a commit waited while a backup ran (was: the whole copy, 1.9 s at
            # 500,000 SKUs, when the backup held the writer lock).
            backup_lock_held_s=round(max(waits), 3),
            commit_max_s_without_backup=round(baseline, 3),
            backup_mb_per_s=round(size_mb / best, 1),
        )
        t0 = time.perf_counter()
        restore(written[0], root / "restored" / "till.db", datetime.now(UTC))
        out["restore_s"] = round(time.perf_counter() - t0, 3)

        fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
        for f in sorted(fixtures.glob("till-schema-*.db")):
            d = root / f.stem
            d.mkdir()
            shutil.copyfile(f, d / "till.db")
            t0 = time.perf_counter()
            open_database(d / "till.db").close()
            out[f"migrate_{f.stem}_ms"] = round((time.perf_counter() - t0) * 1000, 1)

        t0 = time.perf_counter()
        run_selftest(root / "selftest", qt=False)
        out["selftest_s"] = round(time.perf_counter() - t0, 2)
    out["targets"] = {
        # The longest commit wait during a backup: keep it under 2 s (now well under).
        "backup_lock_held_s": {"target": 2.0, "met": out["backup_lock_held_s"] < 2.0},
    }
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--skus", type=int, default=None)
    for k, v in main(ap.parse_args().skus).items():
        print(f"{k}: {v}")
