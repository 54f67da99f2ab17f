"""The audit log: every change made from the console (sign-in and sign-out, re-queued dead
letters, enrolment codes, revocations), by whom, when and on which store.  A change made
through the cloud's own services (which open their transactions) is logged once it has
committed, so the log never names a change that did not happen."""

from __future__ import annotations

from typing import Any

from ..db import Tx


def record(
    tx: Tx, at: str, username: str, action: str, store_id: str = "", target: str = "",
    detail: str = "",
) -> None:  # fmt: skip
    tx.execute(
        "INSERT INTO console_audit(at, username, action, store_id, target, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (at, username, action, store_id, target, detail),
    )


def recent(tx: Tx, limit: int = 200) -> list[dict[str, Any]]:
    rows = tx.execute(
        "SELECT at, username, action, store_id, target, detail FROM console_audit "
        "ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    cols = ("at", "username", "action", "store_id", "target", "detail")
    return [dict(zip(cols, r, strict=True)) for r in rows]
