from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.logs import mask


def test_mask() -> None:
    assert mask("member 13812345678 paid") == "member 138****5678 paid"
    assert mask("card 4111 1111 1111 1111 ok") == "card 411111******1111 ok"
    assert mask("order 6901234567892") == "order 6901234567892"  # an EAN is no card (Luhn)


def test_diagnostics_bundle_has_no_secrets(
    till_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GUITAI_PIN", "7391")
    h = ["--home", str(till_home)]
    assert main([*h, "shift", "open", "--user", "admin", "--float", "0"]) == 0
    logging.getLogger("test").warning("customer 13912345678 card 4111111111111111")
    out = tmp_path / "diag.zip"
    assert main([*h, "diagnostics", "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
        info = json.loads(z.read("diagnostics.json"))
    assert info["journal"]["ok"] and info["sqlite"] and info["counts"]["users"] == 1
    assert "3.51.3" in (info["sqlite_warning"] or "3.51.3")
    key = (till_home / "keys" / "till_ed25519.pem").read_bytes()
    pepper = (till_home / "keys" / "pin_pepper.bin").read_bytes()
    for secret in (b"13912345678", b"4111111111111111", b'7391"', pepper.hex().encode()):
        assert secret not in blob
    assert key.split(b"\n")[1] not in blob
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_guitai", False):
            logging.getLogger().removeHandler(handler)
            handler.close()
