"""The invariants of the fault matrix and the crash tests, checked against the emulators'
own books (the ground truth of what was charged), not against what the till believes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.domain.payments import PaymentError

SETTLED = ("approved", "attached")


def attempts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM payment_attempts")]
    finally:
        conn.row_factory = None


def play_case(
    svc: Any,
    conn: sqlite3.Connection,
    tender: str,
    amount: int,
    code: str | None,
    commit: bool,
    clear_faults: Callable[[], None],
) -> tuple[set[str], set[str], set[str]]:
    """One case of a fault matrix: charge SALE-1 (the fault set beforehand may break it); with
    `commit`, the sale commits and 1.00 of it is refunded as RET-1; then recovery runs while
    the fault is still there, and again once `clear_faults` cleared it.  The sales and
    returns the till committed, and the attempts recovery left for a person (for `check`)."""
    sales: set[str] = set()
    returns: set[str] = set()
    try:
        paid = svc.charge("SALE-1", tender, amount, code)
    except PaymentError:
        paid = None
    if paid is not None and commit:
        with SqliteUnitOfWork(conn) as uow:  # the sale's commit: sale row + attach, one transaction
            svc.attach(paid.attempt_id, "SALE-1")
            uow.commit()
        sales.add("SALE-1")
        try:
            back = svc.refund(paid.attempt_id, 100, refund_id="RET-1")
        except PaymentError:
            pass
        else:
            svc.attach(back.attempt_id, "RET-1")
            returns.add("RET-1")
    # a recovery while the fault is still there must not make things worse
    svc.recover(void_unattached=True)
    # the fault clears (the link is back); start-up recovery runs
    clear_faults()
    outcomes = svc.recover(void_unattached=True)
    return sales, returns, {o.attempt_id for o in outcomes if o.action == "needs_decision"}


def check(
    conn: sqlite3.Connection,
    rig: Any,
    tender: str,
    sales: set[str],
    returns: set[str],
    needs_decision: set[str],
) -> list[str]:
    """Problems found (empty = all invariants hold).

    sales / returns: ids the till committed.  needs_decision: attempt ids recover reported for a
    person (approved refunds whose return was not recorded)."""
    problems: list[str] = []
    rows = [a for a in attempts(conn) if a["tender"] == tender]
    by_otn = {a["out_trade_no"]: a for a in rows}
    for a in rows:
        if a["state"] in ("started", "unknown"):
            problems.append(f"attempt {a['id']} still {a['state']} after recovery")
        if a["kind"] == "sale" and a["state"] == "approved":
            problems.append(f"approval {a['id']} neither attached nor reversed")
        if a["kind"] == "refund" and a["state"] == "approved" and a["id"] not in needs_decision:
            problems.append(f"refund {a['id']} paid out, unrecorded and not reported")
    # every committed sale has exactly one settled payment; no sale paid twice
    for sale in sales:
        paid = [
            a
            for a in rows
            if a["kind"] == "sale" and a["sale_id"] == sale and a["state"] == "attached"
        ]
        if len(paid) != 1:
            problems.append(f"sale {sale} has {len(paid)} attached payments")
    for a in rows:
        if a["state"] == "attached" and a["kind"] == "sale" and a["sale_id"] not in sales:
            problems.append(f"attempt {a['id']} attached to a sale that was never committed")
        if a["state"] == "attached" and a["kind"] == "refund" and a["sale_id"] not in returns:
            problems.append(f"refund {a['id']} attached to a return that was never committed")
    if tender in ("wechat", "alipay"):
        emu = rig.wechat if tender == "wechat" else rig.alipay
        for otn, t in emu.trades.items():
            a = by_otn.get(otn)
            captured = t.state in ("paid", "refunded")
            if a is None:
                problems.append(f"provider trade {otn} unknown to the till")
                continue
            if captured and a["state"] != "attached":
                problems.append(f"trade {otn} captured but attempt is {a['state']}")
            if not captured and a["state"] == "attached":
                problems.append(f"sale {a['sale_id']} attached to uncaptured trade {otn}")
            for rno in t.refunds:
                r = by_otn.get(rno)
                if r is None or r["state"] not in SETTLED:
                    problems.append(f"provider refund {rno} not settled in the till")
        for a in rows:
            if a["kind"] == "refund" and a["state"] in SETTLED:
                orig = next(x for x in rows if x["id"] == a["original_id"])
                t = emu.trades.get(orig["out_trade_no"])
                if t is None or a["out_trade_no"] not in t.refunds:
                    problems.append(f"refund {a['id']} settled but the provider has no refund")
    else:
        for txn in rig.zvt.ledger:
            if not txn.approved:
                continue
            mine = [a for a in rows if a["provider_ref"] == str(txn.trace)]
            if txn.kind == "sale":
                attached = [a for a in mine if a["state"] == "attached"]
                if txn.reversed and attached:
                    problems.append(f"reversed card txn {txn.trace} attached to a sale")
                if not txn.reversed and len(attached) != 1:
                    problems.append(f"card txn {txn.trace} charged but attached {len(attached)}x")
            elif not any(a["state"] in SETTLED for a in mine):
                problems.append(f"card refund {txn.trace} not settled in the till")
        for a in rows:
            if a["state"] == "attached" and a["kind"] == "sale":
                txn = next((t for t in rig.zvt.ledger if str(t.trace) == a["provider_ref"]), None)
                if txn is None or txn.reversed or not txn.approved:
                    problems.append(f"sale {a['sale_id']} attached to no live card txn")
    return problems
