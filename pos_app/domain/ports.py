"""Ports: what the core needs from the outside world, as Protocols.

Adapters (pos_app/adapters, sync/, receipts/ through adapters/hardware.py) implement them;
pos_app/bootstrap.py wires them.  Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware current time (UTC)."""


class SystemClock:
    """The wall clock.  Lives here because it is trivial; tests inject ManualClock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told: tests and the scripted demo day."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now = self._now + timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class Stopwatch(Protocol):
    """Elapsed time and waiting, for time limits that must not jump when the wall clock is set
    (pos_app/adapters/timing.py supplies time.monotonic and time.sleep; tests a fake that
    moves when slept)."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; only differences mean anything."""

    def sleep(self, seconds: float) -> None: ...


class Signer(Protocol):
    """The till's Ed25519 key (the private key never leaves the device)."""

    @property
    def public_key_raw(self) -> bytes: ...

    @property
    def key_id(self) -> bytes:
        """First 4 bytes of SHA-256 of the raw public key."""

    def sign(self, message: bytes) -> bytes: ...


# ---- sync ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One row of the outbox, in the wire shape of specs/sync-protocol.md."""

    seq: int
    id: str
    type: str
    schema: int
    occurred_at: str  # RFC 3339 UTC
    payload: Mapping[str, Any]
    prev_entry_hash: str | None = None
    entry_hash: str | None = None
    attempts: int = 0

    def wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "schema": self.schema,
            "seq": self.seq,
            "occurred_at": self.occurred_at,
            "payload": dict(self.payload),
        }
        if self.entry_hash is not None:
            d["prev_entry_hash"] = self.prev_entry_hash
            d["entry_hash"] = self.entry_hash
        return d


@dataclass(frozen=True, slots=True)
class Rejection:
    id: str
    code: str
    reason: str


class OutboxStore(Protocol):
    """The relay's view of the outbox table (implemented in adapters/db)."""

    def pending(self, limit: int, max_bytes: int, now: datetime) -> Sequence[OutboxEvent]:
        """Oldest first, due for (re)sending, at most `limit` events and about `max_bytes`."""

    def mark_sent(self, ids: Sequence[str], at: datetime) -> None: ...

    def mark_failed(self, ids: Sequence[str], error: str, retry_at: datetime) -> None: ...

    def dead_letter(self, rejections: Sequence[Rejection], at: datetime) -> None: ...

    def stats(self, now: datetime) -> Mapping[str, Any]:
        """pending, oldest_pending_age_s, dead_letters (count)."""


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # product | price | promotion | member | coupon | device_key | config | stock
    op: str  # upsert | delete
    key: str
    data: Mapping[str, Any] = field(default_factory=dict)


class ChangeSink(Protocol):
    """Applies a pulled page of changes and its cursor in one transaction."""

    def cursor(self) -> str | None: ...

    def apply_page(self, changes: Sequence[Change], next_cursor: str) -> None: ...


class SyncState(Protocol):
    """Small key/value state the relay keeps (last success, last error, clock offset)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


# ---- devices ------------------------------------------------------------------------------


class ReceiptPrinter(Protocol):
    def print_job(self, data: bytes, *, job_id: str) -> None:
        """Queue persistently and print; `job_id` is the reference (e.g. the sale id).

        Raises GuitaiError (what happened, what to do) if the printer fails; the job stays
        queued for reprint and the sale is never touched."""


class CashDrawer(Protocol):
    def open(
        self, *, reason: str = "sale", ref: str | None = None, user: str | None = None
    ) -> None:
        """Kick the drawer and record the open.  reason: sale | refund | no_sale | test
        (no_sale and test need the user)."""
