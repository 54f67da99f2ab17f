"""A test-only apsw VFS that simulates a power cut: every write reaches the file (so the
process sees it) but only `xSync` copies the pending writes into `<file>.durable`, the image a
disk with a volatile cache would hold after losing power.  After the writer is SIGKILLed,
`cut_power(db)` swaps the real files for their durable images.

After the recipe in shared/reference/scripts/lossy_vfs.py (verified there: with
synchronous=NORMAL acknowledged commits are lost, with FULL none are).  Limits: file creation,
deletion and directory syncs count as durable; no torn or garbage sectors.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import apsw


class LossyFile(apsw.VFSFile):
    def __init__(self, inherit: str, filename: Any, flags: list[int]) -> None:
        super().__init__(inherit, filename, flags)
        self.path = filename.filename() if hasattr(filename, "filename") else str(filename)
        self.shadow = self.path + ".durable"
        if not os.path.exists(self.shadow):
            if os.path.exists(self.path):
                shutil.copyfile(self.path, self.shadow)
            else:
                open(self.shadow, "wb").close()
        self.pending: list[tuple[str, int, bytes | None]] = []

    def xWrite(self, data: bytes, offset: int) -> None:
        super().xWrite(data, offset)
        self.pending.append(("w", offset, bytes(data)))

    def xTruncate(self, size: int) -> None:
        super().xTruncate(size)
        self.pending.append(("t", size, None))

    def xSync(self, flags: int) -> None:
        super().xSync(flags)
        with open(self.shadow, "r+b") as f:
            for kind, a, b in self.pending:
                if kind == "w" and b is not None:
                    f.seek(a)
                    f.write(b)
                else:
                    f.truncate(a)
            f.flush()
            os.fsync(f.fileno())
        self.pending.clear()


class LossyVFS(apsw.VFS):
    def __init__(self, name: str = "lossy", base: str = "") -> None:
        super().__init__(name, base)

    def xOpen(self, name: Any, flags: list[int]) -> LossyFile:
        return LossyFile("", name, flags)

    def xDelete(self, name: str, syncdir: bool) -> None:
        super().xDelete(name, syncdir)
        if os.path.exists(name + ".durable"):
            os.remove(name + ".durable")


def cut_power(db: Path) -> None:
    """Replace the database and its WAL by what a power cut would have left on disk."""
    for suffix in ("", "-wal", "-journal"):
        real = Path(f"{db}{suffix}")
        shadow = Path(f"{real}.durable")
        if shadow.exists():
            os.replace(shadow, real)
        elif suffix and real.exists():
            real.unlink()  # never synced: the disk never had it
    Path(f"{db}-shm").unlink(missing_ok=True)  # shared memory does not survive a power cut
