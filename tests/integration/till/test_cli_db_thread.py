"""A CLI process keeps the one-connection-one-thread rule too: its command runs on the
database thread (pos_app/cli/db_thread.py), and the printer's worker hands its job states to
that thread.  Strict, as the whole suite runs, nothing else touches the writing connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from printer_kit import cli, print_on

from drivers.escpos.emulator.printer import VirtualPrinter
from pos_app.adapters.db import connection


@pytest.fixture
def vprinter(tmp_path: Path) -> Iterator[VirtualPrinter]:
    vp = VirtualPrinter(out_dir=tmp_path / "emu")
    vp.set(auto_close_drawer=True)
    try:
        yield vp
    finally:
        vp.close()


SALE = ("sale", "--user", "admin", "--scan", "6901234567892", "--pay", "cash:300", "--json")


def test_a_cli_sale_and_its_printing_use_the_database_from_one_thread(
    till_home: Path,
    vprinter: VirtualPrinter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    print_on(vprinter, till_home, capsys)
    used_by: set[str] = set()
    opened = connection._connect

    def traced(path: Path, readonly: bool) -> object:
        conn = opened(path, readonly)
        if not readonly:
            conn.set_trace_callback(lambda _sql: used_by.add(threading.current_thread().name))
        return conn

    monkeypatch.setattr(connection, "_connect", traced)
    rc, out, err = cli(till_home, capsys, *SALE)
    assert rc == 0, err
    assert json.loads(out)["total_fen"] == 29900
    job = vprinter.wait_for_jobs(2)[-1]  # the test page, then the receipt
    assert "男士羊毛夹克" in "\n".join(job["text_lines"])
    rc, out, err = cli(till_home, capsys, "devices", "jobs", "--json")
    assert rc == 0 and json.loads(out) == []  # the receipt's job ended 'done'
    assert used_by == {"guitai-db"}
    assert not any(t.name == "guitai-db" for t in threading.enumerate())


def test_a_cli_sale_that_prints_runs_strict_in_its_own_process(
    till_home: Path, vprinter: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}"
    env = {**os.environ, "GUITAI_PIN": "7391", "GUITAI_DB_STRICT": "1", "GUITAI_DEBUG": "1"}

    def guitai(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pos_app.cli", "--home", str(till_home), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    added = guitai("devices", "add", "front", "--kind", "printer", "--uri", uri, "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["test"]["state"] == "ok"  # a test page, printed and waited
    opened = guitai("shift", "open", "--user", "admin", "--float", "100")
    assert opened.returncode == 0, opened.stderr
    sold = guitai(*SALE)
    assert sold.returncode == 0, sold.stderr
    assert "WrongThread" not in sold.stderr
    assert json.loads(sold.stdout)["receipt_no"] == 1
    job = vprinter.wait_for_jobs(2)[-1]
    assert "男士羊毛夹克" in "\n".join(job["text_lines"])
    assert len(vprinter.kicks) == 1  # cash: the drawer opened
