"""Operational figures of the cloud (`guitai cloud stats`): is the chain's fleet syncing?

Read-only, one transaction, four small aggregate queries over indexed or small tables (devices
has one row per till; events is read only for its window and its rejected rows).  Times are
the ISO strings the cloud stores (`_now_iso`, UTC), compared as text: the format sorts in time
order, so no engine-specific date arithmetic is needed on either backend."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from .common import _now_iso
from .db import CloudDB

SEEN_WINDOW = timedelta(hours=1)


class CloudStats:
    def __init__(self, db: CloudDB, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def snapshot(self, minutes: int = 60) -> dict[str, Any]:
        """The figures documented in the README (cloud section, `guitai cloud stats`)."""
        now = self.now()
        seen_since = _now_iso(now - SEEN_WINDOW)
        window_since = _now_iso(now - timedelta(minutes=minutes))
        with self.db.tx() as tx:
            active, seen = tx.execute(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN last_seen_at >= ? THEN 1 ELSE 0 END), 0) "
                "FROM devices WHERE revoked_at IS NULL",
                (seen_since,),
            ).fetchone()
            (ingested,) = tx.execute(
                "SELECT COUNT(*) FROM events WHERE received_at >= ?", (window_since,)
            ).fetchone()
            # A till that never pushed has had its last contact at enrollment.
            oldest = tx.execute(
                "SELECT d.device_id, d.store_id, s.name, d.till_no, d.last_seen_at, "
                "d.enrolled_at FROM devices d JOIN stores s ON s.store_id = d.store_id "
                "WHERE d.revoked_at IS NULL "
                "ORDER BY COALESCE(d.last_seen_at, d.enrolled_at), d.device_id LIMIT 1"
            ).fetchone()
            dead = tx.execute(
                "SELECT d.store_id, s.name, COUNT(*) FROM events e "
                "JOIN devices d ON d.device_id = e.device_id "
                "JOIN stores s ON s.store_id = d.store_id "
                "WHERE e.status = 'rejected' GROUP BY d.store_id, s.name ORDER BY d.store_id"
            ).fetchall()
        return {
            "at": _now_iso(now),
            "tills_active": int(active),
            "tills_seen_last_hour": int(seen),
            "window_minutes": minutes,
            "events_ingested": int(ingested),
            "events_per_minute": round(int(ingested) / minutes, 2),
            "oldest_unsynced_till": None
            if oldest is None
            else {
                "device_id": oldest[0],
                "store_id": oldest[1],
                "store_name": oldest[2],
                "till_no": int(oldest[3]),
                "last_contact_at": oldest[4] or oldest[5],
                "never_synced": oldest[4] is None,
            },
            "dead_letters_total": sum(int(r[2]) for r in dead),
            "dead_letters_by_store": [
                {"store_id": r[0], "store_name": r[1], "dead_letters": int(r[2])} for r in dead
            ],
        }
