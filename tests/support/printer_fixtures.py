"""The virtual receipt printer, without rendering PNGs (a test that looks at the pictures
asks for its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.escpos.emulator.printer import VirtualPrinter


@pytest.fixture
def vprinter() -> Iterator[VirtualPrinter]:
    vp = VirtualPrinter(render=False)
    try:
        yield vp
    finally:
        vp.close()
