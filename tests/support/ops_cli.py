"""Helpers for the operations tests (a uniquely named module: no conftest imports)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pos_app.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def cli(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, Any]:
    """Run `guitai --home HOME ARGS --json`; the exit code and the parsed answer."""
    capsys.readouterr()
    try:
        rc = main(["--home", str(home), *args, "--json"])
    finally:
        drop_log_handlers()  # each call logs into its own till folder, not the next test's
    captured = capsys.readouterr()
    out = captured.out.strip()
    return rc, (json.loads(out) if out else {"stderr": captured.err})


def drop_log_handlers() -> None:
    import logging

    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_guitai", False):
            logging.getLogger().removeHandler(handler)
            handler.close()
