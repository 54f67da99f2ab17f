"""The database connection settings of `guitai cloud serve` (flags and their environment
variables), apart from cloud.db so the CLI can show its defaults without loading storage."""

from __future__ import annotations

import os

# A statement that runs this long is a stuck lock or a runaway query, not work: cancelling it
# answers the till a 5xx it retries, instead of holding a pooled connection (and the device's
# row lock) for ever.  The slowest legitimate statement (a 500-event batch insert) takes well
# under a second on the measured box.
DEFAULT_STATEMENT_TIMEOUT_MS = 15_000
DEFAULT_POOL_SIZE = 8
# How long a request waits for a pooled connection before it fails (503-like 500, retried).
POOL_WAIT_S = 30.0


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment (the serve flags' envvars), else `default`."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() else default
