"""Printing receipts and kicking the drawer after a commit (house rule 2: side effects follow
the commit, and a printer that fails never rolls back a paid sale; reprint is a command)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pos_app.adapters import receipt_docs
from pos_app.adapters.db.store import SqliteStore
from pos_app.adapters.hardware import Hardware, unconfirmed
from pos_app.adapters.keys import TillSigner
from pos_app.domain.errors import GuitaiError, NotFound
from receipts import render_escpos

log = logging.getLogger(__name__)

Notice = Callable[[GuitaiError], None]


class ReceiptPrinting:
    """pos_app.services.till_reads.ReceiptOutput over the configured receipt printer."""

    def __init__(
        self,
        store: SqliteStore,
        signer: TillSigner,
        hardware: Hardware,
        notice: Notice | None = None,
        wait_s: float | None = None,
    ) -> None:
        self.store = store
        self.signer = signer
        self.hw = hardware
        self.notice = notice
        self.wait_s = wait_s

    def printer_name(self) -> str | None:
        rows = self.store.conn.execute(
            "SELECT name FROM devices WHERE kind = 'printer' ORDER BY added_at LIMIT 1"
        ).fetchone()
        return rows[0] if rows else None

    def _printer(self, given: str | None) -> str:
        name = given or self.printer_name()
        if name is None:
            raise NotFound(
                "No receipt printer is set up: a technician adds one with "
                "`guitai devices add NAME --kind printer --uri …`",
                "未配置小票打印机：请技术人员用 guitai devices add 添加",
            )
        return name

    def bytes_for(
        self, payload: dict[str, Any], *, copy: bool = False, gift: bool = False
    ) -> bytes:
        reprints = self.store.count_reprint(int(payload["receipt_no"])) if copy else 0
        doc = receipt_docs.document(
            self.store, self.signer, payload, reprint_count=reprints, gift=gift
        )
        prof = receipt_docs.profile(None, None, self.store.setting("printer_profile"))
        return render_escpos(doc, prof)

    def print_receipt(
        self, payload: dict[str, Any], *, copy: bool, gift: bool = False, printer: str | None = None
    ) -> dict[str, Any]:
        name = self._printer(printer)
        data = self.bytes_for(payload, copy=copy, gift=gift)
        outcome = self.hw.enqueue_and_print(
            name, data, "receipt", str(payload["receipt_no"]), wait=self.wait_s
        )
        return outcome.as_dict()

    def print_report(
        self, report: dict[str, Any], *, copy: bool = False, printer: str | None = None
    ) -> dict[str, Any]:
        """An X or Z report on the receipt printer (a Z again later prints 重印)."""
        name = self._printer(printer)
        doc = receipt_docs.z_document(self.store, report, reprint_count=1 if copy else 0)
        prof = receipt_docs.profile(None, None, self.store.setting("printer_profile"))
        ref = f"Z{report['z_no']}" if report.get("kind") == "Z" else f"X{report.get('shift_id')}"
        outcome = self.hw.enqueue_and_print(
            name, render_escpos(doc, prof), "report", ref, wait=self.wait_s
        )
        return outcome.as_dict()

    def after_close(self, report: dict[str, Any]) -> None:
        """The Z prints when the day is closed, as on any cash register; report, never raise."""
        if self.printer_name() is None:
            return
        try:
            outcome = self.print_report(report)
            if outcome["state"] == "unconfirmed" and self.notice:
                self.notice(
                    unconfirmed(
                        str(self.printer_name()), int(outcome["job_id"]), f"Z{report['z_no']}"
                    )
                )
        except GuitaiError as err:
            log.warning("Z %s not printed: %s", report.get("z_no"), err.message)
            if self.notice:
                self.notice(err)

    def after_commit(self, payload: dict[str, Any]) -> None:
        """Print the new receipt and open the drawer for cash; report, never raise."""
        if self.printer_name() is None:
            return
        cash = any(p["tender"] == "cash" for p in payload["payments"])
        kind = "refund" if "refund_id" in payload else "sale"
        try:
            if cash:
                self.hw.open_drawer(
                    kind, ref=str(payload["receipt_no"]), user=str(payload.get("cashier") or "")
                )
        except GuitaiError as err:
            log.warning("drawer for receipt %s: %s", payload["receipt_no"], err.message)
            if self.notice:
                self.notice(err)
        try:
            outcome = self.print_receipt(payload, copy=False)
            if outcome["state"] == "unconfirmed":
                # Sent, but the printer never said it printed (no status answer): the cashier
                # looks at the paper and reprints (F8 / `guitai devices reprint`) if missing.
                no = f"{int(payload['receipt_no']):06d}"
                problem = unconfirmed(str(self.printer_name()), int(outcome["job_id"]), no)
                log.warning("receipt %s: %s", payload["receipt_no"], problem.message)
                if self.notice:
                    self.notice(problem)
        except GuitaiError as err:
            log.warning("receipt %s not printed: %s", payload["receipt_no"], err.message)
            if self.notice:
                self.notice(err)

    def after_cash_move(self, move: dict[str, Any]) -> None:
        """Pay in, pay out and no-sale open the drawer (the move is already recorded)."""
        if (
            self.printer_name() is None
            and not self.store.conn.execute(
                "SELECT 1 FROM devices WHERE kind = 'drawer'"
            ).fetchone()
        ):
            return
        try:
            self.hw.open_drawer("no_sale", ref=str(move["kind"]), user=str(move["user"]))
        except GuitaiError as err:
            log.warning("drawer for %s: %s", move["kind"], err.message)
            if self.notice:
                self.notice(err)
