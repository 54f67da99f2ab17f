"""Forged or altered e-receipts are refused by `guitai receipt verify` on a real till: a
genuine receipt verifies and matches its sale; every altered character, a token signed by a
stranger's key, and a genuine-looking token for a total the journal does not hold fail."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pos_app.adapters.receipt_docs import ereceipt_url
from pos_app.cli import main as cli
from pos_app.domain.money import CashRounding
from pos_app.domain.tenders import Tender
from receipts.token import issue_token, receipt_url

BASE = "HTTPS://R.EXAMPLE.CN/R/"


def _verify(home, capsys, text: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    rc = cli(["--home", str(home), "receipt", "verify", text, "--json"])
    return rc, json.loads(capsys.readouterr().out)


def test_forged_and_altered_receipts_are_refused(till, till_home, capsys) -> None:  # type: ignore[no-untyped-def]
    user = till.users.authenticate("admin", "7391")
    till.shifts.open(user, 0)
    s = till.sales.new_sale(user)
    till.sales.scan(s, "6901234567892")
    s.add_tender(Tender.CASH, s.totals().due_fen, CashRounding.NONE)
    p = till.sales.complete(s)
    payload = till.uow.sales.payload(receipt_no=p["receipt_no"])
    url = ereceipt_url(payload, till.signer(), BASE)
    token = url.rsplit("/", 1)[1]

    rc, ok = _verify(till_home, capsys, url)
    assert rc == 0 and ok["valid"] and ok["local_sale"]["matches"]

    refused = 0
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for i in range(0, len(token), max(1, len(token) // 16)):
        ch = alphabet[(alphabet.index(token[i]) + 1) % 32] if token[i] in alphabet else "A"
        altered = token[:i] + ch + token[i + 1 :]
        rc, r = _verify(till_home, capsys, BASE + altered)
        assert rc == 1 and r["valid"] is False and r["reason"] and r["reason_zh"], (i, r)
        refused += 1
    assert refused >= 16

    # a stranger signs the same fields: unknown key (not this till, not a known till)
    stranger = Ed25519PrivateKey.generate()
    forged = issue_token(
        stranger,
        receipt_no=p["receipt_no"],
        issued_at=1_764_036_000,
        total_fen=p["total_fen"],
        entry_hash=bytes.fromhex(payload["_entry_hash"]),
    )
    rc, r = _verify(till_home, capsys, receipt_url(BASE, forged))
    assert rc == 1 and r["valid"] is False

    # signed with the till's own key but for a total the journal does not hold (a copied key
    # or a replayed token edited before signing): valid signature, no matching sale
    fake = issue_token(
        till.signer().private_key,
        receipt_no=p["receipt_no"],
        issued_at=1_764_036_000,
        total_fen=p["total_fen"] - 100,
        entry_hash=bytes.fromhex(payload["_entry_hash"]),
    )
    rc, r = _verify(till_home, capsys, receipt_url(BASE, fake))
    assert r["local_sale"]["matches"] is False
