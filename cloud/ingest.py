"""A till's pushed batch stored exactly once: the device locked, what is known of its events
read, each new event checked (event_checks.py) and the batch inserted with one statement."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from . import key_checks
from .event_checks import (
    GENESIS_HEX,
    Reject,
    _canonical_or_none,
    _chained,
    _hex64,
    _seq,
    check_event,
)
from .key_checks import UNRECORDED, KeyVerdict
from .storage.bulk import pg_insert

CHUNK = 400  # ids per IN (…) query, below SQLite's variable limit


class Tx(Protocol):
    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


def _dump(data: Any) -> str:
    # default=str: a rejected payload may still hold a Decimal (a float the till sent)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _any(tx: Tx, head: str, params: list[Any], values: Sequence[Any], pg_type: str) -> list[Any]:
    """The rows of `head` (a query ending in the column to match) whose column is one of
    `values`.  PostgreSQL: `= ANY(array)`, one statement text whatever the batch's size, so
    psycopg parses it once and the server plans it once (prepared): `IN (?, ?, …)` of more
    than 50 values was parsed afresh by psycopg for every batch and planned afresh by the
    server.  SQLite: IN lists of at most CHUNK values."""
    if not values:
        return []
    if tx.dialect == "postgres":
        return list(
            tx.execute(
                f"{head} = ANY(?::{pg_type}[])", [*params, list(values)], binary=True
            ).fetchall()
        )
    rows: list[Any] = []
    for chunk, marks in _chunks(values):
        rows += tx.execute(f"{head} IN ({marks})", [*params, *chunk]).fetchall()
    return rows


def _chunks(items: Sequence[Any]) -> Any:
    for i in range(0, len(items), CHUNK):
        chunk = list(items[i : i + CHUNK])
        yield chunk, ",".join("?" * len(chunk))


@dataclass(frozen=True)
class Ingested:
    """A stored batch: the push's answer, and the device as the batch found it (locked), for
    the bookings that follow in the same transaction (stock, members)."""

    answer: dict[str, Any]  # accepted, duplicates, rejected, contiguous_seq (the wire answer)
    store_id: str
    till_no: int
    contiguous_before: int


@dataclass(frozen=True)
class Device:
    """A device's row as a batch finds it, locked for the batch's transaction."""

    store_id: str
    till_no: int
    chain_head: str | None
    contiguous_seq: int
    max_seq: int
    public_key: str
    revoked: bool
    key_verdict: KeyVerdict = UNRECORDED  # its key's recorded verdict (key_checks.py)


def lock_device(tx: Tx, device_id: str) -> Device | None:
    """The device's row, locked so its batches serialize (PostgreSQL: SELECT … FOR UPDATE;
    SQLite: the write lock already held), with its key's recorded verdict; None when no such
    device is enrolled."""
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    row = tx.execute(
        "SELECT store_id, till_no, chain_head, contiguous_seq, max_seq, public_key, revoked_at, "
        f"{key_checks.columns('devices')} FROM devices WHERE device_id = ?{lock}",
        (device_id,),
    ).fetchone()
    if row is None:
        return None
    return Device(
        row[0],
        int(row[1]),
        row[2],
        int(row[3]),
        int(row[4]),
        row[5],
        row[6] is not None,
        KeyVerdict.of(row[7], row[8]),
    )


EVENT_COLUMNS = (
    "id, device_id, seq, type, occurred_at, received_at, payload, prev_entry_hash, "
    "entry_hash, receipt_no, total_fen, status, reject_code, reject_reason"
)
_PG_COLUMN_TYPES = (
    "text", "text", "bigint", "text", "text", "text", "text", "text", "text", "bigint",
    "bigint", "text", "text", "text",
)  # fmt: skip


def _insert_events(tx: Tx, device_id: str, rows: list[tuple[Any, ...]]) -> set[str]:
    """Insert the new rows (another device may have raced us to an id: ON CONFLICT DO
    NOTHING); the ids now stored for this device.

    PostgreSQL: one statement for the whole batch (storage/bulk.py: the rows as one JSON
    parameter), RETURNING what went in.  A row per statement (executemany, even pipelined)
    cost the cloud and the server a statement each, and a second query to learn what was
    stored."""
    if tx.dialect == "postgres":
        return {
            r[0]
            for r in pg_insert(
                tx,
                f"INSERT INTO events({EVENT_COLUMNS}) ",
                _PG_COLUMN_TYPES,
                " ON CONFLICT DO NOTHING RETURNING id",
                rows,
            ).fetchall()
        }
    tx.executemany(
        f"INSERT INTO events({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        rows,
    )
    stored: set[str] = set()
    for chunk, marks in _chunks([r[0] for r in rows]):
        stored.update(
            r[0]
            for r in tx.execute(
                f"SELECT id FROM events WHERE device_id = ? AND id IN ({marks})",
                [device_id, *chunk],
            ).fetchall()
        )
    return stored


def ingest_batch(
    tx: Tx,
    device_id: str,
    events: Sequence[Any],
    received: str,
    floats_as_decimal: bool = False,
    device: Device | None = None,
) -> Ingested:
    """Store one device's batch: each event once, even when copies of the batch race.

    The device's row is locked first, so its batches serialize (PostgreSQL: SELECT … FOR
    UPDATE; SQLite: the write lock); the event id as primary key and INSERT … ON CONFLICT DO
    NOTHING are the backstop.  Rejected events are stored too, so a resend gets the same
    answer until the rejection is cleared (rejections.py): then the resend is checked
    again.  New rows go in with one statement (_insert_events).  `device`: its row as
    lock_device read it earlier in `tx` (the push's signature check), else read here.
    """
    if device is None:
        device = lock_device(tx, device_id)
        assert device is not None, device_id  # an enrolled device's batch
    store_id, till_no, head = device.store_id, device.till_no, device.chain_head
    contiguous, max_seq, my_key = device.contiguous_seq, device.max_seq, device.public_key
    contiguous_before = contiguous
    head = head or GENESIS_HEX
    ids = [e["id"] for e in events]
    known: dict[str, tuple[str, str, str | None, str | None]] = {}
    for r in _any(
        tx,
        "SELECT e.id, e.device_id, e.status, e.reject_code, e.reject_reason, d.public_key "
        "FROM events e JOIN devices d ON d.device_id = e.device_id WHERE e.id",
        [],
        ids,
        "text",
    ):
        # the same till enrolled again (same key) owns its earlier events too
        known[r[0]] = (device_id if r[5] == my_key else r[1], r[2], r[3], r[4])
    # A seq above the device's max_seq (the highest it ever stored) is free: a till's new
    # batch asks nothing; only a resent or reordered one looks its seqs up.
    seqs = [
        s for e in events if (s := _seq(e)) is not None and s <= max_seq and e["id"] not in known
    ]
    taken = {
        r[0]
        for r in _any(
            tx, "SELECT seq FROM events WHERE device_id = ? AND seq", [device_id], seqs, "bigint"
        )
    }
    accepted: list[str] = []
    duplicates: list[str] = []
    rejected: list[dict[str, str]] = []
    rows: list[tuple[Any, ...]] = []
    for e in sorted(events, key=lambda x: _seq(x) or 0):
        eid = e["id"]
        if eid in known:
            owner, status, rcode, rreason = known[eid]
            if owner == device_id and status == "cleared":
                verdict = _retry(tx, device_id, e, store_id, till_no, received, floats_as_decimal)
                if verdict is None:
                    accepted.append(eid)
                else:
                    rejected.append(verdict)
                continue
            if owner != device_id:
                rejected.append(
                    {
                        "id": eid,
                        "code": "id_conflict",
                        "reason": "another till already sent an event with this id",
                    }
                )
            elif status == "accepted":
                duplicates.append(eid)
            else:
                rejected.append({"id": eid, "code": rcode or "rejected", "reason": rreason or ""})
            continue
        seq = _seq(e)
        if seq is not None and seq in taken:
            rejected.append(
                {
                    "id": eid,
                    "code": "seq_conflict",
                    "reason": f"this till already sent another event with seq {seq}",
                }
            )
            continue
        status, code, reason = "accepted", None, None
        payload = e["payload"] if isinstance(e.get("payload"), dict) else {}
        canonical = (
            _canonical_or_none(payload)
            if floats_as_decimal and _chained(e) and payload is e.get("payload")
            else None
        )
        try:
            check_event(e, store_id, till_no, head, floats_as_decimal, canonical)
        except Reject as r:
            status, code, reason = "rejected", r.code, r.reason
        claimed = _hex64(e.get("entry_hash")) if _chained(e) else None
        if claimed is not None:
            head = claimed  # an altered or broken entry is flagged once, not every one after
        if seq is None or seq < 1:
            rejected.append(
                {
                    "id": eid,
                    "code": code or "bad_event",
                    "reason": reason or "event seq must be a positive integer",
                }
            )
            continue
        taken.add(seq)
        sale = _chained(e) and status == "accepted"
        rows.append(
            (
                eid,
                device_id,
                seq,
                str(e.get("type")),
                str(e.get("occurred_at")),
                received,
                canonical if canonical is not None else _dump(payload),
                _hex64(e.get("prev_entry_hash")) if claimed else None,
                claimed,
                payload.get("receipt_no") if sale else None,
                payload.get("total_fen") if sale else None,
                status,
                code,
                reason,
            )
        )
        if status == "accepted":
            accepted.append(eid)
        else:
            rejected.append({"id": eid, "code": code or "rejected", "reason": reason or ""})
    if rows:
        stored = _insert_events(tx, device_id, rows)
        lost = {r[0] for r in rows} - stored
        if lost:  # another device raced us to these ids (never the same till: it is locked)
            accepted = [i for i in accepted if i not in lost]
            rejected = [r for r in rejected if r["id"] not in lost]
            rejected += [
                {
                    "id": i,
                    "code": "id_conflict",
                    "reason": "another till already sent an event with this id",
                }
                for i in sorted(lost)
            ]
        new_seqs = sorted(r[2] for r in rows if r[0] in stored)
        if max_seq == contiguous and new_seqs == list(
            range(contiguous + 1, contiguous + len(new_seqs) + 1)
        ):
            # nothing was stored above the contiguous seq and the batch carries on from it
            # without a gap (a till's every next batch): no need to read the seqs back
            contiguous += len(new_seqs)
        else:
            contiguous = advance_contiguous(tx, device_id, contiguous)
        max_seq = max(max_seq, *(r[2] for r in rows))
    tx.execute(
        "UPDATE devices SET chain_head = ?, contiguous_seq = ?, max_seq = ?, last_seen_at = ? "
        "WHERE device_id = ?",
        (head, contiguous, max_seq, received, device_id),
    )
    answer = {
        "accepted": accepted,
        "duplicates": duplicates,
        "rejected": rejected,
        "contiguous_seq": contiguous,
    }
    return Ingested(answer, store_id, int(till_no), int(contiguous_before))


def _retry(
    tx: Tx,
    device_id: str,
    e: Mapping[str, Any],
    store_id: str,
    till_no: int,
    received: str,
    floats_as_decimal: bool,
) -> dict[str, str] | None:
    """Check again an event whose rejection was cleared (`guitai cloud rejections clear`);
    None when it is accepted now.

    Its row keeps its place (seq) in the till's chain, so its link is checked against the
    entry before it in that chain, not against the device's head: the head moved on past it
    when it was first rejected, and it stays there.  The row is updated in place."""
    # by id alone: a till enrolled again with its key owns the rows of its earlier device id,
    # and its chain runs on across both
    row = tx.execute("SELECT seq, entry_hash FROM events WHERE id = ?", (e["id"],)).fetchone()
    prev = tx.execute(
        "SELECT entry_hash FROM events WHERE device_id IN (SELECT device_id FROM devices "
        "WHERE public_key = (SELECT public_key FROM devices WHERE device_id = ?)) "
        "AND seq < ? AND entry_hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
        (device_id, row[0]),
    ).fetchone()
    status, code, reason = "accepted", None, None
    try:
        if e.get("seq") != row[0]:
            raise Reject(
                "seq_conflict", f"this event was stored with seq {row[0]}, not {e.get('seq')!r}"
            )
        if row[1] is not None and _hex64(e.get("entry_hash")) != row[1]:
            raise Reject(
                "hash_mismatch",
                "this event was first sent with another entry_hash: its entry in the till's "
                "chain cannot change",
            )
        check_event(e, store_id, till_no, prev[0] if prev else GENESIS_HEX, floats_as_decimal)
    except Reject as r:
        status, code, reason = "rejected", r.code, r.reason
    payload = e["payload"] if isinstance(e.get("payload"), dict) else {}
    sale = _chained(e) and status == "accepted"
    tx.execute(
        "UPDATE events SET type = ?, occurred_at = ?, received_at = ?, payload = ?, "
        "receipt_no = ?, total_fen = ?, status = ?, reject_code = ?, reject_reason = ? "
        "WHERE id = ?",
        (
            str(e.get("type")),
            str(e.get("occurred_at")),
            received,
            _dump(payload),
            payload.get("receipt_no") if sale else None,
            payload.get("total_fen") if sale else None,
            status,
            code,
            reason,
            e["id"],
        ),
    )
    if status == "accepted":
        return None
    return {"id": str(e["id"]), "code": code or "rejected", "reason": reason or ""}


def advance_contiguous(tx: Tx, device_id: str, contiguous: int) -> int:
    """The highest seq up to which the cloud holds every event of the device."""
    while True:
        seqs = [
            r[0]
            for r in tx.execute(
                "SELECT seq FROM events WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT 2000",
                (device_id, contiguous),
            ).fetchall()
        ]
        for s in seqs:
            if s != contiguous + 1:
                return contiguous
            contiguous = s
        if len(seqs) < 2000:
            return contiguous
