"""Representative receipts shared by the golden, ESC/POS and QR tests."""

from __future__ import annotations

import dataclasses

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from receipts import document as rd
from receipts import token as tk
from receipts.samples import (
    SAMPLE_STORE,
    sample_refund_payload,
    sample_sale_payload,
    sample_z_report,
)

SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
KEY = Ed25519PrivateKey.from_private_bytes(SEED)
PUBLIC = tk.public_key_raw(KEY)
BASE = "HTTPS://R.EXAMPLE.COM/R/"
RARE = "稀有字 𠀀㐀〇龘 ¥12.00"

HANT_STORE = dataclasses.replace(
    SAMPLE_STORE,
    name="衣尚 · 信義店",
    address="台北市信義區松高路11號",
    phone="02-27221234",
    language="zh-Hant",
)


def url_for(receipt_no: int, total_fen: int, entry_hash: bytes = bytes(32)) -> str:
    token = tk.issue_token(
        KEY, receipt_no=receipt_no, issued_at=1795588200, total_fen=total_fen, entry_hash=entry_hash
    )
    return tk.receipt_url(BASE, token)


def gift_url_for(receipt_no: int, entry_hash: bytes = bytes(32)) -> str:
    """A gift receipt's QR: the version 2 token (no total)."""
    token = tk.issue_gift_token(
        KEY, receipt_no=receipt_no, issued_at=1795588200, entry_hash=entry_hash
    )
    return tk.receipt_url(BASE, token)


def gift(lines: int = 3) -> rd.ReceiptDocument:
    payload = sample_sale_payload(lines)
    return rd.from_sale_payload(
        payload, store=SAMPLE_STORE, qr_url=gift_url_for(payload["receipt_no"]), gift=True
    )


def lookup(kid: bytes) -> bytes | None:
    return PUBLIC if kid == tk.key_id(PUBLIC) else None


def sale(lines: int = 10, **kw: object) -> rd.ReceiptDocument:
    payload = sample_sale_payload(lines)
    return rd.from_sale_payload(
        payload, store=SAMPLE_STORE, qr_url=url_for(42, payload["total_fen"]), **kw
    )


def sale_with_rare_names() -> rd.ReceiptDocument:
    payload = sample_sale_payload(3)
    payload["lines"][0]["name"] = "Men's Merino Wool Tailored Jacket 男士羊毛混纺修身西装外套 黑 L"
    payload["lines"][1]["name"] = RARE
    payload["lines"][2]["name"] = "ＦＵＬＬ　ＷＩＤＴＨ 全角字符 ＸＬ"
    return rd.from_sale_payload(
        payload, store=SAMPLE_STORE, qr_url=url_for(42, payload["total_fen"])
    )


def hant_sale() -> rd.ReceiptDocument:
    payload = sample_sale_payload(3)
    payload["lines"][0]["name"] = "男士羊毛夾克 黑 L"
    payload["lines"][1]["name"] = "女士羊絨圍巾 灰"
    payload["lines"][2]["name"] = "Oxford 牛津纺衬衫 白 40"  # simplified: not in Big5
    payload["payments"][1]["card"]["type"] = "VISA"
    return rd.from_sale_payload(payload, store=HANT_STORE, qr_url=url_for(42, payload["total_fen"]))


def refund() -> rd.ReceiptDocument:
    return rd.from_refund_payload(
        sample_refund_payload(), store=SAMPLE_STORE, qr_url=url_for(43, -29900)
    )


def z_report() -> rd.ReceiptDocument:
    return rd.from_z_report(sample_z_report(), SAMPLE_STORE)


# name → (document factory, printer profile name)
GOLDEN_CASES = {
    "sale10-80-gb18030": (lambda: sale(10), "generic-80-gb18030"),
    "sale10-58-gbk": (lambda: sale(10), "generic-58-gbk"),
    "sale10-58-gb18030-reprint": (lambda: sale(10, reprint_count=2), "generic-58-gb18030"),
    "gift3-80-gb18030": (gift, "generic-80-gb18030"),
    "rare-80-gb18030": (sale_with_rare_names, "generic-80-gb18030"),
    "rare-58-gbk": (sale_with_rare_names, "generic-58-gbk"),
    "hant-80-big5": (hant_sale, "big5-80"),
    "refund-58-gb18030": (refund, "generic-58-gb18030"),
    "zreport-80-gb18030": (z_report, "generic-80-gb18030"),
    "sale2-80-raster": (lambda: sale(2), "tm-t88-raster"),
    "sale2-58-raster": (lambda: sale(2), "generic-58-raster"),
}
