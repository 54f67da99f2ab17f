"""Receipts for this till: the store's details, the signed e-receipt URL and verification
against this till's journal.  Glue between the database, the till's key and `receipts`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.keys import TillSigner
from pos_app.domain.errors import InvalidInput
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
from receipts.token import TokenFields, issue_token, receipt_url, verify
from receipts.z_stock import STOCK_KEY, skus_of

# Until the till is enrolled the cloud has not handed over the brand's e-receipt address; the
# spec's example address keeps the QR well formed and verifiable offline by any till.
DEFAULT_ERECEIPT_BASE = "HTTPS://R.EXAMPLE.COM/R/"


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


def ereceipt_url(payload: Mapping[str, Any], signer: TillSigner, base_url: str) -> str:
    token = issue_token(
        signer.private_key,
        receipt_no=int(payload["receipt_no"]),
        issued_at=int(parse_iso(str(payload["completed_at"])).timestamp()),
        total_fen=int(payload["total_fen"]),
        entry_hash=bytes.fromhex(payload["_entry_hash"]),
    )
    return receipt_url(base_url, token)


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
    url = ereceipt_url(payload, signer, settings.get("ereceipt_base_url") or DEFAULT_ERECEIPT_BASE)
    if "refund_id" in payload:
        return from_refund_payload(payload, store=info, reprint_count=reprint_count, qr_url=url)
    return from_sale_payload(
        payload, store=info, reprint_count=reprint_count, gift=gift, qr_url=url
    )


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
        "own_till": fields.key_id == signer.key_id,
        "local_sale": None,
    }
    if result["own_till"]:
        p = uow.sales.payload(receipt_no=fields.receipt_no)
        if p is None:
            result["local_sale"] = {"matches": False, "reason": "no such receipt on this till"}
        else:
            ok = (
                bytes.fromhex(p["_entry_hash"])[:8] == fields.sale_digest
                and int(p["total_fen"]) == fields.total_fen
            )
            result["local_sale"] = {
                "matches": ok,
                "sale_id": p.get("sale_id") or p.get("refund_id"),
                "kind": p["_kind"],
                "reason": "" if ok else "the receipt does not match the journal entry",
            }
    return result
