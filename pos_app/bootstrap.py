"""The composition root: builds the till's services over one database connection and wires
the side effects that follow a commit.  Nothing else in the program constructs adapters."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pos_app.adapters.db.connection import OpenDatabase
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.keys import TillSigner, load_key, load_pepper
from pos_app.config import Paths
from pos_app.domain.errors import GuitaiError
from pos_app.domain.ports import Clock, SystemClock
from pos_app.domain.sale import Sellable
from pos_app.services.catalog import CatalogService
from pos_app.services.checkout import Checkout
from pos_app.services.context import TillIdentity
from pos_app.services.device_status import DeviceStatusBoard
from pos_app.services.messagebus import MessageBus
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService
from pos_app.services.stock import StockService
from pos_app.services.till_reads import ReceiptOutput, TillReads
from pos_app.services.users import UserService


def scrypt_cost() -> int | None:
    """GUITAI_SCRYPT_N lowers the PIN hash cost for test suites only (floor 2^12)."""
    raw = os.environ.get("GUITAI_SCRYPT_N")
    return max(4096, int(raw)) if raw else None


@dataclass
class Till:
    paths: Paths
    database: OpenDatabase
    clock: Clock = field(default_factory=SystemClock)
    # Set by the receipts/drivers wiring once a printer is configured; None: the till shows
    # receipts on screen instead.
    receipt_output: ReceiptOutput | None = None

    @cached_property
    def uow(self) -> SqliteUnitOfWork:
        return SqliteUnitOfWork(self.database.conn)

    @cached_property
    def identity(self) -> TillIdentity:
        return TillIdentity.load(self.uow)

    @cached_property
    def signer(self) -> TillSigner:
        return TillSigner(load_key(self.paths.private_key))

    @cached_property
    def users(self) -> UserService:
        return UserService(
            self.uow, self.clock, load_pepper(self.paths.pepper), scrypt_n=scrypt_cost()
        )

    @cached_property
    def catalog(self) -> CatalogService:
        from pos_app.adapters.db.repositories.catalog import SqliteCatalog

        prefix = self.uow.settings.get("store_code_prefix")
        return CatalogService(SqliteCatalog(self.database.conn), (prefix,) if prefix else ())

    def lookup(self, code: str) -> Sellable:
        return self.catalog.by_code(code)

    @cached_property
    def bus(self) -> MessageBus:
        """What follows a commit (pos_app.adapters.bus_wiring)."""
        return MessageBus()

    @cached_property
    def sales(self) -> SaleService:
        return SaleService(self.uow, self.clock, self.lookup, self.bus)

    @cached_property
    def shifts(self) -> ShiftService:
        shifts = ShiftService(self.uow, self.clock, self.bus)
        # House rule: an online backup before every Z close.
        shifts.deps.backup = lambda: self.backup("z-close")
        shifts.report_sections["stock_adjustments"] = self.stock.z_section
        return shifts

    @cached_property
    def stock(self) -> StockService:
        def business_day() -> str | None:
            shift = self.uow.shifts.find_open()
            return None if shift is None else str(shift["business_day"])

        return StockService(
            self.uow,
            self.clock,
            self._stock_lookup,
            store_id=lambda: self.identity.store_id,
            business_day=business_day,
            tz=lambda: self.identity.tz,
            remote_grid=self._remote_stock if self.uow.settings.get("cloud_url") else None,
        )

    def _stock_lookup(self, code: str) -> Any:
        """Like the sale screen's lookup, but a withdrawn item is still found: it still sits
        on the shelf, so it is counted, received and sent like any other."""
        from pos_app.domain.catalog import normalise_code
        from pos_app.domain.errors import RuleViolation

        try:
            return self.catalog.by_code(code)
        except RuleViolation:
            text = normalise_code(code)
            reader = self.catalog.reader
            return reader.by_code(text) or reader.by_sku(text)

    def _remote_stock(self, style: str) -> dict[str, Any]:
        """Other stores' quantities of a style from the cloud (GET /v1/stock/{style})."""
        from pos_app.cli.sync_cmds import build_relay

        # The counter cannot wait long for a customer's question: a short timeout, and the
        # grid shows this store's figures with the reason when the cloud does not answer.
        timeout = float(self.uow.settings.get("stock_lookup_timeout_s") or 3.0)
        parts = build_relay(
            self.paths,
            self.database.conn,
            clock=self.clock,
            timeout_s=timeout,
        )
        try:
            answer: dict[str, Any] = parts.client.stock(style)
            return answer
        finally:
            parts.close()

    def backup(self, reason: str, folders: list[Path] | None = None) -> list[Path]:
        from pos_app.adapters.db.backup import backup

        if folders is None:
            folders = [self.paths.backups_dir]
            with self.uow.lock:  # the scheduler's thread: never beside a sale's statements
                second = self.uow.settings.get("backup_second_location")
            if second:
                folders.append(Path(second))
        return backup(self.database.conn, folders, self.clock.now(), reason)

    @cached_property
    def payments(self) -> Any:
        """The payment service: the card terminal and WeChat Pay / Alipay as configured."""
        from pos_app.adapters.payments_wiring import build_payment_service

        return build_payment_service(self.database.conn, self.clock)

    @property
    def members(self) -> Any:
        """The member parts (one set per till object: a sale and its pricing share it)."""
        from pos_app.adapters.members_wiring import build_member_service

        return build_member_service(self)

    followup_job: Any = None

    def start_followups(self, on_due: Any, *, interval_s: float = 60.0) -> None:
        """Surface the associates' follow-ups as they fall due (APScheduler, in the
        background); `on_due(rows)` runs on the scheduler's thread."""
        from pos_app.adapters.followup_jobs import FollowupJob

        if self.followup_job is not None:
            return
        self.followup_job = FollowupJob(self.members.associates, on_due, interval_s=interval_s)
        self.followup_job.start()

    @cached_property
    def checkout(self) -> Checkout:
        return Checkout(self.sales, lambda: self.payments, self.identity.cash_rounding)

    @cached_property
    def devices(self) -> DeviceStatusBoard:
        """Status probes; drivers/payments/sync register theirs here (`register(kind, probe)`)."""
        return DeviceStatusBoard()

    @cached_property
    def reads(self) -> TillReads:
        return TillReads(
            self.uow, lambda: self.identity, self._receipt_output, self.paper_receipt_text
        )

    def paper_receipt_text(self, payload: dict[str, Any]) -> str:
        """The receipt as text from the very document the printer prints (the same paper
        width), so the till's screen shows what the customer holds."""
        from pos_app.adapters import receipt_docs
        from receipts import render_text

        doc = receipt_docs.document(self.uow, self.signer, payload)
        prof = receipt_docs.profile(None, None, self.uow.settings.get("printer_profile"))
        return render_text(doc, prof.paper)

    def _receipt_output(self) -> ReceiptOutput | None:
        """The receipt output, or None while the wired printer output has no printer to use
        (the till then shows receipts on screen)."""
        out = self.receipt_output
        wired = out is not None and out is self.__dict__.get("receipt_printer")
        if wired and self.printing.printer_name() is None:
            return None
        return out

    @cached_property
    def hardware(self) -> Any:
        """Printers, drawers and scanners as configured (`guitai devices add`)."""
        from pos_app.adapters.db.devices import DeviceStore
        from pos_app.adapters.hardware import Hardware

        return Hardware(
            DeviceStore(self.database.conn, clock=self.clock),
            test_page=self._test_page,
        )

    def _test_page(self, rec: Any, status: Any) -> bytes:
        from pos_app.adapters import receipt_docs
        from receipts import build_test_page, render_escpos

        store = receipt_docs.store_info(self.uow.settings.all())
        prof = receipt_docs.profile(None, None, self.uow.settings.get("printer_profile"))
        return render_escpos(build_test_page(store, prof), prof)

    @cached_property
    def printing(self) -> Any:
        from pos_app.adapters.receipt_printing import ReceiptPrinting

        return ReceiptPrinting(self.uow, self.signer, self.hardware)

    _print_thread: Any = None

    def wire_side_effects(self, notice: Any = None, *, background: bool = False) -> None:
        """After each commit: print the receipt and kick the drawer (never undoing a sale).

        background: print on a thread of its own, in commit order, so the till's screen shows
        the change while the printer works (a receipt takes 1–3 s to print and confirm);
        problems reach `notice` from that thread."""
        from pos_app.adapters.bus_wiring import wire_printing

        self.printing.notice = notice
        self.receipt_output = self.receipt_printer
        if background and self._print_thread is None:
            from concurrent.futures import ThreadPoolExecutor

            self._print_thread = ThreadPoolExecutor(1, thread_name_prefix="receipts")
        wire_printing(self.bus, self.sales.deps, self.printing, self._print_thread)

    @cached_property
    def receipt_printer(self) -> Any:
        from pos_app.bootstrap_ui import CountedReceiptOutput

        return CountedReceiptOutput(self.uow, self.printing)

    # ---- what the till's screen needs beyond the services (issue 7) -------------------------

    def tender_availability(self) -> dict[str, GuitaiError | None]:
        """card / wechat / alipay → None when it can be taken now, else why not."""
        from pos_app.domain.tenders import Tender

        out: dict[str, GuitaiError | None] = {}
        for t in (Tender.CARD, Tender.WECHAT, Tender.ALIPAY):
            try:
                self.checkout.check_available(t)
                out[t.value] = None
            except GuitaiError as err:
                out[t.value] = err
        return out

    def ereceipt_base_url(self) -> str:
        from pos_app.adapters import receipt_docs

        return self.uow.settings.get("ereceipt_base_url") or receipt_docs.DEFAULT_ERECEIPT_BASE

    def ereceipt_qr(self, payload: dict[str, Any]) -> list[list[bool]]:
        """The signed e-receipt QR of a committed sale as modules (True = dark)."""
        from pos_app.bootstrap_ui import ereceipt_matrix

        return ereceipt_matrix(self.uow, self.signer, payload, self.ereceipt_base_url())

    def verify_receipt_scan(self, text: str) -> dict[str, Any]:
        """A scanned e-receipt (paper or phone): verdict genuine / altered / unknown_till /
        unreadable, and for this till's genuine sales the sale ready for a return."""
        from pos_app.bootstrap_ui import verify_scan

        return verify_scan(self.uow, self.signer, self.reads, text)

    def print_gift(self, receipt_no: int, lang: str = "zh") -> tuple[bool, str]:
        """A gift receipt (no prices) of a sale; (printed, on-screen text)."""
        payload = self.reads.receipt(receipt_no)
        if self.receipt_output is None or self.printing.printer_name() is None:
            from pos_app.adapters import receipt_docs
            from receipts import render_text
            from receipts.profiles import paper

            doc = receipt_docs.document(self.uow, self.signer, payload, gift=True)
            return False, render_text(doc, paper(80))
        self.receipt_printer.print_receipt(payload, copy=False, gift=True)
        return True, ""

    def register_probes(self, ttl_s: float = 5.0) -> None:
        """Status bar lines: printer, drawer, scanner, card terminal, network and sync."""
        from pos_app.bootstrap_ui import register_probes

        register_probes(self, ttl_s)

    sync_scheduler: Any = None
    sync_parts: Any = None

    def start_sync(self, **timing: float) -> bool:
        """Start the background relay when the till is enrolled; False when it is not (the
        status bar then says 未注册).  Each commit nudges a push."""
        from pos_app.cli.sync_cmds import build_relay, build_scheduler
        from sync.errors import NotEnrolled

        if self.sync_scheduler is not None:
            return True
        try:
            parts = build_relay(self.paths, self.database.conn, clock=self.clock)
        except NotEnrolled:
            return False
        kw = {"push_interval_s": 60.0, "pull_interval_s": 300.0, "nudge_delay_s": 2.0, **timing}
        self.sync_parts = parts
        self.sync_scheduler = build_scheduler(parts, **kw)
        self.sync_scheduler.start()
        from pos_app.adapters.bus_wiring import wire_sync_nudge

        wire_sync_nudge(self.bus, self.sync_scheduler)
        return True

    def sync_status(self) -> dict[str, Any] | None:
        """The relay's status, or None when the till is not enrolled."""
        from pos_app.cli.sync_cmds import build_relay
        from sync.errors import NotEnrolled

        if self.sync_parts is None:
            try:
                self.sync_parts = build_relay(self.paths, self.database.conn, clock=self.clock)
            except NotEnrolled:
                return None
        status: dict[str, Any] = self.sync_parts.relay.status()
        return status

    def close(self) -> None:
        """Stop device threads and close their connections (a TCP 9100 printer serves one
        connection at a time: a connection left open blocks the next program)."""
        if self.followup_job is not None:
            self.followup_job.shutdown()
            self.followup_job = None
        if self.sync_scheduler is not None:
            self.sync_scheduler.shutdown()
            self.sync_scheduler = None
        if self.sync_parts is not None:
            self.sync_parts.close()
            self.sync_parts = None
        if self._print_thread is not None:
            self._print_thread.shutdown(wait=True)  # receipts already paid for still print
            self._print_thread = None
        board = self.__dict__.get("devices")
        if board is not None:
            board.close()
        hw = self.__dict__.get("hardware")
        if hw is not None:
            hw.close()

    def settings(self) -> dict[str, Any]:
        return dict(self.uow.settings.all())


def build_till(paths: Paths, database: OpenDatabase, clock: Clock | None = None) -> Till:
    return Till(paths=paths, database=database, clock=clock or SystemClock())
