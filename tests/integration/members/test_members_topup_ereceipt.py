"""The top-up receipt's QR (issue 23 item 5; token version 3, docs/specs/ereceipt-token-v1.md)
end to end: a top-up through the command line against the real cloud on loopback, its printed
QR URL opened on the cloud's `/r/{token}` page, the same security rules as a sale's page
(unknown key, altered token, a signed token that does not match the cloud's booking), and the
till's own receipt scan naming a top-up receipt and how it is refunded."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from members_cloud_rig import Rig, open_rig, run_cloud
from members_kit import run, run_text

from pos_app.adapters.keys import load_key
from pos_app.config import Paths
from receipts import token as tk

PHONE = "13900007777"


@pytest.fixture
def rig(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Rig]:
    """One server on SQLite; with the param "two_workers", two worker processes on
    PostgreSQL (issue 18's rig)."""
    workers = None
    if getattr(request, "param", "one_server") == "two_workers":
        import sync_fixtures

        url = sync_fixtures.fresh_pg_database(request.getfixturevalue("pg_server"))
        workers = sync_fixtures.Workers(url)
    yield from open_rig(tmp_path, monkeypatch, workers)


def qr_text(home: Path, topup: str) -> str:
    text = run_text(home, "member", "topup-receipt", topup)
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("[QR"))
    return line.strip().removeprefix("[QR ").removesuffix("]").strip()


def page(rig: Rig, url_or_token: str) -> str:
    token = url_or_token.rsplit("/", 1)[-1]
    r = httpx.get(f"{rig.url}/R/{token}", headers={"Accept": "text/html"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.text


def _resigned(home: Path, fields: tk.TokenFields, **change: int | bytes) -> str:
    """A token the till's own key signs over other values (what a forger with the key of a
    till cannot avoid: the cloud's booking must still match)."""
    key = load_key(Paths(home).private_key)
    return tk.issue_topup_token(
        key,
        topup_no=int(change.get("topup_no", fields.receipt_no)),  # type: ignore[arg-type]
        issued_at=fields.issued_at,
        paid_fen=int(change.get("paid_fen", fields.total_fen)),  # type: ignore[arg-type]
        digest=bytes(change.get("digest", fields.sale_digest)),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "rig", ["one_server", pytest.param("two_workers", marks=pytest.mark.postgres)], indirect=True
)
def test_a_top_ups_qr_opens_its_page_on_the_cloud(rig: Rig) -> None:
    till = rig.a
    rig.svc.admin.add_member(PHONE, "陈女士")
    run_cloud(rig, "topup-rule", "add", "R500", "--min", "500", "--bonus", "50",
              "--name", "充500送50")  # fmt: skip
    rig.sync(till)
    top = run(till, "member", "topup", PHONE, "500", "--cash", "--user", "admin")
    url = qr_text(till, str(top["topup_no"]))
    # the QR is the e-receipt URL (upper case, QR alphanumeric), not a bare token
    assert url.startswith(rig.url.upper() + "/R/") and tk.qr_version(url) == 7
    fields = tk.decode_token(url, versions=tk.ALL_VERSIONS)
    assert fields.topup and fields.receipt_no == top["topup_no"] and fields.total_fen == 50_000
    html = page(rig, url)
    assert "储值充值" in html and 'data-kind="topup"' in html
    assert "真实小票" in html  # the verified badge, as on a sale's page
    assert "¥500.00" in html and "¥50.00" in html and "现金" in html
    assert f"{top['topup_no']:06d}" in html
    assert "¥550.00" not in html and "¥****" in html  # the balance: the member's eyes only
    assert 'id="gt-action"' in html  # the follow action of the sale page
    # a lower-case path is the same page
    lower = httpx.get(f"{rig.url}/r/{url.rsplit('/', 1)[-1]}", timeout=10)
    assert lower.status_code == 200 and 'data-kind="topup"' in lower.text


def test_a_top_up_token_that_does_not_match_the_clouds_booking_is_altered(rig: Rig) -> None:
    till = rig.a
    rig.svc.admin.add_member(PHONE, "陈女士")
    top = run(till, "member", "topup", PHONE, "300", "--cash", "--user", "admin")
    fields = tk.decode_token(qr_text(till, top["topup_id"]), versions=tk.ALL_VERSIONS)
    # one byte of the amount changed: the signature fails
    token = qr_text(till, top["topup_id"]).rsplit("/", 1)[-1]
    b = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    b[16] ^= 0x01
    altered = base64.b32encode(bytes(b)).decode().rstrip("=")
    for bad in (
        altered,
        _resigned(till, fields, paid_fen=30_001),  # signed, but not the booked amount
        _resigned(till, fields, digest=bytes(8)),  # signed, but no booking of that digest
    ):
        html = page(rig, bad)
        assert "此小票已被篡改" in html and "has been altered" in html
        assert "¥300.00" not in html and 'data-kind="topup"' not in html
    # a key the brand never enrolled
    stranger = tk.issue_topup_token(
        Ed25519PrivateKey.generate(),
        topup_no=fields.receipt_no,
        issued_at=fields.issued_at,
        paid_fen=fields.total_fen,
        digest=fields.sale_digest,
    )
    html = page(rig, stranger)
    assert "未知收银台" in html and "not issued by a till this brand has registered" in html


def test_the_tills_receipt_scan_names_a_top_up_receipt_and_its_refund(rig: Rig) -> None:
    till = rig.a
    rig.svc.admin.add_member(PHONE, "陈女士")
    top = run(till, "member", "topup", PHONE, "200", "--cash", "--user", "admin")
    url = qr_text(till, top["topup_id"])
    no = run(till, "receipt", "verify", url, ok=False)
    assert no["valid"] is False and no["code"] == "topup_receipt"
    assert f"guitai member topup-refund {top['topup_no']}" in no["reason"]
    assert "储值充值凭证" in no["reason_zh"]
    # the returns screen's scan (the session worker's verify_scan): a verdict of its own
    from pos_app.adapters.db.connection import open_database
    from pos_app.bootstrap import build

    db = open_database(till / "till.db")
    try:
        verdict = build(Paths(till), db).receipts.verify_scan(url)
    finally:
        db.close()
    assert verdict["verdict"] == "topup" and verdict["original"] is None
    assert "topup-refund" in verdict["message"] and "退充值" in verdict["message_zh"]
