"""Shared bits of the cloud service: its error type and small helpers."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


class ApiError(Exception):
    """An answer other than 2xx: HTTP status, snake_case code, human sentence."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def int64(text: str) -> int:
    """json.loads(parse_int=...): an integer SQLite can store, else ValueError (a 400).
    Without it a 20-digit number in a request reached SQLite as OverflowError: a 500."""
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"integer {text[:30]} is out of range")
    return value


def _now_iso(now: datetime) -> str:
    return now.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def code_hash(code: str) -> str:
    norm = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(norm.encode()).hexdigest()
