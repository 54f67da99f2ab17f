"""A serial drawer trigger box on a pseudo-terminal: opens on any byte it receives."""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from pathlib import Path

from drivers.common.pty_link import PtyPair


class VirtualTriggerDrawer:
    """Opens on any byte received, like a Tysso/DT-100 trigger box."""

    def __init__(self, *, link: str | Path | None = None) -> None:
        self.pair = PtyPair(link)
        self.opens: list[float] = []
        self.received = bytearray()
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="emu-drawer", daemon=True)
        self._thread.start()

    @property
    def device(self) -> str:
        return self.pair.device

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.pair.master], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(self.pair.master, 256)
            except OSError:
                return
            if data:
                with self._cond:
                    self.received += data
                    self.opens.append(time.time())
                    self._cond.notify_all()

    def wait_opens(self, count: int, timeout: float = 3.0) -> int:
        end = time.monotonic() + timeout
        with self._cond:
            while len(self.opens) < count and time.monotonic() < end:
                self._cond.wait(max(0.0, end - time.monotonic()))
            return len(self.opens)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        with contextlib.suppress(Exception):
            self.pair.close()

    def __enter__(self) -> VirtualTriggerDrawer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
