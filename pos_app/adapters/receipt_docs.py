"""Receipts for this till: the store's details, the signed e-receipt URL and verification
against this till's journal.  Glue between the database, the till's key and `receipts`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.keys import TillSigner
from pos_app.domain.errors import InvalidInput
from pos_app.domain.tenders import PAYMENT_TENDERS
from pos_app.domain.timeutil import DEFAULT_TZ, parse_iso, zone
from receipts import (
    PrinterProfile,
    ReceiptDocument,
    StoreInfo,
    from_refund_payload,
    from_sale_payload,
    from_z_report,
    get_profile,
    profile_from_config,
)
from receipts.labels import tr
from receipts.token import TokenFields, issue_gift_token, issue_token, receipt_url, verify
from receipts.z_stock import STOCK_KEY, skus_of

# Until the brand's e-receipt address is set (guitai init --ereceipt-base-url, or enrolment)
# the QR holds the bare token: no link that leads nowhere, still verifiable offline at any
# till, and the caption says the e-receipt comes later.
NO_BASE_CAPTION = "电子小票开通后可扫码查看"


def store_info(settings: Mapping[str, str]) -> StoreInfo:
    return StoreInfo(
        name=settings.get("store_name", settings.get("store_id", "")),
        store_id=settings.get("store_id", ""),
        address=settings.get("store_address", ""),
        phone=settings.get("store_phone", ""),
        logo_path=settings.get("receipt_logo") or None,
        timezone=settings.get("timezone", DEFAULT_TZ),
        language="zh-Hant" if settings.get("receipt_language") == "zh-Hant" else "zh-Hans",
    )


def ereceipt_url(
    payload: Mapping[str, Any], signer: TillSigner, base_url: str, *, gift: bool = False
) -> str:
    """The QR text: base URL + token, or the token alone while there is no base URL.  A gift
    receipt's token is version 2 (no total)."""
    receipt_no = int(payload["receipt_no"])
    issued_at = int(parse_iso(str(payload["completed_at"])).timestamp())
    entry = bytes.fromhex(payload["_entry_hash"])
    if gift:
        token = issue_gift_token(
            signer.private_key, receipt_no=receipt_no, issued_at=issued_at, entry_hash=entry
        )
    else:
        token = issue_token(
            signer.private_key,
            receipt_no=receipt_no,
            issued_at=issued_at,
            total_fen=int(payload["total_fen"]),
            entry_hash=entry,
        )
    return receipt_url(base_url, token) if base_url else token


def document(
    uow: SqliteUnitOfWork,
    signer: TillSigner,
    payload: Mapping[str, Any],
    *,
    reprint_count: int = 0,
    gift: bool = False,
) -> ReceiptDocument:
    settings = uow.settings.all()
    info = store_info(settings)
    base = settings.get("ereceipt_base_url") or ""
    if not base:
        info = replace(info, qr_caption=tr(info.language, NO_BASE_CAPTION))
    payload = with_trade_nos(uow, payload)
    if "refund_id" in payload:
        url = ereceipt_url(payload, signer, base)
        return from_refund_payload(payload, store=info, reprint_count=reprint_count, qr_url=url)
    url = ereceipt_url(payload, signer, base, gift=gift)
    return from_sale_payload(
        payload, store=info, reprint_count=reprint_count, gift=gift, qr_url=url
    )


