"""The member service's online calls over the signed sync client (sync/client.py).

Transport failures (no network, timeouts, 5xx) become CloudUnavailable so the service can
apply its offline rules; refusals the customer must hear about become RuleViolation.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from pos_app.config import Paths
from pos_app.domain.errors import RuleViolation, StateError
from pos_app.domain.ports import Clock
from pos_app.services.members.common import CloudUnavailable

if TYPE_CHECKING:
    from sync.client import CloudClient

T = TypeVar("T")


class SyncMemberCloud:
    """A client is opened per call and closed after it: the till makes few online calls, and
    no connection is left open when the command or screen that asked is done."""

    def __init__(self, make_client: Callable[[], CloudClient]) -> None:
        self._make_client = make_client

    @classmethod
    def from_till(
        cls, paths: Paths, conn: sqlite3.Connection, clock: Clock, timeout_s: float = 5.0
    ) -> SyncMemberCloud | None:
        """None when the till is not enrolled with a cloud."""
        from sync.client import CloudClient
        from sync.signing import load_private_key

        rows = dict(
            conn.execute(
                "SELECT key, value FROM settings WHERE key IN ('cloud_url', 'device_id')"
            ).fetchall()
        )
        if not rows.get("cloud_url") or not rows.get("device_id"):
            return None
        key = load_private_key(paths.private_key)
        return cls(
            lambda: CloudClient(
                rows["cloud_url"],
                key=key,
                device_id=rows["device_id"],
                clock=clock,
                timeout_s=timeout_s,
            )
        )

    def _call(self, call: Callable[[CloudClient], T]) -> T:
        from sync.errors import CloudRejected, TransportError

        try:
            with self._make_client() as client:
                return call(client)
        except TransportError as err:
            raise CloudUnavailable(err.message, err.message_zh) from err
        except CloudRejected as err:
            if err.error_code == "unknown_member":  # enrolled at a till, not synced yet
                raise StateError(
                    "The cloud does not know this member yet (enrolled offline): run "
                    "`guitai sync run`, then try again",
                    "云端尚无该会员（离线登记）：请先运行 guitai sync run 同步，再重试",
                ) from err
            if err.error_code in ("insufficient_funds", "coupon_used", "unknown_coupon"):
                raise RuleViolation(
                    {
                        "insufficient_funds": "The stored-value balance is not enough",
                        "coupon_used": "This coupon was already used at another till",
                        "unknown_coupon": "The cloud does not know this coupon",
                    }[err.error_code],
                    {
                        "insufficient_funds": "储值余额不足",
                        "coupon_used": "该券已在其他收银台使用",
                        "unknown_coupon": "云端没有这张券",
                    }[err.error_code],
                ) from err
            raise

    # The answers are the cloud's JSON bodies (sync protocol), handed on as they came.
    def member_by_phone(self, phone: str) -> dict[str, Any] | None:
        return self._call(lambda c: c.member_by_phone(phone))

    def debit(self, member_id: str, amount_fen: int, key: str, reference: str) -> dict[str, Any]:
        return self._call(lambda c: c.stored_value("debits", member_id, amount_fen, key, reference))

    def credit(self, member_id: str, amount_fen: int, key: str, reference: str) -> dict[str, Any]:
        return self._call(
            lambda c: c.stored_value("credits", member_id, amount_fen, key, reference)
        )

    def redeem_coupon(self, code: str, member_id: str, sale_id: str, key: str) -> dict[str, Any]:
        body = json.dumps({"code": code, "member_id": member_id, "sale_id": sale_id}).encode()
        # sync/client.py has no coupon call yet; its signed request plumbing is reused as is
        resp = self._call(
            lambda c: c._request(
                "POST", "/v1/coupons/redemptions", body=body, headers={"Idempotency-Key": key}
            )
        )
        data: dict[str, Any] = resp.json()
        return data

    def chain_view(self, phone: str) -> dict[str, Any] | None:
        """GET /v1/members/chain-view (issue 21): the member across every store; None when
        the cloud does not know the phone (an enrollment not synced yet)."""
        from urllib.parse import urlencode

        from sync.errors import CloudRejected

        def get(c: CloudClient) -> dict[str, Any] | None:
            try:
                resp = c._request("GET", "/v1/members/chain-view?" + urlencode({"phone": phone}))
            except CloudRejected as err:
                if err.status == 404:
                    return None
                raise
            data: dict[str, Any] = resp.json()
            return data

        return self._call(get)

    def receipt(self, token: str) -> dict[str, Any]:
        return self._call(lambda c: c.receipt(token))

    # Top-ups (issue 23; cloud/topups/routes.py), idempotent by key like the debits.
    def topup(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        return self._post("/v1/stored-value/topups", body, key)

    def refund_topup(self, topup_id: str, amount_fen: int, key: str) -> dict[str, Any]:
        path = f"/v1/stored-value/topups/{topup_id}/refunds"
        return self._post(path, {"amount_fen": amount_fen}, key)

    def _post(self, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        raw = json.dumps(body).encode()
        resp = self._call(
            lambda c: c._request("POST", path, body=raw, headers={"Idempotency-Key": key})
        )
        data: dict[str, Any] = resp.json()
        return data

    def release_coupon(self, code: str, sale_id: str) -> dict[str, Any]:
        body = json.dumps({"code": code, "sale_id": sale_id}).encode()
        resp = self._call(lambda c: c._request("POST", "/v1/coupons/releases", body=body))
        data: dict[str, Any] = resp.json()
        return data
