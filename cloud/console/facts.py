"""The summaries the console reads, kept exact in the ingest's own transaction.

`apply` runs inside `CloudService.ingest`, after the batch is stored, for the events accepted
in it: each event is accepted once (a duplicate is answered from the log and never accepted
again), so adding its figures once keeps the sums equal to what the log holds.  A page then
reads a few hundred summary rows instead of walking a year of events in JSON.

Hours are China time (UTC+08:00, no daylight saving): the cloud keeps no time zone per store,
and the business day already comes from the till.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..db import Tx
from . import chain, funnel_facts
from .upsert import merge, upsert

CHINA = timedelta(hours=8)
SALE, REFUND = "sale.completed", "refund.completed"

_DAY_UPSERT = (
    "INSERT INTO console_sales_day(store_id, business_day, dim, key, sales, refunds, qty, "
    "sales_fen, refunds_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(store_id, business_day, dim, key) DO UPDATE SET "
    "sales = console_sales_day.sales + excluded.sales, "
    "refunds = console_sales_day.refunds + excluded.refunds, "
    "qty = console_sales_day.qty + excluded.qty, "
    "sales_fen = console_sales_day.sales_fen + excluded.sales_fen, "
    "refunds_fen = console_sales_day.refunds_fen + excluded.refunds_fen"
)
_MONTH_UPSERT = _DAY_UPSERT.replace("console_sales_day", "console_sales_month").replace(
    "business_day", "month"
)
_Z_INSERT = (
    "INSERT INTO console_z_reports(event_id, device_id, store_id, till_no, shift_id, z_no, "
    "business_day, closed_at, closed_by, report, seq, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_STATUS_UPSERT = (
    "INSERT INTO console_device_status(device_id, device, kind, state, reason, at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(device_id, device) DO UPDATE SET "
    "kind = excluded.kind, state = excluded.state, reason = excluded.reason, "
    "at = excluded.at WHERE console_device_status.at <= excluded.at"
)
_SHIFT_UPSERT = (
    "INSERT INTO console_shift_sums(device_id, shift_id, dim, key, n, net_fen) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(device_id, shift_id, dim, key) DO UPDATE SET "
    "n = console_shift_sums.n + excluded.n, net_fen = console_shift_sums.net_fen + excluded.net_fen"
)


def china_hour(at: str) -> str:
    if len(at) > 13 and at[-1] == "Z" and at[10] == "T" and at[11:13].isdigit():
        return f"{(int(at[11:13]) + 8) % 24:02d}"  # a till's UTC time, without a parse
    when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return f"{(when + CHINA).hour:02d}" if when.utcoffset() == timedelta(0) else f"{when.hour:02d}"


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def day_rows(
    store_id: str, till_no: int, p: Mapping[str, Any], refund: bool
) -> list[tuple[Any, ...]]:
    """The (dim, key) rows one sale or refund adds to its store's day."""
    into: dict[tuple[Any, ...], list[int]] = {}
    add_day_rows(into, store_id, till_no, p, refund)
    return [(*k, *v) for k, v in into.items()]


def add_day_rows(
    into: dict[tuple[Any, ...], list[int]],
    store_id: str,
    till_no: int,
    p: Mapping[str, Any],
    refund: bool,
) -> None:
    """Add the rows of day_rows to `into` (store, day, dim, key → sales, refunds, qty,
    sales_fen, refunds_fen), as upsert.merge adds rows up: a batch's rows are summed as they
    come, not built as tuples first and merged after (issue 18: per event, the console's
    largest cost)."""
    day = str(p.get("business_day") or str(p.get("completed_at", ""))[:10])
    total = _int(p.get("total_fen"))
    lines = [x for x in p.get("lines") or [] if isinstance(x, dict)]
    qty = sum(_int(x.get("qty")) for x in lines)
    sign = -1 if refund else 1
    sales, refunds = (0, 1) if refund else (1, 0)

    def row(dim: str, key: str, q: int, fen: int) -> None:
        k = (store_id, day, dim, key)
        had = into.get(k)
        sales_fen, refunds_fen = (0, fen) if refund else (fen, 0)
        if had is None:
            into[k] = [sales, refunds, sign * q, sales_fen, refunds_fen]
        else:
            had[0] += sales
            had[1] += refunds
            had[2] += sign * q
            had[3] += sales_fen
            had[4] += refunds_fen

    row("", "", qty, total)
    row("hour", china_hour(str(p.get("completed_at") or "1970-01-01T00:00:00Z")), qty, total)
    row("associate", str(p.get("associate") or "-"), qty, total)
    row("till", str(till_no), qty, total)
    cats: dict[str, list[int]] = {}
    for x in lines:
        c = cats.setdefault(str(x.get("category") or "-"), [0, 0])
        c[0] += _int(x.get("qty"))
        c[1] += sign * _int(x.get("amount_fen"))  # refund lines carry positive amounts
    for k, (q, fen) in cats.items():
        row("category", k, q, fen)
    tenders: dict[str, int] = {}
    for pay in p.get("payments") or []:
        if isinstance(pay, dict):
            t = str(pay.get("tender") or "-")
            tenders[t] = (
                tenders.get(t, 0) + _int(pay.get("amount_fen")) - _int(pay.get("change_fen"))
            )
    for k, fen in tenders.items():
        row("tender", k, 0, fen)


def shift_rows(device_id: str, p: Mapping[str, Any], refund: bool) -> list[tuple[Any, ...]]:
    shift = _int(p.get("shift_id"))
    rows: list[tuple[Any, ...]] = [
        (device_id, shift, "kind", "refund" if refund else "sale", 1, _int(p.get("total_fen")))
    ]
    for pay in p.get("payments") or []:
        if isinstance(pay, dict):
            net = _int(pay.get("amount_fen")) - _int(pay.get("change_fen"))
            rows.append((device_id, shift, "tender", str(pay.get("tender") or "-"), 1, net))
    return rows


