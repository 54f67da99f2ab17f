"""Errors of the receipts package.  Each says what happened and what to do, in English and
Chinese (`pos_app.domain.errors.GuitaiError`)."""

from __future__ import annotations

from pos_app.domain.errors import GuitaiError, InvalidInput


class ReceiptError(GuitaiError):
    """A receipt could not be built or rendered."""

    code = "receipt_error"


class BadReceiptData(ReceiptError, InvalidInput):
    """A sale/refund payload or Z report is missing a field the receipt needs."""

    code = "bad_receipt_data"


class UnknownPrinterProfile(ReceiptError, InvalidInput):
    code = "unknown_printer_profile"


class FontNotFound(ReceiptError):
    """No CJK font for raster printing and previews."""

    code = "cjk_font_missing"
