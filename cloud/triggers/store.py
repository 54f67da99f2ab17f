"""The triggers' tables: the rules, the firings (the History port on a transaction), the
engine's cursor per till and the daily pass's lease."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..common import ApiError, _dump, _now_iso
from ..db import Tx
from .engine import (
    FIRED,
    Decision,
    Trigger,
    parse_cap,
    parse_condition,
    parse_then,
    parse_when,
)


def trigger_of(row: Any) -> Trigger:
    name, when, cond, then, cap, active, created = row
    return Trigger(
        name=str(name),
        when=parse_when(str(when)),
        conds=parse_condition(str(cond)),
        then=parse_then(json.loads(then)),
        cap=parse_cap(str(cap)),
        since=_parse(str(created)).replace(microsecond=0),
        active=bool(active),
    )


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def load_triggers(tx: Tx, *, active_only: bool = True) -> list[Trigger]:
    rows = tx.execute(
        "SELECT name, when_spec, if_spec, then_spec, cap_spec, active, created_at FROM triggers"
        + (" WHERE active = 1" if active_only else "")
        + " ORDER BY name"
    ).fetchall()
    return [trigger_of(r) for r in rows]


def add_trigger(tx: Tx, t: Trigger, when: str, cond: str, then: list[str], cap: str) -> None:
    if tx.execute("SELECT 1 FROM triggers WHERE name = ?", (t.name,)).fetchone():
        raise ApiError(
            409,
            "trigger_exists",
            f"A trigger {t.name} exists already: choose another name",
            f"触发器 {t.name} 已存在：请换一个名字",
        )
    tx.execute(
        "INSERT INTO triggers(name, when_spec, if_spec, then_spec, cap_spec, active, "
        "created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
        (t.name, when, cond, _dump(then), cap, _now_iso(t.since)),
    )


class DbHistory:
    """The History port in a transaction: `trigger_firings` and its unique key."""

    def __init__(self, tx: Tx, now: datetime) -> None:
        self.tx = tx
        self.now = now
        self.ids: dict[tuple[str, str, str], int] = {}

    def fired_since(self, trigger: str, member_id: str, since: datetime) -> int:
        if self.tx.dialect == "postgres":
            # Two workers deciding a cap for the same trigger and member take turns, so two
            # different occurrences cannot both see "under the cap" at once.
            self.tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(?, 21))",
                (f"trigger:{trigger}\n{member_id}",),
            )
        row = self.tx.execute(
            "SELECT count(*) FROM trigger_firings WHERE trigger = ? AND member_id = ? "
            "AND outcome = ? AND occurred_at >= ?",
            (trigger, member_id, FIRED, _now_iso(since)),
        ).fetchone()
        return int(row[0])

    def record(self, d: Decision) -> bool:
        row = self.tx.execute(
            "INSERT INTO trigger_firings(trigger, member_id, occurrence, event, outcome, "
            "occurred_at, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (
                d.trigger,
                d.member_id,
                d.occurrence,
                d.event,
                d.outcome,
                _now_iso(d.at or self.now),
                _now_iso(self.now),
            ),
        ).fetchone()
        if row is None:
            return False
        self.ids[(d.trigger, d.member_id, d.occurrence)] = int(row[0])
        return True

    def id_of(self, d: Decision) -> int:
        return self.ids[(d.trigger, d.member_id, d.occurrence)]


# ---- the cursor per till -------------------------------------------------------------------


def pending_devices(tx: Tx) -> list[tuple[str, int, int]]:
    """(device, cursor, contiguous_seq) of each till with events the engine has not read."""
    rows = tx.execute(
        "SELECT d.device_id, COALESCE(c.seq, 0), d.contiguous_seq FROM devices d "
        "LEFT JOIN trigger_cursors c ON c.device_id = d.device_id "
        "WHERE d.contiguous_seq > COALESCE(c.seq, 0) ORDER BY d.device_id"
    ).fetchall()
    return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]


def advance(tx: Tx, device_id: str, seq: int) -> None:
    """Never backwards: a slower worker that read less leaves the cursor where it is."""
    tx.execute(
        "INSERT INTO trigger_cursors(device_id, seq) VALUES (?, ?) ON CONFLICT(device_id) DO "
        "UPDATE SET seq = CASE WHEN excluded.seq > trigger_cursors.seq THEN excluded.seq "
        "ELSE trigger_cursors.seq END",
        (device_id, seq),
    )


# ---- the daily pass's lease -----------------------------------------------------------------

LEASE_S = 15 * 60


def take_lease(tx: Tx, name: str, holder: str, day: str, now: datetime) -> bool:
    """True when `holder` may run the pass for `day`: nobody finished it, and nobody else
    holds an unexpired lease.  The row is locked for the check (PostgreSQL FOR UPDATE,
    SQLite's one writer)."""
    tx.execute("INSERT INTO trigger_leases(name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    held, expires, done = tx.execute(
        f"SELECT holder, expires_at, done_for FROM trigger_leases WHERE name = ?{lock}", (name,)
    ).fetchone()
    if done == day:
        return False
    if held and held != holder and expires and _parse(str(expires)) > now:
        return False
    tx.execute(
        "UPDATE trigger_leases SET holder = ?, expires_at = ? WHERE name = ?",
        (holder, _now_iso(now + timedelta(seconds=LEASE_S)), name),
    )
    return True


def finish_lease(tx: Tx, name: str, holder: str, day: str) -> None:
    tx.execute(
        "UPDATE trigger_leases SET done_for = ?, holder = '', expires_at = '' "
        "WHERE name = ? AND holder = ?",
        (day, name, holder),
    )


def firing_log(
    tx: Tx, *, trigger: str | None, member: str | None, limit: int
) -> list[dict[str, Any]]:
    where, args = [], []
    if trigger:
        where.append("trigger = ?")
        args.append(trigger)
    if member:
        where.append("member_id = ?")
        args.append(member)
    sql = (
        "SELECT f.id, f.trigger, f.member_id, f.occurrence, f.event, f.outcome, f.actions, "
        "f.occurred_at, f.at, m.state, m.detail FROM trigger_firings f "
        "LEFT JOIN trigger_messages m ON m.firing_id = f.id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY f.id DESC LIMIT ?"
    )
    out = []
    for r in tx.execute(sql, (*args, limit)).fetchall():
        entry: dict[str, Any] = {
            "id": int(r[0]),
            "trigger": r[1],
            "member_id": r[2],
            "occurrence": r[3],
            "event": r[4],
            "outcome": r[5],
            "actions": json.loads(r[6] or "[]"),
            "occurred_at": r[7],
            "at": r[8],
        }
        if r[9] is not None:
            entry["message"] = {"state": r[9], "detail": r[10]}
        out.append(entry)
    return out


Clock = Callable[[], datetime]
