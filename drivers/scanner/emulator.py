"""A serial barcode scanner on a pseudo-terminal: sends codes with the suffix it is set to."""

from __future__ import annotations

import os
import time
from pathlib import Path

from drivers.common.pty_link import PtyPair

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
