"""The composition root: builds the till's services over one database connection and wires
the side effects that follow a commit.  Nothing else in the program constructs adapters."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pos_app.adapters.db.connection import OpenDatabase
from pos_app.adapters.db.store import SqliteStore
from pos_app.adapters.keys import TillSigner, load_key, load_pepper
from pos_app.config import Paths
from pos_app.domain.ports import Clock, SystemClock
from pos_app.domain.sale import Sellable
from pos_app.services.catalog import CatalogService
from pos_app.services.checkout import Checkout
from pos_app.services.context import TillIdentity
from pos_app.services.device_status import DeviceStatusBoard
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
    def store(self) -> SqliteStore:
        return SqliteStore(self.database.conn)

    @cached_property
    def identity(self) -> TillIdentity:
        return TillIdentity.load(self.store)

    @cached_property
    def signer(self) -> TillSigner:
        return TillSigner(load_key(self.paths.private_key))

    @cached_property
    def users(self) -> UserService:
        return UserService(
            self.store, self.clock, load_pepper(self.paths.pepper), scrypt_n=scrypt_cost()
        )

    @cached_property
    def catalog(self) -> CatalogService:
        from pos_app.adapters.db.catalog_repo import SqliteCatalog

        prefix = self.store.setting("store_code_prefix")
        return CatalogService(SqliteCatalog(self.database.conn), (prefix,) if prefix else ())

    def lookup(self, code: str) -> Sellable:
        return self.catalog.by_code(code)

    @cached_property
    def sales(self) -> SaleService:
        sales = SaleService(self.store, self.clock, self.lookup)
        # Stock moves in the sale's own transaction: both commit or neither.
        sales.in_transaction.append(self.stock.on_sale_committed)
        return sales

    @cached_property
    def shifts(self) -> ShiftService:
        shifts = ShiftService(self.store, self.clock)
        # House rule: an online backup before every Z close.
        shifts.before_close.append(lambda: self.backup("z-close"))
        shifts.report_sections["stock_adjustments"] = self.stock.z_section
        return shifts

    @cached_property
    def stock(self) -> StockService:
        from pos_app.adapters.db.stock_repo import SqliteStockRepo

        def business_day() -> str | None:
            shift = self.store.open_shift()
            return None if shift is None else str(shift["business_day"])

        return StockService(
            SqliteStockRepo(self.store),
            self.clock,
            self._stock_lookup,
            store_id=lambda: self.identity.store_id,
            business_day=business_day,
            tz=lambda: self.identity.tz,
            remote_grid=self._remote_stock if self.store.setting("cloud_url") else None,
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
        timeout = float(self.store.setting("stock_lookup_timeout_s") or 3.0)
        parts = build_relay(
            self.paths,
            self.database.conn,
            lock=self.store.lock,
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
            second = self.store.setting("backup_second_location")
            if second:
                folders.append(Path(second))
        return backup(self.database.conn, folders, self.clock.now(), reason)

    @cached_property
    def payments(self) -> Any:
        """The payment service: the card terminal and WeChat Pay / Alipay as configured."""
        from pos_app.adapters.payments import build_payment_service

        return build_payment_service(self.database.conn, self.clock)

    @cached_property
    def checkout(self) -> Checkout:
        return Checkout(self.sales, lambda: self.payments, self.identity.cash_rounding)

    @cached_property
    def devices(self) -> DeviceStatusBoard:
        """Status probes; drivers/payments/sync register theirs here (`register(kind, probe)`)."""
        return DeviceStatusBoard()

    @cached_property
    def reads(self) -> TillReads:
        return TillReads(self.store, lambda: self.identity, lambda: self.receipt_output)

    @cached_property
    def hardware(self) -> Any:
        """Printers, drawers and scanners as configured (`guitai devices add`)."""
        from pos_app.adapters.db.devices import DeviceStore
        from pos_app.adapters.hardware import Hardware

        return Hardware(
            DeviceStore(self.database.conn, clock=self.clock, lock=self.store.lock),
            test_page=self._test_page,
        )

    def _test_page(self, rec: Any, status: Any) -> bytes:
        from pos_app.adapters import receipt_docs
        from receipts import build_test_page, render_escpos

        store = receipt_docs.store_info(self.store.settings())
        prof = receipt_docs.profile(None, None, self.store.setting("printer_profile"))
        return render_escpos(build_test_page(store, prof), prof)

    @cached_property
    def printing(self) -> Any:
        from pos_app.adapters.receipt_printing import ReceiptPrinting

        return ReceiptPrinting(self.store, self.signer, self.hardware)

    def wire_side_effects(self, notice: Any = None) -> None:
        """After each commit: print the receipt and kick the drawer (never undoing a sale)."""
        self.printing.notice = notice
        self.receipt_output = self.printing
        if self.printing.after_commit not in self.sales.after_commit:
            self.sales.after_commit.append(self.printing.after_commit)
        if self.printing.after_cash_move not in self.shifts.after_cash_move:
            self.shifts.after_cash_move.append(self.printing.after_cash_move)

    def close(self) -> None:
        """Stop device threads and close their connections (a TCP 9100 printer serves one
        connection at a time: a connection left open blocks the next program)."""
        hw = self.__dict__.get("hardware")
        if hw is not None:
            hw.close()

    def settings(self) -> dict[str, Any]:
        return dict(self.store.settings())


def build_till(paths: Paths, database: OpenDatabase, clock: Clock | None = None) -> Till:
    return Till(paths=paths, database=database, clock=clock or SystemClock())
