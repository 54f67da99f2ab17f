"""Request signing with HTTP Message Signatures (RFC 9421, ed25519) and RFC 9530 digests.

Both sides use the `http-message-signatures` library: the till signs `"@method"
"@target-uri" "content-digest"` with `created` and a random `nonce` (keyid = device id); the
cloud verifies with its own policy for age (300 s either way) and nonce replay, because the
library leaves replay detection to the caller and its `created` check allows no future skew
beyond its own default.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from .errors import KeyProblem

COVERED = ("@method", "@target-uri", "content-digest")
LABEL = "guitai"
MAX_SKEW_S = 300
# The keyid of an enrollment request, signed with the key it enrolls (proof of possession,
# specs/sync-protocol.md 1.1): the device has no id yet.
ENROLL_KEYID = "enroll"


def key_id_of(public_raw: bytes) -> bytes:
    """First 4 bytes of SHA-256 of the raw public key (specs/ereceipt-token-v1.md)."""
    return hashlib.sha256(public_raw).digest()[:4]


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The till's key: an unencrypted PKCS8 PEM written by `guitai init`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise KeyProblem(
            f"The till's private key {path} is missing: run `guitai init` first",
            f"找不到本机私钥 {path}：请先运行 guitai init",
        ) from err
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as err:
        raise KeyProblem(
            f"The till's private key {path} cannot be read ({err}); restore it from the backup",
            f"本机私钥 {path} 无法读取：请从备份恢复",
        ) from err
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(
            f"{path} is not an Ed25519 key; the till needs the key `guitai init` created",
            f"{path} 不是 Ed25519 私钥",
        )
    return key


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Unencrypted PKCS8 PEM, mode 0600 (what `guitai init` writes)."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


class TillKey:
    """The till's key as the domain's `Signer` port (pos_app.domain.ports.Signer)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self._public = public_raw(key)

    @classmethod
    def load(cls, path: Path) -> TillKey:
        return cls(load_private_key(path))

    @property
    def public_key_raw(self) -> bytes:
        return self._public

    @property
    def key_id(self) -> bytes:
        return key_id_of(self._public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


@dataclass
class _Message:
    """The minimal request shape the library's component resolver reads."""

    method: str
    url: str
    headers: MutableMapping[str, str] = field(default_factory=dict)


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(
        self, private: Ed25519PrivateKey | None = None, public: Ed25519PublicKey | None = None
    ) -> None:
        self._private = private
        self._public = public

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:
        assert self._private is not None
        return self._private

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey | None:
        return self._public


class RequestSigner:
    """Signs the till's requests; `created` comes from the caller (local clock + offset)."""

    def __init__(self, key: Ed25519PrivateKey, device_id: str) -> None:
        self.device_id = device_id
        self._signer = HTTPMessageSigner(
            signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(private=key)
        )

    def headers(
        self, method: str, url: str, body: bytes, created: datetime, nonce: str | None = None
    ) -> dict[str, str]:
        msg = _Message(method.upper(), url, {})
        self._signer.sign(
            msg,
            key_id=self.device_id,
            created=created,
            nonce=nonce or secrets.token_urlsafe(16),
            label=LABEL,
            covered_component_ids=COVERED,
            body=body,
        )
        return dict(msg.headers)


class _NoAgeCheck(HTTPMessageVerifier):
    # Age and replay are the cloud's policy (SignatureProblem codes), checked after the
    # signature itself, so the library's own created/expires check is switched off here.
    # Any: the library leaves this method's parameters unannotated (an http_sf structure).
    def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
        return None


@dataclass(frozen=True)
class SignatureProblem(Exception):
    code: str
    message: str


@dataclass(frozen=True)
class SignedRequest:
    key_id: str
    created: int
    nonce: str


def signature_key_id(headers: Mapping[str, str]) -> str:
    """The keyid the request claims, read before we know which key to verify with."""
    import http_sf

    raw = headers.get("signature-input")
    if not raw:
        raise SignatureProblem(
            "missing_signature", "The request is not signed (no Signature-Input)"
        )
    try:
        # Any: http_sf ships no types; a parsed dictionary maps labels to (value, params).
        parsed: Any = http_sf.parse(raw.encode(), tltype="dictionary")
        member = parsed.get(LABEL) or next(iter(parsed.values()))
        keyid = member[1].get("keyid")
    except Exception as err:  # malformed structured field: any parser error means the same
        raise SignatureProblem("bad_signature", f"Signature-Input is malformed: {err}") from err
    if not isinstance(keyid, str) or not keyid:
        raise SignatureProblem("bad_signature", "Signature-Input has no keyid")
    return keyid


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key: Ed25519PublicKey,
    now_s: float,
) -> SignedRequest:
    """Check signature, digest and age; the caller checks the nonce for replay."""
    msg = _Message(method.upper(), url, {k.lower(): v for k, v in headers.items()})
    verifier = _NoAgeCheck(
        signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(public=public_key)
    )
    try:
        results = verifier.verify(msg, max_age=None, require_components=COVERED)
    except (HTTPMessageSignaturesException, CryptoInvalidSignature, ValueError) as err:
        raise SignatureProblem("bad_signature", f"The signature does not verify: {err}") from err
    result = results[0]
    try:
        verifier.verify_body(msg, results, body)
    except (HTTPMessageSignaturesException, ValueError) as err:
        raise SignatureProblem(
            "digest_mismatch", f"The body does not match its Content-Digest: {err}"
        ) from err
    created = result.parameters.get("created")
    if not isinstance(created, int):
        raise SignatureProblem("bad_signature", "The signature has no `created` time")
    if abs(now_s - created) > MAX_SKEW_S:
        raise SignatureProblem(
            "stale_signature",
            f"The signature was created {int(now_s - created)} s from the cloud's clock "
            f"(allowed ±{MAX_SKEW_S} s); the till corrects its clock offset from `Date`",
        )
    nonce = result.nonce
    if not nonce:
        raise SignatureProblem("bad_signature", "The signature has no `nonce`")
    return SignedRequest(key_id=str(result.parameters["keyid"]), created=created, nonce=nonce)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)
