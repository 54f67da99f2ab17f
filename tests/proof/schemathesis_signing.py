"""A schemathesis hook (SCHEMATHESIS_HOOKS=schemathesis_signing): every generated request is
signed as an enrolled till signs it (specs/sync-protocol.md, sync/signing.py), over the bytes
and URL that are actually sent, so the checks reach the handlers behind the signature.

The enrolled test key comes from the test that starts the run (GUITAI_ST_KEY, hex of the raw
private key, and GUITAI_ST_DEVICE, its device id)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.signing import RequestSigner


class SignAsTill(requests.auth.AuthBase):
    def __init__(self) -> None:
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(os.environ["GUITAI_ST_KEY"]))
        self.signer = RequestSigner(key, os.environ["GUITAI_ST_DEVICE"])

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        signed = self.signer.headers(str(r.method), str(r.url), body, datetime.now(UTC))
        r.headers.update(signed)
        return r


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    kwargs["auth"] = SignAsTill()
