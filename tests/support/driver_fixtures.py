"""Fixtures for the device tests: a real SQLite file, emulators on loopback and ptys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.escpos.emulator.printer import VirtualPrinter
from pos_app.adapters.db.connection import OpenDatabase, open_database
from pos_app.adapters.db.devices import DeviceStore
from pos_app.adapters.hardware import Hardware


@pytest.fixture
def vprinter(tmp_path: Path) -> Iterator[VirtualPrinter]:
    vp = VirtualPrinter(out_dir=tmp_path / "emu")
    try:
        yield vp
    finally:
        vp.close()


@pytest.fixture
def tcp_uri(vprinter: VirtualPrinter) -> str:
    return f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[OpenDatabase]:
    db = open_database(tmp_path / "till.db")
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def store(database: OpenDatabase) -> DeviceStore:
    return DeviceStore(database.conn)


@pytest.fixture
def hw(store: DeviceStore) -> Iterator[Hardware]:
    h = Hardware(store, wait_s=20.0)
    try:
        yield h
    finally:
        h.close()
