"""Files of the till's data readable by their owner only: the database holds member phones and
sales, so `till.db`, its WAL and SHM (SQLite gives them the database file's mode) and every
backup are 0600, backup folders 0700, whatever the umask of the process that made them."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def restrict(path: Path) -> None:
    """Take group and other access away from a file or folder this user owns (an existing
    till from an earlier version; a folder made by someone else is left to them)."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # Windows: the user's profile folder is private already
        return
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if st.st_mode & 0o077 and st.st_uid == geteuid():
        try:
            os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
        except OSError:
            # A file system without Unix modes (a FAT or exFAT USB stick as the second backup
            # location) refuses chmod; its mount options decide who reads it.
            pass


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist; else restrict it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        restrict(path)
    else:
        os.close(fd)


def private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    restrict(path)


def database_files(database: Path) -> list[Path]:
    return [database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm"))]
