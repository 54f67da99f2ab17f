"""The cloud's side of a return at another store (issue 20): the sale behind a scanned
e-receipt (`GET /v1/receipts/{token}`), and the reservation of its quantities before money
moves (`POST /v1/returns/reservations`, `/v1/returns/releases`).  Each call opens a short
signed client of its own, as the stock lookup does (sync_link.remote_stock)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pos_app.config import Paths
from pos_app.domain.ports import Clock

from .sync_link import build_relay

T = TypeVar("T")


class CloudReturns:
    def __init__(
        self,
        paths: Paths,
        conn: sqlite3.Connection,
        clock: Clock,
        setting: Callable[[str], str | None],
    ) -> None:
        self.paths = paths
        self.conn = conn
        self.clock = clock
        self._setting = setting

    def _call(self, fn: Callable[[Any], T]) -> T:
        # A customer waits at the counter: a short timeout, then the return is refused with
        # the reason (the cashier can try again when the link is back).
        timeout = float(self._setting("return_lookup_timeout_s") or 5.0)
        parts = build_relay(self.paths, self.conn, clock=self.clock, timeout_s=timeout)
        try:
            return fn(parts.client)
        finally:
            parts.close()

    def sale_by_token(self, token: str) -> dict[str, Any]:
        return self._call(lambda c: c.receipt(token))

    def reserve(self, refund_id: str, sale_id: str, lines: Sequence[tuple[int, int]]) -> None:
        self._call(lambda c: c.reserve_return(refund_id, sale_id, lines))

    def release(self, refund_id: str) -> None:
        self._call(lambda c: c.release_return(refund_id))
