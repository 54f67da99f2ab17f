"""What the cloud knows about an e-receipt token, for the page's join and my-receipts calls:
the verdict (genuine / altered / unknown_till / revoked_till), the till's device and the
synced sale.  The same rules as the page's own lookup (receipt_routes.py), kept apart so the
join part does not reach into the page's routes."""

from __future__ import annotations

from typing import Any

from receipts.token import TokenError, decode_token

from .common import ApiError
from .receipt_lookup import SyncedReceipts, token_signed_by


def lookup_token(receipts: SyncedReceipts, token: str) -> dict[str, Any]:
    """{"fields", "device", "sale", "verdict"}; ApiError 404 bad_token for no token at all."""
    try:
        fields = decode_token(token)
    except TokenError as err:
        raise ApiError(
            404,
            "bad_token",
            f"This is not a Guitai e-receipt token: {err}",
            "无法识别此电子小票，请核对二维码",
        ) from err
    device = receipts.device_by_key_id(fields.key_id.hex())
    found: dict[str, Any] = {"fields": fields, "device": device, "sale": None}
    if device is None:
        found["verdict"] = "unknown_till"
        return found
    if not token_signed_by(device, fields):
        found["verdict"] = "altered"
        return found
    found["verdict"] = "revoked_till" if device["revoked_at"] else "genuine"
    sale = receipts.synced_receipt(device["device_id"], fields.receipt_no)
    if sale is not None:
        # a gift receipt's token (version 2) carries total 0: its digest binds it
        total = fields.total_fen if fields.version == 1 else None
        if not matches(sale, fields.sale_digest.hex(), total):
            found["verdict"] = "altered"
        found["sale"] = sale
    return found


def matches(sale: dict[str, Any], digest_hex: str, total_fen: int | None) -> bool:
    """The synced sale is the one the token names (its hash prefix and, given, its total)."""
    return bool(
        sale["entry_hash"][:16] == digest_hex
        and (total_fen is None or sale["total_fen"] == total_fen)
    )
