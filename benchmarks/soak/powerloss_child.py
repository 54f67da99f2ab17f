"""The till, selling on an apsw connection through the lossy VFS; prints each receipt number
after its COMMIT returned (the moment the till acknowledges a sale)."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from pos_app.bootstrap import build
from pos_app.config import Paths
from pos_app.domain.money import CashRounding
from pos_app.domain.tenders import Tender

from .apsw_adapter import ApswDatabase
from .lossy_vfs import LossyVFS


def main(home: str, synchronous: str, seed: int) -> None:
    rnd = random.Random(seed)
    paths = Paths(Path(home))
    _vfs = LossyVFS("lossy")  # registered while it lives
    db = ApswDatabase(paths.database, "lossy", synchronous)
    till = build(paths, db)  # type: ignore[arg-type]
    user = till.users.authenticate("admin", os.environ.get("GUITAI_PIN", "7391"))
    codes = [r[0] for r in db.conn.execute("SELECT code FROM barcodes ORDER BY code LIMIT 50")]
    if till.uow.shifts.find_open() is None:
        till.shifts.open(user, 10000)
    os.write(1, b"ready\n")
    while True:
        s = till.sales.new_sale(user)
        for _ in range(rnd.randint(1, 3)):
            till.sales.scan(s, rnd.choice(codes))
        s.add_tender(Tender.CASH, s.totals().due_fen, CashRounding.NONE)
        p = till.sales.complete(s)
        os.write(1, f"{p['receipt_no']}\n".encode())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
