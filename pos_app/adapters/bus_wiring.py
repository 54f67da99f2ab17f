"""What follows a commit, wired onto the message bus (pos_app.services.messagebus): the
receipt and the drawer after a sale or refund, the drawer after a cash move, the Z's
printing, and a sync push.  Called by the composition root only."""

from __future__ import annotations

from typing import Any

from pos_app.adapters.receipt_printing import ReceiptPrinting
from pos_app.adapters.topup_receipts import TopUpPrinting
from pos_app.domain.events import (
    CashMoved,
    RefundCompleted,
    SaleCompleted,
    ShiftClosed,
    TopUpCompleted,
    TopUpRefunded,
)
from pos_app.services.handlers.deps import SaleDeps
from pos_app.services.messagebus import Executor, MessageBus


def wire_printing(
    bus: MessageBus, sales: SaleDeps, printing: ReceiptPrinting, print_thread: Executor | None
) -> None:
    """Receipts and the Z print after their commit: on `print_thread` in commit order when
    given (the till's screen shows the change while the printer works), else before the
    command answers (the CLI).  Wiring again changes nothing."""
    bus.subscribe(SaleCompleted, printing.on_sale_or_refund, print_thread)
    bus.subscribe(RefundCompleted, printing.on_sale_or_refund, print_thread)
    if sales.receipt_jobs is None:
        # The receipt's print job is written with the sale: a till killed between the commit
        # and the printing still owes it, and prints it at its next start (here).
        sales.receipt_jobs = printing
        if print_thread is not None:
            print_thread.submit(printing.resume)
        else:
            printing.resume()
    # The move's drawer outcome is part of the command's answer: at once, never threaded.
    bus.subscribe(CashMoved, printing.on_cash_moved)
    bus.subscribe(ShiftClosed, printing.on_shift_closed, print_thread)
    # A top-up is its own receipt (issue 23).
    bus.subscribe(TopUpCompleted, TopUpPrinting.of(printing).on_topup, print_thread)
    bus.subscribe(TopUpRefunded, TopUpPrinting.of(printing).on_refund, print_thread)


def wire_sync_nudge(bus: MessageBus, scheduler: Any) -> None:
    """Each committed sale or refund asks the relay for an early push."""

    def nudge(_event: SaleCompleted | RefundCompleted) -> None:
        scheduler.nudge()

    bus.subscribe(SaleCompleted, nudge)
    bus.subscribe(RefundCompleted, nudge)
