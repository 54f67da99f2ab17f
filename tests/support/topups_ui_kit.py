"""The till's counter for the stored-value top-up screens (issue 23): the aggregator
acquirer's emulator, the virtual receipt printer (and a card terminal where a test asks for
one) set up on the till enrolled by members_ui_fixtures, the brand's 充500送50 pulled from
the cloud; the top-up dialog opened for the fixture's member; the member's balance as the
cloud holds it (a uniquely named module; never import conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aggregator_rig import ACTIVATION_CODE, VENDOR_KEY, VENDOR_SN, fast_polling, start_emulator
from members_ui_kit import PHONE_A, cli, start_selling
from on_db import on_db
from uihelp import dialog, fill, tap

from pos_app.domain.topups import TopUpRule
from pos_app.ui.qt import Qt


@contextmanager
def counter_devices(till_home: Path, svc: Any, terminal_uri: str = "") -> Iterator[tuple[Any, Any]]:
    """(acquirer emulator, printer): both set up on the enrolled till, with the card terminal
    at `terminal_uri` when given, and the brand's 充500送50 pulled from the cloud."""
    from drivers.escpos.emulator.printer import VirtualPrinter

    agg = start_emulator()
    printer = VirtualPrinter(out_dir=till_home.parent / "printer")
    try:
        port = printer.serve_tcp(0)
        cli(till_home, "devices", "add", "front", "--kind", "printer", "--uri",
            f"tcp://127.0.0.1:{port}")  # fmt: skip
        if terminal_uri:
            cli(till_home, "devices", "add", "T1", "--kind", "terminal", "--uri", terminal_uri)
        cli(
            till_home,
            *("payments", "configure", "aggregator", "--url", agg.url),
            *("--vendor-sn", VENDOR_SN, "--vendor-key", VENDOR_KEY, "--code", ACTIVATION_CODE),
        )
        fast_polling(till_home)
        svc.topups.add_rule(TopUpRule("R500", 50_000, 5_000, "充500送50"))
        cli(till_home, "sync", "run")
        yield agg, printer
    finally:
        printer.close()
        agg.stop()


def open_top_up(qtbot: Any, t: Any) -> Any:
    """The top-up dialog from the member column, for the fixture's member found by phone."""
    start_selling(qtbot, t)
    sale = t.window.sale
    qtbot.keyClick(sale.scan, Qt.Key.Key_F6)
    fill(qtbot, t, query=PHONE_A)
    tap(qtbot, t, sale.member_col.topup_btn)
    d = dialog(t)
    assert d.objectName() == "top_up"
    return d


def cloud_balance(t: Any, svc: Any) -> int:
    till = t.session.till
    mid = on_db(till, lambda: till.members().directory.find_one(PHONE_A).id)
    return int(svc.members.views.member_view(mid)["stored_value_fen"])
