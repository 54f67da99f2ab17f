"""The outbox relay: push pending events in batches, pull catalog/member changes.

At-least-once delivery with the cloud deduplicating on the event id (the id is minted with
the sale and never regenerated: the odoo#108518 lesson).  Rows leave the queue only on a
per-event answer; a dropped request or response leaves them pending and they are sent again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pos_app.domain.ports import ChangeSink, Clock, OutboxStore, Rejection, SyncState

from .client import CloudClient, encode_batch
from .errors import CloudRejected, SyncError, TransportError

log = logging.getLogger(__name__)

MAX_BATCH_EVENTS = 500
MAX_BATCH_BYTES = 1 << 20

FRESH_SIGNATURE_FIXES = frozenset({"stale_signature", "replayed_nonce"})

# sync_state keys
LAST_SUCCESS = "last_success"
LAST_ERROR = "last_error"
CLOCK_OFFSET = "clock_offset_s"
PUSH_BLOCKED = "push_blocked"
BACKOFF_UNTIL = "backoff_until"
FAILURES = "consecutive_failures"
CLOUD_SEQ = "cloud_contiguous_seq"


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with full jitter (AWS architecture blog's variant)."""

    base_s: float = 2.0
    cap_s: float = 300.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, failures: int) -> float:
        ceiling = min(self.cap_s, self.base_s * (2 ** max(0, min(failures - 1, 30))))
        return self.rng.uniform(ceiling / 2, ceiling)


@dataclass
class PushReport:
    batches: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str | None = None
    blocked: bool = False


@dataclass
class PullReport:
    pages: int = 0
    changes: int = 0
    cursor: str | None = None
    error: str | None = None
    blocked: bool = False


Progress = Callable[[str], None]


