"""The top-ups against the stored-value ledger (`guitai cloud topups`).

Each top-up must have, in `stored_value_ledger`, its paid amount (`topup:ID`), its bonus
(`topup-bonus:ID`), and minus what was refunded (`topup-refund:ID`) and forfeited
(`topup-forfeit:ID`); a top-up whose rows disagree is listed under `mismatches`.  The totals by
tender are what the stores' Z reports show in their 充值 section, so a brand compares each
till's day with the cloud's."""

from __future__ import annotations

from typing import Any

from ..db import CloudDB

_KINDS = ("topup", "topup-bonus", "topup-refund", "topup-forfeit")


def reconcile(
    db: CloudDB,
    *,
    day: str | None = None,
    store_id: str | None = None,
    device_id: str | None = None,
) -> dict[str, Any]:
    where, args = ["1 = 1"], []
    for column, value in (("business_day", day), ("store_id", store_id), ("device_id", device_id)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    with db.tx() as tx:
        rows = tx.execute(
            "SELECT id, member_id, device_id, store_id, paid_fen, bonus_fen, tender, "
            "business_day, refunded_fen, forfeited_fen, at FROM topups WHERE "
            + " AND ".join(where)
            + " ORDER BY at, id",
            tuple(args),
        ).fetchall()
        booked: dict[str, int] = {}
        for ref, delta in tx.execute(
            # the pattern as a parameter: psycopg reads a literal % as a placeholder
            "SELECT reference, SUM(delta_fen) FROM stored_value_ledger "
            "WHERE reference LIKE ? GROUP BY reference",
            ("topup%",),
        ).fetchall():
            booked[str(ref)] = int(delta)
    topups: list[dict[str, Any]] = []
    mismatches: list[dict[str, Any]] = []
    by_tender: dict[str, dict[str, int]] = {}
    totals = {"paid_fen": 0, "bonus_fen": 0, "refunded_fen": 0, "forfeited_fen": 0}
    for r in rows:
        t = {
            "topup_id": r[0],
            "member_id": r[1],
            "device_id": r[2],
            "store_id": r[3],
            "paid_fen": int(r[4]),
            "bonus_fen": int(r[5]),
            "tender": r[6],
            "business_day": r[7],
            "refunded_fen": int(r[8]),
            "forfeited_fen": int(r[9]),
            "at": r[10],
        }
        topups.append(t)
        for k in totals:
            totals[k] += t[k]
        tender = by_tender.setdefault(t["tender"], {"count": 0, "paid_fen": 0, "refunded_fen": 0})
        tender["count"] += 1
        tender["paid_fen"] += t["paid_fen"]
        tender["refunded_fen"] += t["refunded_fen"]
        want = _expected(t)
        got = {k: booked.get(f"{k}:{t['topup_id']}", 0) for k in _KINDS}
        if want != got:
            mismatches.append({"topup_id": t["topup_id"], "expected": want, "ledger": got})
    return {
        "topups": topups,
        "count": len(topups),
        **totals,
        "by_tender": by_tender,
        "mismatches": mismatches,
        "balanced": not mismatches,
    }


def _expected(t: dict[str, Any]) -> dict[str, int]:
    return {
        "topup": t["paid_fen"],
        "topup-bonus": t["bonus_fen"],
        "topup-refund": -t["refunded_fen"],
        "topup-forfeit": -t["forfeited_fen"],
    }
