"""The composition root: `build()` wires the till's services over one database connection
into a frozen, typed `App`.  Nothing else in the program constructs adapters.

The App has no behaviour of its own: what a screen or a command does is a method of one of
its parts.  The parts that cost start-up time or read files and settings (payments, hardware
and printing, the key, the identity, the catalog) are `Lazy`: built on first call, once, under
a lock, so a status probe's thread and the UI thread never build two."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pos_app.adapters.after_commit import SideEffects
from pos_app.adapters.backups import Backups
from pos_app.adapters.db.connection import OpenDatabase
from pos_app.adapters.db.repositories.no_receipt import SqliteNoReceiptHistory
from pos_app.adapters.db.repositories.sibling_sales import SqliteSiblingSales
from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.followups import Followups
from pos_app.adapters.keys import TillSigner, load_key, load_pepper
from pos_app.adapters.lazy import Lazy
from pos_app.adapters.receipt_desk import ReceiptDesk
from pos_app.adapters.remote_returns import CloudReturns
from pos_app.adapters.sync_link import SyncLink
from pos_app.config import Paths
from pos_app.domain.errors import GuitaiError, RuleViolation
from pos_app.domain.ports import Clock, SystemClock
from pos_app.domain.sale import Sellable
from pos_app.services.catalog import CatalogService
from pos_app.services.checkout import Checkout
from pos_app.services.context import TillIdentity
from pos_app.services.device_status import DeviceStatusBoard
from pos_app.services.messagebus import MessageBus
from pos_app.services.return_policy import rules_reader
from pos_app.services.selling import SaleService
from pos_app.services.shifts import ShiftService
from pos_app.services.stock import StockService
from pos_app.services.till_reads import TillReads
from pos_app.services.users import UserService

if TYPE_CHECKING:
    from pos_app.adapters.hardware import Hardware
    from pos_app.adapters.receipt_output import CountedReceiptOutput
    from pos_app.adapters.receipt_printing import ReceiptPrinting
    from pos_app.services.members.parts import Members
    from pos_app.services.payments import PaymentService
    from pos_app.services.topups import TopUps


def scrypt_cost() -> int | None:
    """GUITAI_SCRYPT_N lowers the PIN hash cost for test suites only (floor 2^12)."""
    raw = os.environ.get("GUITAI_SCRYPT_N")
    return max(4096, int(raw)) if raw else None


@dataclass(frozen=True)
class App:
    """The wired till.  `Lazy` parts are called to get them: `app.payments()`."""

    paths: Paths
    database: OpenDatabase
    clock: Clock
    uow: SqliteUnitOfWork
    identity: Lazy[TillIdentity]
    signer: Lazy[TillSigner]
    users: UserService
    catalog: Lazy[CatalogService]
    sales: SaleService
    shifts: ShiftService
    stock: StockService
    checkout: Checkout
    payments: Lazy[PaymentService]
    members: Lazy[Members]
    topups: Lazy[TopUps]
    followups: Followups
    devices: DeviceStatusBoard
    hardware: Lazy[Hardware]
    printing: Lazy[ReceiptPrinting]
    receipts: ReceiptDesk
    reads: TillReads
    side_effects: SideEffects
    backups: Backups
    sync: SyncLink
    bus: MessageBus


def build(paths: Paths, database: OpenDatabase, clock: Clock | None = None) -> App:
    clock = clock or SystemClock()
    conn = database.conn
    uow = SqliteUnitOfWork(conn)
    identity = Lazy(lambda: TillIdentity.load(uow))
    signer = Lazy(lambda: TillSigner(load_key(paths.private_key)))
    pepper = Lazy(lambda: load_pepper(paths.pepper))
    users = UserService(uow, clock, pepper, scrypt_n=scrypt_cost())

    def make_catalog() -> CatalogService:
        from pos_app.adapters.db.repositories.catalog import SqliteCatalog

        prefix = uow.settings.get("store_code_prefix")
        return CatalogService(SqliteCatalog(conn), (prefix,) if prefix else ())

    catalog = Lazy(make_catalog)

    def lookup(code: str) -> Sellable:
        return catalog().by_code(code)

    def stock_lookup(code: str) -> Any:
        """Like the sale screen's lookup, but a withdrawn item is still found: it still sits
        on the shelf, so it is counted, received and sent like any other."""
        from pos_app.domain.catalog import normalise_code

        try:
            return catalog().by_code(code)
        except RuleViolation:
            text = normalise_code(code)
            reader = catalog().reader
            return reader.by_code(text) or reader.by_sku(text)

    def business_day() -> str | None:
        shift = uow.shifts.find_open()
        return None if shift is None else str(shift["business_day"])

    bus = MessageBus()  # what follows a commit (pos_app/adapters/bus_wiring.py)
    sales = SaleService(uow, clock, lookup, bus)
    sales.deps.return_rules = rules_reader(uow.members)
    sales.deps.elsewhere = SqliteSiblingSales(conn)  # returns of a sibling till's sale
    sales.deps.no_receipt = SqliteNoReceiptHistory(conn)  # returns without a receipt
    sales.deps.remote = CloudReturns(paths, conn, clock, uow.settings.get)  # another store's
    sync = SyncLink(paths, conn, clock, uow.settings.get, bus)
    stock = StockService(
        uow,
        clock,
        stock_lookup,
        store_id=lambda: identity().store_id,
        business_day=business_day,
        tz=lambda: identity().tz,
        remote_grid=sync.remote_stock if uow.settings.get("cloud_url") else None,
    )
    backups = Backups(paths, conn, uow, clock)
    shifts = ShiftService(uow, clock, bus)

    def backup_before_close() -> None:
        backups.backup("z-close")  # house rule: an online backup before every Z close

    shifts.deps.backup = backup_before_close
    shifts.report_sections["stock_adjustments"] = stock.z_section

    def make_payments() -> PaymentService:
        """The card terminal and WeChat Pay / Alipay as configured."""
        from pos_app.adapters.payments_wiring import build_payment_service

        built: PaymentService = build_payment_service(conn, clock)
        return built

    payments = Lazy(make_payments)
    checkout = Checkout(sales, payments, lambda: identity().cash_rounding)
    members = Lazy(lambda: _members(paths, database, clock, uow, signer, lookup))
    topups = Lazy(lambda: _topups(paths, database, clock, uow, bus, identity, payments))
    shifts.report_sections["topups"] = lambda shift: topups().z_section(shift)

    def make_hardware() -> Hardware:
        """Printers, drawers and scanners as configured (`guitai devices add`)."""
        from pos_app.adapters.db.devices import DeviceStore
        from pos_app.adapters.hardware import Hardware

        return Hardware(DeviceStore(conn, clock=clock), test_page=receipts.test_page)

    hardware = Lazy(make_hardware)

    def make_printing() -> ReceiptPrinting:
        from pos_app.adapters.receipt_printing import ReceiptPrinting

        return ReceiptPrinting(uow, signer(), hardware())

    printing = Lazy(make_printing)

    def make_printer() -> CountedReceiptOutput:
        from pos_app.adapters.receipt_output import CountedReceiptOutput

        return CountedReceiptOutput(uow, printing())

    receipts = ReceiptDesk(
        uow, signer, printing, Lazy(make_printer), lambda: reads, sales.original_elsewhere
    )
    reads = TillReads(uow, identity, receipts.current_output, receipts.paper_text)
    return App(
        paths=paths,
        database=database,
        clock=clock,
        uow=uow,
        identity=identity,
        signer=signer,
        users=users,
        catalog=catalog,
        sales=sales,
        shifts=shifts,
        stock=stock,
        checkout=checkout,
        payments=payments,
        members=members,
        topups=topups,
        followups=Followups(lambda: members().associates, uow.thread),
        devices=DeviceStatusBoard(),
        hardware=hardware,
        printing=printing,
        receipts=receipts,
        reads=reads,
        side_effects=SideEffects(bus, sales, printing, receipts),
        backups=backups,
        sync=sync,
        bus=bus,
    )


def _members(
    paths: Paths,
    database: OpenDatabase,
    clock: Clock,
    uow: SqliteUnitOfWork,
    signer: Lazy[TillSigner],
    lookup: Callable[[str], Sellable],
) -> Members:
    """The member parts over the till's database, with the cloud when enrolled (one set per
    App, so a sale's pricing and completion share its coupon holds).  Built on first use:
    the sign-in screen needs none of it."""
    from pos_app.adapters.db.repositories.members import SqliteMembers
    from pos_app.adapters.member_cloud import SyncMemberCloud
    from pos_app.services.members.parts import compose_members

    def cloud() -> SyncMemberCloud | None:
        # read each time: a till enrolled (or moved to another URL) while running is seen
        return SyncMemberCloud.from_till(paths, database.conn, clock)

    def receipt_payload(text: str) -> dict[str, Any] | None:
        from pos_app.adapters.receipt_docs import verify_receipt

        r = verify_receipt(uow, signer(), text)
        if r["own_till"]:
            p: dict[str, Any] | None = uow.sales.payload(receipt_no=r["receipt_no"])
            return p
        remote = cloud()
        if remote is None:
            return None
        token = text.strip().rstrip("/").rsplit("/", 1)[-1]
        found: dict[str, Any] = remote.receipt(token)
        payload: dict[str, Any] | None = found.get("payload")
        if payload and found.get("member_id"):  # the member as the cloud knows them now
            payload = payload | {"member": {"id": found["member_id"]}}
        return payload

    from pos_app.adapters.chain_view_cache import SqliteChainViewCache

    chain_cache = SqliteChainViewCache(paths.home / "chain_views.db")
    return compose_members(
        uow, SqliteMembers(database.conn), clock, lookup, cloud, receipt_payload, chain_cache
    )


def _topups(
    paths: Paths,
    database: OpenDatabase,
    clock: Clock,
    uow: SqliteUnitOfWork,
    bus: MessageBus,
    identity: Lazy[TillIdentity],
    payments: Lazy[PaymentService],
) -> TopUps:
    """Stored-value top-ups (issue 23): online only, through the cloud when enrolled."""
    from pos_app.adapters.db.repositories.members import SqliteMembers
    from pos_app.adapters.db.repositories.topups import SqliteTopUps
    from pos_app.adapters.member_cloud import SyncMemberCloud
    from pos_app.services.handlers.topups import TopUpDeps
    from pos_app.services.topups import TopUps

    def cloud() -> SyncMemberCloud | None:
        try:
            return SyncMemberCloud.from_till(paths, database.conn, clock)
        except GuitaiError:  # not enrolled, or its key unreadable: an offline-only till
            return None

    deps = TopUpDeps(
        uow,
        SqliteTopUps(database.conn),
        SqliteMembers(database.conn),
        clock,
        bus,
        identity,
        cloud,
        payments,
    )
    return TopUps(deps)


def register_probes(app: App, ttl_s: float = 5.0) -> None:
    """Status bar lines: printer, drawer, scanner, card terminal, network and sync."""
    from pos_app.adapters.hardware.probes import register_probes as register

    # The probes run on threads of their own: what they read of the till's database (and the
    # first build of the parts, which reads settings) runs on its database thread.
    db = app.uow.thread

    def payments() -> PaymentService:
        return app.payments.built() or db.call(app.payments)

    def setting(key: str) -> str | None:
        return db.call(lambda: app.uow.settings.get(key))

    register(app.devices, db.call(app.hardware), payments, setting, app.sync.status, ttl_s)


def shutdown(app: App) -> None:
    """Stop device threads and close their connections (a TCP 9100 printer serves one
    connection at a time: a connection left open blocks the next program)."""
    app.followups.close()
    app.sync.close()
    app.side_effects.close()
    app.devices.close()
    hw = app.hardware.built()
    if hw is not None:
        hw.close()
