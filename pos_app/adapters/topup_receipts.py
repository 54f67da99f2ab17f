"""The top-up receipt (issue 23): its document with the signed QR (token version 3), its
ESC/POS bytes, and its printing after the top-up's commit (a `TopUpCompleted` subscriber)."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Mapping
from typing import Any

from pos_app.domain.errors import GuitaiError
from pos_app.domain.events import TopUpCompleted
from pos_app.domain.timeutil import parse_iso
from pos_app.domain.topups import receipt_digest
from receipts.escpos import render_escpos
from receipts.model import ReceiptDocument
from receipts.token import issue_topup_token, receipt_url
from receipts.topup import from_topup_payload

from .db.unit_of_work import SqliteUnitOfWork
from .keys import TillSigner
from .receipt_docs import profile, store_info
from .receipt_printing import ReceiptPrinting

log = logging.getLogger(__name__)
_ONE_PER_PRINTING: weakref.WeakKeyDictionary[ReceiptPrinting, TopUpPrinting] = (
    weakref.WeakKeyDictionary()
)


def topup_token(payload: Mapping[str, Any], signer: TillSigner) -> str:
    """The top-up's signed token (version 3).  Its digest is worked out from the recorded
    top-up, not read from it: top-ups recorded before the spec's rule reprint with a QR the
    cloud can check."""
    return issue_topup_token(
        signer.private_key,
        topup_no=int(payload["topup_no"]),
        issued_at=int(parse_iso(str(payload["completed_at"])).timestamp()),
        paid_fen=int(payload["paid_fen"]),
        digest=receipt_digest(
            topup_id=str(payload["topup_id"]),
            member_id=str(payload["member_id"]),
            paid_fen=int(payload["paid_fen"]),
            bonus_fen=int(payload.get("bonus_fen") or 0),
            tender=str(payload["tender"]),
        ),
    )


def topup_qr_text(payload: Mapping[str, Any], signer: TillSigner, base_url: str) -> str:
    """The QR text: the e-receipt base URL + token, so the customer's phone opens the cloud's
    top-up page (as a sale's QR does); the token alone while the till has no base URL."""
    token = topup_token(payload, signer)
    return receipt_url(base_url, token) if base_url else token


def topup_document(
    uow: SqliteUnitOfWork, signer: TillSigner, payload: Mapping[str, Any], reprint_count: int = 0
) -> ReceiptDocument:
    return from_topup_payload(
        payload,
        store=store_info(uow.settings.all()),
        qr_url=topup_qr_text(payload, signer, uow.settings.get("ereceipt_base_url") or ""),
        reprint_count=reprint_count,
    )


def topup_bytes(
    uow: SqliteUnitOfWork,
    signer: TillSigner,
    payload: Mapping[str, Any],
    paper_mm: int | None = None,
    encoding: str | None = None,
) -> bytes:
    doc = topup_document(uow, signer, payload)
    return render_escpos(doc, profile(paper_mm, encoding, uow.settings.get("printer_profile")))


class TopUpPrinting:
    """Prints a top-up's receipt after its commit; reports, never raises (house rule 2)."""

    def __init__(self, printing: ReceiptPrinting) -> None:
        self.printing = printing

    @classmethod
    def of(cls, printing: ReceiptPrinting) -> TopUpPrinting:
        """One per printing: wiring the bus again subscribes the same callable (a no-op)."""
        found = _ONE_PER_PRINTING.get(printing)
        if found is None:
            found = _ONE_PER_PRINTING[printing] = cls(printing)
        return found

    def on_topup(self, event: TopUpCompleted) -> None:
        p = self.printing
        name = p.printer_name()
        if name is None:
            return
        payload = event.payload
        ref = f"T{int(payload['topup_no']):06d}"
        try:
            data = p.uow.thread.call(lambda: topup_bytes(p.uow, p.signer, payload))
            outcome = p.hw.enqueue_and_print(name, data, "topup", ref, wait=p.wait_s)
            if outcome.as_dict()["state"] == "unconfirmed":
                log.warning("top-up receipt %s: printing not confirmed", ref)
        except GuitaiError as err:
            log.warning("top-up receipt %s not printed: %s", ref, err.message)
            if p.notice:
                p.notice(err)
