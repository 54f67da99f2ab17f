"""A till's call made once per Idempotency-Key (stored value, top-ups): the first request's
answer is kept with a hash of the request, so a retry gets that same answer and the same key
on a different request is refused (422) rather than booked twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .common import ApiError, _dump
from .db import Tx

Answer = tuple[int, dict[str, Any]]


def once(
    tx: Tx, device_id: str, key: str, request_hash: str, at: str, book: Callable[[], Answer]
) -> Answer:
    """book()'s answer for the first request with this key, in the caller's transaction; a
    repeat's stored answer without booking."""
    claimed = tx.execute(
        "INSERT INTO idempotency(device_id, key, request_hash, status, response, at) "
        "VALUES (?, ?, ?, 0, '', ?) ON CONFLICT DO NOTHING",
        (device_id, key, request_hash, at),
    ).rowcount
    if claimed == 0:
        row = tx.execute(
            "SELECT request_hash, status, response FROM idempotency "
            "WHERE device_id = ? AND key = ?",
            (device_id, key),
        ).fetchone()
        if row[0] != request_hash:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request",
            )
        return int(row[1]), json.loads(row[2])
    status, resp = book()
    tx.execute(
        "UPDATE idempotency SET status = ?, response = ? WHERE device_id = ? AND key = ?",
        (status, _dump(resp), device_id, key),
    )
    return status, resp
