"""The change feed the tills pull: every change the cloud publishes (catalog, prices, members,
coupons, config, device keys, stock) is one row of `changes`, written in the transaction of
the change itself, in commit order.

A transaction's changes are staged as it runs and written as its last statements, under the
feed's locks (Tx.lock_changes): the cursors a till sees must follow commit order, so a lock is
held from the first cursor taken to the commit, and taking it last keeps that stretch to one
insert and the commit instead of the rest of a push's work too."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from .common import _dump, _now_iso
from .db import Tx


class Publish(Protocol):
    def __call__(
        self,
        tx: Tx,
        kind: str,
        op: str,
        key: str,
        data: Mapping[str, Any],
        store_id: str | None = None,
    ) -> None: ...


class ChangeLog:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now

    def publish(
        self,
        tx: Tx,
        kind: str,
        op: str,
        key: str,
        data: Mapping[str, Any],
        store_id: str | None = None,
    ) -> None:
        """One change for the tills (`store_id` None: every store)."""
        tx.stage_changes([(kind, op, key, _dump(data), store_id, _now_iso(self.now()))])

    def publish_many(
        self, tx: Tx, kind: str, op: str, items: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> None:
        """Many changes of one kind for every store, in one statement batch (a tier recompute
        moves thousands of members at once)."""
        if not items:
            return
        at = _now_iso(self.now())
        tx.stage_changes([(kind, op, key, _dump(data), None, at) for key, data in items])

    def publish_select(self, tx: Tx, kind: str, op: str, select_sql: str) -> None:
        """Changes of one kind for every store from a query of (key, data as JSON text), run
        now (its rows are what the query reads at this point of the transaction)."""
        # the ones staged before go first (the feed keeps their order), and the chain's lock
        # is taken at once: a later upgrade from a store's could wait on another's forever
        tx.write_changes(chain_wide=True)
        tx.execute(
            "INSERT INTO changes(kind, op, key, data, store_id, at) "
            f"SELECT ?, ?, q.k, q.d, NULL, ? FROM ({select_sql}) AS q(k, d)",
            (kind, op, _now_iso(self.now())),
        )
