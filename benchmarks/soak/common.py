"""Helpers shared by the soak scenarios: a till folder, the child-process environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PIN = "7391"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env.setdefault("GUITAI_SCRYPT_N", "4096")
    env["GUITAI_PIN"] = PIN
    return env


def make_till(home: Path, skus: int = 60) -> Path:
    """A till with a small catalog, created through the real CLI."""
    os.environ.setdefault("GUITAI_SCRYPT_N", "4096")
    from pos_app.cli import main

    args = ["--home", str(home)]
    init = ["init", "--store-id", "S001", "--store-name", "耐久店", "--till-no", "1"]
    if main([*args, *init, "--admin-pin", PIN]) != 0:
        raise RuntimeError("guitai init failed")
    if main([*args, "demo-data", "--skus", str(skus), "--members", "10", "--json"]) != 0:
        raise RuntimeError("guitai demo-data failed")
    return home


PYTHON = sys.executable
