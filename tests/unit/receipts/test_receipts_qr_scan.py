"""The QR scanned back with zxing-cpp from the PNG preview and from the images inside the
ESC/POS bytes (GS v 0), and the scanned URL verifies with the till's key."""

from __future__ import annotations

import pytest
import zxingcpp
from PIL import Image
from receipts_cases import lookup, refund, sale
from receipts_escpos_reader import read

from receipts import token as tk
from receipts.escpos import render_escpos
from receipts.profiles import get_profile
from receipts.raster import render_png


def _scan(img: Image.Image) -> list[str]:
    return [
        r.text for r in zxingcpp.read_barcodes(img) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


@pytest.mark.parametrize("paper", [58, 80])
def test_qr_scans_from_the_png_preview_and_verifies(paper: int) -> None:
    doc = sale(10)
    img = render_png(doc, paper)
    assert img.width == {58: 384, 80: 576}[paper]
    assert _scan(img) == [doc.qr_url]
    fields = tk.verify(_scan(img)[0], lookup)
    assert fields.receipt_no == 42 and fields.total_fen == doc.total_fen


@pytest.mark.parametrize("profile_name", ["generic-58-gbk", "tm-t88-raster", "generic-58-raster"])
def test_qr_scans_from_the_raster_inside_the_escpos_bytes(profile_name: str) -> None:
    profile = get_profile(profile_name)
    doc = refund()
    printed = read(render_escpos(doc, profile), profile.encoding)
    found = [text for img in printed.images for text in _scan(img)]
    assert found == [doc.qr_url]
    fields = tk.verify(found[0], lookup)
    assert fields.receipt_no == 43 and fields.total_fen == -29900


def test_qr_module_size_fits_the_paper() -> None:
    from receipts.raster import qr_image

    url = sale(1).qr_url
    assert url is not None and tk.qr_version(url) == 7
    for dots, module in ((384, 7), (576, 8)):
        img = qr_image(url, dots)
        assert img.width == dots and img.height == (45 + 8) * module


def test_tampered_scan_is_rejected() -> None:
    doc = sale(1)
    (url,) = _scan(render_png(doc, 58))
    # change one character of the token part of the URL (keeping it valid base32)
    i = len(tk.receipt_url("HTTPS://R.EXAMPLE.COM/R/", "")) + 60
    altered = url[:i] + ("B" if url[i] != "B" else "C") + url[i + 1 :]
    with pytest.raises(tk.TokenError, match="altered"):
        tk.verify(altered, lookup)
