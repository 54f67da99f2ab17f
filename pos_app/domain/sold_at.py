"""Where the sale a return is taken against was sold: this till by default, another till of
this store (`guitai return --till N`), or another store of the brand (`--store S`)."""

from __future__ import annotations

from dataclasses import dataclass

from .offline_returns import TokenProof


@dataclass(frozen=True, slots=True)
class SoldAt:
    till_no: int | None = None  # None: this till
    store_id: str | None = None  # None: this store
    ereceipt: str | None = None  # the scanned e-receipt token: another store's sale online
    proof: TokenProof | None = None  # what the verified token proves (offline acceptance)

    def is_here(self, store_id: str, till_no: int) -> bool:
        return self.store_id in (None, store_id) and self.till_no in (None, till_no)
