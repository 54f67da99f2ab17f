"""A scanned e-receipt (paper or phone) judged for the cashier: genuine, genuine from another
till of the brand, altered, from an unknown till, or unreadable; for this till's genuine sales
the sale comes back ready for a return.  The token's decoding and signature check are a port
(`ReceiptTokens`), implemented over `receipts.token` in pos_app/adapters/receipt_desk.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pos_app.domain.errors import GuitaiError
from pos_app.domain.offline_returns import MARK as OFFLINE_MARK

VERDICTS = {
    "genuine": ("Genuine receipt of this till", "真实小票（本机签发）"),
    "genuine_other": (
        "Genuine receipt from another till of the brand: take the return at that store's till "
        "or ask head office",
        "真实小票（其他收银机签发）：请到原收银机办理退货或联系总部",
    ),
    "altered": (
        "Altered receipt: do not refund; call the manager",
        "小票已被篡改：请勿退款，请联系店长",
    ),
    "unknown_till": (
        "Receipt from an unknown till: sync the till keys or ask head office",
        "未知收银机签发的小票：请同步收银机密钥或联系总部",
    ),
    "unreadable": ("Not an e-receipt QR: scan it again", "不是电子小票二维码：请重新扫描"),
    # a top-up receipt's QR (token version 3): nothing to return; the top-up is refunded
    "topup": ("A top-up receipt, not a sale's", "储值充值凭证，不是购物小票"),
}
TOPUP_RECEIPT = "topup_receipt"  # the code of the decoding error a top-up's token gives


class ScannedToken(Protocol):
    @property
    def key_id(self) -> bytes: ...

    @property
    def receipt_no(self) -> int: ...

    @property
    def total_fen(self) -> int: ...


class ReceiptTokens(Protocol):
    """The e-receipt token's codec; every failure is a GuitaiError saying why."""

    def decode(self, text: str) -> ScannedToken:
        """The token's fields; raises GuitaiError when the text is no e-receipt token."""
        ...

    def public_key(self, key_id: bytes) -> bytes | None:
        """The signing till's public key, None when the till is unknown here."""
        ...

    def check_signature(self, token: ScannedToken, public: bytes) -> None:
        """Raises GuitaiError when the signature does not hold."""
        ...

    def verify_receipt(self, text: str) -> dict[str, Any]:
        """receipt_no, total_fen, own_till and (for this till) local_sale's match."""
        ...


def verify_scan(
    tokens: ReceiptTokens, original_for_return: Callable[[int], dict[str, Any]], text: str
) -> dict[str, Any]:
    def out(verdict: str, detail: GuitaiError | None = None, **extra: Any) -> dict[str, Any]:
        en, zh = VERDICTS[verdict]
        if detail is not None:
            en, zh = f"{en} ({detail.message})", f"{zh}（{detail.message_zh}）"
        return {"verdict": verdict, "message": en, "message_zh": zh, "original": None, **extra}

    try:
        fields = tokens.decode(text.strip())
    except GuitaiError as err:
        return out("topup" if err.code == TOPUP_RECEIPT else "unreadable", err)
    public = tokens.public_key(fields.key_id)
    if public is None:
        return out("unknown_till", receipt_no=fields.receipt_no, total_fen=fields.total_fen)
    try:
        tokens.check_signature(fields, public)
    except GuitaiError as err:
        return out("altered", err, receipt_no=fields.receipt_no)
    result = tokens.verify_receipt(text)
    info = {"receipt_no": result["receipt_no"], "total_fen": result["total_fen"]}
    if not result["own_till"]:
        return out("genuine_other", gift=bool(result.get("gift")), **info)
    local = result["local_sale"] or {}
    if not local.get("matches"):
        reason = str(local.get("reason") or "no such sale")
        return out("altered", GuitaiError(reason, "与本机记录不符"), **info)
    if local.get("kind") != "sale":
        return out(
            "genuine",
            GuitaiError("this is a refund receipt", "这是退货单，不能再退"),
            **info,
        )
    original = original_for_return(int(result["receipt_no"]))
    return out("genuine", original=original, gift=bool(result.get("gift")), **info)


def sold_elsewhere(
    verdict: dict[str, Any], original: dict[str, Any], here_store: str
) -> dict[str, Any]:
    """A genuine receipt of another till or store whose sale was found (issue 20): genuine,
    saying where it was sold, with the sale ready for a return there."""
    where = original.get("_sold_at") or {}
    store, till = where.get("store_id") or here_store, where.get("till_no")
    if store == here_store:
        en = f"Genuine receipt of till {till} of this store"
        zh = f"真实小票（本店 {till} 号收银机签发）"
    elif original.get(OFFLINE_MARK):
        en = (
            f"Genuine receipt of store {store}, till {till} (signature checked; the cloud is "
            "out of reach): only the whole receipt, up to the brand's limit, with a manager"
        )
        zh = (
            f"真实小票（门店 {store} {till} 号收银机签发，已验签；云端未响应）：仅可整单退货，"
            "不超过品牌限额，需店长授权"
        )
    else:
        en = f"Genuine receipt of store {store}, till {till} (checked with the cloud)"
        zh = f"真实小票（门店 {store} {till} 号收银机签发，已向云端核实）"
    return dict(
        verdict, verdict="genuine", message=en, message_zh=zh, original=original, sold_at=where
    )
