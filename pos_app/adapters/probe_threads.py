"""The status bar's checks run on threads: a device check may wait on a network or a printer's
status answer (up to seconds), and the bar asks every few seconds and must never wait for it.

`CachedProbe` implements the `BackgroundProbe` port of pos_app/services/device_status.py; the
board, the states and the messages stay in the service.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from pos_app.services.device_status import DeviceStatus, Probe, checking, probe_failed


class CachedProbe:
    """A probe that answers at once from its last result and refreshes in the background.

    The first answer is "checking"; a refresh runs on its own short-lived thread, one at a time.
    """

    def __init__(self, kind: str, probe: Probe, ttl_s: float = 5.0) -> None:
        self.kind = kind
        self._probe = probe
        self.ttl_s = ttl_s
        self._last: DeviceStatus | None = None
        # None until the first check ends.  Not 0.0: time.monotonic() counts from boot, so on a
        # machine up for less than ttl_s a 0.0 looked fresh and no check ever started.
        self._at: float | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        try:
            result = self._probe()
        except Exception as err:  # reported like DeviceStatusBoard does, never raised
            result = probe_failed(self.kind, err)
        with self._lock:
            self._last, self._at = result, time.monotonic()

    def __call__(self) -> DeviceStatus:
        with self._lock:
            last = self._last
            fresh = self._at is not None and time.monotonic() - self._at < self.ttl_s
            running = self._thread is not None and self._thread.is_alive()
            if not fresh and not running:
                self._thread = threading.Thread(
                    target=self._refresh, name=f"probe-{self.kind}", daemon=True
                )
                self._thread.start()
        if last is None:
            return checking(self.kind)
        if not fresh:
            return replace(last)
        return last

    def refresh_now(self, timeout: float = 5.0) -> DeviceStatus:
        """Check at once and wait (tests, and the details dialog)."""
        self.join(timeout)
        self._refresh()
        return self()

    def join(self, timeout: float = 5.0) -> None:
        t = self._thread
        if t is not None:
            t.join(timeout)
