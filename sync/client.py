"""The till's HTTP client for the cloud: signed requests, error classification, clock offset.

Every answer's `Date` header updates the clock offset (server minus local, measured at the
midpoint of the request), so a till with a wrong clock still signs with a `created` the cloud
accepts.  Transport errors, 408, 429 and 5xx raise TransportError (retry with backoff); any
other 4xx raises CloudRejected (never retried without a change).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.domain.ports import Change, Clock, OutboxEvent, Rejection, SystemClock

from .errors import CloudNotReached, CloudRejected, TransportError
from .signing import ENROLL_KEYID, RequestSigner, b64, public_raw

RETRYABLE_STATUS = frozenset({408, 429})


@dataclass(frozen=True)
class PushResult:
    accepted: list[str]
    duplicates: list[str]
    rejected: list[Rejection]
    contiguous_seq: int | None = None


@dataclass(frozen=True)
class ChangesPage:
    changes: list[Change]
    next_cursor: str
    more: bool


def encode_batch(events: Sequence[OutboxEvent]) -> bytes:
    return json.dumps(
        {"events": [e.wire() for e in events]}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def enrollment_body(key: Ed25519PrivateKey, code: str, device: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {"code": code, "public_key": b64(public_raw(key)), "device": dict(device)}
    ).encode()


class CloudClient:
    """One till's connection to the cloud.  Thread-safe enough for one relay thread."""

    def __init__(
        self,
        base_url: str,
        *,
        key: Ed25519PrivateKey | None = None,
        device_id: str | None = None,
        clock: Clock | None = None,
        timeout_s: float = 10.0,
        clock_offset_s: float = 0.0,
        on_offset: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._signer = RequestSigner(key, device_id) if key is not None and device_id else None
        self._key = key
        self.clock: Clock = clock or SystemClock()
        self.clock_offset_s = clock_offset_s
        self._on_offset = on_offset
        self._http = httpx.Client(
            timeout=timeout_s, transport=transport, headers={"User-Agent": "guitai-till"}
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CloudClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing -------------------------------------------------------------------------

    def server_now(self) -> datetime:
        return self.clock.now() + timedelta(seconds=self.clock_offset_s)

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        signer: RequestSigner | None = None,
    ) -> httpx.Response:
        url = self.base_url + path
        hdrs = {"Content-Type": "application/json"} if body else {}
        if headers:
            hdrs.update(headers)
        signer = signer or self._signer
        if signer is None:
            raise RuntimeError("CloudClient needs a key and device id for signed calls")
        hdrs.update(signer.headers(method, url, body, self.server_now()))
        sent_at = self.clock.now()
        try:
            resp = self._http.request(method, url, content=body, headers=hdrs)
        except httpx.TimeoutException as err:
            raise CloudNotReached(
                f"The cloud at {self.base_url} did not answer in time ({type(err).__name__})",
                f"云端 {self.base_url} 响应超时",
            ) from err
        except httpx.HTTPError as err:
            raise CloudNotReached(
                f"Cannot reach the cloud at {self.base_url}: {err}. Check the network; "
                "sales are kept and sent later",
                f"无法连接云端 {self.base_url}：请检查网络；销售数据已保存，稍后自动上传",
            ) from err
        self._note_date(resp, sent_at)
        if resp.status_code >= 500 or resp.status_code in RETRYABLE_STATUS:
            raise TransportError(
                f"The cloud answered {resp.status_code} ({_error_code(resp)}); will retry",
                f"云端暂时不可用（{resp.status_code}），稍后重试",
            )
        if resp.status_code >= 400:
            code = _error_code(resp)
            msg = _error_message(resp)
            raise CloudRejected(
                resp.status_code,
                code,
                f"The cloud refused the request ({resp.status_code} {code}): {msg}",
                f"云端拒绝请求（{resp.status_code} {code}）：{msg}",
                answer=msg,
                answer_zh=_error_message_zh(resp),
            )
        return resp

    def _note_date(self, resp: httpx.Response, sent_at: datetime) -> None:
        raw = resp.headers.get("date")
        if not raw:
            return
        try:
            server = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return
        if server.tzinfo is None:
            server = server.replace(tzinfo=UTC)
        received_at = self.clock.now()
        midpoint = sent_at + (received_at - sent_at) / 2
        offset = (server - midpoint).total_seconds()
        # `Date` has one-second resolution: keep the old estimate while it is within it.
        if abs(offset - self.clock_offset_s) > 1.0:
            self.clock_offset_s = round(offset, 3)
            if self._on_offset is not None:
                self._on_offset(self.clock_offset_s)

    def _json(self, resp: httpx.Response) -> Any:
        try:
            return resp.json()
        except ValueError as err:
            raise TransportError(
                f"The cloud's answer was not JSON (cut off?): {err}", "云端响应不完整，稍后重试"
            ) from err

    # ---- calls ----------------------------------------------------------------------------

    def enroll(self, code: str, device: Mapping[str, Any]) -> dict[str, Any]:
        """Enroll this till's key, signing the request with it (proof of possession)."""
        assert self._key is not None
        body = enrollment_body(self._key, code, device)
        signer = RequestSigner(self._key, ENROLL_KEYID)
        try:
            resp = self._request("POST", "/v1/devices/enroll", body=body, signer=signer)
        except CloudRejected as err:
            if err.error_code != "stale_signature":
                raise
            # A new till's clock may be off by more than the cloud allows; the refusal's
            # `Date` has corrected the offset (the code is checked after the signature, so
            # it is still unused): sign again once.
            resp = self._request("POST", "/v1/devices/enroll", body=body, signer=signer)
        data: dict[str, Any] = self._json(resp)
        return data

    def push(self, events: Sequence[OutboxEvent], body: bytes | None = None) -> PushResult:
        resp = self._request("POST", "/v1/events", body=body or encode_batch(events))
        data = self._json(resp)
        try:
            return PushResult(
                accepted=list(data["accepted"]),
                duplicates=list(data["duplicates"]),
                rejected=[Rejection(r["id"], r["code"], r["reason"]) for r in data["rejected"]],
                contiguous_seq=data.get("contiguous_seq"),
            )
        except (KeyError, TypeError) as err:
            raise TransportError(
                f"The cloud's push answer is malformed: {err}", "云端响应格式错误"
            ) from err

    def changes(self, since: str | None, limit: int = 500) -> ChangesPage:
        query = urlencode({"since": since or "0", "limit": limit})
        data = self._json(self._request("GET", f"/v1/changes?{query}"))
        return ChangesPage(
            changes=[
                Change(c["kind"], c["op"], str(c["key"]), c.get("data") or {})
                for c in data["changes"]
            ],
            next_cursor=str(data["next_cursor"]),
            more=bool(data["more"]),
        )

    def member_by_phone(self, phone: str) -> dict[str, Any] | None:
        try:
            resp = self._request("GET", "/v1/members?" + urlencode({"phone": phone}))
        except CloudRejected as err:
            if err.status == 404:
                return None
            raise
        data: dict[str, Any] = self._json(resp)
        return data

    def stored_value(
        self,
        direction: str,
        member_id: str,
        amount_fen: int,
        idempotency_key: str,
        reference: str = "",
    ) -> dict[str, Any]:
        if direction not in ("debits", "credits"):
            raise ValueError("direction is 'debits' or 'credits'")
        body = json.dumps(
            {"member_id": member_id, "amount_fen": amount_fen, "reference": reference}
        ).encode()
        resp = self._request(
            "POST",
            f"/v1/stored-value/{direction}",
            body=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        data: dict[str, Any] = self._json(resp)
        return data

    def stock(self, style: str) -> dict[str, Any]:
        """The chain's stores' quantities of a style, nearest first (GET /v1/stock/{style})."""
        data: dict[str, Any] = self._json(
            self._request("GET", f"/v1/stock/{quote(style, safe='')}")
        )
        return data

    def receipt(self, token: str) -> dict[str, Any]:
        data: dict[str, Any] = self._json(self._request("GET", f"/v1/receipts/{token}"))
        return data

    def reserve_return(
        self, refund_id: str, sale_id: str, lines: Sequence[tuple[int, int]]
    ) -> dict[str, Any]:
        """Hold a return's quantities of a sale before money moves (issue 20)."""
        body = json.dumps(
            {
                "refund_id": refund_id,
                "sale_id": sale_id,
                "lines": [{"line_no": n, "qty": q} for n, q in lines],
            }
        ).encode()
        data: dict[str, Any] = self._json(
            self._request("POST", "/v1/returns/reservations", body=body)
        )
        return data

    def no_receipt_count(self, phone_key: str, since: str) -> dict[str, Any]:
        """A member's returns without a receipt at every store since then (issue 20)."""
        query = urlencode({"phone_key": phone_key, "since": since})
        data: dict[str, Any] = self._json(
            self._request("GET", f"/v1/returns/no-receipt-count?{query}")
        )
        return data

    def release_return(self, refund_id: str) -> dict[str, Any]:
        body = json.dumps({"refund_id": refund_id}).encode()
        data: dict[str, Any] = self._json(self._request("POST", "/v1/returns/releases", body=body))
        return data


def _error_code(resp: httpx.Response) -> str:
    try:
        return str(resp.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return f"http_{resp.status_code}"


def _error_message_zh(resp: httpx.Response) -> str | None:
    try:
        zh = resp.json()["error"].get("message_zh")
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return str(zh) if zh else None


def _error_message(resp: httpx.Response) -> str:
    try:
        return str(resp.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return resp.text[:200]
