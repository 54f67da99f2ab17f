"""Device bytes the tests read from tests/fixtures/<device-model>/ (see its README.md)."""

from __future__ import annotations

from pathlib import Path

# tests/fixtures, found by walking up (this kit does not depend on its folder depth).
FIXTURES = next(
    p / "fixtures"
    for p in Path(__file__).resolve().parents
    if (p / "fixtures" / "README.md").exists()
)
REPRESENTATIVE = "representative-escpos"

# The QR texts of the representative receipts (tests/fixtures/make_device_fixtures.py).
SHORT_QR = "HTTPS://R.EXAMPLE.COM/R/ABCDEF234567"
_QR_NAMES = {
    SHORT_QR: "short",
    "HTTPS://R.EXAMPLE.COM/R/Q1": "q1",
    "HTTPS://R.EXAMPLE.COM/R/AFLEOWVHAAAAAKTLA2AGQAAAOTGPRBLOKDAZ4YRSFPPDW2QICOQDVKI2": "token",
}


def fixture_bytes(model: str, name: str) -> bytes:
    path = FIXTURES / model / name
    if not path.exists():
        raise FileNotFoundError(f"{path}: capture it or add it to make_device_fixtures.py")
    return path.read_bytes()


def chinese_receipt(qr_text: str = SHORT_QR, native_qr: bool = False) -> bytes:
    """A receipt as the receipts package emits it: ESC @, FS & + GB18030 text + FS ., styles,
    alignment, a QR (raster GS v 0, or native GS ( k with native_qr), a cut."""
    mode = "native" if native_qr else "raster"
    return fixture_bytes(REPRESENTATIVE, f"receipt-gb18030-{mode}-qr-{_QR_NAMES[qr_text]}.bin")
