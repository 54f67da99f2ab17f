"""The side effects that follow a commit, wired onto the sale and shift services: print the
receipt and kick the drawer (never undoing a sale), print the Z after the close."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.adapters.receipt_desk import ReceiptDesk
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from pos_app.adapters.receipt_printing import Notice, ReceiptPrinting


class SideEffects:
    def __init__(
        self,
        sales: SaleService,
        shifts: ShiftService,
        printing: Callable[[], ReceiptPrinting],
        receipts: ReceiptDesk,
    ) -> None:
        self.sales = sales
        self.shifts = shifts
        self.printing = printing
        self.receipts = receipts
        self._print_thread: ThreadPoolExecutor | None = None
        self._z_on_print_thread = False

    def wire(self, notice: Notice | None = None, *, background: bool = False) -> None:
        """After each commit: print the receipt and kick the drawer (never undoing a sale).

        background: print on a thread of its own, in commit order, so the till's screen shows
        the change while the printer works (a receipt takes 1–3 s to print and confirm);
        problems reach `notice` from that thread."""
        printing = self.printing()
        printing.notice = notice
        self.receipts.output = self.receipts.printer()
        if background and self._print_thread is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(1, thread_name_prefix="receipts")
            self._print_thread = pool

            def after_commit(payload: dict[str, Any]) -> None:
                pool.submit(printing.after_commit, payload)

            self.sales.after_commit.append(after_commit)
        elif (
            not background
            and self._print_thread is None
            and printing.after_commit not in self.sales.after_commit
        ):
            self.sales.after_commit.append(printing.after_commit)
        if printing.reserve not in self.sales.in_transaction:
            # The receipt's print job is written with the sale: a till killed between the
            # commit and the printing still owes it, and prints it at its next start (here).
            self.sales.in_transaction.append(printing.reserve)
            if self._print_thread is not None:
                self._print_thread.submit(printing.resume)
            else:
                printing.resume()
        if printing.after_cash_move not in self.shifts.after_cash_move:
            self.shifts.after_cash_move.append(printing.after_cash_move)
        # The Z prints after the close commits; on the printing thread when there is one.
        if background and not self._z_on_print_thread:
            self._z_on_print_thread = True

            def z_after_close(report: dict[str, Any]) -> None:
                if self._print_thread is not None:
                    self._print_thread.submit(printing.after_close, report)

            self.shifts.after_close.append(z_after_close)
        elif not (self._z_on_print_thread or printing.after_close in self.shifts.after_close):
            self.shifts.after_close.append(printing.after_close)

    def close(self) -> None:
        if self._print_thread is not None:
            self._print_thread.shutdown(wait=True)  # receipts already paid for still print
            self._print_thread = None
