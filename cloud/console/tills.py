"""What the console shows of stores and their tills, read from what the cloud already keeps:
devices (last seen, version, the contiguous and highest seq), rejected events (dead letters)
and the latest `device.status` of each printer and terminal (facts.py).

A till is *unsynced* when its last contact is older than UNSYNCED_AFTER (the relay pushes
every few seconds while a till has events, and a till with none still pulls changes).
"Missing" is what the cloud can see a till has not delivered: seqs below the highest it
holds that never arrived.  Events still waiting in a till's outbox reach the cloud only
with the till's next push, so they show as the age of its last contact.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from ..common import _now_iso
from ..db import Tx

UNSYNCED_AFTER = timedelta(minutes=15)


def visible_stores(tx: Tx, stores: frozenset[str] | None) -> list[tuple[str, str]]:
    """(store_id, name) of every store, or of `stores` (a store manager's)."""
    rows = tx.execute("SELECT store_id, name FROM stores ORDER BY store_id").fetchall()
    return [(str(r[0]), str(r[1])) for r in rows if stores is None or r[0] in stores]


def store_name(tx: Tx, store_id: str) -> str | None:
    row = tx.execute("SELECT name FROM stores WHERE store_id = ?", (store_id,)).fetchone()
    return None if row is None else str(row[0])


def store_summaries(tx: Tx, now: datetime, day: str) -> dict[str, dict[str, int]]:
    """Per store: tills, unsynced tills, dead letters and the day's net sales."""
    cutoff = _now_iso(now - UNSYNCED_AFTER)
    out: dict[str, dict[str, int]] = {}

    def get(s: str) -> dict[str, int]:
        return out.setdefault(s, {"tills": 0, "unsynced": 0, "dead": 0, "net_fen": 0, "sales": 0})

    for s, n, unsynced in tx.execute(
        "SELECT store_id, COUNT(*), SUM(CASE WHEN COALESCE(last_seen_at, '') < ? THEN 1 "
        "ELSE 0 END) FROM devices WHERE revoked_at IS NULL GROUP BY store_id",
        (cutoff,),
    ).fetchall():
        get(s)["tills"], get(s)["unsynced"] = int(n), int(unsynced or 0)
    for s, n in tx.execute(
        "SELECT d.store_id, COUNT(*) FROM events e JOIN devices d ON d.device_id = e.device_id "
        "WHERE e.status = 'rejected' GROUP BY d.store_id"
    ).fetchall():
        get(s)["dead"] = int(n)
    for s, sales, fen in tx.execute(
        "SELECT store_id, sales, sales_fen + refunds_fen FROM console_sales_day "
        "WHERE business_day = ? AND dim = '' AND key = '' AND store_id <> ''",
        (day,),
    ).fetchall():
        get(s)["sales"], get(s)["net_fen"] = int(sales), int(fen)
    return out


def tills(tx: Tx, store_id: str, now: datetime) -> list[dict[str, Any]]:
    cutoff = _now_iso(now - UNSYNCED_AFTER)
    rows = tx.execute(
        "SELECT device_id, till_no, model, serial, app_version, enrolled_at, revoked_at, "
        "last_seen_at, contiguous_seq, max_seq FROM devices WHERE store_id = ? "
        "ORDER BY revoked_at IS NOT NULL, till_no, enrolled_at",
        (store_id,),
    ).fetchall()
    status: dict[str, list[dict[str, str]]] = {}
    dead: dict[str, int] = {}
    held: dict[str, int] = {}
    for r in tx.execute(
        "SELECT s.device_id, s.device, s.kind, s.state, s.reason, s.at "
        "FROM console_device_status s JOIN devices d ON d.device_id = s.device_id "
        "WHERE d.store_id = ? ORDER BY s.device",
        (store_id,),
    ).fetchall():
        status.setdefault(r[0], []).append(
            {"device": r[1], "kind": r[2], "state": r[3], "reason": r[4], "at": r[5]}
        )
    for dev, n in tx.execute(
        "SELECT e.device_id, COUNT(*) FROM events e JOIN devices d ON d.device_id = e.device_id "
        "WHERE d.store_id = ? AND e.status = 'rejected' GROUP BY e.device_id",
        (store_id,),
    ).fetchall():
        dead[dev] = int(n)
    for dev, n in tx.execute(
        "SELECT e.device_id, COUNT(*) FROM events e JOIN devices d ON d.device_id = e.device_id "
        "WHERE d.store_id = ? AND e.seq > d.contiguous_seq GROUP BY e.device_id",
        (store_id,),
    ).fetchall():
        held[dev] = int(n)
    out = []
    for r in rows:
        dev, last_seen = str(r[0]), r[7]
        missing = int(r[9]) - int(r[8]) - held.get(dev, 0)
        if r[6]:
            state = "revoked"
        elif last_seen is None:
            state = "never"
        elif last_seen < cutoff:
            state = "unsynced"
        else:
            state = "synced"
        out.append(
            {
                "device_id": dev,
                "till_no": int(r[1]),
                "model": r[2],
                "serial": r[3],
                "app_version": r[4],
                "enrolled_at": r[5],
                "revoked_at": r[6],
                "last_seen_at": last_seen,
                "contiguous_seq": int(r[8]),
                "max_seq": int(r[9]),
                "missing": max(0, missing),
                "oldest_missing_seq": int(r[8]) + 1 if missing > 0 else None,
                "dead_letters": dead.get(dev, 0),
                "state": state,
                "devices": status.get(dev, []),
            }
        )
    return out


def dead_letters(tx: Tx, store_id: str) -> list[dict[str, Any]]:
    rows = tx.execute(
        "SELECT e.id, e.device_id, d.till_no, e.seq, e.type, e.status, e.reject_code, "
        "e.reject_reason, e.received_at, e.payload FROM events e JOIN devices d "
        "ON d.device_id = e.device_id WHERE d.store_id = ? AND e.status IN ('rejected', "
        "'cleared') ORDER BY d.till_no, e.seq",
        (store_id,),
    ).fetchall()
    cols = ("id", "device_id", "till_no", "seq", "type", "state", "code", "reason", "received_at")
    return [dict(zip(cols, r[:-1], strict=True)) | {"about": about(r[9])} for r in rows]


def about(payload: str) -> str:
    """What a dead letter is, in a line: its receipt, items and note (plain text: the page
    escapes it)."""
    try:
        p = json.loads(payload)
    except ValueError:
        return ""
    if not isinstance(p, dict):
        return ""
    parts = []
    if isinstance(p.get("receipt_no"), int):
        parts.append(f"#{p['receipt_no']}")
    given = p.get("lines")
    lines: list[Any] = given if isinstance(given, list) else []
    names = [f"{x.get('name', '')} ×{x.get('qty', '')}" for x in lines[:5] if isinstance(x, dict)]
    parts += names
    for note in ("reason", "associate", "cashier"):
        if isinstance(p.get(note), str) and p[note]:
            parts.append(f"{note}: {p[note]}")
    return " · ".join(parts)[:300]


def event_store(tx: Tx, event_id: str) -> str | None:
    row = tx.execute(
        "SELECT d.store_id FROM events e JOIN devices d ON d.device_id = e.device_id "
        "WHERE e.id = ?",
        (event_id,),
    ).fetchone()
    return None if row is None else str(row[0])


def device_store(tx: Tx, device_id: str) -> str | None:
    row = tx.execute("SELECT store_id FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    return None if row is None else str(row[0])
