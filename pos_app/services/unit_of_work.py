"""The unit of work: the one way a use case changes the till's database.

A use case opens the unit of work, reads and writes through its repositories, and commits:

    with uow:
        shift = uow.shifts.find_open()
        seq, prev, digest = uow.journal.append("sale", sale_id, payload, at)
        uow.sales.add("sale", payload, seq)
        uow.outbox.add(events.SALE_COMPLETED, payload, at, prev, digest)
        uow.commit()

Leaving the `with` block without `commit()` rolls everything back; so does an exception.
Entering a unit of work that is already open (a service calling another service inside its
own transaction) joins it as a savepoint: the inner block's `commit()` keeps its writes for
the outer commit, and an inner failure undoes only what the inner block wrote.

Repositories never begin or end a transaction; reads outside a unit of work run on their own
(autocommit reads).  The SQLite implementation is pos_app/adapters/db/unit_of_work.py; the
in-memory one for unit tests is tests/unit/fakes.py.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from pos_app.domain.catalog import CatalogWriter
from pos_app.domain.journal import JournalEntry
from pos_app.domain.payments import AttemptState, PaymentAttempt
from pos_app.domain.stock import Grid
from pos_app.domain.users import User

if TYPE_CHECKING:  # services.members imports this module
    from .members.ports import MemberRepo


class SettingsRepository(Protocol):
    """The `settings` key/value table (store identity, rules, device and cloud options)."""

    def get(self, key: str, default: str | None = None) -> str | None: ...
    def all(self) -> dict[str, str]: ...
    def put(self, key: str, value: str) -> None: ...


class UserRepository(Protocol):
    """`users`: cashiers and managers with their PIN hash and lock-out state."""

    def add(self, name: str, roles: frozenset[str], pin_hash: str, at: datetime) -> None: ...
    def get(self, name: str) -> User | None: ...
    def all(self) -> list[User]: ...
    def count_pin_failure(self, name: str) -> int: ...
    def lock(self, name: str, until: datetime) -> None: ...
    def clear_pin_failures(self, name: str) -> None: ...
    def set_pin_hash(self, name: str, pin_hash: str) -> None: ...
    def set_active(self, name: str, active: bool) -> None: ...


class ShiftRepository(Protocol):
    """`shifts` with their Z reports, `cash_moves`, and the figures X/Z reports add up."""

    def find_open(self) -> dict[str, Any] | None: ...
    def insert(self, business_day: str, opened_at: str, user: str, float_fen: int) -> int: ...
    def close(
        self,
        shift_id: int,
        closed_at: str,
        user: str,
        counted_fen: int,
        z_no: int,
        report: Mapping[str, Any],
    ) -> None: ...
    def next_z_no(self) -> int: ...
    def z_reports(
        self, *, day: str | None = None, z_no: int | None = None
    ) -> list[dict[str, Any]]: ...
    def figures(self, shift_id: int) -> dict[str, Any]: ...
    def period_figures(self, first_day: str, last_day: str) -> dict[str, Any]: ...
    def add_cash_move(
        self, shift_id: int, kind: str, amount_fen: int, reason: str, user: str, at: str
    ) -> None: ...


class JournalRepository(Protocol):
    """The hash-chained `journal`: one entry per completed sale or refund.  `body`: the
    payload's canonical bytes (domain/journal.canonical) when the caller already made them, so
    a sale is serialised once for its journal entry and its outbox event."""

    def append(
        self,
        kind: str,
        ref_id: str,
        payload: Mapping[str, Any],
        at: str,
        body: bytes | None = None,
    ) -> tuple[int, str, str]: ...
    def entries(self) -> Iterator[JournalEntry]: ...
    def refs_without_sale(self) -> list[int]: ...


class OutboxRepository(Protocol):
    """The transactional `outbox`: an event written with the change it describes.  `body`:
    the payload's canonical bytes when the caller already has them (stored as they are)."""

    def add(
        self,
        type_: str,
        payload: Mapping[str, Any],
        occurred_at: str,
        prev_entry_hash: str | None = None,
        entry_hash_hex: str | None = None,
        body: bytes | None = None,
    ) -> str: ...


class SaleRepository(Protocol):
    """`sales`, `sale_lines` and `payments`: the report tables beside the journal."""

    def next_receipt_no(self) -> int: ...
    def add(self, kind: str, payload: Mapping[str, Any], journal_seq: int) -> None: ...
    def payload(
        self, *, receipt_no: int | None = None, sale_id: str | None = None
    ) -> dict[str, Any] | None: ...
    def returned_qty(self, sale_id: str) -> dict[int, int]: ...
    def refunded_by_tender(self, sale_id: str) -> dict[str, int]: ...
    def count_reprint(self, receipt_no: int) -> int: ...
    def recent(self, *, day: str | None = None, limit: int | None = 50) -> list[dict[str, Any]]: ...
    def rows_for_verify(self) -> Iterator[dict[str, Any]]: ...
    def line_totals_drift(self) -> list[tuple[int, str]]: ...


