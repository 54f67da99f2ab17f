"""What the till's screen and the CLI ask of receipts beyond the sale: the paper receipt as
text, the e-receipt QR, a scanned e-receipt's verdict, gift receipts and the printer's test
page.  `output` is the receipt output once the side effects are wired (None: the till shows
receipts on screen)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pos_app.adapters.db.unit_of_work import SqliteUnitOfWork
from pos_app.adapters.keys import TillSigner
from pos_app.adapters.lazy import Lazy
from pos_app.domain.errors import GuitaiError
from pos_app.domain.sold_at import SoldAt
from pos_app.services.receipt_scan import ScannedToken, sold_elsewhere, verify_scan
from pos_app.services.till_reads import ReceiptOutput, TillReads

if TYPE_CHECKING:
    # The renderers and the printer's drivers load on the first receipt, not at start-up.
    from pos_app.adapters.receipt_output import CountedReceiptOutput
    from pos_app.adapters.receipt_printing import ReceiptPrinting


class TokenCodec:
    """services.receipt_scan.ReceiptTokens over receipts.token and this till's keys."""

    def __init__(self, uow: SqliteUnitOfWork, signer: TillSigner) -> None:
        self.uow = uow
        self.signer = signer

    def decode(self, text: str) -> ScannedToken:
        from receipts.token import decode_token

        return decode_token(text)

    def public_key(self, key_id: bytes) -> bytes | None:
        from pos_app.adapters import receipt_docs

        found: bytes | None = receipt_docs.key_lookup(self.uow, self.signer)(key_id)
        return found

    def check_signature(self, token: ScannedToken, public: bytes) -> None:
        from receipts.token import TokenFields, verify_token

        assert isinstance(token, TokenFields)  # what decode() returned
        verify_token(token, public)

    def verify_receipt(self, text: str) -> dict[str, Any]:
        from pos_app.adapters import receipt_docs

        return receipt_docs.verify_receipt(self.uow, self.signer, text)


class ReceiptDesk:
    def __init__(
        self,
        uow: SqliteUnitOfWork,
        signer: Callable[[], TillSigner],
        printing: Callable[[], ReceiptPrinting],
        printer: Lazy[CountedReceiptOutput],
        reads: Callable[[], TillReads],
        elsewhere: Callable[[int, SoldAt], dict[str, Any]] | None = None,
    ) -> None:
        """`elsewhere`: another till's or store's sale for a return (SaleService's)."""
        self.elsewhere = elsewhere
        self.uow = uow
        self.signer = signer
        self.printing = printing
        self.printer = printer
        self.reads = reads
        self.output: ReceiptOutput | None = None

    def current_output(self) -> ReceiptOutput | None:
        """The receipt output, or None while the wired printer output has no printer to use
        (the till then shows receipts on screen instead)."""
        out = self.output
        wired = out is not None and out is self.printer.built()
        if wired and self.printing().printer_name() is None:
            return None
        return out

    def paper_text(self, payload: dict[str, Any]) -> str:
        """The receipt as text from the very document the printer prints (the same paper
        width), so the till's screen shows what the customer holds."""
        from pos_app.adapters import receipt_docs
        from receipts import render_text

        doc = receipt_docs.document(self.uow, self.signer(), payload)
        prof = receipt_docs.profile(None, None, self.uow.settings.get("printer_profile"))
        return render_text(doc, prof.paper)

    def ereceipt_base_url(self) -> str:

        return self.uow.settings.get("ereceipt_base_url") or ""

    def ereceipt_qr(self, payload: dict[str, Any]) -> list[list[bool]] | None:
        """The signed e-receipt QR of a committed sale as modules (True = dark); None while the
        till has no e-receipt address.  The paper receipt still carries the bare token (the till
        scans it for a return), but on the customer's screen a QR that opens no page would only
        invite a scan that leads nowhere."""
        from pos_app.adapters import receipt_docs
        from receipts.token import qr_matrix

        base = self.ereceipt_base_url()
        if not base:
            return None
        return qr_matrix(receipt_docs.ereceipt_url(payload, self.signer(), base))

    def return_origin(self, text: str) -> tuple[int, SoldAt | None]:
        """A scanned e-receipt's receipt number and where it was sold (issue 20)."""
        from pos_app.adapters.ereceipt_origin import sold_at_of

        return sold_at_of(self.uow, self.signer(), text)

    def gift_receipt(self, text: str) -> bool:
        """Whether a scanned e-receipt is a gift receipt's (a version 2 token): it takes
        exchanges only, never money back (pos_app.domain.return_rules)."""
        from receipts.token import decode_token

        return decode_token(text.strip()).gift

    def topup_scan(self, text: str) -> int:
        """The number of this till's top-up whose receipt QR was scanned (issue 23)."""
        from pos_app.adapters.topup_receipts import scanned_topup_no

        return scanned_topup_no(self.uow, self.signer(), text)

    def verify_scan(self, text: str) -> dict[str, Any]:
        """A scanned e-receipt (paper or phone): verdict genuine / altered / unknown_till /
        unreadable, and for this till's genuine sales the sale ready for a return."""
        codec = TokenCodec(self.uow, self.signer())
        verdict = verify_scan(codec, self.reads().original_for_return, text)
        if verdict["verdict"] != "genuine_other" or self.elsewhere is None:
            return verdict
        # another till's or store's: its sale from the store's records or the cloud (issue 20)
        try:
            receipt_no, sold_at = self.return_origin(text)
            if sold_at is None:
                return verdict
            original = self.elsewhere(receipt_no, sold_at)
        except GuitaiError as err:
            return dict(
                verdict,
                message=f"{verdict['message']} ({err.message})",
                message_zh=f"{verdict['message_zh']}（{err.message_zh}）",
            )
        here = self.uow.settings.get("store_id") or ""
        found = sold_elsewhere(verdict, original, here)
        found["sold_at"] = dict(found["sold_at"], ereceipt=sold_at.ereceipt, proof=sold_at.proof)
        return found

    def print_gift(self, receipt_no: int, lang: str = "zh") -> tuple[bool, str]:
        """A gift receipt (no prices) of a sale; (printed, on-screen text)."""
        from pos_app.adapters import receipt_docs

        payload = self.reads().receipt(receipt_no)
        if self.output is None or self.printing().printer_name() is None:
            from receipts import render_text
            from receipts.profiles import paper

            doc = receipt_docs.document(self.uow, self.signer(), payload, gift=True)
            return False, render_text(doc, paper(80))
        self.printer().print_receipt(payload, copy=False, gift=True)
        return True, ""

    def test_page(self, rec: Any, status: Any) -> bytes:
        from pos_app.adapters import receipt_docs
        from receipts import build_test_page, render_escpos

        store = receipt_docs.store_info(self.uow.settings.all())
        prof = receipt_docs.profile(None, None, self.uow.settings.get("printer_profile"))
        return render_escpos(build_test_page(store, prof), prof)
