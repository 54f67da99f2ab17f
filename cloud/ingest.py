"""What the cloud recomputes before it accepts an event (docs/events.md invariants)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pos_app.domain import events as ev
from pos_app.domain.journal import FloatInPayload, entry_hash

from .event_shapes import shape_problem

GENESIS_HEX = "0" * 64
CHUNK = 400  # ids per IN (…) query, below SQLite's variable limit


class Tx(Protocol):
    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = (), *, binary: bool = False) -> Any: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...


class Reject(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _int(d: Mapping[str, Any], key: str, where: str) -> int:
    v = d.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise Reject("bad_payload", f"{where}.{key} must be an integer, got {v!r}")
    return v


def _seq(e: Mapping[str, Any]) -> int | None:
    """The event's seq when it is an integer; `true` is not 1 (PostgreSQL refused the
    comparison of a bigint with a boolean: a 500 the till would retry forever)."""
    seq = e.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def check_envelope(e: Any) -> None:
    if not isinstance(e, dict):
        raise Reject("bad_event", "an event must be a JSON object")
    for key, typ in (("type", str), ("occurred_at", str), ("payload", dict)):
        if not isinstance(e.get(key), typ):
            raise Reject("bad_event", f"event field {key!r} is missing or has the wrong type")
    seq = _seq(e)
    if seq is None or seq < 1:
        raise Reject("bad_event", "event seq must be a positive integer")
    schema = e.get("schema", 1)
    if isinstance(schema, bool) or schema != ev.SCHEMA_VERSION:
        raise Reject("unsupported_schema", f"schema {e.get('schema')!r} is not supported")
    if e["type"] not in ev.ALL_TYPES:
        raise Reject("unknown_type", f"event type {e['type']!r} is not part of the protocol")
    problem = shape_problem(e["type"], e["payload"])
    if problem is not None:
        raise Reject("bad_payload", problem)


def check_sums(kind: str, p: Mapping[str, Any]) -> None:
    total = _int(p, "total_fen", "payload")
    _int(p, "receipt_no", "payload")
    lines, payments = p.get("lines"), p.get("payments")
    if not isinstance(lines, list) or not isinstance(payments, list):
        raise Reject("bad_payload", "payload needs `lines` and `payments` lists")
    line_sum = 0
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            raise Reject("bad_payload", f"line {i} is not an object")
        qty = _int(line, "qty", f"lines[{i}]")
        unit = _int(line, "unit_price_fen", f"lines[{i}]")
        amount = _int(line, "amount_fen", f"lines[{i}]")
        if qty <= 0:
            raise Reject("bad_line", f"line {line.get('line_no', i)} has quantity {qty}")
        if kind == ev.SALE_COMPLETED:
            discount = _int(line, "discount_fen", f"lines[{i}]")
            if amount != qty * unit - discount:
                raise Reject(
                    "line_sum_mismatch",
                    f"line {line.get('line_no', i)}: {qty} × {unit} − {discount} ≠ amount {amount}",
                )
        elif amount < 0:
            raise Reject("bad_line", f"refund line {line.get('line_no', i)} has a negative amount")
        line_sum += amount
    expected = total if kind == ev.SALE_COMPLETED else -total
    if line_sum != expected:
        raise Reject("total_mismatch", f"lines add up to {line_sum} fen but total_fen is {total}")
    paid = 0
    for i, pay in enumerate(payments):
        if not isinstance(pay, dict):
            raise Reject("bad_payload", f"payment {i} is not an object")
        amount = _int(pay, "amount_fen", f"payments[{i}]")
        change = pay.get("change_fen", 0)
        if not isinstance(change, int) or change < 0:
            raise Reject("bad_payload", f"payments[{i}].change_fen must be a non-negative integer")
        if change and pay.get("tender") != "cash":
            raise Reject("tender_mismatch", f"only cash gives change (payments[{i}])")
        paid += amount - change
    if paid != total:
        raise Reject("tender_mismatch", f"payments add up to {paid} fen but total_fen is {total}")


def _fast_canonical(payload: Any) -> bytes:
    """journal.canonical for a payload parsed with parse_float=Decimal: json.dumps refuses
    the Decimal, so the float check needs no walk of its own (a third of the cloud's time
    per event).  test_sync_ingest checks it equals journal.canonical."""
    try:
        return _canonical_text(payload).encode("utf-8")
    except TypeError as err:
        raise Reject("float_in_payload", "payloads carry integers only (money in fen)") from err


def _canonical_text(payload: Any) -> str:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _canonical_or_none(payload: Any) -> str | None:
    """The canonical text of a payload parsed with parse_float=Decimal, or None when it holds
    what canonical JSON refuses (a float, NaN): then check_hash says why, as before.  It is
    also the text stored (_dump gives the same bytes for such a payload), so an event's
    payload is encoded once, not once to hash and again to store."""
    try:
        return _canonical_text(payload)
    except (TypeError, ValueError):
        return None


def check_hash(
    e: Mapping[str, Any], floats_as_decimal: bool = False, canonical: str | None = None
) -> tuple[str, str]:
    prev, claimed = e.get("prev_entry_hash"), e.get("entry_hash")
    if not (
        isinstance(prev, str)
        and isinstance(claimed, str)
        and len(prev) == 64
        and len(claimed) == 64
    ):
        raise Reject("missing_hash", "sales and refunds must carry prev_entry_hash and entry_hash")
    try:
        if floats_as_decimal:
            text = _fast_canonical(e["payload"]) if canonical is None else canonical.encode()
            recomputed = hashlib.sha256(bytes.fromhex(prev) + text).hexdigest()
        else:
            recomputed = entry_hash(bytes.fromhex(prev), e["payload"]).hex()
    except FloatInPayload as err:
        raise Reject("float_in_payload", str(err)) from err
    except ValueError as err:
        raise Reject("missing_hash", f"hash is not hex: {err}") from err
    if recomputed != claimed.lower():
        raise Reject(
            "hash_mismatch",
            f"entry_hash does not match the payload (recomputed {recomputed[:16]}…): "
            "the payload was altered after it was hashed",
        )
    return prev.lower(), claimed.lower()


def _hex64(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 64:
        try:
            bytes.fromhex(value)
        except ValueError:
            return None
        return value.lower()
    return None


def _chained(e: Mapping[str, Any]) -> bool:
    return isinstance(e.get("type"), str) and e["type"] in ev.CHAINED


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


def check_event(
    e: Mapping[str, Any],
    store_id: str,
    till_no: int,
    head: str,
    floats_as_decimal: bool = False,
    canonical: str | None = None,
) -> None:
    """Raise Reject when the event does not add up (chained events: hashes, till, sums, link).
    `canonical`: the payload's canonical text when the caller has it already."""
    check_envelope(e)
    if e["type"] not in ev.CHAINED:
        return
    p = e["payload"]
    prev, _ = check_hash(e, floats_as_decimal, canonical)
    if p.get("store_id") != store_id or p.get("till_no") != till_no:
        raise Reject(
            "wrong_till",
            f"the payload says store {p.get('store_id')} till {p.get('till_no')} but this "
            f"device is {store_id} till {till_no}",
        )
    check_sums(e["type"], p)
    if prev != head:
        raise Reject(
            "chain_break",
            f"prev_entry_hash {prev[:16]}… does not follow the last entry {head[:16]}… of this "
            "till (an entry is missing, was deleted or reordered)",
        )