def apply(
    tx: Tx,
    device_id: str,
    store_id: str,
    till_no: int,
    events: Sequence[Any],
    accepted: Iterable[str],
    received_at: str,
) -> None:
    """Add the accepted events of a batch to the console's summaries."""
    funnel_facts.apply(tx, device_id, store_id, events, accepted)
    ok = set(accepted)
    day_totals: dict[tuple[Any, ...], list[int]] = {}
    shift: list[tuple[Any, ...]] = []
    zs: list[tuple[Any, ...]] = []
    status: list[tuple[Any, ...]] = []
    for e in events:
        if not isinstance(e, dict) or e.get("id") not in ok:
            continue
        p = e.get("payload")
        if not isinstance(p, dict):
            continue
        kind = e.get("type")
        if kind in (SALE, REFUND):
            add_day_rows(day_totals, store_id, till_no, p, kind == REFUND)
            shift += shift_rows(device_id, p, kind == REFUND)
        elif kind == "shift.closed" and isinstance(p.get("report"), dict):
            zs.append(_z_report(e, p, device_id, store_id, till_no, received_at))
        elif kind == "device.status":
            status.append(_device_status(device_id, p))
    day = sorted((*k, *v) for k, v in day_totals.items())  # as sorted(merge(rows, 4))
    month = sorted(merge([(r[0], r[1][:7], *r[2:]) for r in day], 4))
    # The batch's figures add up by row key first, then one multi-row statement a table (a
    # statement per row cost PostgreSQL a parse and a round trip each): the rows are the
    # till's own store's (no row shared by the whole chain, which every till's batch would
    # queue on), and in key order so two tills of one store lock their rows in the same order
    # and never deadlock.
    for sql, rows in ((_DAY_UPSERT, day), (_MONTH_UPSERT, month)):
        upsert(tx, sql, rows)
    chain.mark(tx, {(r[0], r[1]) for r in day})
    upsert(tx, _SHIFT_UPSERT, sorted(merge(shift, 4)))
    upsert(tx, _Z_INSERT, zs)
    # One statement may not update a row twice: a device's latest status of the batch (the
    # later of equal times, as one by one), checked against the stored one by the statement.
    latest: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for r in status:
        if r[:2] not in latest or latest[r[:2]][5] <= r[5]:
            latest[r[:2]] = r
    upsert(tx, _STATUS_UPSERT, sorted(latest.values()))


def _z_report(
    e: Mapping[str, Any],
    p: Mapping[str, Any],
    device_id: str,
    store_id: str,
    till_no: int,
    received_at: str,
) -> tuple[Any, ...]:
    z_no = p.get("z_no")
    return (
        str(e["id"]),
        device_id,
        store_id,
        till_no,
        _int(p.get("shift_id")),
        z_no if isinstance(z_no, int) and not isinstance(z_no, bool) else None,
        str(p.get("business_day") or ""),
        str(p.get("closed_at") or e.get("occurred_at") or ""),
        str(p.get("closed_by") or ""),
        json.dumps(p["report"], ensure_ascii=False, sort_keys=True, default=str),
        _int(e.get("seq")),
        received_at,
    )


def _device_status(device_id: str, p: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        device_id,
        str(p.get("device") or "-"),
        str(p.get("kind") or ""),
        str(p.get("state") or ""),
        str(p.get("reason") or ""),
        str(p.get("at") or ""),
    )


SUMMARIES = (
    "console_sales_day",
    "console_sales_month",
    "console_shift_sums",
    "console_z_reports",
    "console_device_status",
    *funnel_facts.SUMMARIES,
)
_KINDS = (SALE, REFUND, "shift.closed", "device.status", "member.enrolled")


def rebuild(db: Any, chunk: int = 2000) -> dict[str, int]:
    """The summaries made again from the event log, in one transaction (a cloud upgraded to
    the console's migration holds events from before it): every accepted sale, refund, Z
    report, device status and enrolment, device by device in seq order, through `apply` as
    the ingest does; the funnel's rows then as `guitai cloud funnel` counts them.  The counts
    of events read and of summary rows written."""
    marks = ", ".join("?" * len(_KINDS))
    read = 0
    with db.tx() as tx:
        for table in SUMMARIES:
            tx.execute(f"DELETE FROM {table}")
        devices = tx.execute(
            "SELECT device_id, store_id, till_no FROM devices ORDER BY device_id"
        ).fetchall()
        for device_id, store_id, till_no in devices:
            last = 0
            while True:
                rows = tx.execute(
                    "SELECT id, seq, type, payload, received_at, occurred_at FROM events "
                    "WHERE device_id = ? "
                    f"AND status = 'accepted' AND type IN ({marks}) AND seq > ? "
                    "ORDER BY seq LIMIT ?",
                    (device_id, *_KINDS, last, chunk),
                ).fetchall()
                if not rows:
                    break
                for eid, seq, etype, payload, received, occurred in rows:
                    event = {"id": eid, "seq": seq, "type": etype, "occurred_at": occurred,
                             "payload": json.loads(payload)}  # fmt: skip
                    apply(tx, device_id, store_id, int(till_no), [event], [eid], received)
                read += len(rows)
                last = int(rows[-1][1])
        funnel_facts.rebuild_days(tx)
        chain.rebuild(tx)
        written = sum(int(tx.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in SUMMARIES)
    return {"events": read, "summary_rows": written}
