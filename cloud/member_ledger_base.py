"""What every part of the cloud's member ledger shares: the member row a till pulls,
reconciliation flags and the funnel's counters."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .common import _now_iso
from .db import Tx


class MemberLedgerBase:
    """Mixed into CloudService (it provides db, now, publish and _member_data)."""

    db: Any
    now: Any

    if TYPE_CHECKING:  # provided by CloudAdmin

        def publish(self, *a: Any, **kw: Any) -> None: ...
        def _member_data(self, tx: Tx, member_id: str) -> dict[str, Any]: ...

    # ---- what a till pulls about a member ---------------------------------------------

    def _full_member(self, tx: Tx, member_id: str) -> dict[str, Any]:
        data = self._member_data(tx, member_id)
        row = tx.execute("SELECT data FROM members WHERE id = ?", (member_id,)).fetchone()
        extra = json.loads(row[0] or "{}") if row else {}
        tags = extra.get("tags") or []
        return data | {
            "birthday": extra.get("birthday"),
            "consent_at": extra.get("consent_at"),
            "associate": extra.get("associate"),
            "tags": ",".join(tags) if isinstance(tags, list) else str(tags),
        }

    def _publish_member(self, tx: Tx, member_id: str) -> None:
        self.publish(tx, "member", "upsert", member_id, self._full_member(tx, member_id))

    def _flag(
        self,
        tx: Tx,
        member_id: str | None,
        kind: str,
        amount: int,
        detail: str,
        event_id: str,
        device_id: str,
    ) -> None:
        tx.execute(
            "INSERT INTO member_flags(member_id, kind, amount, detail, event_id, device_id, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (member_id, kind, amount, detail, event_id, device_id, _now_iso(self.now())),
        )

    def _count(self, tx: Tx, store_id: str, associate: str, kind: str, n: int = 1) -> None:
        tx.execute(
            "INSERT INTO funnel(store_id, associate, kind, n) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(store_id, associate, kind) DO UPDATE SET n = funnel.n + excluded.n",
            (store_id, associate, kind, n),
        )