def with_trade_nos(uow: SqliteUnitOfWork, payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """Each card or wallet payment with the acquirer's transaction number (`trade_no`), from
    its payment attempt: the receipt prints it for the customer's dispute (issue 23).  The
    recorded sale is not changed: its journal hash and the e-receipt token stay as they were."""
    payments = payload.get("payments")
    if not isinstance(payments, list):
        return payload
    out: list[Any] = []
    for p in payments:
        ref = p.get("reference") if isinstance(p, Mapping) else None
        if ref and p.get("tender") in PAYMENT_TENDERS and not p.get("trade_no"):
            attempt = uow.payments.get(str(ref))
            number = attempt and (attempt.provider_ref or attempt.terminal_ref)
            if number:
                p = dict(p, trade_no=number)
        out.append(p)
    return dict(payload, payments=out)


def z_document(
    uow: SqliteUnitOfWork, report: Mapping[str, Any], *, reprint_count: int = 0
) -> ReceiptDocument:
    """The printable Z, with the catalogue's names and prices for its stock adjustments."""
    info: dict[str, tuple[str, int]] = {}
    stock = report.get(STOCK_KEY)
    if isinstance(stock, Mapping):
        skus = sorted(skus_of(stock))
        for i in range(0, len(skus), 500):  # SQLite's bound-parameter limit
            chunk = skus[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for sku, name, price in uow.conn.execute(
                f"SELECT sku, name, price_fen FROM skus WHERE sku IN ({marks})", chunk
            ):
                info[sku] = (name, int(price))
    return from_z_report(
        report, store_info(uow.settings.all()), sku_info=info, reprint_count=reprint_count
    )


def profile(paper_mm: int | None, encoding: str | None, configured: str | None) -> PrinterProfile:
    """The printer profile: the till's configured one, with --paper/--encoding overrides."""
    base = get_profile(configured) if configured else get_profile("generic-80-gb18030")
    over: dict[str, Any] = {"profile": base.name}
    if paper_mm:
        over["paper_mm"] = paper_mm
    if encoding:
        if encoding not in ("gb18030", "gbk", "big5", "raster"):
            raise InvalidInput(
                f"Unknown encoding {encoding}: use gb18030, gbk, big5 or raster",
                f"未知编码 {encoding}：可用 gb18030、gbk、big5、raster",
            )
        over["encoding"] = encoding
        if encoding == "raster":
            over["native_qr"] = False
    return profile_from_config(over)


def key_lookup(uow: SqliteUnitOfWork, signer: TillSigner) -> Callable[[bytes], bytes | None]:
    def lookup(kid: bytes) -> bytes | None:
        if kid == signer.key_id:
            return signer.public_key_raw
        try:
            row = uow.conn.execute(
                "SELECT public_key FROM device_keys WHERE key_id = ?", (kid.hex(),)
            ).fetchone()
        except Exception:  # no device_keys table before the sync migration
            row = None
        if row is None:
            return None
        import base64

        return base64.b64decode(row[0])

    return lookup


def verify_receipt(uow: SqliteUnitOfWork, signer: TillSigner, text: str) -> dict[str, Any]:
    """Verify a scanned e-receipt; raises TokenError with the reason when it is not genuine."""
    from datetime import UTC, datetime

    fields: TokenFields = verify(text.strip(), key_lookup(uow, signer))
    tz = uow.settings.all().get("timezone", DEFAULT_TZ)
    # The token carries Unix seconds; a person reads the store's wall-clock time.
    issued = datetime.fromtimestamp(fields.issued_at, UTC).astimezone(zone(tz))
    result: dict[str, Any] = {
        "valid": True,
        "key_id": fields.key_id.hex(),
        "receipt_no": fields.receipt_no,
        "issued_at": fields.issued_at,
        "issued_at_iso": issued.isoformat(),
        "timezone": tz,
        "total_fen": fields.total_fen,
        "gift": fields.gift,
        "own_till": fields.key_id == signer.key_id,
        "local_sale": None,
    }
    if result["own_till"]:
        p = uow.sales.payload(receipt_no=fields.receipt_no)
        if p is None:
            result["local_sale"] = {"matches": False, "reason": "no such receipt on this till"}
        else:
            # A gift receipt's token carries no total (version 2): the digest binds it.
            ok = bytes.fromhex(p["_entry_hash"])[:8] == fields.sale_digest and (
                fields.gift or int(p["total_fen"]) == fields.total_fen
            )
            result["local_sale"] = {
                "matches": ok,
                "sale_id": p.get("sale_id") or p.get("refund_id"),
                "kind": p["_kind"],
                "reason": "" if ok else "the receipt does not match the journal entry",
            }
    return result
