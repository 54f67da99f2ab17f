"""Golden files: the exact ESC/POS bytes of representative receipts, per mode and width.

Regenerate after an intended change with
`GUITAI_REGEN_GOLDEN=1 python -m pytest tests/unit/receipts/test_receipts_golden.py`, then look at
the diff (`xxd`) and the PNG previews before committing the new files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from receipts_cases import GOLDEN_CASES

from receipts.escpos import render_escpos
from receipts.profiles import get_profile

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("GUITAI_REGEN_GOLDEN") == "1"


def _first_difference(a: bytes, b: bytes) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"first difference at byte {i}: {a[i : i + 16].hex()} != {b[i : i + 16].hex()}"
    return f"lengths differ: {len(a)} != {len(b)}"


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_escpos_bytes_match_golden(name: str) -> None:
    factory, profile_name = GOLDEN_CASES[name]
    data = render_escpos(factory(), get_profile(profile_name))
    path = GOLDEN / f"{name}.bin"
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"missing golden {path}: run with GUITAI_REGEN_GOLDEN=1"
    expected = path.read_bytes()
    assert data == expected, (
        f"{name}: ESC/POS bytes changed ({_first_difference(data, expected)}); if intended, "
        "regenerate with GUITAI_REGEN_GOLDEN=1 and review"
    )


def test_rendering_is_deterministic() -> None:
    factory, profile_name = GOLDEN_CASES["rare-58-gbk"]
    profile = get_profile(profile_name)
    assert render_escpos(factory(), profile) == render_escpos(factory(), profile)
