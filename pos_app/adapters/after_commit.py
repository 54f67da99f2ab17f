"""The side effects that follow a commit, wired onto the message bus as subscribers of the use
cases' events: print the receipt and kick the drawer (never undoing a sale), print the Z after
the close."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pos_app.adapters.receipt_desk import ReceiptDesk
from pos_app.services.messagebus import MessageBus
from pos_app.services.selling import SaleService

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from pos_app.adapters.receipt_printing import Notice, ReceiptPrinting


class SideEffects:
    def __init__(
        self,
        bus: MessageBus,
        sales: SaleService,
        printing: Callable[[], ReceiptPrinting],
        receipts: ReceiptDesk,
    ) -> None:
        self.bus = bus
        self.sales = sales
        self.printing = printing
        self.receipts = receipts
        self._print_thread: ThreadPoolExecutor | None = None

    def wire(self, notice: Notice | None = None, *, background: bool = False) -> None:
        """After each commit: print the receipt and kick the drawer (never undoing a sale),
        print the Z after the close (pos_app/adapters/bus_wiring.py).

        background: print on a thread of its own, in commit order, so the till's screen shows
        the change while the printer works (a receipt takes 1–3 s to print and confirm);
        problems reach `notice` from that thread."""
        from pos_app.adapters.bus_wiring import wire_printing

        printing = self.printing()
        printing.notice = notice
        self.receipts.output = self.receipts.printer()
        if background and self._print_thread is None:
            from concurrent.futures import ThreadPoolExecutor

            self._print_thread = ThreadPoolExecutor(1, thread_name_prefix="receipts")
        wire_printing(self.bus, self.sales.deps, printing, self._print_thread)

    def close(self) -> None:
        if self._print_thread is not None:
            self._print_thread.shutdown(wait=True)  # receipts already paid for still print
            self._print_thread = None
