"""A serial barcode scanner and a serial drawer trigger box, each on a pseudo-terminal."""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from pathlib import Path

from .pty_link import PtyPair

SUFFIXES = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n", "NONE": b""}


class VirtualScanner:
    """The driver opens `.device`; `scan(code)` sends the code as the scanner would."""

    def __init__(
        self, *, suffix: str = "CR", link: str | Path | None = None, char_delay_s: float = 0.0
    ) -> None:
        if suffix.upper() not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}")
        self.suffix = SUFFIXES[suffix.upper()]
        self.char_delay_s = char_delay_s
        self.pair = PtyPair(link)

    @property
    def device(self) -> str:
        return self.pair.device

    def scan(self, code: str) -> None:
        self.send(code.encode("utf-8") + self.suffix)

    def send(self, raw: bytes) -> None:
        """Raw bytes: noise, truncated codes, anything a bad cable produces."""
        if self.char_delay_s:
            for b in raw:
                os.write(self.pair.master, bytes([b]))
                time.sleep(self.char_delay_s)
        else:
            os.write(self.pair.master, raw)

    def close(self) -> None:
        self.pair.close()

    def __enter__(self) -> VirtualScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
