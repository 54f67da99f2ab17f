"""What the integration tests share: the CLI run in-process, and a till whose receipt printer
is the virtual one on loopback TCP with its shift open."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.escpos.emulator.printer import VirtualPrinter
from pos_app.cli import main


def cli(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(["--home", str(home), *args])
    o = capsys.readouterr()
    return rc, o.out, o.err


def print_on(vp: VirtualPrinter, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`vp` becomes the till's printer `front` (its drawer on the kick connector) and the
    shift opens with a ¥100 float."""
    uri = f"tcp://127.0.0.1:{vp.serve_tcp(0)}"
    assert cli(home, capsys, "devices", "add", "front", "--kind", "printer", "--uri", uri,
               "--no-test")[0] == 0  # fmt: skip
    assert cli(home, capsys, "shift", "open", "--user", "admin", "--float", "100")[0] == 0
