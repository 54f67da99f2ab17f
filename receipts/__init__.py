"""Receipts: document model, layout, ESC/POS and raster rendering, e-receipt token and QR.

One receipt document (`document.ReceiptDocument`, built by `from_sale_payload`,
`from_refund_payload`, `from_z_report`, `test_page`), many renderings: `render_text`,
`render_escpos` (per `profiles.PrinterProfile`), `render_png`, `render_html` /
`render_receipt_html`.  The signed e-receipt token lives in `receipts.token`.
See docs/receipts.md.
"""

from __future__ import annotations

from .document import (
    ReceiptDocument,
    Section,
    StoreInfo,
    from_refund_payload,
    from_sale_payload,
    from_token,
    from_z_report,
)
from .document import test_page as build_test_page
from .errors import BadReceiptData, FontNotFound, ReceiptError, UnknownPrinterProfile
from .escpos import render_escpos
from .html import render_html, render_receipt_html
from .layout import render_text
from .profiles import (
    PAPER_58,
    PAPER_80,
    PRESETS,
    Paper,
    PrinterProfile,
    get_profile,
    profile_from_config,
)
from .raster import render_png
from .token import (
    TokenError,
    TokenFields,
    decode_token,
    issue_gift_token,
    issue_token,
    key_id,
    receipt_url,
    verify,
    verify_token,
)

__all__ = [
    "PAPER_58",
    "PAPER_80",
    "PRESETS",
    "BadReceiptData",
    "FontNotFound",
    "Paper",
    "PrinterProfile",
    "ReceiptDocument",
    "ReceiptError",
    "Section",
    "StoreInfo",
    "TokenError",
    "TokenFields",
    "UnknownPrinterProfile",
    "build_test_page",
    "decode_token",
    "from_refund_payload",
    "from_sale_payload",
    "from_token",
    "from_z_report",
    "get_profile",
    "issue_gift_token",
    "issue_token",
    "key_id",
    "profile_from_config",
    "receipt_url",
    "render_escpos",
    "render_html",
    "render_png",
    "render_receipt_html",
    "render_text",
    "verify",
    "verify_token",
]
