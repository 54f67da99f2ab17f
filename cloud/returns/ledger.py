"""What each synced sale has left to return, kept on ingest (inside the push transaction).

A sale's lines get a row each (sold, refunded, reserved); a refund adds its quantities, taking
its own reservation back first (a return at another store reserved them before money moved).
A refund that takes a line past what was sold (two tills of a store refunded it while both
were offline) is still accepted, since the money has moved and the tills' Z reports count it,
but it is written down as a conflict for the store manager, and what the record says is
returned stays at what was sold, so nothing downstream counts the line back twice.

The store's tills get each sale's compact record (`store_sale` changes, for their store
only): lines, tenders without the terminal's references (those work only at the till that
took them), member, and the refunds made so far by till."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pos_app.domain import events as ev

from ..changelog import Publish
from ..common import _dump
from ..db import Tx
from ..sorted_json import sorted_json
from ..storage.bulk import insert_rows
from . import no_receipt, offline

LINE_KEYS = (
    "line_no",
    "sku",
    "name",
    "qty",
    "unit_price_fen",
    "discount_fen",
    "amount_fen",
    "vat_rate_bp",
    "category",
)


def compact_record(p: Mapping[str, Any]) -> dict[str, Any]:
    """The sale as a till of its store needs it to take a return offline."""
    return {
        "sale_id": p["sale_id"],
        "store_id": p.get("store_id"),
        "till_no": p.get("till_no"),
        "receipt_no": p.get("receipt_no"),
        "completed_at": p.get("completed_at"),
        "business_day": p.get("business_day"),
        "total_fen": p.get("total_fen"),
        "lines": [{k: ln[k] for k in LINE_KEYS if k in ln} for ln in p.get("lines", [])],
        "payments": [
            {k: pay[k] for k in ("tender", "amount_fen", "change_fen") if k in pay}
            for pay in p.get("payments", [])
        ],
        "member": p.get("member"),
        "refunds": [],
    }


def refund_entry(p: Mapping[str, Any]) -> dict[str, Any]:
    """One refund as the record lists it: which till, which lines, how much per tender."""
    tenders: dict[str, int] = {}
    for pay in p.get("payments", []):
        t = str(pay.get("tender", ""))
        tenders[t] = tenders.get(t, 0) - int(pay.get("amount_fen", 0))
    return {
        "refund_id": p.get("refund_id"),
        "store_id": p.get("store_id"),
        "till_no": p.get("till_no"),
        "receipt_no": p.get("receipt_no"),
        "lines": {str(ln["line_no"]): int(ln["qty"]) for ln in p.get("lines", [])},
        "tenders": tenders,
    }


def after_ingest(
    tx: Tx,
    publish: Publish,
    events: Sequence[Any],
    accepted: Iterable[str],
    device_id: str,
    at: str,
) -> None:
    ok = set(accepted)
    mine = [e for e in events if e.get("id") in ok]
    sales = [e for e in mine if e.get("type") == ev.SALE_COMPLETED]
    _sales(tx, sales, device_id, at)
    # another store's receipt refunded offline before this sale reached the cloud
    keys = [(str(p["store_id"]), int(p["till_no"]), int(p["receipt_no"])) for p in _payloads(sales)]
    refunds = offline.waiting_for(tx, keys) if keys else []
    for e in sorted(mine, key=lambda x: x.get("seq") if isinstance(x.get("seq"), int) else 0):
        if e.get("type") == ev.REFUND_COMPLETED:
            refunds.append(e["payload"])
    no_receipt.note(tx, (e["payload"] for e in mine if e.get("type") == ev.REFUND_COMPLETED))
    for p in refunds:
        booked = offline.as_booked(tx, p, at)  # an offline refund: against its token's sale
        if booked is not None:
            _refund(tx, publish, booked, at)


def _payloads(events: list[Any]) -> list[Mapping[str, Any]]:
    return [e["payload"] for e in events]


def _sales(tx: Tx, events: list[Any], device_id: str, at: str) -> None:
    """A batch's sales in three statements whatever its size (a push costs statements per
    batch, not per event): their records, their lines, and their changes for the store's
    tills (in the batch's order: their cursors follow it).  A sale accepted again (its rejection cleared) keeps its rows: ON CONFLICT."""
    if not events:
        return
    sales, lines, changes = [], [], []
    for e in events:
        p = e["payload"]
        record = compact_record(p)
        # what a scanned e-receipt's token binds (its sale digest), checked by the sibling till
        record["digest"] = str(e.get("entry_hash", ""))[:16].lower()
        # an accepted sale's payload passed its hash check, which refuses floats: orjson
        # writes its record as the stdlib does (sorted_json.py)
        text = sorted_json(record, _dump)
        sales.append(
            (p["sale_id"], p["store_id"], device_id, p["till_no"], p["receipt_no"], text, at)
        )
        lines += [(p["sale_id"], int(ln["line_no"]), int(ln["qty"])) for ln in p.get("lines", [])]
        # the rows ChangeLog.publish stages
        changes.append(("store_sale", "upsert", p["sale_id"], text, str(p["store_id"]), at))
    # one statement a table (storage/bulk.py): a statement per row was ~230 of them a batch
    insert_rows(
        tx,
        "INSERT INTO return_sales(sale_id, store_id, device_id, till_no, receipt_no, record, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        sales,
        many=True,
    )
    insert_rows(
        tx,
        "INSERT INTO return_lines(sale_id, line_no, sold_qty) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        lines,
        many=True,
    )
    tx.stage_changes(changes)  # written last, under the feed's lock (Tx.write_changes)


def _refund(tx: Tx, publish: Publish, p: Mapping[str, Any], at: str) -> None:
    if not p.get("original_sale_id"):
        # a return without a receipt (`no_receipt`) names no sale: its money and stock count
        # as every refund's do, and there is no sold line to take back
        return
    sale_id = str(p["original_sale_id"])
    lock = " FOR UPDATE" if tx.dialect == "postgres" else ""
    row = tx.execute(
        f"SELECT record, store_id, till_no, receipt_no FROM return_sales WHERE sale_id = ?{lock}",
        (sale_id,),
    ).fetchone()
    if row is None:
        return  # a sale from before this ledger (or not synced): nothing to keep
    record = json.loads(row[0])
    refund_id = str(p.get("refund_id", ""))
    if any(r.get("refund_id") == refund_id for r in record["refunds"]):
        return
    held = {
        int(r[0]): int(r[1])
        for r in tx.execute(
            "SELECT line_no, qty FROM return_reservations WHERE refund_id = ? AND state = 'held'",
            (refund_id,),
        ).fetchall()
    }
    for ln in p.get("lines", []):
        line_no, qty = int(ln["line_no"]), int(ln["qty"])
        back = held.get(line_no, 0)
        tx.execute(
            "UPDATE return_lines SET refunded_qty = refunded_qty + ?, "
            "reserved_qty = reserved_qty - ? WHERE sale_id = ? AND line_no = ?",
            (qty, back, sale_id, line_no),
        )
        sold, refunded = tx.execute(
            "SELECT sold_qty, refunded_qty FROM return_lines WHERE sale_id = ? AND line_no = ?",
            (sale_id, line_no),
        ).fetchone()
        if int(refunded) > int(sold):
            tx.execute(
                "INSERT INTO return_conflicts(store_id, sale_id, receipt_no, till_no, line_no, "
                "sold_qty, refunded_qty, excess_qty, refund_id, refund_till_no, "
                "refund_receipt_no, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (
                    row[1],
                    sale_id,
                    row[3],
                    row[2],
                    line_no,
                    int(sold),
                    int(refunded),
                    min(qty, int(refunded) - int(sold)),
                    refund_id,
                    int(p.get("till_no", 0)),
                    int(p.get("receipt_no", 0)),
                    at,
                ),
            )
    if held:
        tx.execute(
            "UPDATE return_reservations SET state = 'committed' WHERE refund_id = ? "
            "AND state = 'held'",
            (refund_id,),
        )
    record["refunds"].append(refund_entry(p))
    tx.execute(
        "UPDATE return_sales SET record = ?, at = ? WHERE sale_id = ?",
        (_dump(record), at, sale_id),
    )
    publish(tx, "store_sale", "upsert", sale_id, record, store_id=str(row[1]))


def left_to_return(tx: Tx, sale_id: str) -> dict[int, dict[str, int]]:
    """Per line: sold, refunded (never above sold) and reserved quantities."""
    return {
        int(r[0]): {
            "sold": int(r[1]),
            "refunded": min(int(r[1]), int(r[2])),
            "reserved": int(r[3]),
        }
        for r in tx.execute(
            "SELECT line_no, sold_qty, refunded_qty, reserved_qty FROM return_lines "
            "WHERE sale_id = ? ORDER BY line_no",
            (sale_id,),
        ).fetchall()
    }
