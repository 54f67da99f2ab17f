"""What every /v1/ request passes before its handler: the body read with a size limit, and
the till's signature (sync/signing.py, specs/sync-protocol.md) checked over those bytes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Security
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from sync.signing import (
    SignatureProblem,
    public_key_from_raw,
    signature_key_id,
    unb64,
    verify_request,
)

from .api_docs import signature_header
from .common import _now_iso
from .db import Tx
from .key_checks import KeyVerdict, key_problem
from .service import ApiError, CloudService

MAX_BODY = (1 << 20) + 64 * 1024  # a 1 MiB batch plus its envelope


def signed_target_uri(request: Request) -> str:
    """`@target-uri` as the till signed it: the path exactly as on the request line.

    Starlette's `request.url` rebuilds the path from the decoded one (`%20` → space, CJK as
    text, `%2F` → `/`), which is not the URI the till signed, so a style named with a space,
    CJK or a slash did not verify.  uvicorn keeps the bytes as sent in `raw_path`."""
    raw = request.scope.get("raw_path")
    if not raw:
        return str(request.url)
    return str(request.url.replace(path=raw.decode("latin-1")))


async def read_body(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(
                413,
                "batch_too_large",
                "A request body is at most 1 MiB: send fewer events per batch",
            )
    return bytes(body)


@dataclass(frozen=True)
class SignedRequest:
    """A request as the till signed it, not yet checked: what `Gate.check` verifies."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


async def signed_request(request: Request) -> SignedRequest:
    """The request's signed parts, its body read with the size limit (413 before anything)."""
    body = await read_body(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    return SignedRequest(request.method, signed_target_uri(request), headers, body)


@dataclass(frozen=True)
class SignedBody:
    """A request an enrolled, unrevoked till signed: which one, and the bytes it signed."""

    device_id: str
    body: bytes


class Gate:
    """The signature check of one cloud: `await gate.device(request)` is the till that signed
    the request (else ApiError 401), with the body it signed."""

    def __init__(self, service: CloudService) -> None:
        self.service = service

    async def device(self, request: Request) -> SignedBody:
        signed = await signed_request(request)
        return SignedBody(await run_in_threadpool(self._authenticate, signed), signed.body)

    def _authenticate(self, req: SignedRequest) -> str:
        """The device that signed, checked in a transaction of its own (a refusal raises
        inside it, so it writes nothing)."""
        with self.service.db.tx() as tx:
            if tx.dialect == "postgres":
                # The nonce's commit does not wait for its own WAL flush (one fewer fsync a
                # request): whatever the request then writes commits durably after it, and
                # that flush carries the nonce's earlier WAL with it, so a crash can lose only
                # the nonce of a request that wrote nothing (a pull), whose replay changes
                # nothing.  (A push remembers its nonce in its batch's own transaction:
                # cloud/push.py.)
                tx.execute("SET LOCAL synchronous_commit = off")
            return self.check(tx, req)

    def check(self, tx: Tx, req: SignedRequest) -> str:
        """The device that signed `req`, checked in `tx`: its key read, the signature
        verified (a fraction of a millisecond), the nonce remembered, so the nonce commits or
        rolls back with whatever else `tx` writes."""
        device_id = key_id(req)
        return self.verify(tx, req, device_id, self.service.device_key(tx, device_id))

    def verify(
        self,
        tx: Tx,
        req: SignedRequest,
        device_id: str,
        found: tuple[str, bool, KeyVerdict] | None,
    ) -> str:
        """`device_id` when its key `found` (public key base64, revoked, the key's recorded
        verdict; None: no such device) signed `req`, and the nonce remembered in `tx`.  A
        replayed nonce is refused by the nonce row's unique key: a copy racing in another
        transaction waits for that one's outcome."""
        if found is None:
            raise ApiError(
                401, "unknown_key", f"No device {device_id} is enrolled: enroll the till"
            )
        pub_b64, revoked, verdict = found
        if revoked:
            raise ApiError(401, "revoked_key", f"Device {device_id} was revoked: enroll it again")
        pub = unb64(pub_b64)
        at = _now_iso(self.service.now())
        if key_problem(tx, pub_b64, pub, verdict, at) is not None:
            # enrolled before keys were checked (protocol 1.0): signatures under it prove
            # nothing
            raise ApiError(
                401,
                "bad_public_key",
                f"Device {device_id} was enrolled with an unacceptable key: revoke it and "
                "enroll the till again with a new key",
            )
        try:
            signed = verify_request(
                req.method, req.target, req.headers, req.body, public_key_from_raw(pub), time.time()
            )
        except SignatureProblem as p:
            raise ApiError(401, p.code, p.message) from p
        if not self.service.remember_nonce(tx, device_id, signed.nonce, signed.created):
            raise ApiError(
                401,
                "replayed_nonce",
                "This signature's nonce was used before (a replayed request)",
            )
        return device_id


def key_id(req: SignedRequest) -> str:
    """The device a request says signed it (its signature's keyid), else ApiError 401."""
    try:
        return signature_key_id(req.headers)
    except SignatureProblem as p:
        raise ApiError(401, p.code, p.message) from p


async def signed_till(
    request: Request, _signature: Annotated[str | None, Security(signature_header)]
) -> SignedBody:
    """The dependency of every signed route.  FastAPI solves dependencies before it validates
    the route's own parameters, so a stranger meets the 401 before any 400 (the protocol's
    order: nothing about a request is answered to one who did not sign it)."""
    gate: Gate = request.app.state.gate
    return await gate.device(request)


Till = Annotated[SignedBody, Depends(signed_till)]


async def unchecked_till(
    request: Request, _signature: Annotated[str | None, Security(signature_header)]
) -> SignedRequest:
    """The dependency of a route that checks the signature in its own transaction
    (`Gate.check`: POST /v1/events, whose nonce commits with its batch)."""
    return await signed_request(request)


Unchecked = Annotated[SignedRequest, Depends(unchecked_till)]
