"""Paper running low (the printer's near-end sensor): the sale completes and its receipt
prints, and the cashier is warned — a bilingual note after `guitai sale`, a notice to the
till's banner and the status bar's printer line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from printer_kit import cli, print_on

from drivers.escpos.emulator.printer import VirtualPrinter


def test_cli_sale_on_low_paper_completes_and_warns(
    till_home: Path,
    vprinter: VirtualPrinter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    vprinter.set(auto_close_drawer=True, paper_near_end=True)
    print_on(vprinter, till_home, capsys)
    rc, out, err = cli(till_home, capsys, "sale", "--user", "admin", "--scan", "6901234567908",
                       "--pay", "cash:100", "--json")  # fmt: skip
    assert rc == 0, err
    no = json.loads(out)["receipt_no"]
    assert len(vprinter.jobs) == 1  # the receipt printed: the sale is kept, nothing to redo
    assert "纸快用完了" in err and "Paper running low" in err and f"{no:06d}" in err


def test_the_till_is_told_and_the_status_bar_warns(till: Any, vprinter: VirtualPrinter) -> None:
    from pos_app.adapters.hardware import PaperLow
    from pos_app.bootstrap import register_probes, shutdown
    from pos_app.domain.money import CashRounding
    from pos_app.domain.tenders import Tender
    from pos_app.services.device_status import DeviceState

    vprinter.set(auto_close_drawer=True, paper_near_end=True)
    till.hardware().store.add_device("front", "printer", f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}")
    notices: list[Any] = []
    try:
        till.side_effects.wire(notices.append)
        u = till.users.authenticate("admin", "7391")
        till.shifts.open(u, 10000)
        sale = till.sales.new_sale(u)
        till.sales.scan(sale, "6901234567908")
        sale.add_tender(Tender.CASH, sale.totals().due_fen, CashRounding.NONE)
        payload = till.sales.complete(sale)
        assert till.reads.receipt(payload["receipt_no"])["receipt_no"] == payload["receipt_no"]
        low = [n for n in notices if isinstance(n, PaperLow)]
        assert len(low) == 1 and notices == low
        assert "纸快用完" in low[0].message_zh and "new roll" in low[0].message
        register_probes(till, ttl_s=600.0)
        st = till.devices._probes["printer"].refresh_now()
        assert st.state is DeviceState.WARNING and "纸快用完" in st.reason_zh
    finally:
        till.devices.close()
        shutdown(till)
