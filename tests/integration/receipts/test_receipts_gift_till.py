"""The till's print-gift path (App.receipts.print_gift, behind the tender screen's gift button) renders
the gift receipt with the version 2 token and no money (issue 19, item 7)."""

from __future__ import annotations

import re
from typing import Any

from pos_app.bootstrap import shutdown
from pos_app.domain.money import CashRounding
from pos_app.domain.tenders import Tender
from receipts import token as tk


def test_print_gift_without_a_printer_shows_the_version_2_receipt(till: Any) -> None:
    u = till.users.authenticate("admin", "7391")
    till.shifts.open(u, 10000)
    sale = till.sales.new_sale(u)
    till.sales.scan(sale, "6901234567892")  # 男士羊毛夹克 ¥299.00
    sale.add_tender(Tender.CASH, 30000, CashRounding.NONE)
    payload = till.sales.complete(sale)
    no = payload["receipt_no"]

    printed, text = till.receipts.print_gift(no)
    assert printed is False  # no printer set up: the text goes on screen
    assert "礼品小票" in text and "男士羊毛夹克" in text
    assert not re.search(r"\d+\.\d\d", text) and "找零" not in text and "现金" not in text
    (qr,) = re.findall(r"\[QR ([^\]]+)\]", text)
    fields = till.receipts.verify_scan(qr)
    assert fields["verdict"] == "genuine" and fields["total_fen"] == 0
    decoded = tk.decode_token(qr)
    assert decoded.gift and decoded.receipt_no == no
    shutdown(till)
