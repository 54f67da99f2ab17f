"""A till process for the crash tests: charges one payment, optionally commits the sale, and
then waits to be killed (SIGKILL) by the test.  argv: HOME TENDER AMOUNT CODE ZVT_URI MODE."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pos_app.adapters.db.connection import open_database
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.payments_wiring import build_payment_service
from pos_app.domain.ports import SystemClock


def main() -> None:
    home, tender, amount, code, zvt_uri, mode = sys.argv[1:7]
    opened = open_database(Path(home) / "till.db")
    conn = opened.conn
    svc = build_payment_service(
        conn,
        SystemClock(),
        terminal=("T1", zvt_uri),
        timing={"poll_interval_s": 0.05, "give_up_after_s": 60},
    )
    print("CHARGING", flush=True)
    paid = svc.charge("SALE-K", tender, int(amount), code if code != "-" else None)
    print("APPROVED", paid.attempt_id, flush=True)
    if mode == "commit":
        with SqliteUnitOfWork(conn) as uow:  # the sale's unit of work
            conn.execute(
                "INSERT INTO test_sales (id, total_fen) VALUES ('SALE-K', ?)", (int(amount),)
            )
            svc.attach(paid.attempt_id, "SALE-K")
            uow.commit()
        print("COMMITTED", flush=True)
    time.sleep(120)  # the test kills us here


if __name__ == "__main__":
    main()
