"""POST /v1/events in one transaction: the signature checked, its nonce remembered and the
batch stored together, so a push costs one commit (one WAL flush) and one trip to the
thread pool.

The nonce row commits or rolls back with the batch.  A replay is refused by the nonce's
unique key: a copy of the request racing on another worker waits for the first one's
transaction and is refused once it commits.  A request whose ingest fails (a bad batch, a
database error) leaves no nonce behind: it wrote nothing, so the same signed request sent
again within the signature's window is checked afresh and stored once (the ingest is
idempotent by event id) rather than refused as a replay of something that never happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread
import orjson
from starlette.responses import JSONResponse

from .common import ApiError, load_json
from .gate import Gate, SignedRequest, key_id
from .ingest import lock_device
from .service import CloudService, check_batch
from .storage.settings import POOL_WAIT_S

MAX_EVENTS = 500


def batch_events(body: bytes) -> list[Any]:
    """The events of a push's body, or ApiError 400/413."""
    # Floats arrive as Decimal, which canonical JSON refuses: the ingest can hash without
    # walking every payload for floats first (see event_checks.check_hash).
    data = load_json(body, "bad_batch", '{"events": [...]}', decimal_floats=True)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise ApiError(400, "bad_batch", 'Send {"events": [...]}: events is not a list')
    if len(events) > MAX_EVENTS:
        raise ApiError(413, "batch_too_large", f"A batch is at most {MAX_EVENTS} events")
    check_batch(events)
    return events


class PushAnswer(JSONResponse):
    """The push's answer written by orjson: the same bytes as Starlette's `json.dumps(…,
    ensure_ascii=False, separators=(",", ":"))` for what an answer holds (strings, integers,
    lists and objects; every code point checked, tests/integration/cloud), at a fraction of the
    stdlib's cost per push.  Whatever orjson refuses (a lone surrogate, an int beyond 64 bits)
    goes to Starlette's own rendering, which answers as before."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except orjson.JSONEncodeError:
            return super().render(content)


def push(service: CloudService, gate: Gate, req: SignedRequest) -> dict[str, Any]:
    """The push's answer (blocking: run it in the thread pool).  The signature is checked
    before the body is read as a batch: one who did not sign meets the 401 first."""
    device_id = key_id(req)
    with service.db.tx() as tx:
        # The device's row is read once, locked, for the key and for the batch: the batch's
        # other copies and the join's claims wait for this push's commit (ingest.py).
        device = lock_device(tx, device_id)
        key = None if device is None else (device.public_key, device.revoked, device.key_verdict)
        gate.verify(tx, req, device_id, key)
        events = batch_events(req.body)
        answer, reversal = service.ingest_in(tx, device_id, events, True, device)
    if reversal:  # the 红冲 goes to the provider after the refund is committed
        service.fapiao.send_pending()
    return answer


class PushThreads:
    """Pushes run in worker threads, at most as many at once as the worker's database pool
    has connections (issue 18).  Starlette's thread pool lets 40 run: with 200 tills pushing,
    the pushes beyond the pool's size only waited for a connection inside a thread, and 40
    threads taking turns at one GIL cost the served worker CPU (thread wake-ups and GIL
    hand-offs; ~3-4% of a worker's CPU per event in the ingest bench, docs/cloud.md).  A push
    beyond the limit waits on the event loop instead, as cheaply as an unread request.

    The wait for a place is bounded like the pool's own wait (POOL_WAIT_S): after it the push
    goes to the thread pool as before and waits for a connection there, so an overloaded
    worker answers as it did.  Other routes keep Starlette's thread pool."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._limiter is None:  # made on the serving event loop, at its first push
            self._limiter = anyio.CapacityLimiter(self.size)
        limiter, acquired = self._limiter, False
        with anyio.move_on_after(POOL_WAIT_S):
            await limiter.acquire()
            acquired = True
        try:
            return await anyio.to_thread.run_sync(fn, *args)
        finally:
            if acquired:
                limiter.release()
