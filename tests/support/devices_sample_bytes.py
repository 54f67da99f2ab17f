"""Representative receipt bytes for the device tests (as the receipts package emits them)."""

from __future__ import annotations

import contextlib
import io


def chinese_receipt(
    qr_text: str = "HTTPS://R.EXAMPLE.COM/R/ABCDEF234567",
    codec: str = "gb18030",
    native_qr: bool = False,
) -> bytes:
    """Representative receipt bytes as the receipts package emits them: ESC @, FS & + GB18030
    text + FS ., styles, alignment, a QR (raster GS v 0 by default, or native GS ( k), a cut."""
    from escpos.printer import Dummy

    p = Dummy()
    p._raw(b"\x1b\x40")
    p._raw(b"\x1b\x61\x01\x1d\x21\x11")  # centre, double size
    p._raw(b"\x1c\x26" + "柜台旗舰店".encode(codec) + b"\x1c\x2e\n")
    p._raw(b"\x1d\x21\x00\x1b\x61\x00")
    p._raw(b"\x1c\x26" + "男士羊毛夹克 黑 L  1 × 299.00".encode(codec) + b"\x1c\x2e\n")
    p._raw(b"\x1b\x45\x01\x1c\x26" + "合计：￥299.00".encode(codec) + b"\x1c\x2e\x1b\x45\x00\n")
    p._raw(b"Receipt No. 42\n")
    with contextlib.redirect_stdout(io.StringIO()):
        p.qr(qr_text, size=4, native=native_qr)
    p.cut()
    return bytes(p.output)
