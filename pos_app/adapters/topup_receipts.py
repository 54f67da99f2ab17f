"""The top-up receipt (issue 23): its document with the signed QR (token version 3), its
ESC/POS bytes, and its printing after the top-up's commit (a `TopUpCompleted` subscriber);
the receipt of a top-up's refund likewise (a `TopUpRefunded` subscriber)."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from pos_app.domain.errors import GuitaiError, IntegrityError, InvalidInput, StateError
from pos_app.domain.events import TopUpCompleted, TopUpRefunded
from pos_app.domain.timeutil import parse_iso
from pos_app.domain.topups import receipt_digest
from receipts.escpos import render_escpos
from receipts.model import ReceiptDocument
from receipts.token import issue_topup_token, receipt_url
from receipts.topup import from_topup_payload, from_topup_refund_payload

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


def scanned_topup_no(uow: SqliteUnitOfWork, signer: TillSigner, text: str) -> int:
    """The number of this till's top-up whose receipt QR was scanned (the refund dialog): the
    token read (version 3 only), its signature checked with this till's key and its digest
    with the recorded top-up.  A top-up is refunded where it was paid: the payment to reverse
    is this till's."""
    from receipts.token import ALL_VERSIONS, decode_token, verify_token

    from .db.repositories.topups import SqliteTopUps

    fields = decode_token(text.strip(), versions=ALL_VERSIONS)
    if not fields.topup:
        raise InvalidInput(
            "This is a sale's receipt, not a top-up receipt: scan the top-up receipt "
            "(储值充值), or pick the top-up from the list",
            "这是购物小票，不是储值充值凭证：请扫描充值凭证上的二维码，或在列表中选择充值记录",
        )
    if fields.key_id != signer.key_id:
        raise StateError(
            "This top-up was paid at another till: refund it at that till",
            "该笔充值在其他收银机办理：请到原收银机退充值",
        )
    verify_token(fields, signer.public_key_raw)
    t = SqliteTopUps(uow.conn).get(str(fields.receipt_no))
    if t is None or topup_token(t, signer) != _token_of(text):
        raise IntegrityError(
            "This top-up receipt does not match the till's record: do not refund; call the manager",
            "该充值凭证与本机记录不符：请勿退款，请联系店长",
        )
    return fields.receipt_no


def _token_of(text: str) -> str:
    return text.strip().split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1].upper()


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


def topup_refund_bytes(uow: SqliteUnitOfWork, refund: Mapping[str, Any]) -> bytes:
    doc = from_topup_refund_payload(refund, store=store_info(uow.settings.all()))
    return render_escpos(doc, profile(None, None, uow.settings.get("printer_profile")))


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
        payload = event.payload
        p = self.printing
        self._print(
            f"T{int(payload['topup_no']):06d}",
            "topup",
            lambda: topup_bytes(p.uow, p.signer, payload),
        )

    def on_refund(self, event: TopUpRefunded) -> None:
        r = event.refund
        p = self.printing
        self._print(
            f"T{int(r['topup_no']):06d}-R", "topup_refund", lambda: topup_refund_bytes(p.uow, r)
        )

    def _print(self, ref: str, kind: str, render: Callable[[], bytes]) -> None:
        p = self.printing
        name = p.printer_name()
        if name is None:
            return
        try:
            data = p.uow.thread.call(render)
            outcome = p.hw.enqueue_and_print(name, data, kind, ref, wait=p.wait_s)
            if outcome.as_dict()["state"] == "unconfirmed":
                log.warning("%s receipt %s: printing not confirmed", kind, ref)
        except GuitaiError as err:
            log.warning("%s receipt %s not printed: %s", kind, ref, err.message)
            if p.notice:
                p.notice(err)
