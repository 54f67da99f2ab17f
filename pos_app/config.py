"""Settings, read once into a frozen dataclass.  The data folder is `--home DIR`, else
GUITAI_HOME, else the platform's user data folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


def resolve_home(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("GUITAI_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir("guitai", appauthor=False))


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def database(self) -> Path:
        return self.home / "till.db"

    @property
    def private_key(self) -> Path:
        return self.home / "keys" / "till_ed25519.pem"

    @property
    def pepper(self) -> Path:
        return self.home / "keys" / "pin_pepper.bin"

    @property
    def receipts_dir(self) -> Path:
        return self.home / "receipts"

    @property
    def backups_dir(self) -> Path:
        return self.home / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"
