"""Receipt rendering speed and the bytes each printing mode sends.

`python -m benchmarks.bench_receipts` prints, for a 10-line sale receipt: render times (median
of repeated runs, after a warm-up that loads fonts and python-escpos's capability database),
the bytes sent in text mode with native QR, text mode with an image QR and full raster, and
how long each takes on the wire at 9,600 and 115,200 baud (8N1 = 10 bits per byte).
Targets: text mode with native QR renders in under 5 ms and is under 2.5 KB (2,500 bytes).
The baseline is python-escpos 3.1 left to itself (`Dummy.text()` through MagicEncode, which
gets Chinese wrong, plus its native `qr()`), measured in the same run.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from receipts import token as tk
from receipts.document import from_sale_payload
from receipts.escpos import render_escpos
from receipts.html import render_html
from receipts.layout import layout, render_text
from receipts.profiles import get_profile
from receipts.raster import render_png
from receipts.samples import SAMPLE_STORE, sample_sale_payload

BAUDS = (9_600, 115_200)
BITS_PER_BYTE = 10
TARGET_RENDER_MS = 5.0
TARGET_TEXT_BYTES = 2_500


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _document() -> Any:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    payload = sample_sale_payload(10)
    token = tk.issue_token(
        key,
        receipt_no=payload["receipt_no"],
        issued_at=1795588200,
        total_fen=payload["total_fen"],
        entry_hash=bytes(32),
    )
    return from_sale_payload(
        payload, store=SAMPLE_STORE, qr_url=tk.receipt_url("HTTPS://R.EXAMPLE.COM/R/", token)
    )


def _baseline(doc: Any) -> bytes:
    """python-escpos 3.1 on its own: MagicEncode text and native QR (no Chinese mode)."""
    from escpos.printer import Dummy

    p = Dummy()
    p.hw("INIT")
    p.text(render_text(doc, 80).split("[QR")[0])
    p.qr(doc.qr_url, ec=1, size=8, native=True)
    p.cut()
    data: bytes = p.output
    return data


def main(runs: int | None = None) -> dict[str, Any]:
    if runs is None:
        runs = 5 if os.environ.get("GUITAI_BENCH_QUICK") == "1" else 50
    doc = _document()
    text80 = get_profile("generic-80-gb18030")
    image_qr80 = text80.with_options(name="generic-80-gb18030-image-qr", native_qr=False)
    raster80 = get_profile("tm-t88-raster")
    text58 = get_profile("generic-58-gb18030")
    image_qr58 = get_profile("generic-58-gbk")
    raster58 = get_profile("generic-58-raster")

    results: dict[str, Any] = {"lines": len(doc.lines)}
    results["render_ms"] = {
        "layout_80": _median_ms(lambda: layout(doc, 80), runs),
        "escpos_text_native_qr_80": _median_ms(lambda: render_escpos(doc, text80), runs),
        "escpos_text_native_qr_58": _median_ms(lambda: render_escpos(doc, text58), runs),
        "escpos_text_image_qr_80": _median_ms(lambda: render_escpos(doc, image_qr80), runs),
        "escpos_raster_80": _median_ms(lambda: render_escpos(doc, raster80), max(5, runs // 5)),
        "png_80": _median_ms(lambda: render_png(doc, 80), max(5, runs // 5)),
        "html": _median_ms(lambda: render_html(doc), runs),
        "baseline_python_escpos_80": _median_ms(lambda: _baseline(doc), runs),
    }
    modes = {
        "text_native_qr_80": render_escpos(doc, text80),
        "text_image_qr_80": render_escpos(doc, image_qr80),
        "raster_80": render_escpos(doc, raster80),
        "text_native_qr_58": render_escpos(doc, text58),
        "text_image_qr_58": render_escpos(doc, image_qr58),
        "raster_58": render_escpos(doc, raster58),
        "baseline_python_escpos_80": _baseline(doc),
    }
    results["bytes"] = {name: len(data) for name, data in modes.items()}
    results["seconds_on_wire"] = {
        name: {baud: len(data) * BITS_PER_BYTE / baud for baud in BAUDS}
        for name, data in modes.items()
    }
    r = results["render_ms"]
    results["ratios"] = {
        "escpos_text_vs_baseline_time": r["escpos_text_native_qr_80"]
        / r["baseline_python_escpos_80"],
        "raster_vs_text_bytes": len(modes["raster_80"]) / len(modes["text_native_qr_80"]),
        "image_qr_vs_native_qr_bytes": len(modes["text_image_qr_80"])
        / len(modes["text_native_qr_80"]),
    }
    results["targets_met"] = {
        "render_under_5ms": r["escpos_text_native_qr_80"] < TARGET_RENDER_MS,
        "text_native_qr_under_2500_bytes": len(modes["text_native_qr_80"]) < TARGET_TEXT_BYTES,
    }

    print(f"10-line sale receipt ({results['lines']} lines), median of {runs} runs")
    print("render times (ms):")
    for name, ms in r.items():
        print(f"  {name:32s} {ms:9.2f}")
    print(f"bytes sent and time on the wire ({BITS_PER_BYTE} bits per byte):")
    print(f"  {'mode':32s} {'bytes':>8s} {'9600 baud':>11s} {'115200 baud':>12s}")
    for name, data in modes.items():
        wire = results["seconds_on_wire"][name]
        print(f"  {name:32s} {len(data):8d} {wire[9600]:10.2f}s {wire[115200]:11.3f}s")
    print("ratios:")
    for name, value in results["ratios"].items():
        print(f"  {name:32s} {value:9.2f}")
    print("targets:", ", ".join(f"{k}={v}" for k, v in results["targets_met"].items()))
    return results


if __name__ == "__main__":
    main()
