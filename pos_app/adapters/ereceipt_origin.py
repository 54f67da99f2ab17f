"""Where a scanned e-receipt was sold (issue 20): this till, another till of the store, or
another store of the brand, from the key that signed it.  The signature is checked here,
offline, against the brand's till keys the cloud publishes to every till: a receipt that does
not verify is refused before anything else is asked."""

from __future__ import annotations

from pos_app.domain.sold_at import SoldAt
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
    store_id = str(row[0] or "")
    till_no = int(row[1]) if row[1] is not None else None
    token = text.strip().rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0].upper()
    return fields.receipt_no, SoldAt(till_no, store_id or None, token)
