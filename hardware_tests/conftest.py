"""Hardware tests: against real devices described in a file (`--hardware FILE`), else against
the emulators (so they run in `make test`).

FILE is TOML (or JSON) like:

    [printer]
    uri = "usb://04b8:0e15?in_ep=0x82&out_ep=0x01"   # or serial:///dev/ttyUSB0?baud=115200 …
    cjk_codec = "gb18030"                            # gb18030 | gbk | big5
    answers_status = true                            # false for Star-mode / dumb printers

    [drawer]                                         # optional: a drawer on that printer
    pin = 2
    open_level = "high"                              # pin-3 level when open (check at install)

    [scanner]                                        # optional: a serial scanner
    uri = "serial:///dev/ttyACM0?baud=9600"
    expect = "6901234567892"                         # you will be asked to scan this code
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--hardware",
        metavar="FILE",
        default=None,
        help="Run hardware_tests against the real devices described in FILE "
        "(TOML or JSON); without it they run against the emulators.",
    )


@pytest.fixture(scope="session")
def hardware_config(pytestconfig: pytest.Config) -> dict[str, Any] | None:
    path = pytestconfig.getoption("--hardware")
    if not path:
        return None
    text = Path(path).read_text(encoding="utf-8")
    try:
        config = json.loads(text) if path.endswith(".json") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as err:
        raise pytest.UsageError(f"--hardware {path}: cannot read it ({err})") from err
    if "printer" not in config or "uri" not in config["printer"]:
        raise pytest.UsageError(f"--hardware {path}: needs a [printer] table with a uri")
    return config


@dataclass
class Rig:
    """The printer under test and, when emulated, the emulator to look inside."""

    printer_uri: str
    cjk_codec: str
    answers_status: bool
    drawer: dict[str, Any] | None
    scanner: dict[str, Any] | None
    emulator: Any = None  # VirtualPrinter when no real hardware is given

    @property
    def real(self) -> bool:
        return self.emulator is None


@pytest.fixture
def rig(hardware_config: dict[str, Any] | None, tmp_path: Path) -> Iterator[Rig]:
    if hardware_config is not None:
        prn = hardware_config["printer"]
        yield Rig(
            prn["uri"],
            prn.get("cjk_codec", "gb18030"),
            prn.get("answers_status", True),
            hardware_config.get("drawer"),
            hardware_config.get("scanner"),
        )
        return
    from drivers.escpos.emulator.printer import VirtualPrinter

    vp = VirtualPrinter(out_dir=tmp_path / "emulated")
    try:
        uri = f"tcp://127.0.0.1:{vp.serve_tcp(0)}"
        yield Rig(uri, "gb18030", True, {"pin": 2, "open_level": "high"}, None, vp)
    finally:
        vp.close()