@dataclass(frozen=True)
class Ingested:
    """A stored batch: the push's answer, and the device as the batch found it (locked), for
    the bookings that follow in the same transaction (stock, members)."""

    answer: dict[str, Any]  # accepted, duplicates, rejected, contiguous_seq (the wire answer)
    store_id: str
    till_no: int
    contiguous_before: int


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

    PostgreSQL: one statement for the whole batch, its columns as arrays through unnest,
    RETURNING what went in.  A row per statement (executemany, even pipelined) cost the
    cloud and the server a statement each, and a second query to learn what was stored."""
    if tx.dialect == "postgres":
        arrays = ", ".join(f"?::{t}[]" for t in _PG_COLUMN_TYPES)
        columns = [list(c) for c in zip(*rows, strict=True)]
        return {
            r[0]
            for r in tx.execute(
                f"INSERT INTO events({EVENT_COLUMNS}) SELECT * FROM unnest({arrays}) "
                "ON CONFLICT DO NOTHING RETURNING id",
                columns,
                binary=True,
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
) -> Ingested:
    """Store one device's batch: each event once, even when copies of the batch race.

    The device's row is locked first, so its batches serialize (PostgreSQL: SELECT … FOR
    UPDATE; SQLite: the write lock); the event id as primary key and INSERT … ON CONFLICT DO
    NOTHING are the backstop.  Rejected events are stored too, so a resend gets the same
    answer until the rejection is cleared (rejections.py): then the resend is checked
    again.  New rows go in with one statement (_insert_events).
    """
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    store_id, till_no, head, contiguous, max_seq, my_key = tx.execute(
        "SELECT store_id, till_no, chain_head, contiguous_seq, max_seq, public_key "
        f"FROM devices WHERE device_id = ?{lock}",
        (device_id,),
    ).fetchone()
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
    seqs = [s for e in events if (s := _seq(e)) is not None and e["id"] not in known]
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
        max_seq = max(max_seq, *(r[2] for r in rows))
        contiguous = advance_contiguous(tx, device_id, contiguous)
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