class Relay:
    """Moves the outbox to the cloud and the cloud's changes to the till.

    One relay per till; the scheduler runs it on one thread (max_instances=1), and
    `guitai sync run` runs it in the foreground.  All database access goes through the
    OutboxStore / ChangeSink / SyncState ports.
    """

    def __init__(
        self,
        outbox: OutboxStore,
        sink: ChangeSink,
        state: SyncState,
        client: CloudClient,
        clock: Clock,
        *,
        batch_events: int = MAX_BATCH_EVENTS,
        batch_bytes: int = MAX_BATCH_BYTES,
        backoff: Backoff | None = None,
        pull_limit: int = 500,
    ) -> None:
        self.outbox = outbox
        self.sink = sink
        self.state = state
        self.client = client
        self.clock = clock
        self.batch_events = min(batch_events, MAX_BATCH_EVENTS)
        self.batch_bytes = min(batch_bytes, MAX_BATCH_BYTES)
        self.backoff = backoff or Backoff()
        self.pull_limit = pull_limit
        offset = state.get(CLOCK_OFFSET)
        if offset is not None:
            client.clock_offset_s = float(offset)
        client._on_offset = lambda value: self.state.put(CLOCK_OFFSET, f"{value:.3f}")

    # ---- push -----------------------------------------------------------------------------

    def in_backoff(self) -> bool:
        until = self.state.get(BACKOFF_UNTIL)
        return bool(until) and datetime.fromisoformat(str(until)) > self.clock.now()

    def push(
        self, *, max_batches: int = 1000, force: bool = False, progress: Progress | None = None
    ) -> PushReport:
        """Send due events until the queue is empty, an error stops us, or max_batches.

        force: a person asked (`guitai sync run`): that counts as the change after which a
        permanent refusal may be tried again, and it ignores the backoff timer.
        """
        report = PushReport()
        if not force and (self.state.get(PUSH_BLOCKED) or self.in_backoff()):
            report.blocked = True
            return report
        if force:
            self.state.put(PUSH_BLOCKED, "")
        limit = self.batch_events
        auth_retries = 0
        for _ in range(max_batches):
            now = self.clock.now()
            batch = self.outbox.pending(limit, self.batch_bytes, now if not force else _far())
            if not batch:
                break
            body = encode_batch(batch)
            while len(body) > self.batch_bytes and len(batch) > 1:
                batch = batch[: max(1, len(batch) // 2)]
                body = encode_batch(batch)
            ids = [e.id for e in batch]
            try:
                result = self.client.push(batch, body)
            except TransportError as err:
                self._transport_failure(ids, err)
                report.error = err.message
                break
            except CloudRejected as err:
                if err.status == 413 and limit > 1:
                    limit = max(1, len(batch) // 2)  # a smaller batch is the change
                    continue
                if err.error_code in FRESH_SIGNATURE_FIXES and auth_retries < 2:
                    # stale_signature: the answer's Date just corrected our clock offset;
                    # replayed_nonce: a copy of our request arrived first (a duplicating
                    # network).  A new signature is the change; the events stay idempotent.
                    auth_retries += 1
                    continue
                self._blocked(err)
                report.error = err.message
                report.blocked = True
                break
            answered = set(result.accepted) | set(result.duplicates)
            now = self.clock.now()
            if answered:
                self.outbox.mark_sent([i for i in ids if i in answered], now)
            if result.rejected:
                self.outbox.dead_letter(result.rejected, now)
            missing = [
                i for i in ids if i not in answered and i not in {r.id for r in result.rejected}
            ]
            if missing:
                # The cloud skipped events it was sent: treat as transient, keep them queued.
                self.outbox.mark_failed(
                    missing,
                    "not answered by the cloud",
                    now + timedelta(seconds=self.backoff.delay(1)),
                )
            if isinstance(result.contiguous_seq, int):
                self.state.put(CLOUD_SEQ, str(result.contiguous_seq))
            report.batches += 1
            report.accepted += len(result.accepted)
            report.duplicates += len(result.duplicates)
            report.rejected += len(result.rejected)
            self._success()
            if progress is not None:
                stats = self.outbox.stats(now)
                progress(
                    f"push: batch {report.batches}, {report.accepted} accepted, "
                    f"{report.duplicates} duplicates, {report.rejected} rejected, "
                    f"{stats['pending']} pending"
                )
        return report

    def _transport_failure(self, ids: list[str], err: SyncError) -> None:
        failures = int(self.state.get(FAILURES) or 0) + 1
        retry_at = self.clock.now() + timedelta(seconds=self.backoff.delay(failures))
        self.outbox.mark_failed(ids, err.message, retry_at)
        self.state.put(FAILURES, str(failures))
        self.state.put(BACKOFF_UNTIL, retry_at.isoformat())
        self._error(err.message)

    def _blocked(self, err: CloudRejected) -> None:
        self.state.put(PUSH_BLOCKED, f"{err.status} {err.error_code}")
        self._error(err.message)

    def _success(self) -> None:
        self.state.put(LAST_SUCCESS, self.clock.now().isoformat())
        self.state.put(FAILURES, "0")
        self.state.put(BACKOFF_UNTIL, "")

    def _error(self, message: str) -> None:
        self.state.put(LAST_ERROR, f"{self.clock.now().isoformat()} {message}")
        log.warning("sync: %s", message)

    # ---- pull -----------------------------------------------------------------------------

    def pull(
        self, *, max_pages: int = 10_000, force: bool = False, progress: Progress | None = None
    ) -> PullReport:
        """Apply the cloud's changes page by page; force: a person asked (`sync run`)."""
        report = PullReport(cursor=self.sink.cursor())
        if not force and self.state.get(PUSH_BLOCKED):
            report.blocked = True  # the cloud refused us (e.g. a revoked key): wait for a change
            return report
        auth_retries = 0
        for _ in range(max_pages):
            try:
                page = self.client.changes(report.cursor, self.pull_limit)
            except CloudRejected as err:
                if err.error_code in FRESH_SIGNATURE_FIXES and auth_retries < 2:
                    auth_retries += 1
                    continue
                self._blocked(err)
                report.error = err.message
                report.blocked = True
                break
            except SyncError as err:
                self._error(err.message)
                report.error = err.message
                break
            self.sink.apply_page(page.changes, page.next_cursor)
            report.pages += 1
            report.changes += len(page.changes)
            report.cursor = page.next_cursor
            if progress is not None:
                progress(
                    f"pull: page {report.pages}, {report.changes} changes, cursor {report.cursor}"
                )
            if not page.more:
                self._success()
                break
        return report

    # ---- status ---------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        return sync_status(self.outbox, self.state, self.clock)


def sync_status(outbox: OutboxStore, state: SyncState, clock: Clock) -> dict[str, Any]:
    stats = dict(outbox.stats(clock.now()))
    offset = state.get(CLOCK_OFFSET)
    return {
        "pending": stats["pending"],
        "oldest_pending_age_s": stats["oldest_pending_age_s"],
        "last_success": state.get(LAST_SUCCESS) or None,
        "last_error": state.get(LAST_ERROR) or None,
        "blocked": state.get(PUSH_BLOCKED) or None,
        "retry_after": state.get(BACKOFF_UNTIL) or None,
        "dead_letters": stats.get("dead_letter_list", stats["dead_letters"]),
        "clock_offset_s": float(offset) if offset else 0.0,
        # the cloud holds every event up to here without a gap (compare with the outbox)
        "cloud_contiguous_seq": int(state.get(CLOUD_SEQ) or 0) or None,
        "cursor": stats.get("cursor"),
    }


def _far() -> datetime:
    return datetime(9999, 1, 1, tzinfo=UTC)


__all__ = ["Backoff", "PullReport", "PushReport", "Rejection", "Relay", "sync_status"]
