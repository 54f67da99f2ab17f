"""The aggregator acquirer's daily check-in while the till runs (issue 23): APScheduler, one
background thread, like the scheduled backups.

The acquirer expects each terminal to check in once a day; each check-in hands out a new
terminal key and the previous one stops working after the next rotation.  The job checks in on
the running payment service's own client (so the sales in progress go on with the new key at
once, not only after a restart) and stores the new key sealed, with the time, on the database
thread.  The first check-in is due a day after the last one (a restart does not rotate again),
and at the earliest a few minutes after start so that start-up stays fast."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from drivers.aggregator.driver import UpayClient
from pos_app.adapters.db.repositories.payments import SqlitePaymentProviders
from pos_app.adapters.db.writer_thread import DbThread
from pos_app.adapters.payments.aggregator import AggregatorPort
from pos_app.services.payments import PaymentService

log = logging.getLogger(__name__)

DAY_S = 24 * 3600.0
FIRST_DELAY_S = 300.0


def device_id() -> str:
    # Unique per till under the vendor's app id (the acquirer's rule), stable across restarts.
    return f"guitai-{socket.gethostname()}"[:128]


def live_client(payments: PaymentService) -> UpayClient | None:
    """The running payment service's aggregator client (one per till), if one is set up."""
    for port in payments.ports.values():
        if isinstance(port, AggregatorPort):
            return port.client
    return None


def store_key(
    store: SqlitePaymentProviders,
    url: str,
    settings: dict[str, Any],
    sn: str,
    key: str,
    at: datetime,
) -> None:
    """The new terminal key, sealed at rest, with the time of the check-in."""
    settings = dict(
        settings, terminal_sn=sn, key=key, checked_in_at=at.isoformat(timespec="seconds")
    )
    store.put("aggregator", url, settings, at)


class CheckinJob:
    """`start()`, then `shutdown()` on exit.  `run_once()` checks in now."""

    def __init__(
        self,
        payments: Callable[[], PaymentService],
        store: SqlitePaymentProviders,
        thread: DbThread,
        *,
        interval_s: float = DAY_S,
        first_delay_s: float = FIRST_DELAY_S,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._payments = payments
        self.store = store
        self.thread = thread
        self.interval = timedelta(seconds=interval_s)
        self.first_delay = timedelta(seconds=first_delay_s)
        self.now = now
        self.last_error: str | None = None
        self.runs = 0
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600},
        )

    def run_once(self) -> dict[str, Any]:
        """Check in; a failure is logged and kept (the old key goes on working), never raised:
        the next day's run tries again."""
        try:
            client = live_client(self.thread.call(self._payments))
            row = self.thread.call(lambda: self.store.get("aggregator"))
            if client is None or row is None:
                return {"checked_in": False}
            url, settings = row
            # the acquirer's call runs here, off the database thread; the client uses the new
            # key from now on, so the sales in progress go on with it
            terminal = client.checkin(str(settings.get("device_id") or device_id()))
            at = self.now()
            self.thread.call(
                lambda: store_key(
                    self.store, url, settings, terminal.terminal_sn, terminal.terminal_key, at
                )
            )
            self.last_error = None
            log.info("aggregator check-in: terminal key rotated")
            return {"checked_in": True, "terminal_sn": terminal.terminal_sn}
        except Exception as err:  # a link down must never stop the till or the scheduler
            self.last_error = f"{type(err).__name__}: {err}"
            log.warning("aggregator check-in failed: %s", self.last_error)
            return {"checked_in": False, "error": self.last_error}
        finally:
            self.runs += 1

    def due(self) -> datetime:
        """A day after the last check-in, at the earliest `first_delay` from now."""
        now = self.now()
        row = self.thread.call(lambda: self.store.get("aggregator"))
        last = None
        if row is not None and row[1].get("checked_in_at"):
            last = datetime.fromisoformat(str(row[1]["checked_in_at"]))
        earliest = now + self.first_delay
        return earliest if last is None else max(earliest, last + self.interval)

    def start(self) -> datetime:
        due = self.due()
        self._scheduler.add_job(
            self.run_once,
            "interval",
            seconds=self.interval.total_seconds(),
            id="aggregator-checkin",
            next_run_time=due,
        )
        self._scheduler.start()
        return due

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)


def start_checkin_job(app: Any, **kw: Any) -> CheckinJob | None:
    """The running till's daily check-in, when an aggregator is set up; None otherwise."""
    conn = app.uow.conn
    store = SqlitePaymentProviders(conn)
    thread: DbThread = app.uow.thread
    if thread.call(lambda: store.get("aggregator")) is None:
        return None
    job = CheckinJob(app.payments, store, thread, **kw)
    job.start()
    return job
