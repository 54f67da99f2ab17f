"""Events the cloud rejected, and clearing a rejection once its cause is fixed in the cloud.

A rejected event is stored with its code and reason, so a till that resends it gets the same
answer (it is idempotent by event id like everything else).  Clearing marks it `cleared` and
keeps it in its place in the till's sequence and hash chain; the till's `guitai sync requeue`
then resends it and ingest.py checks it again (`_retry`).  Every clearing is kept in
`rejection_clears` with the code and reason it cleared.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from .common import ApiError, _now_iso
from .db import CloudDB

_COLUMNS = (
    "id",
    "device_id",
    "store_id",
    "till_no",
    "seq",
    "type",
    "state",
    "code",
    "reason",
    "received_at",
)


class CloudRejections:
    def __init__(self, db: CloudDB, now: Any) -> None:
        self.db = db
        self.now = now

    def list(self, device_id: str | None = None) -> list[dict[str, Any]]:
        """Rejected events, and cleared ones the till has not resent yet (`state`)."""
        where, args = ("AND e.device_id = ?", (device_id,)) if device_id else ("", ())
        with self.db.tx() as tx:
            rows = tx.execute(
                "SELECT e.id, e.device_id, d.store_id, d.till_no, e.seq, e.type, e.status, "
                "e.reject_code, e.reject_reason, e.received_at FROM events e JOIN devices d "
                "ON d.device_id = e.device_id WHERE e.status IN ('rejected', 'cleared') "
                f"{where} ORDER BY d.store_id, d.till_no, e.seq",
                args,
            ).fetchall()
        return [dict(zip(_COLUMNS, r, strict=True)) for r in rows]

    # builtins.list: in the class body, after the method above, `list` names that method
    def clear(self, ids: Sequence[str] = (), device_id: str | None = None) -> builtins.list[str]:
        """Clear the rejections of `ids` (or, with none, every rejection of `device_id`, or
        every rejection): all or nothing; the ids cleared."""
        at = _now_iso(self.now())
        with self.db.tx() as tx:
            if ids:
                found = {
                    r[0]: r
                    for i in dict.fromkeys(ids)
                    for r in tx.execute(
                        "SELECT id, device_id, reject_code, reject_reason FROM events "
                        "WHERE id = ? AND status = 'rejected'",
                        (i,),
                    ).fetchall()
                }
                missing = [i for i in ids if i not in found]
                if missing:
                    raise ApiError(
                        404,
                        "not_rejected",
                        f"No rejected event {', '.join(missing[:5])}: see `guitai cloud "
                        "rejections list`; nothing was cleared / 没有这些被拒绝的事件，"
                        "未清除任何记录：请用 guitai cloud rejections list 查看",
                    )
                rows = list(found.values())
            else:
                where, args = ("AND device_id = ?", (device_id,)) if device_id else ("", ())
                rows = tx.execute(
                    "SELECT id, device_id, reject_code, reject_reason FROM events "
                    f"WHERE status = 'rejected' {where} ORDER BY device_id, seq",
                    args,
                ).fetchall()
            if not rows:
                return []
            tx.executemany(
                "UPDATE events SET status = 'cleared' WHERE id = ? AND status = 'rejected'",
                [(r[0],) for r in rows],
            )
            tx.executemany(
                "INSERT INTO rejection_clears(event_id, device_id, code, reason, cleared_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(r[0], r[1], r[2], r[3], at) for r in rows],
            )
        return [str(r[0]) for r in rows]
