"""Printing receipts and kicking the drawer after a commit (house rule 2: side effects follow
the commit, and a printer that fails never rolls back a paid sale; reprint is a command)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from pos_app.adapters import receipt_docs
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.hardware import Hardware, paper_low, unconfirmed
from pos_app.adapters.keys import TillSigner
from pos_app.domain.errors import GuitaiError, NotFound, StateError
from pos_app.domain.events import CashMoved, RefundCompleted, SaleCompleted, ShiftClosed
from receipts import render_escpos

log = logging.getLogger(__name__)

Notice = Callable[[GuitaiError], None]

NO_DRAWER = (
    "No cash drawer is set up, so none was opened: the no-sale is recorded; open the drawer "
    "with its key (a technician sets one up with `guitai devices add NAME --kind printer` or "
    "`--kind drawer`)",
    "未设置钱箱，未能打开：本次无交易开箱已记录；请用钥匙打开钱箱（请技术人员用 guitai devices "
    "add 设置打印机或钱箱）",
)


class ReceiptPrinting:
    """pos_app.services.till_reads.ReceiptOutput over the configured receipt printer."""

    def __init__(
        self,
        uow: SqliteUnitOfWork,
        signer: TillSigner,
        hardware: Hardware,
        notice: Notice | None = None,
        wait_s: float | None = None,
    ) -> None:
        self.uow = uow
        self.signer = signer
        self.hw = hardware
        self.notice = notice
        self.wait_s = wait_s

    # The printing thread calls these too: each read of the till's database runs on its
    # database thread (writer_thread.DbThread); rendering and the printer's I/O stay here.
    def printer_name(self) -> str | None:
        def read() -> str | None:
            rows = self.uow.conn.execute(
                "SELECT name FROM devices WHERE kind = 'printer' ORDER BY added_at LIMIT 1"
            ).fetchone()
            return rows[0] if rows else None

        return self.uow.thread.call(read)

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
        def read() -> tuple[Any, Any]:
            reprints = self.uow.sales.count_reprint(int(payload["receipt_no"])) if copy else 0
            doc = receipt_docs.document(
                self.uow, self.signer, payload, reprint_count=reprints, gift=gift
            )
            return doc, receipt_docs.profile(None, None, self.uow.settings.get("printer_profile"))

        doc, prof = self.uow.thread.call(read)
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

    def reserve(self, payload: dict[str, Any]) -> None:
        """Inside the sale's (or refund's) transaction: its receipt's print job, the bytes to
        follow after the commit.  A till killed in between owes the receipt, and `resume`
        prints it at the next start; `guitai devices jobs` lists it meanwhile."""
        name = self.printer_name()
        if name is not None:
            self.hw.store.reserve(name, "receipt", str(payload["receipt_no"]))

    def _print_original(self, payload: dict[str, Any]) -> dict[str, Any]:
        job_id = self.hw.store.reserved("receipt", str(payload["receipt_no"]))
        if job_id is None:  # committed by a till whose printing was not wired (e.g. a script)
            return self.print_receipt(payload, copy=False)
        return self.hw.print_reserved(job_id, self.bytes_for(payload), wait=self.wait_s).as_dict()

    def resume(self) -> dict[str, list[int]]:
        """At start: receipts of sales and refunds that committed before the till stopped are
        rendered from the recorded sale and printed; jobs a crash cut off mid-print become
        unconfirmed (listed until someone checks the paper, never taken as printed).  Returns
        {"rendered": job ids, "interrupted": job ids}; report, never raise."""
        rendered: list[int] = []
        for job in self.hw.store.unrendered():
            ref = job.ref or ""
            payload = (
                self.uow.thread.call(partial(self.uow.sales.payload, receipt_no=int(ref)))
                if ref.isdigit()
                else None
            )
            if payload is None:
                self.hw.store.mark_failed(job.id, "not_rendered: no such receipt")
                continue
            try:
                self.hw.store.fill(job.id, self.bytes_for(payload))
                rendered.append(job.id)
            except GuitaiError as err:
                log.warning("receipt %s owed since a restart: %s", ref, err.message)
                self.hw.store.mark_failed(job.id, f"not_rendered: {err.message}")
        interrupted: list[int] = []
        try:
            for printer, ids in self.hw.resume().items():
                interrupted += ids
                for job_id in ids:
                    if self.notice:
                        ref = self.hw.store.job(job_id).ref or ""
                        self.notice(unconfirmed(printer, job_id, ref))
        except GuitaiError as err:
            log.warning("print jobs not resumed: %s", err.message)
            if self.notice:
                self.notice(err)
        if rendered:
            log.info("printing %d receipt(s) owed since the till stopped", len(rendered))
        return {"rendered": rendered, "interrupted": interrupted}

    def print_report(
        self, report: dict[str, Any], *, copy: bool = False, printer: str | None = None
    ) -> dict[str, Any]:
        """An X or Z report on the receipt printer (a Z again later prints 重印)."""
        name = self._printer(printer)

        def read() -> tuple[Any, Any]:
            doc = receipt_docs.z_document(self.uow, report, reprint_count=1 if copy else 0)
            return doc, receipt_docs.profile(None, None, self.uow.settings.get("printer_profile"))

        doc, prof = self.uow.thread.call(read)
        ref = f"Z{report['z_no']}" if report.get("kind") == "Z" else f"X{report.get('shift_id')}"
        outcome = self.hw.enqueue_and_print(
            name, render_escpos(doc, prof), "report", ref, wait=self.wait_s
        )
        return outcome.as_dict()

    def on_shift_closed(self, event: ShiftClosed) -> None:
        """The Z prints when the day is closed, as on any cash register; report, never raise."""
        report = event.report
        if self.printer_name() is None:
            return
        try:
            outcome = self.print_report(report)
            self._paper_low(outcome, f"Z{report['z_no']}")
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

    def has_drawer(self) -> bool:
        """A drawer is set up: on the receipt printer (the usual case) or as its own device."""
        return self.printer_name() is not None or self.hw.store.list_devices("drawer") != []

    def open_drawer(self, reason: str, *, ref: str, user: str) -> dict[str, Any]:
        """The one drawer path of sales, refunds, pay in/out and no-sale: kick, record the open.

        Returns {"opened": bool, "drawer_open_id": id or None} plus, when it did not open,
        "reason", "message" and "message_zh" (what the cashier is also told); never raises."""
        if not self.has_drawer():
            return {"opened": False, "drawer_open_id": None, "reason": "not_set_up"}
        try:
            open_id = self.hw.open_drawer(reason, ref=ref, user=user)
            return {"opened": True, "drawer_open_id": open_id}
        except GuitaiError as err:
            log.warning("drawer (%s %s): %s", reason, ref, err.message)
            if self.notice:
                self.notice(err)
            return {
                "opened": False,
                "drawer_open_id": None,
                "reason": getattr(err, "reason", None) or err.code,
                "message": err.message,
                "message_zh": err.message_zh,
            }

    def on_sale_or_refund(self, event: SaleCompleted | RefundCompleted) -> None:
        """Open the drawer for cash and print the new receipt; report, never raise."""
        payload = event.payload
        if any(p["tender"] == "cash" for p in payload["payments"]):
            kind = "refund" if "refund_id" in payload else "sale"
            cashier = str(payload.get("cashier") or "")
            self.open_drawer(kind, ref=str(payload["receipt_no"]), user=cashier)
        if self.printer_name() is None:
            return
        try:
            outcome = self._print_original(payload)
            no = f"{int(payload['receipt_no']):06d}"
            if outcome["state"] == "unconfirmed":
                # Sent, but the printer never said it printed (no status answer): the cashier
                # looks at the paper and reprints (F8 / `guitai devices reprint`) if missing.
                problem = unconfirmed(str(self.printer_name()), int(outcome["job_id"]), no)
                log.warning("receipt %s: %s", payload["receipt_no"], problem.message)
                if self.notice:
                    self.notice(problem)
            self._paper_low(outcome, no)
        except GuitaiError as err:
            log.warning("receipt %s not printed: %s", payload["receipt_no"], err.message)
            if self.notice:
                self.notice(err)

    def _paper_low(self, outcome: dict[str, Any], what: str) -> None:
        """The printer's near-end sensor came on: the job printed, the cashier is warned (the
        banner and the status bar's printer line) so a new roll is ready before it runs out."""
        if "paper_near_end" in outcome.get("warnings", ()) and self.notice:
            self.notice(paper_low(str(self.printer_name()), int(outcome["job_id"]), what))

    def on_cash_moved(self, event: CashMoved) -> None:
        """Pay in, pay out and no-sale open the drawer (the move is already recorded); what
        happened is added to the move as "drawer" (the CLI and the till show it).  A no-sale
        with no drawer set up is still recorded (the cashier opens it with its key), and the
        cashier is told so."""
        move = event.move
        kind = str(move["kind"])
        outcome = self.open_drawer("no_sale", ref=kind, user=str(move["user"]))
        move["drawer"] = outcome
        if kind == "no_sale" and outcome.get("reason") == "not_set_up":
            outcome.update(message=NO_DRAWER[0], message_zh=NO_DRAWER[1])
            if self.notice:
                self.notice(StateError(*NO_DRAWER))