class AuditRepository(Protocol):
    """`audit` (approved overrides) and `voids` (lines and sales given up)."""

    def add(
        self,
        action: str,
        user: str,
        approver: str | None,
        reason: str,
        details: Mapping[str, Any],
        at: str,
    ) -> None: ...
    def add_void(
        self,
        shift_id: int | None,
        kind: str,
        sale_id: str,
        cashier: str,
        reason: str,
        qty: int,
        amount_fen: int,
        at: str,
    ) -> None: ...


class SuspendedRepository(Protocol):
    """`suspended_sales`: parked baskets a cashier resumes later."""

    def add(self, cashier: str, label: str, data: Mapping[str, Any], at: str) -> int: ...
    def all(self) -> list[dict[str, Any]]: ...
    def take(self, sid: int) -> dict[str, Any] | None: ...


class PaymentAttemptRepository(Protocol):
    """`payment_attempts`: each card or wallet payment's state machine, persisted before the
    terminal or provider is called (services/payments.py)."""

    def insert(self, attempt: PaymentAttempt) -> None: ...
    def update(self, attempt: PaymentAttempt) -> None: ...
    def get(self, attempt_id: str) -> PaymentAttempt | None: ...
    def in_states(self, states: Collection[AttemptState]) -> list[PaymentAttempt]: ...
    def attach(self, attempt_id: str, sale_id: str, at: datetime) -> None:
        """approved → attached, inside the sale's unit of work."""

    def claimed_refs(self, provider: str, except_id: str) -> set[str]: ...
    def refunded_fen(self, original_id: str) -> int: ...


class StockRepo(Protocol):
    """Stock levels, movements, counts and documents (services/stock.py)."""

    def on_hand(self, sku: str) -> int: ...
    def record(
        self,
        lines: Sequence[tuple[str, int]],
        *,
        reason: str,
        ref: str,
        user: str,
        at: str,
        business_day: str | None,
        extra: Mapping[str, Any] | None = None,
        origin: tuple[str, int] | None = None,
    ) -> dict[str, Any]: ...
    def grid(self, style: str) -> Grid | None: ...
    def open_count(self) -> dict[str, Any] | None: ...
    def insert_count(self, at: str, user: str, note: str) -> int: ...
    def add_counted(self, count_id: int, sku: str, qty: int, at: str) -> int: ...
    def counted(self, count_id: int, sku: str) -> int | None: ...
    def count_lines(self, count_id: int) -> list[dict[str, Any]]: ...
    def uncounted_with_stock(self, count_id: int) -> int: ...
    def close_count(self, count_id: int, state: str, at: str, approver: str | None) -> None: ...
    def doc(self, doc: str) -> dict[str, Any] | None: ...
    def docs(self, state: str | None = None) -> list[dict[str, Any]]: ...
    def set_doc_state(self, doc: str, state: str, at: str | None, user: str | None) -> None: ...
    def add_doc_scan(self, doc: str, sku: str, qty: int) -> int: ...
    def doc_scans(self, doc: str) -> dict[str, int]: ...
    def value_by_category(self) -> list[dict[str, Any]]: ...
    def negative(self) -> list[dict[str, Any]]: ...
    def slow(self, before: str, limit: int) -> list[dict[str, Any]]: ...
    def day_adjustments(self, business_day: str) -> list[dict[str, Any]]: ...
    def day_went_negative(self, business_day: str) -> list[dict[str, Any]]: ...
    def moves(self, sku: str | None = None, limit: int = 100) -> list[dict[str, Any]]: ...


class AbstractUnitOfWork(Protocol):
    """One database transaction and the repositories that work inside it (module docstring).

    The repositories are read-only properties here so an implementation may hold its own
    repository classes (SqliteSales for SaleRepository …) as plain attributes."""

    @property
    def settings(self) -> SettingsRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def shifts(self) -> ShiftRepository: ...
    @property
    def journal(self) -> JournalRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def sales(self) -> SaleRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def suspended(self) -> SuspendedRepository: ...
    @property
    def payments(self) -> PaymentAttemptRepository: ...
    @property
    def catalog(self) -> CatalogWriter: ...
    @property
    def members(self) -> MemberRepo: ...
    @property
    def stock(self) -> StockRepo: ...

    def __enter__(self) -> Self:
        """Begin a transaction (BEGIN IMMEDIATE), or a savepoint inside an open one."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back what this block wrote unless it was committed."""

    def commit(self) -> None:
        """Make this block's writes durable (outermost) or keep them for the outer commit."""

    def rollback(self) -> None:
        """Undo this block's writes now; leaving the block then does nothing more."""
