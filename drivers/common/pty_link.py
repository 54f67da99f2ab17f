"""Pseudo-terminal pairs standing in for serial cables (hardware-notes §3.3)."""

from __future__ import annotations

import contextlib
import os
import pty
import tty
from pathlib import Path


class PtyPair:
    """The emulator holds the master; the device path (slave) is what the driver opens.

    We keep our own slave fd open so the master never sees EIO/hang-up when the driver closes
    and reopens the port between jobs.  `link` makes a stable symlink (like socat's link=).
    """

    def __init__(self, link: str | Path | None = None) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)  # no echo, no CR/LF translation: bytes pass untouched
        self.path = os.ttyname(self.slave)
        self.link = Path(link) if link else None
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
            self.link.symlink_to(self.path)

    @property
    def device(self) -> str:
        return str(self.link) if self.link else self.path

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
