"""Payment figures: codec speed and end-to-end charge latency against the emulators.

`python -m benchmarks.bench_payments` prints the figures and returns them as a dict.  Ratios
are to baselines measured in the same run (a raw TCP round trip on loopback for the charge
latencies; the APDU round trip for the serial framing), so they compare across machines.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def _per_second(fn: Any, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def _tcp_roundtrip_ms(n: int = 200) -> float:
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]

    def echo() -> None:
        conn, _ = srv.accept()
        with conn:
            while data := conn.recv(64):
                conn.sendall(data)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    with socket.create_connection(("127.0.0.1", port)) as c:
        start = time.perf_counter()
        for _ in range(n):
            c.sendall(b"\x80\x00\x00")
            c.recv(64)
        took = (time.perf_counter() - start) / n * 1000
    srv.close()
    t.join(2)
    return took


def main() -> dict[str, float]:
    from drivers.zvt import apdu as z
    from drivers.zvt.transport import decode_serial_frame, encode_serial_frame

    auth = z.authorization(12345).encode()
    apdu_rate = _per_second(lambda: z.decode_apdu(z.decode_apdu(auth).encode()), 20000)
    serial_rate = _per_second(lambda: decode_serial_frame(encode_serial_frame(auth)), 20000)
    figures: dict[str, float] = {
        "apdu_roundtrips_per_s": round(apdu_rate),
        "serial_frame_roundtrips_per_s": round(serial_rate),
        "serial_vs_apdu_ratio": round(serial_rate / apdu_rate, 3),
    }
    base = _tcp_roundtrip_ms()
    figures["tcp_roundtrip_ms"] = round(base, 3)

    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
    # The emulator rig the payment tests use (tests/support, moved there from conftest.py).
    from payments_rig import (  # type: ignore[import-not-found]
        Rig,
        alipay_code,
        card_amount,
        wechat_code,
    )

    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(Path(tmp))
        try:
            svc = rig.service()
            for tender in ("card", "wechat", "alipay"):
                n = 20
                start = time.perf_counter()
                for i in range(n):
                    code = {"wechat": wechat_code("00", i), "alipay": alipay_code("00", i)}.get(
                        tender
                    )
                    svc.charge(
                        f"B{i}", tender, card_amount(i + 1) if tender == "card" else 100, code
                    )
                ms = (time.perf_counter() - start) / n * 1000
                figures[f"{tender}_charge_ms"] = round(ms, 2)
                figures[f"{tender}_charge_vs_tcp_roundtrip"] = round(ms / base, 1)
        finally:
            rig.close()
    for k, v in figures.items():
        print(f"{k:36} {v}")
    return figures


if __name__ == "__main__":
    main()
