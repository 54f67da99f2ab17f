"""After a demo day with card payments through the ZVT terminal emulator: no full card
number, no PIN and no private key anywhere in the database (and its WAL), the logs, the
outbox or the `guitai diagnostics -o` bundle."""

from __future__ import annotations

import base64
import logging
import re
import sqlite3
import sys
import zipfile
from pathlib import Path

import paths
import pytest

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.cli import main as cli

ROOT = paths.ROOT
PINS = ["8264", "1597", "2046"]  # pos_app.demo's admin, wang and li


def _pan_forms(pan: str) -> list[bytes]:
    groups = [pan[i : i + 4] for i in range(0, len(pan), 4)]
    return [
        pan.encode(),
        " ".join(groups).encode(),
        "-".join(groups).encode(),
        pan.encode("utf-16-le"),
        bytes.fromhex(pan),
    ]


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card_like(text: str) -> list[str]:
    """Luhn-valid 15–19 digit runs with a card-scheme first digit (3, 4, 5, 6), after hex
    digests are taken out (a 64-hex hash can hold a digit run by chance)."""
    text = re.sub(r"[0-9a-fA-F]{32,}", " ", text)
    return [m for m in re.findall(r"(?<!\d)[3-6]\d{14,18}(?!\d)", text) if _luhn(m)]


@pytest.fixture
def demo_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from pos_app.demo import day

    out = tmp_path / "demo"
    home = day.setup(out, 300, members=50)
    day.ring_day(home, out, 40)
    return home


def test_no_card_number_pin_or_private_key_after_a_card_day(demo_day: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests" / "payments"))
    try:
        from payments_rig import Rig, card_amount
    finally:
        sys.path.remove(str(ROOT / "tests" / "payments"))
    from drivers.common.scenarios import TEST_CARDS

    home = demo_day
    logfile = home / "logs" / "guitai.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(logfile, encoding="utf-8")
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    rig = Rig(home)
    try:
        svc = rig.service()
        for n, (_, _, _pan) in enumerate(TEST_CARDS):
            paid = svc.charge(f"CARD{n}", "card", card_amount(n + 40))
            logging.getLogger("proof").info("card paid %r slip %s", paid, paid.slip)
            with SqliteUnitOfWork(rig.opened.conn) as uow:  # the sale's unit of work
                svc.attach(paid.attempt_id, f"CARD{n}")
                uow.commit()
            svc.refund(paid.attempt_id, 100, refund_id=f"R{n}")
        rig.opened.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
        handler.close()
        rig.close()
    assert any(t.pan == TEST_CARDS[0][2] for t in rig.zvt.ledger)  # full numbers were sent

    bundle = tmp_path / "diag.zip"
    assert cli(["--home", str(home), "diagnostics", "-o", str(bundle)]) == 0
    blobs: dict[str, bytes] = {}
    for path in home.rglob("*"):
        if path.is_file() and "keys" not in path.parts:
            blobs[str(path.relative_to(home))] = path.read_bytes()
    with zipfile.ZipFile(bundle) as z:
        for name in z.namelist():
            blobs[f"diag:{name}"] = z.read(name)
    conn = sqlite3.connect(home / "till.db")
    outbox = "\n".join(r[0] for r in conn.execute("SELECT payload FROM outbox"))
    blobs["outbox payloads"] = outbox.encode()
    users = conn.execute("SELECT * FROM users").fetchall()
    conn.close()

    key_material: list[bytes] = []
    for pem in (home / "keys").glob("*.pem"):
        text = pem.read_text()
        body = "".join(ln for ln in text.splitlines() if not ln.startswith("-----"))
        key_material.append(body[:40].encode())  # any 40 characters of the base64 body
        key_material.append(base64.b64decode(body)[-32:])  # the raw key bytes at its end
    pepper = [p for p in (home / "keys").iterdir() if "pepper" in p.name]
    key_material += [p.read_bytes()[:16] for p in pepper if p.stat().st_size >= 16]

    for where, blob in blobs.items():
        for _, _, pan in TEST_CARDS:
            assert not any(f in blob for f in _pan_forms(pan)), f"full card number in {where}"
        text = blob.decode("utf-8", errors="ignore")
        if where.endswith((".log", ".json", ".txt", "payloads")) or where.startswith("diag:"):
            assert not _card_like(text), (where, _card_like(text)[:3])
            for pin in PINS:
                assert not re.search(rf"(?i)pin\W{{0,4}}{pin}\b", text), (where, pin)
        for km in key_material:
            assert km not in blob, f"private key material in {where}"
    # PINs are stored only as salted hashes
    for row in users:
        assert not any(str(v) in PINS for v in row), row
