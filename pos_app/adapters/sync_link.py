"""The till's side of the cloud link, wired: the relay over the till's outbox and the
background scheduler that drives it (the composition root and `guitai sync …` both use it).

`build_relay()` reads the enrollment from the `settings` table, loads the till's key and
builds the Relay; `SyncLink` owns the running till's relay and scheduler."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pos_app.config import Paths
from pos_app.domain.ports import Clock, SystemClock

if TYPE_CHECKING:
    from pos_app.adapters.db.relay_ports import RelayOutbox, RelaySyncState
    from pos_app.services.messagebus import MessageBus
    from sync.client import CloudClient
    from sync.relay import Relay
    from sync.scheduler import SyncScheduler


@dataclass
class SyncParts:
    relay: Relay
    client: CloudClient
    outbox: RelayOutbox
    state: RelaySyncState

    def close(self) -> None:
        self.client.close()


def build_relay(
    paths: Paths,
    conn: sqlite3.Connection,
    *,
    clock: Clock | None = None,
    timeout_s: float = 10.0,
    **relay_kw: Any,
) -> SyncParts:
    """The till's relay, writing through the unit of work on the till's one writing connection
    (its ports run their work on the connection's database thread: relay_ports.py)."""
    from pos_app.adapters.db.relay_ports import RelayChangeSink, RelayOutbox, RelaySyncState
    from pos_app.adapters.db.repositories.outbox import settings_get
    from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
    from sync.client import CloudClient
    from sync.errors import NotEnrolled
    from sync.relay import Relay
    from sync.signing import load_private_key

    clock = clock or SystemClock()
    uow = SqliteUnitOfWork(conn)
    # Built on the status probe's thread too: the reads run on the database thread.
    cloud_url, device_id = uow.thread.call(
        lambda: (settings_get(conn, "cloud_url"), settings_get(conn, "device_id"))
    )
    if not cloud_url or not device_id:
        raise NotEnrolled()
    key = load_private_key(paths.private_key)
    client = CloudClient(cloud_url, key=key, device_id=device_id, clock=clock, timeout_s=timeout_s)
    outbox = RelayOutbox(uow)
    state = RelaySyncState(uow)
    relay = Relay(outbox, RelayChangeSink(uow, clock), state, client, clock, **relay_kw)
    return SyncParts(relay, client, outbox, state)


def build_scheduler(parts: SyncParts, **kw: Any) -> SyncScheduler:
    """A SyncScheduler for the running till: call .start(), .nudge() after each sale."""
    from sync.scheduler import SyncScheduler

    return SyncScheduler(parts.relay, **kw)


class SyncLink:
    """The running till's relay and scheduler, built on first need.  The UI thread starts it
    and the status bar's probe thread asks its status, so both go through one lock."""

    def __init__(
        self,
        paths: Paths,
        conn: sqlite3.Connection,
        clock: Clock,
        setting: Callable[[str], str | None],
        bus: MessageBus,
    ) -> None:
        self.paths = paths
        self.conn = conn
        self.clock = clock
        self._setting = setting
        self.bus = bus
        self._guard = threading.Lock()
        self.scheduler: SyncScheduler | None = None
        self.parts: SyncParts | None = None

    def start(self, **timing: float) -> bool:
        """Start the background relay when the till is enrolled; False when it is not (the
        status bar then says 未注册).  Each commit nudges a push."""
        from sync.errors import NotEnrolled

        with self._guard:
            if self.scheduler is not None:
                return True
            try:
                parts = build_relay(self.paths, self.conn, clock=self.clock)
            except NotEnrolled:
                return False
            kw = {"push_interval_s": 60.0, "pull_interval_s": 300.0, "nudge_delay_s": 2.0, **timing}
            self.parts = parts
            scheduler = build_scheduler(parts, **kw)
            self.scheduler = scheduler
            scheduler.start()
        from pos_app.adapters.bus_wiring import wire_sync_nudge

        wire_sync_nudge(self.bus, scheduler)  # each commit asks for an early push
        return True

    def status(self) -> dict[str, Any] | None:
        """The relay's status, or None when the till is not enrolled."""
        from sync.errors import NotEnrolled

        with self._guard:
            if self.parts is None:
                try:
                    self.parts = build_relay(self.paths, self.conn, clock=self.clock)
                except NotEnrolled:
                    return None
            parts = self.parts
        status: dict[str, Any] = parts.relay.status()
        return status

    def push_now(self) -> None:
        """Send the pending events at once, as `guitai sync run` does (a member enrolled for
        store credit must reach the cloud's ledger before the credit; issue 20)."""
        import logging

        logging.getLogger("sync.relay").setLevel(logging.ERROR)  # the caller says what failed
        parts = build_relay(self.paths, self.conn, clock=self.clock)
        try:
            parts.relay.push(force=True)
        finally:
            parts.close()

    def remote_stock(self, style: str) -> dict[str, Any]:
        """Other stores' quantities of a style from the cloud (GET /v1/stock/{style})."""
        # The counter cannot wait long for a customer's question: a short timeout, and the
        # grid shows this store's figures with the reason when the cloud does not answer.
        timeout = float(self._setting("stock_lookup_timeout_s") or 3.0)
        parts = build_relay(self.paths, self.conn, clock=self.clock, timeout_s=timeout)
        try:
            answer: dict[str, Any] = parts.client.stock(style)
            return answer
        finally:
            parts.close()

    def close(self) -> None:
        with self._guard:
            if self.scheduler is not None:
                self.scheduler.shutdown()
                self.scheduler = None
            if self.parts is not None:
                self.parts.close()
                self.parts = None
