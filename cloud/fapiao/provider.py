"""The invoicing provider port (a 数电发票 service platform the brand contracts with) and its
HTTP client.  `guitai emulate fapiao` (cloud/emulators/fapiao.py) speaks the same API:

- `POST /v1/invoices` `{"request_id", "kind", "title", "tax_id", "email", "phone",
  "store_id", "total_fen", "lines": [{"rate_bp", "gross_fen", "vat_fen"}]}` →
  `{"status": "issued", "number", "pdf_url"}` or `{"status": "failed", "reason"}`;
  idempotent on request_id (a retry after a lost answer gets the same invoice, never a second);
- `POST /v1/invoices/{number}/red` `{"request_id", "total_fen", "lines"}` (negative amounts):
  the red-letter invoice (红冲) of a refund, answered the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Outcome:
    """The provider's answer: issued (number and PDF link) or failed (why)."""

    issued: bool
    number: str = ""
    pdf_url: str = ""
    reason: str = ""


class ProviderUnreachable(Exception):
    """No answer (network, timeout, 5xx): the request stays 申请中 and is sent again later."""


class FapiaoProvider(Protocol):
    def issue(self, request: dict[str, Any]) -> Outcome: ...

    def reverse(self, number: str, request: dict[str, Any]) -> Outcome: ...


class HttpFapiaoProvider:
    def __init__(self, base_url: str, timeout_s: float = TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s

    def _post(self, path: str, body: dict[str, Any]) -> Outcome:
        try:
            resp = httpx.post(self.base_url + path, json=body, timeout=self.timeout_s)
        except httpx.HTTPError as err:
            raise ProviderUnreachable(f"{type(err).__name__}: {err}") from err
        if resp.status_code >= 500:
            raise ProviderUnreachable(f"HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError as err:
            raise ProviderUnreachable(f"HTTP {resp.status_code}, not JSON") from err
        if not isinstance(data, dict):
            raise ProviderUnreachable(f"HTTP {resp.status_code}, not a JSON object")
        if resp.status_code == 200 and data.get("status") == "issued":
            return Outcome(True, str(data.get("number", "")), str(data.get("pdf_url", "")))
        reason = data.get("reason") or (data.get("error") or {}).get("message")
        return Outcome(False, reason=str(reason or f"HTTP {resp.status_code}")[:300])

    def issue(self, request: dict[str, Any]) -> Outcome:
        return self._post("/v1/invoices", request)

    def reverse(self, number: str, request: dict[str, Any]) -> Outcome:
        return self._post(f"/v1/invoices/{quote(number, safe='')}/red", request)
