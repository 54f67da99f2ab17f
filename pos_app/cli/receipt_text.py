"""The receipt as the terminal shows it: the same document the printer gets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pos_app.bootstrap import App


def receipt_text(till: App, p: dict[str, Any]) -> str:
    from pos_app.adapters import receipt_docs
    from receipts import render_text
    from receipts.profiles import paper

    doc = receipt_docs.document(till.uow, till.signer(), p)
    return render_text(doc, paper(80))
