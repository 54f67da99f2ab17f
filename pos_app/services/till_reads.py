"""Read models the till's screens need (parked sales, recent receipts, reprints) and the
receipt-output port, so the UI never touches the repository itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pos_app.domain.errors import NotFound
from pos_app.domain.money import format_fen
from pos_app.domain.tenders import Tender
from pos_app.domain.timeutil import parse_iso, zone

from .context import TillIdentity
from .unit_of_work import AbstractUnitOfWork


class ReceiptOutput(Protocol):
    """Prints a completed sale or refund (the receipts/drivers packages implement it).

    `copy` is True for a reprint (the receipt then says 重印 / COPY) and counts it."""

    def print_receipt(self, payload: dict[str, Any], *, copy: bool) -> object: ...


@dataclass(frozen=True, slots=True)
class ParkedSale:
    id: int
    created_at: str
    cashier: str
    label: str
    lines: int
    qty: int
    total_fen: int


def _parked(row: dict[str, Any]) -> ParkedSale:
    data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    lines = data.get("lines", [])
    gross = sum(int(x["qty"]) * int(x["unit_price_fen"]) for x in lines)
    return ParkedSale(
        id=int(row["id"]),
        created_at=str(row["created_at"]),
        cashier=str(row["cashier"]),
        label=str(row["label"] or ""),
        lines=len(lines),
        qty=sum(int(x["qty"]) for x in lines),
        total_fen=gross,
    )


def _tender_label(value: str, lang: str) -> str:
    try:
        t = Tender(value)
    except ValueError:
        return value
    return t.label_zh if lang.startswith("zh") else t.label_en


def local_time(iso: str, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A wire timestamp (UTC) as the store's wall-clock time."""
    try:
        return parse_iso(iso).astimezone(zone(tz)).strftime(fmt)
    except ValueError:
        return iso


def receipt_text(identity: TillIdentity, p: dict[str, Any], lang: str = "zh") -> str:
    """A receipt as plain text, for a till built without the paper receipt's renderer
    (`TillReads(text=…)`; the real till passes the document the printer prints)."""
    zh = lang.startswith("zh")
    refund = "refund_id" in p
    width = 40
    title = ("退货单" if zh else "REFUND") if refund else ("销售单" if zh else "SALE")
    out = [
        identity.store_name,
        f"{title}  #{p['receipt_no']}",
        f"{'收银台' if zh else 'Till'} {identity.till_no}  {local_time(str(p['completed_at']), identity.tz, '%Y-%m-%d %H:%M:%S')}",
        f"{'收银员' if zh else 'Cashier'} {p['cashier']}",
        "-" * width,
    ]
    for ln in p["lines"]:
        out.append(str(ln["name"]))
        out.append(
            f"  {ln['qty']} x {format_fen(int(ln['unit_price_fen']))}"
            + (f"  -{format_fen(int(ln['discount_fen']))}" if ln.get("discount_fen") else "")
            + f"  = {format_fen(int(ln['amount_fen']))}"
        )
    out.append("-" * width)
    out.append(f"{'合计' if zh else 'TOTAL'}  ¥{format_fen(int(p['total_fen']))}")
    for pay in p["payments"]:
        line = f"{_tender_label(str(pay['tender']), lang)}  ¥{format_fen(int(pay['amount_fen']))}"
        if pay.get("change_fen"):
            line += f"  {'找零' if zh else 'change'} ¥{format_fen(int(pay['change_fen']))}"
        out.append(line)
    return "\n".join(out)


class TillReads:
    def __init__(
        self,
        uow: AbstractUnitOfWork,
        identity: Callable[[], TillIdentity],
        printer: Callable[[], ReceiptOutput | None] = lambda: None,
        text: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        self.uow = uow
        self._identity = identity
        self._printer = printer
        self._text = text

    @property
    def printer_configured(self) -> bool:
        return self._printer() is not None

    def parked_sales(self) -> list[ParkedSale]:
        return [_parked(r) for r in self.uow.suspended.all()]

    def recent_receipts(self, limit: int = 30) -> list[dict[str, Any]]:
        return self.uow.sales.recent(limit=limit)

    def receipt(self, receipt_no: int) -> dict[str, Any]:
        p = self.uow.sales.payload(receipt_no=receipt_no)
        if p is None:
            raise NotFound(
                f"No receipt {receipt_no} on this till: check the number",
                f"本机没有小票 {receipt_no}，请核对小票号",
            )
        return p

    def original_for_return(self, receipt_no: int) -> dict[str, Any]:
        """The original sale with `returnable_qty` on each line (for the returns screen)."""
        p = self.receipt(receipt_no)
        if p.get("_kind") != "sale":
            raise NotFound(
                f"Receipt {receipt_no} is not a sale (it is a refund): type the sale's number",
                f"小票 {receipt_no} 不是销售单（是退货单），请输入原销售小票号",
            )
        return dict(p, lines=returnable_lines(self.uow, p))

    def receipt_text(self, payload: dict[str, Any], lang: str = "zh") -> str:
        """The receipt the screen shows: the paper receipt's own text rendering when the
        till wired one (one document, so screen and paper never differ)."""
        if self._text is not None:
            return self._text(payload)
        return receipt_text(self._identity(), payload, lang)

    def last_receipt_no(self) -> int | None:
        rows = self.uow.sales.recent(limit=1)
        return int(rows[0]["receipt_no"]) if rows else None

    def reprint(self, receipt_no: int, lang: str = "zh") -> tuple[bool, str]:
        """Reprint a receipt (counted); returns (printed, receipt text for the screen)."""
        p = self.receipt(receipt_no)
        printer = self._printer()
        if printer is not None:
            printer.print_receipt(p, copy=True)  # counts the reprint (the copy says 重印 N)
        else:
            with self.uow:
                self.uow.sales.count_reprint(receipt_no)
                self.uow.commit()
        return printer is not None, self.receipt_text(p, lang)


def returnable_lines(uow: AbstractUnitOfWork, original: dict[str, Any]) -> list[dict[str, Any]]:
    """The original sale's lines with how many of each may still be returned."""
    returned = uow.sales.returned_qty(str(original["sale_id"]))
    out = []
    for ln in original["lines"]:
        left = int(ln["qty"]) - int(returned.get(int(ln["line_no"]), 0))
        out.append(dict(ln, returnable_qty=max(0, left)))
    return out
