"""A till that sells, refunds and closes days in a loop, printing each receipt number to
stdout only after its transaction committed.  The crash tests SIGKILL it at random moments.

    python -m benchmarks.crash_child HOME SEED [PAUSE_AT]

With PAUSE_AT (receipt printing on, as the till runs it) the till prints its receipts, and
its PAUSE_AT-th commit stops right after the commit, before the receipt's bytes are rendered
and sent, announcing `P<receipt no>` on stdout: the parent kills it there (a pause point of
this test program only; the till itself has none)."""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from pos_app.adapters.db.connection import open_database
from pos_app.bootstrap import build
from pos_app.config import Paths
from pos_app.domain.money import CashRounding
from pos_app.domain.tenders import Tender


def main(home: str, seed: int, pause_at: int | None = None) -> None:
    rnd = random.Random(seed)
    paths = Paths(Path(home))
    db = open_database(paths.database)
    till = build(paths, db)
    user = till.users.authenticate("admin", os.environ.get("GUITAI_PIN", "7391"))
    if pause_at is not None:
        from pos_app.domain.events import RefundCompleted, SaleCompleted

        commits = [0]

        def pause(event: SaleCompleted | RefundCompleted) -> None:
            commits[0] += 1
            if commits[0] == pause_at:
                os.write(1, f"P{event.payload['receipt_no']}\n".encode())
                time.sleep(3600)  # committed, receipt not yet rendered: killed here

        # subscribed before the printing, so it runs first after each commit
        till.bus.subscribe(SaleCompleted, pause)
        till.bus.subscribe(RefundCompleted, pause)
        till.side_effects.wire()  # as `guitai sale` does: receipts owed since a crash print
    codes = [r[0] for r in db.conn.execute("SELECT code FROM barcodes ORDER BY code LIMIT 50")]
    while True:
        if till.uow.shifts.find_open() is None:
            till.shifts.open(user, 10000)
        roll = rnd.random()
        if roll < 0.03:
            till.shifts.close(user, 0)
            os.write(1, b"Z\n")
            continue
        if roll < 0.15:
            last = till.uow.sales.recent(limit=1)
            if last and last[0]["kind"] == "sale":
                try:
                    p = till.sales.refund(user, last[0]["receipt_no"], None, "cash", "crash test")
                    os.write(1, f"{p['receipt_no']}\n".encode())
                except Exception:
                    pass
                continue
        s = till.sales.new_sale(user)
        for _ in range(rnd.randint(1, 4)):
            till.sales.scan(s, rnd.choice(codes))
        s.add_tender(Tender.CASH, s.totals().due_fen + rnd.randint(0, 5000), CashRounding.NONE)
        p = till.sales.complete(s)
        os.write(1, f"{p['receipt_no']}\n".encode())  # acknowledged only after COMMIT


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
