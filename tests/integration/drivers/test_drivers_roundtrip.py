"""Driver ↔ emulator: a Chinese receipt printed through the real driver over TCP, a
pseudo-terminal (serial://) and a device file (file://) comes out as the right text and a QR
that decodes."""

from __future__ import annotations

import json

import pytest
from device_fixtures import chinese_receipt

from drivers.escpos.printer import EscposPrinter

QR = "HTTPS://R.EXAMPLE.COM/R/AFLEOWVHAAAAAKTLA2AGQAAAOTGPRBLOKDAZ4YRSFPPDW2QICOQDVKI2"
EXPECTED = ["柜台旗舰店", "男士羊毛夹克 黑 L  1 × 299.00", "合计：￥299.00", "Receipt No. 42"]


def _uri(vprinter, transport: str) -> str:
    if transport == "tcp":
        return f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}"
    path = vprinter.serve_pty()
    return f"serial://{path}?baud=115200" if transport == "serial" else f"file://{path}"


@pytest.mark.parametrize("transport", ["tcp", "serial", "file"])
@pytest.mark.parametrize("native", [False, True])
def test_chinese_receipt_round_trip(vprinter, tmp_path, transport: str, native: bool) -> None:
    printer = EscposPrinter(_uri(vprinter, transport), status_timeout=1.0)
    try:
        result = printer.print_job(chinese_receipt(QR, native_qr=native))
    finally:
        printer.close()
    assert result.before.state == "ok" and result.after.state == "ok"
    job = vprinter.wait_for_jobs(1)[0]
    assert job["complete"] and job["cuts"] == ["full"]
    assert job["text_lines"][:4] == EXPECTED
    assert job["qr"] == [QR]
    assert job["lines"][0]["align"] == "center" and job["lines"][0]["width"] == 2
    assert (tmp_path / "emu" / "job-0001.png").stat().st_size > 1000
    logged = json.loads((tmp_path / "emu" / "jobs.jsonl").read_text().splitlines()[0])
    assert logged["qr"] == [QR]


def test_slow_printer_still_prints(vprinter) -> None:
    vprinter.set(baud=115200)
    printer = EscposPrinter(f"tcp://127.0.0.1:{vprinter.serve_tcp(0)}", status_timeout=1.0)
    try:
        printer.print_job(b"\x1c\x26" + "慢速打印".encode("gb18030") + b"\x1c\x2e\n\x1dV\x00")
    finally:
        printer.close()
    assert vprinter.wait_for_jobs(1)[0]["text_lines"] == ["慢速打印"]


@pytest.mark.parametrize("transport", ["tcp", "serial"])
def test_buffered_printer_confirms_the_job_was_printed(vprinter, transport: str) -> None:
    vprinter.set(print_speed=20000)
    printer = EscposPrinter(_uri(vprinter, transport), status_timeout=1.0)
    try:
        result = printer.print_job(chinese_receipt(QR))
        assert "not_confirmed" not in result.warnings
        assert [j["qr"] for j in vprinter.jobs] == [[QR]]  # already printed when we return
    finally:
        printer.close()
