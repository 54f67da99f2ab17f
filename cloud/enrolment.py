"""What the cloud checks of an enrollment request before it looks at the code
(specs/sync-protocol.md 1.1, "Proof of possession").

The key in the body must be an acceptable Ed25519 key (pos_app.domain.ed25519_keys), and the
request must be signed with it (keyid "enroll"): without that, anyone holding any code of a
store could enroll a small-order key and sign anything, or enroll another till's published key
and so revoke that till.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pos_app.domain.ed25519_keys import public_key_problem
from sync.signing import (
    ENROLL_KEYID,
    SignatureProblem,
    SignedRequest,
    public_key_from_raw,
    unb64,
    verify_request,
)

from .common import ApiError, load_json


@dataclass(frozen=True)
class EnrollRequest:
    """The HTTP request as it arrived: the signature covers method, URL and body."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    received_s: float  # Unix time by the clock the cloud's `Date` header tells the tills

    @property
    def signed(self) -> bool:
        return any(k.lower() == "signature-input" for k in self.headers)


def checked_public_key(value: Any) -> bytes:
    """The raw key of a base64 `public_key`, or 400 `bad_public_key` with the reason."""
    if not isinstance(value, str):
        raise ApiError(400, "bad_public_key", "public_key must be a base64 string")
    try:
        raw = unb64(value)
    except ValueError as err:
        raise ApiError(400, "bad_public_key", "public_key is not base64") from err
    problem = public_key_problem(raw)
    if problem is not None:
        raise ApiError(
            400,
            "bad_public_key",
            f"public_key is not an acceptable Ed25519 key: {problem}; "
            "let the till generate its key (`guitai init`)",
        )
    return raw


def read_enrollment(req: EnrollRequest) -> tuple[dict[str, Any], bytes]:
    """The body's fields and the raw public key it enrolls (400 when malformed)."""
    data = load_json(req.body, "bad_json", "{code, public_key, device}")
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "Send a JSON object {code, public_key, device}")
    device = data.get("device") or {}
    if not isinstance(data.get("code"), str) or not isinstance(device, dict):
        raise ApiError(400, "bad_request", "Send {code, public_key, device}")
    return data, checked_public_key(data.get("public_key"))


def verify_possession(req: EnrollRequest, public_key: bytes) -> SignedRequest:
    """The request's signature made with the private key of `public_key` (else 401)."""
    headers = {k.lower(): v for k, v in req.headers.items()}
    try:
        signed = verify_request(
            req.method, req.url, headers, req.body, public_key_from_raw(public_key), req.received_s
        )
    except SignatureProblem as p:
        code = "bad_signature" if p.code == "missing_signature" else p.code
        raise ApiError(
            401,
            code,
            f"{p.message}. An enrollment request is signed with the key it enrolls "
            f'(keyid "{ENROLL_KEYID}"): update the till software',
        ) from p
    if signed.key_id != ENROLL_KEYID:
        raise ApiError(
            401,
            "bad_signature",
            f'An enrollment request is signed with keyid "{ENROLL_KEYID}", not {signed.key_id!r}',
        )
    return signed
