"""Another store's receipt taken back offline (issue 20), where the brand allows it.

Offline, the till knows of another store's sale only what its e-receipt's signed token proves:
the receipt number, when it was issued, the total paid and the sale's digest; not its lines,
tenders or member.  So the only return it can take is of the whole receipt, for at most the
token's total, in cash (no terminal or provider reference to refund through): the sale stands
here as one line worth the token's total (`offline_original`).  The brand's return rules
decide whether that is allowed and up to what amount, always with a manager's approval
(pos_app.domain.return_rules.judge).  The refund syncs marked `offline_other_store` (not
reserved in the cloud, which reconciles it against the sale's return ledger on ingest:
cloud/returns/offline.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .tenders import Tender

MARK = "_offline_other_store"  # on the stand-in original
PAYLOAD_KEY = "offline_other_store"  # on the refund's payload and event
WHOLE_RECEIPT = "整单退货（离线，其他门店） whole receipt (offline, other store)"
VAT_RATE_BP = 1300  # the token carries no VAT: goods' standard rate (13 %)


@dataclass(frozen=True, slots=True)
class TokenProof:
    """What a verified e-receipt token proves of its sale."""

    total_fen: int
    digest: str  # the token's sale digest, hex (the first 8 bytes of the entry hash)
    issued_at: str  # ISO 8601 UTC
    gift: bool = False


def offline_original(
    receipt_no: int, store_id: str, till_no: int | None, proof: TokenProof
) -> dict[str, Any]:
    """The sale as far as the token proves it: one line, the whole receipt, paid in cash."""
    total = int(proof.total_fen)
    where = {"store_id": store_id, "till_no": till_no}
    return {
        # never a real sale's id: this till's refunds of it are counted against it
        "sale_id": f"offline:{store_id}:{till_no}:{receipt_no}:{proof.digest}",
        "receipt_no": receipt_no,
        "store_id": store_id,
        "till_no": till_no,
        "completed_at": proof.issued_at,
        "total_fen": total,
        "lines": [
            {
                "line_no": 1,
                "sku": "",
                "name": WHOLE_RECEIPT,
                "qty": 1,
                "unit_price_fen": total,
                "discount_fen": 0,
                "amount_fen": total,
                "vat_rate_bp": VAT_RATE_BP,
                "category": "",
            }
        ],
        "payments": [{"tender": Tender.CASH.value, "amount_fen": total, "change_fen": 0}],
        "member": None,
        "_kind": "sale",
        "_sold_at": where,
        MARK: dict(where, receipt_no=receipt_no, digest=proof.digest, total_fen=total),
    }


def refund_mark(original: Mapping[str, Any]) -> dict[str, Any]:
    """What the refund's payload says of an offline return of another store's receipt
    (nothing for any other return)."""
    proof = original.get(MARK)
    if not proof:
        return {}
    return {PAYLOAD_KEY: dict(proof, reservation="unreserved")}
