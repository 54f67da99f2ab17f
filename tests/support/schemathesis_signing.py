"""A schemathesis hook module (SCHEMATHESIS_HOOKS=schemathesis_signing): requests are signed
as an enrolled till signs them (specs/sync-protocol.md, sync/signing.py).

Schemathesis sees an ordinary auth provider: it puts a marker in the `Signature` header
(the security scheme the document declares), and takes it out, or puts a made-up value
there, for the probes of its auth checks.  The signature itself covers the bytes and URL that
are actually sent, so it is made at the last moment (a requests auth on every call) and only
where the marker is: a probe without it goes out unsigned or with the made-up value.

The enrolled test key comes from the test that starts the run (GUITAI_ST_KEY, hex of the raw
private key, and GUITAI_ST_DEVICE, its device id)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.signing import RequestSigner

MARK = "sign-as-the-enrolled-till"


@schemathesis.auth()
class TillSignature:
    def get(self, case: Any, ctx: Any) -> str:
        return MARK

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Signature": data}


class SignAsTill(requests.auth.AuthBase):
    def __init__(self) -> None:
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(os.environ["GUITAI_ST_KEY"]))
        self.signer = RequestSigner(key, os.environ["GUITAI_ST_DEVICE"])

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if r.headers.get("Signature") != MARK:
            return r
        key = r.headers.get("Idempotency-Key")
        if key and len(key) <= 255:
            # A till makes one key per payment: a key drawn again for a different body is
            # the client's mistake the cloud refuses (422), not a finding.
            r.headers["Idempotency-Key"] = str(uuid.uuid4())
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        del r.headers["Signature"]
        r.headers.update(self.signer.headers(str(r.method), str(r.url), body, datetime.now(UTC)))
        return r


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    kwargs["auth"] = SignAsTill()
