"""The cloud's 发票 desk (`service.fapiao`): one invoice per receipt, asked for by whoever
holds the printed receipt, its amounts from the synced sale's VAT lines net of refunds, sent
to the invoicing provider after the request is stored (the provider is never called inside a
transaction), and the red-letter reversal (红冲) of a refund booked with the refund's ingest
and sent after it commits.

A request the provider did not answer stays 申请中 (pending) and is sent again, under the
same request id, the next time the page, the API or an ingest looks at it: the provider
dedupes by that id, so a retry never makes a second invoice."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from pos_app.domain.pricing import vat_breakdown

from ..common import _dump, _now_iso
from ..db import CloudDB, Tx
from .application import Application, FapiaoRefused
from .provider import FapiaoProvider, Outcome, ProviderUnreachable

log = logging.getLogger(__name__)

STATES_ZH = {"pending": "申请中", "issued": "已开具", "failed": "失败"}
_COLUMNS = (
    "receipt_key, request_id, sale_id, store_id, kind, title, tax_id, email, phone, lines, "
    "total_fen, state, number, pdf_url, reason, requested_at, updated_at"
)


class ReceiptLookup(Protocol):
    def synced_receipt(self, device_id: str, receipt_no: int) -> dict[str, Any] | None: ...


def receipt_key(device: Mapping[str, Any], receipt_no: int) -> str:
    return f"{device['device_id']}:{receipt_no}"


def sale_vat(payload: Mapping[str, Any]) -> list[dict[str, int]]:
    """The sale's VAT lines; a payload without them (an older till) has them recomputed from
    its lines, as the till computes them (prices include VAT)."""
    vat = payload.get("vat")
    if isinstance(vat, list) and vat:
        return [
            {k: int(v.get(k, 0)) for k in ("rate_bp", "gross_fen", "vat_fen")}
            for v in vat
            if isinstance(v, dict)
        ]
    return [
        v.as_dict()
        for v in vat_breakdown(
            (int(ln.get("vat_rate_bp", 0)), int(ln.get("amount_fen", 0)))
            for ln in payload.get("lines", [])
            if isinstance(ln, dict)
        )
    ]


def net_lines(
    sale: list[dict[str, int]], refunds: Iterable[list[dict[str, int]]]
) -> list[dict[str, int]]:
    """The sale's VAT lines plus its refunds' (negative) ones, per rate; rates refunded in
    full drop out."""
    by_rate: dict[int, dict[str, int]] = {}
    for lines in (sale, *refunds):
        for v in lines:
            acc = by_rate.setdefault(
                v["rate_bp"], {"rate_bp": v["rate_bp"], "gross_fen": 0, "vat_fen": 0}
            )
            acc["gross_fen"] += v["gross_fen"]
            acc["vat_fen"] += v["vat_fen"]
    return [v for _, v in sorted(by_rate.items()) if v["gross_fen"] > 0]


def _mask_email(email: str) -> str:
    box, _, domain = email.partition("@")
    return f"{box[:1]}***@{domain}" if domain else ""


def _mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone else ""


class FapiaoDesk:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], receipts: ReceiptLookup) -> None:
        self.db = db
        self.now = now
        self.receipts = receipts
        self.provider: FapiaoProvider | None = None

    def use(self, provider: FapiaoProvider) -> None:
        """The invoicing provider (`guitai cloud serve --fapiao-url`); without one the page
        offers no 发票 and a request is refused with 503."""
        self.provider = provider

    @property
    def available(self) -> bool:
        return self.provider is not None

    # ---- the page's request ---------------------------------------------------------------

    def request(
        self, device: Mapping[str, Any], receipt_no: int, app: Application
    ) -> tuple[int, dict[str, Any]]:
        """(status, state) of the receipt's invoice after asking for it: 202 for a new
        request, 409 with the first one's state for a second."""
        if self.provider is None:
            raise FapiaoRefused(
                503,
                "fapiao_unavailable",
                "This brand does not issue e-invoices online yet: ask the store for one",
                "该品牌暂未开通线上开具发票，请向门店索取",
            )
        key = receipt_key(device, receipt_no)
        sale = self.receipts.synced_receipt(str(device["device_id"]), receipt_no)
        if sale is None:
            raise FapiaoRefused(
                409,
                "not_synced",
                "The store has not sent this sale to the cloud yet: try again in a few minutes",
                "门店尚未上传此笔交易，请几分钟后再试",
            )
        if sale["type"] != "sale.completed":
            raise FapiaoRefused(
                409,
                "not_a_sale",
                "This is a refund receipt: an invoice is asked for from the sale's receipt",
                "这是退货小票，请使用购物小票申请发票",
            )
        payload = sale["payload"]
        sale_id = str(payload.get("sale_id", ""))
        now = _now_iso(self.now())
        with self.db.tx() as tx:
            first = self._row(tx, key)
            if first is not None and first["state"] != "failed":
                raise _Already(self._public(tx, first))
            refunds = [
                json.loads(r[0])
                for r in tx.execute(
                    "SELECT vat FROM refund_vat WHERE original_sale_id = ?", (sale_id,)
                ).fetchall()
            ]
            lines = net_lines(sale_vat(payload), refunds)
            if not lines:
                raise FapiaoRefused(
                    409,
                    "nothing_to_invoice",
                    "This sale was refunded in full: there is nothing to invoice",
                    "此笔交易已全额退货，无可开票金额",
                )
            total = sum(v["gross_fen"] for v in lines)
            row = (
                key,
                str(uuid.uuid4()),
                sale_id,
                str(device["store_id"]),
                app.kind,
                app.title,
                app.tax_id,
                app.email,
                app.phone,
                _dump(lines),
                total,
                "pending",
                now,
                now,
            )
            if first is not None:  # a failed request is asked again: a new request id
                tx.execute("DELETE FROM fapiao_requests WHERE receipt_key = ?", (key,))
            # ON CONFLICT: two taps racing on two workers; the loser gets the winner's state
            fresh = tx.execute(
                "INSERT INTO fapiao_requests(receipt_key, request_id, sale_id, store_id, kind, "
                "title, tax_id, email, phone, lines, total_fen, state, requested_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                row,
            ).rowcount
        if not fresh:
            return 409, self._already_body(key)
        state = self.state(key)
        assert state is not None  # inserted just above, in a committed transaction
        return 202, state

    def _already_body(self, key: str) -> dict[str, Any]:
        return _Already(self.state(key) or {}).body()

    # ---- state ------------------------------------------------------------------------------

    def _row(self, tx: Tx, key: str) -> dict[str, Any] | None:
        row = tx.execute(
            f"SELECT {_COLUMNS} FROM fapiao_requests WHERE receipt_key = ?", (key,)
        ).fetchone()
        return None if row is None else dict(zip(_COLUMNS.split(", "), row, strict=True))

    def _public(self, tx: Tx, r: Mapping[str, Any]) -> dict[str, Any]:
        """What the page and GET /r/{token}/fapiao show to whoever holds the paper: the
        receipt's invoice without the buyer's contact (masked) or a person's full name."""
        reversals = [
            {
                "state": s,
                "state_zh": STATES_ZH[s],
                "total_fen": int(t),
                "number": n or None,
                "pdf_url": u or None,
                "reason": why or None,
            }
            for s, t, n, u, why in tx.execute(
                "SELECT state, total_fen, number, pdf_url, reason FROM fapiao_reversals "
                "WHERE receipt_key = ? ORDER BY at",
                (r["receipt_key"],),
            ).fetchall()
        ]
        title = (
            r["title"] if r["kind"] == "company" else r["title"][:1] + "*" * (len(r["title"]) - 1)
        )
        return {
            "state": r["state"],
            "state_zh": STATES_ZH[r["state"]],
            "kind": r["kind"],
            "title": title,
            "tax_id": r["tax_id"] or None,
            "email": _mask_email(r["email"]) or None,
            "phone": _mask_phone(r["phone"]) or None,
            "total_fen": int(r["total_fen"]),
            "lines": json.loads(r["lines"]),
            "number": r["number"] or None,
            "pdf_url": r["pdf_url"] or None,
            "reason": r["reason"] or None,
            "requested_at": r["requested_at"],
            "reversals": reversals,
        }

    def state(self, key: str) -> dict[str, Any] | None:
        """The receipt's invoice as the page shows it (None: never asked for); a request the
        provider has not answered yet, or a reversal, is sent again first."""
        self.send_pending(key)
        with self.db.tx() as tx:
            return self.state_in(tx, key)

    def state_in(self, tx: Tx, key: str) -> dict[str, Any] | None:
        """The receipt's invoice as the page shows it, read in the caller's transaction (the
        e-receipt page's one transaction); nothing is sent to the provider."""
        row = self._row(tx, key)
        return None if row is None else self._public(tx, row)

    def list(self, store_id: str | None = None) -> list[dict[str, Any]]:
        """Every request, newest first, for the store manager (contact in full: they issue it)."""
        where, args = ("WHERE store_id = ?", (store_id,)) if store_id else ("", ())
        with self.db.tx() as tx:
            rows = tx.execute(
                f"SELECT {_COLUMNS} FROM fapiao_requests {where} "
                "ORDER BY requested_at DESC, receipt_key",
                args,
            ).fetchall()
            out = []
            for raw in rows:
                r = dict(zip(_COLUMNS.split(", "), raw, strict=True))
                public = self._public(tx, r)
                device_id, _, receipt_no = r["receipt_key"].rpartition(":")
                out.append(
                    public
                    | {
                        "store_id": r["store_id"],
                        "device_id": device_id,
                        "receipt_no": int(receipt_no),
                        "sale_id": r["sale_id"],
                        "title": r["title"],
                        "email": r["email"] or None,
                        "phone": r["phone"] or None,
                        "request_id": r["request_id"],
                    }
                )
        return out

    # ---- talking to the provider (after commit) -------------------------------------------

    def send_pending(self, key: str | None = None) -> None:
        """Send what waits for the provider: pending requests (of one receipt, or all), then
        the reversals of issued invoices.  Unreachable: left pending for the next look."""
        if self.provider is None:
            return
        only, args = ("AND q.receipt_key = ?", (key,)) if key else ("", ())
        with self.db.tx() as tx:
            pending = [
                dict(zip(_COLUMNS.split(", "), r, strict=True))
                for r in tx.execute(
                    f"SELECT {_COLUMNS} FROM fapiao_requests q WHERE q.state = 'pending' {only}",
                    args,
                ).fetchall()
            ]
        for r in pending:
            try:
                out = self.provider.issue(
                    {
                        "request_id": r["request_id"],
                        "kind": r["kind"],
                        "title": r["title"],
                        "tax_id": r["tax_id"],
                        "email": r["email"],
                        "phone": r["phone"],
                        "store_id": r["store_id"],
                        "total_fen": int(r["total_fen"]),
                        "lines": json.loads(r["lines"]),
                    }
                )
            except ProviderUnreachable as err:
                log.warning("invoicing provider unreachable for %s: %s", r["receipt_key"], err)
                continue
            self._settle("fapiao_requests", "request_id", r["request_id"], out)
        with self.db.tx() as tx:
            reversals = tx.execute(
                "SELECT v.refund_id, v.lines, v.total_fen, q.number FROM fapiao_reversals v "
                "JOIN fapiao_requests q ON q.receipt_key = v.receipt_key "
                f"WHERE v.state = 'pending' AND q.state = 'issued' {only}",
                args,
            ).fetchall()
        for refund_id, lines, total, number in reversals:
            try:
                out = self.provider.reverse(
                    str(number),
                    {"request_id": refund_id, "total_fen": int(total), "lines": json.loads(lines)},
                )
            except ProviderUnreachable as err:
                log.warning("invoicing provider unreachable for 红冲 of %s: %s", number, err)
                continue
            self._settle("fapiao_reversals", "refund_id", refund_id, out)

    def _settle(self, table: str, id_col: str, ident: str, out: Outcome) -> None:
        with self.db.tx() as tx:
            tx.execute(
                f"UPDATE {table} SET state = ?, number = ?, pdf_url = ?, reason = ?, "
                f"updated_at = ? WHERE {id_col} = ? AND state = 'pending'",
                (
                    "issued" if out.issued else "failed",
                    out.number,
                    out.pdf_url,
                    out.reason,
                    _now_iso(self.now()),
                    ident,
                ),
            )

    # ---- refunds (inside the ingest's transaction) ----------------------------------------

    def note_refunds(
        self, tx: Tx, device_id: str, events: Iterable[Mapping[str, Any]], accepted: set[str]
    ) -> bool:
        """Keep each accepted refund's VAT by its original sale (what a later invoice is net
        of) and book the 红冲 of an invoice already asked for; True when one was booked
        (the caller sends it after commit)."""
        booked = False
        at = _now_iso(self.now())
        for e in events:
            if e.get("type") != "refund.completed" or e.get("id") not in accepted:
                continue
            p = e.get("payload") or {}
            if not p.get("original_sale_id"):
                continue  # a return without a receipt: no sale, so no invoice it is net of
            refund_id, sale_id = (
                str(p.get("refund_id", e["id"])),
                str(p.get("original_sale_id", "")),
            )
            vat = [{k: -abs(v[k]) for k in v} | {"rate_bp": v["rate_bp"]} for v in sale_vat(p)]
            total = -abs(int(p.get("total_fen", 0)))
            tx.execute(
                "INSERT INTO refund_vat(refund_id, original_sale_id, vat, total_fen, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (refund_id, sale_id, _dump(vat), total, at),
            )
            invoice = tx.execute(
                "SELECT receipt_key FROM fapiao_requests WHERE sale_id = ? AND state <> 'failed'",
                (sale_id,),
            ).fetchone()
            if invoice is None:
                continue
            booked = True
            tx.execute(
                "INSERT INTO fapiao_reversals(refund_id, receipt_key, lines, total_fen, state, "
                "at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING",
                (refund_id, invoice[0], _dump(vat), total, at, at),
            )
        return booked


class _Already(FapiaoRefused):
    """A second request for a receipt whose invoice is asked for already: its state."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__(
            409,
            "already_requested",
            "An invoice was already asked for from this receipt (one per receipt): its state "
            "is in `fapiao`",
            "此小票已申请过发票（每张小票限开一张），当前状态见下方",
        )
        self.state = state

    def body(self) -> dict[str, Any]:
        return super().body() | {"fapiao": self.state}
