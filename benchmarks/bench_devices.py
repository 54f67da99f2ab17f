"""Device figures: `python -m benchmarks.bench_devices`.

* status query: ms per DLE EOT 1..4 round trip to the emulator over TCP;
* print job: ms per receipt through the driver (status before + send + GS r confirm + status
  after), and as a ratio to the bare minimum on a raw socket (send + one DLE EOT answer);
* emulator: parser throughput (MB/s) without rendering, and ms to render + QR-decode a job;
* wedge decoder: key events per second.
"""

from __future__ import annotations

import contextlib
import io
import socket
import time
from typing import Any

from drivers.escpos.emulator.parser import EscposParser
from drivers.escpos.emulator.printer import VirtualPrinter
from drivers.escpos.emulator.render import job_record
from drivers.escpos.printer import EscposPrinter
from pos_app.domain.wedge import WedgeDecoder


def _receipt() -> bytes:
    from escpos.printer import Dummy

    p = Dummy()
    p._raw(
        b"\x1b\x40\x1b\x61\x01\x1d\x21\x11\x1c\x26" + "柜台旗舰店".encode("gb18030") + b"\x1c\x2e\n"
    )
    p._raw(b"\x1d\x21\x00\x1b\x61\x00")
    for i in range(20):
        p._raw(b"\x1c\x26" + f"男士羊毛夹克 黑 L  {i} × 299.00".encode("gb18030") + b"\x1c\x2e\n")
    with contextlib.redirect_stdout(io.StringIO()):
        p.qr("HTTPS://R.EXAMPLE.COM/R/" + "A" * 143, size=4)
    p.cut()
    return bytes(p.output)


def _timed(fn: Any, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> dict[str, float]:
    data = _receipt()
    figures: dict[str, float] = {}
    with VirtualPrinter(render=False) as vp:
        port = vp.serve_tcp(0)
        printer = EscposPrinter(f"tcp://127.0.0.1:{port}")
        try:
            printer.status()
            figures["status_query_ms"] = _timed(printer.status, 50) * 1000
            figures["print_job_ms"] = _timed(lambda: printer.print_job(data), 20) * 1000
        finally:
            printer.close()

        # Baseline: the bare minimum on one socket: send the job and one DLE EOT, read 1 byte.
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def raw_send() -> None:
                sock.sendall(data + b"\x10\x04\x01")
                sock.recv(1)

            figures["raw_send_ms"] = _timed(raw_send, 20) * 1000
    figures["print_overhead_ratio"] = figures["print_job_ms"] / max(figures["raw_send_ms"], 1e-6)

    jobs: list[Any] = []
    parser = EscposParser(on_job=jobs.append)
    per = _timed(lambda: parser.feed(data), 200)
    figures["parser_mb_s"] = len(data) / per / 1e6
    figures["render_and_decode_ms"] = _timed(lambda: job_record(jobs[0], 1, None), 5) * 1000

    events = [(ch, i * 5) for i, ch in enumerate("6901234567892\r" * 500)]

    def decode_all() -> None:
        dec = WedgeDecoder()
        for text, at in events:
            dec.feed(text, at)

    figures["wedge_events_per_s"] = len(events) / _timed(decode_all, 5)
    for key, value in figures.items():
        print(f"{key:<24} {value:12.2f}")
    return figures


if __name__ == "__main__":
    main()
