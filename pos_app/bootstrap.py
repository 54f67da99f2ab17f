"""The composition root: builds the till's services over one database connection and wires
the side effects that follow a commit.  Nothing else in the program constructs adapters."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pos_app.adapters.db.connection import OpenDatabase
from pos_app.adapters.db.items import item_by_code
from pos_app.adapters.db.store import SqliteStore
from pos_app.adapters.keys import TillSigner, load_key, load_pepper
from pos_app.config import Paths
from pos_app.domain.ports import Clock, SystemClock
from pos_app.domain.sale import Sellable
from pos_app.services.context import TillIdentity
from pos_app.services.device_status import DeviceStatusBoard
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService
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

    def lookup(self, code: str) -> Sellable:
        return item_by_code(self.database.conn, code)

    @cached_property
    def sales(self) -> SaleService:
        return SaleService(self.store, self.clock, self.lookup)

    @cached_property
    def shifts(self) -> ShiftService:
        return ShiftService(self.store, self.clock)

    @cached_property
    def devices(self) -> DeviceStatusBoard:
        """Status probes; drivers/payments/sync register theirs here (`register(kind, probe)`)."""
        return DeviceStatusBoard()

    @cached_property
    def reads(self) -> TillReads:
        return TillReads(self.store, lambda: self.identity, lambda: self.receipt_output)

    def settings(self) -> dict[str, Any]:
        return dict(self.store.settings())


def build_till(paths: Paths, database: OpenDatabase, clock: Clock | None = None) -> Till:
    return Till(paths=paths, database=database, clock=clock or SystemClock())
