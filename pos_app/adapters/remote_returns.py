"""The cloud's side of a return at another store (issue 20): the sale behind a scanned
e-receipt (`GET /v1/receipts/{token}`), and the reservation of its quantities before money
moves (`POST /v1/returns/reservations`, `/v1/returns/releases`), and a member's returns
without a receipt across the chain (`GET /v1/returns/no-receipt-count`).  Each call opens a
short signed client of its own, as the stock lookup does (sync_link.remote_stock).

The transport's failures become the port's three (pos_app.domain.errors): out of reach
(`CloudUnreachable`, the only one after which the till may act offline), the cloud's own
error (`CloudFailed`: try again) and its refusal (`CloudRefused`, in its own words)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pos_app.config import Paths
from pos_app.domain.errors import CloudFailed, CloudRefused, CloudUnreachable
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
        from sync.errors import CloudNotReached, CloudRejected, NotEnrolled, TransportError

        timeout = float(self._setting("return_lookup_timeout_s") or 5.0)
        try:
            parts = build_relay(self.paths, self.conn, clock=self.clock, timeout_s=timeout)
        except NotEnrolled as err:  # no cloud to ask: as far as a return goes, out of reach
            raise CloudUnreachable(err.message, err.message_zh) from err
        try:
            return fn(parts.client)
        except CloudNotReached as err:
            raise CloudUnreachable(err.message, err.message_zh) from err
        except TransportError as err:  # an answer: 5xx, 408/429, cut off
            raise CloudFailed(
                f"The cloud had an error ({err.message}): try again in a moment",
                f"云端出错（{err.message_zh}）：请稍后重试",
            ) from err
        except CloudRejected as err:
            raise CloudRefused(
                err.status,
                err.error_code,
                f"The cloud refused ({err.status} {err.error_code}): {err.answer}",
                f"云端拒绝（{err.status} {err.error_code}）：{err.answer_zh or err.answer}",
            ) from err
        finally:
            parts.close()

    def sale_by_token(self, token: str) -> dict[str, Any]:
        return self._call(lambda c: c.receipt(token))

    def reserve(self, refund_id: str, sale_id: str, lines: Sequence[tuple[int, int]]) -> None:
        self._call(lambda c: c.reserve_return(refund_id, sale_id, lines))

    def release(self, refund_id: str) -> None:
        self._call(lambda c: c.release_return(refund_id))

    def no_receipt_refunds(self, phone_key: str, since: str) -> list[str]:
        found = self._call(lambda c: c.no_receipt_count(phone_key, since))
        return [str(r) for r in found.get("refund_ids") or []]
