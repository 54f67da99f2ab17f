"""The till's receipt output over ReceiptPrinting, with reprints counted in a transaction."""

from __future__ import annotations

from typing import Any

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.receipt_printing import ReceiptPrinting


class CountedReceiptOutput:
    """ReceiptOutput over ReceiptPrinting: the reprint counter is bumped and the bytes are
    rendered inside one transaction (ReceiptPrinting.bytes_for counts outside one), then the
    job is queued outside it — the printer's thread needs the write lock to record the job, so
    holding it while waiting for the printer would stall both."""

    def __init__(self, uow: SqliteUnitOfWork, printing: ReceiptPrinting) -> None:
        self.uow = uow
        self.printing = printing

    def print_receipt(
        self, payload: dict[str, Any], *, copy: bool, gift: bool = False
    ) -> dict[str, Any]:
        name = self.printing.printer_name()
        if name is None:
            return dict(self.printing.print_receipt(payload, copy=copy, gift=gift))  # says why
        with self.uow:
            data = self.printing.bytes_for(payload, copy=copy, gift=gift)
            self.uow.commit()
        outcome = self.printing.hw.enqueue_and_print(
            name, data, "receipt", str(payload["receipt_no"]), wait=self.printing.wait_s
        )
        return dict(outcome.as_dict())
