"""A receipt is owed from the moment its sale (or refund) commits: a till stopped before the
receipt was rendered and sent lists it in `guitai devices jobs`, and prints it at its next
start.  (The SIGKILL proof with real processes: tests/soak/test_crash_safety.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from printer_kit import cli, print_on

from drivers.escpos.emulator.printer import VirtualPrinter


def on_paper(vp: VirtualPrinter) -> list[int]:
    text = "\n".join(line for job in vp.jobs for line in job["text_lines"])
    return [int(n) for n in re.findall(r"(?<!原)小票号\D*?(\d{6})", text)]


def test_receipts_of_a_till_stopped_after_the_commit_are_listed_then_printed(
    till_home: Path,
    vprinter: VirtualPrinter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build, shutdown
    from pos_app.config import Paths
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender

    monkeypatch.setenv("GUITAI_PIN", "7391")
    vprinter.set(auto_close_drawer=True)
    print_on(vprinter, till_home, capsys)

    # A till that stops right after its commits (as if killed there): printing is wired, so
    # the receipts are owed, but nothing after the commit runs.
    db = open_database(till_home / "till.db")
    till = build(Paths(till_home), db)
    try:
        till.side_effects.wire()
        till.bus.clear()
        user = till.users.authenticate("admin", "7391")
        sale = till.sales.new_sale(user)
        till.sales.scan(sale, "6901234567908")
        sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
        sold = till.sales.complete(sale)["receipt_no"]
        refunded = till.sales.refund(user, sold, None, "cash", "owed test")["receipt_no"]
    finally:
        shutdown(till)
        db.close()
    assert on_paper(vprinter) == []

    rc, out, err = cli(till_home, capsys, "devices", "jobs", "--json")
    assert rc == 0, err
    owed = [(j["ref"], j["state"], j["kind"]) for j in json.loads(out)]
    assert owed == [(str(sold), "queued", "receipt"), (str(refunded), "queued", "receipt")]

    # The next start with the printer set up prints them, before the new sale's receipt.
    rc, out, err = cli(till_home, capsys, "sale", "--user", "admin", "--scan", "6901234567908",
                       "--pay", "cash:100", "--json")  # fmt: skip
    assert rc == 0, err
    new = json.loads(out)["receipt_no"]
    assert on_paper(vprinter) == [sold, refunded, new]
    rc, out, _ = cli(till_home, capsys, "devices", "jobs", "--json")
    assert rc == 0 and json.loads(out) == []
