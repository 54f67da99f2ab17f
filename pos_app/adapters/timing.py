"""The machine's monotonic clock and sleep, behind the `Stopwatch` port (pos_app/domain/ports.py):
services measure time limits and wait without importing `time`."""

from __future__ import annotations

import time


class SystemStopwatch:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
