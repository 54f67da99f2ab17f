"""Where a scanned e-receipt was sold (issue 20): this till, another till of the store, or
another store of the brand, from the key that signed it.  The signature is checked here,
offline, against the brand's till keys the cloud publishes to every till: a receipt that does
not verify is refused before anything else is asked."""

from __future__ import annotations

from datetime import UTC, datetime

from pos_app.domain.offline_returns import TokenProof
from pos_app.domain.sold_at import SoldAt
from pos_app.domain.timeutil import iso_utc
from receipts.token import verify

from .db.unit_of_work import SqliteUnitOfWork
from .keys import TillSigner
from .receipt_docs import key_lookup


def sold_at_of(uow: SqliteUnitOfWork, signer: TillSigner, text: str) -> tuple[int, SoldAt | None]:
    """(receipt number, where it was sold: None for this till).  Raises TokenError (a
    GuitaiError saying why) for a token that is unreadable, altered or of an unknown till."""
    fields = verify(text.strip(), key_lookup(uow, signer))
    if fields.key_id == signer.key_id:
        return fields.receipt_no, None
    row = uow.conn.execute(
        "SELECT store_id, till_no FROM device_keys WHERE key_id = ? ORDER BY revoked, "
        "updated_at DESC LIMIT 1",
        (fields.key_id.hex(),),
    ).fetchone()
    store_id = str(row[0] or "") if row else ""
    till_no = int(row[1]) if row and row[1] is not None else None
    proof = TokenProof(
        total_fen=fields.total_fen,
        digest=fields.sale_digest.hex(),
        issued_at=iso_utc(datetime.fromtimestamp(fields.issued_at, UTC)),
        gift=fields.gift,
    )
    return fields.receipt_no, SoldAt(till_no, store_id or None, token_of(text), proof)


def token_of(text: str) -> str:
    """The token of a scanned QR: its URL's last segment (a scanner app may append a query
    or fragment), as the cloud's /v1/receipts/{token} takes it."""
    for sep in ("?", "#"):
        text = text.split(sep, 1)[0]
    return text.strip().rsplit("/", 1)[-1].upper()
