"""Stock at the counter: on hand per SKU, the size-and-colour grid (this store and, online,
the chain's other stores), stock counts, receiving announced deliveries and transfers, sending
transfers, and the manager's stock reports.

Sales and refunds move stock inside their own transaction: their handlers call `book_sale`
(pos_app.services.handlers), so a sale and its stock movement commit together or not at all.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Protocol

from pos_app.domain import stock as st
from pos_app.domain.errors import AccessDenied, GuitaiError, InvalidInput, NotFound, StateError
from pos_app.domain.ports import Clock
from pos_app.domain.stock import Grid, VarianceLine, VarianceReport, compare_receipt
from pos_app.domain.timeutil import iso_utc, local_day
from pos_app.domain.users import Role, User

from .unit_of_work import AbstractUnitOfWork, StockRepo

log = logging.getLogger(__name__)


class Item(Protocol):
    @property
    def sku(self) -> str: ...
    @property
    def style(self) -> str: ...


Lookup = Callable[[str], Item]
# style -> {"stores": [{"store_id", "name", "distance_km", "skus": {sku: qty}}]} (may raise)
RemoteGrid = Callable[[str], dict[str, Any]]


def book_sale(uow: AbstractUnitOfWork, payload: Mapping[str, Any]) -> None:
    """Inside a sale's or refund's transaction: its stock movements (a refund's payload has
    `refund_id`)."""
    reason, lines = st.sale_movements(payload)
    if not lines:
        return
    # A sale's payload names this till (Sale.completion_payload took them from its
    # identity): the movement need not read the settings again.
    origin = None
    if reason == st.SALE and "store_id" in payload and "till_no" in payload:
        origin = str(payload["store_id"]), int(payload["till_no"])
    ref = str(payload.get("refund_id") or payload.get("sale_id"))
    uow.stock.record(
        lines,
        reason=reason,
        ref=ref,
        user=str(payload.get("cashier", "")),
        at=str(payload["completed_at"]),
        business_day=payload.get("business_day"),
        extra={"receipt_no": payload.get("receipt_no")},
        origin=origin,
    )


def _need_manager(user: User, what: str, what_zh: str) -> None:
    if not user.has(Role.MANAGER):
        raise AccessDenied(
            f"{user.name} is not a manager: a manager must {what} (--user MANAGER)",
            f"{user.name} 不是店长：{what_zh}需要店长操作（--user 店长）",
        )


class StockService:
    def __init__(
        self,
        uow: AbstractUnitOfWork,
        clock: Clock,
        lookup: Lookup,
        *,
        store_id: Callable[[], str],
        business_day: Callable[[], str | None],
        tz: Callable[[], str],
        remote_grid: RemoteGrid | None = None,
    ) -> None:
        self.uow = uow
        self.repo: StockRepo = uow.stock
        self.clock = clock
        self.lookup = lookup
        self.store_id = store_id
        self.business_day = business_day
        self.tz = tz
        self.remote_grid = remote_grid

    def _now(self) -> str:
        return iso_utc(self.clock.now())

    def _day(self) -> str:
        return self.business_day() or local_day(self.clock.now(), self.tz())

    # ---- on hand and the grid -------------------------------------------------------------

    def on_hand(self, code: str) -> dict[str, Any]:
        item = self.lookup(code)
        return {"sku": item.sku, "style": item.style, "on_hand": self.repo.on_hand(item.sku)}

    def grid(self, style_or_code: str, *, other_stores: bool = True) -> dict[str, Any]:
        """The style's colours × sizes with this store's quantities; online, the same grid for
        the chain's other stores, nearest first (`other_stores_error` says why not).
        `scanned_sku` is the SKU of a scanned or typed item code (None for a style number)."""
        text = style_or_code.strip()
        grid = self.repo.grid(text)
        scanned: str | None = None
        if grid is None:
            try:
                item = self.lookup(text)
            except NotFound as err:
                raise NotFound(
                    f"No style or item {text!r}: scan the item or type its style number",
                    f"没有款号或商品 {text}：请扫描商品或输入款号",
                ) from err
            scanned = item.sku
            grid = self.repo.grid(item.style)
            if grid is None:  # pragma: no cover - a SKU always belongs to its style
                raise NotFound(f"Style {item.style} has no SKUs", f"款号 {item.style} 没有商品")
        out = grid.as_dict()
        out["store_id"] = self.store_id()
        out["scanned_sku"] = scanned
        out["other_stores"] = []
        out["other_stores_error"] = None
        out["other_stores_error_zh"] = None
        if other_stores:
            out.update(self._other_stores(grid))
        return out

    def other_stores(self, style: str) -> dict[str, Any]:
        """Only the chain's other stores for a style (the till's screen paints this store's
        grid first, then asks this, which may wait for the cloud up to its short timeout)."""
        grid = self.repo.grid(style.strip())
        if grid is None:
            raise NotFound(f"No style {style!r}", f"没有款号 {style}")
        return {"style": grid.style, **self._other_stores(grid)}

    def _other_stores(self, grid: Grid) -> dict[str, Any]:
        if self.remote_grid is None:
            return {
                "other_stores": [],
                "other_stores_error": "this till is not enrolled with the cloud",
                "other_stores_error_zh": "本机未注册到云端",
            }
        try:
            answer = self.remote_grid(grid.style)
        except GuitaiError as err:
            return {
                "other_stores": [],
                "other_stores_error": err.message,
                "other_stores_error_zh": err.message_zh,
            }
        return {
            "other_stores": self._remote_rows(grid, answer),
            "other_stores_error": None,
            "other_stores_error_zh": None,
        }

    def _remote_rows(self, grid: Grid, answer: Mapping[str, Any]) -> list[dict[str, Any]]:
        me = self.store_id()
        rows: list[dict[str, Any]] = []
        for s in answer.get("stores", []):
            if s.get("store_id") == me:
                continue
            qty: Mapping[str, int] = s.get("skus", {})
            rows.append(
                {
                    "store_id": s.get("store_id"),
                    "name": s.get("name", ""),
                    "distance_km": s.get("distance_km"),
                    "total": sum(int(qty.get(c.sku, 0)) for r in grid.cells.values()
                                 for c in r.values() if c),
                    "rows": [
                        {
                            "colour": colour,
                            "cells": [
                                None if (c := grid.cells[colour][size]) is None
                                else {"size": size, "sku": c.sku,
                                      "on_hand": int(qty.get(c.sku, 0))}
                                for size in grid.sizes
                            ],
                        }
                        for colour in grid.colours
                    ],
                }
            )  # fmt: skip
        rows.sort(key=lambda r: (r["distance_km"] is None, r["distance_km"] or 0, r["store_id"]))
        return rows

    # ---- counts ---------------------------------------------------------------------------

    def _open_count(self) -> dict[str, Any]:
        c = self.repo.open_count()
        if c is None:
            raise StateError(
                "No stock count is open: start one with `guitai stock count start`",
                "没有进行中的盘点：请先运行 guitai stock count start",
            )
        return c

    def count_start(self, user: User, note: str = "") -> dict[str, Any]:
        with self.uow:
            c = self.repo.open_count()
            if c is not None:
                raise StateError(
                    f"Stock count {c['id']} (started {c['started_at']} by {c['started_by']}) "
                    "is still open: carry on scanning, or finish or cancel it first",
                    f"盘点 {c['id']} 尚未完成：请继续扫描，或先完成/取消",
                )
            cid = self.repo.insert_count(self._now(), user.name, note)
            self.uow.commit()
        return {"count_id": cid, "started_by": user.name, "note": note}

    def count_scan(self, code: str, qty: int = 1) -> dict[str, Any]:
        """Add `qty` counted units (negative: take back a miscount, never below zero)."""
        if isinstance(qty, bool) or not isinstance(qty, int) or qty == 0:
            raise InvalidInput("Give a whole, non-zero quantity", "数量须为非零整数")
        st.check_qty(abs(qty))
        item = self.lookup(code)
        with self.uow:
            c = self._open_count()
            cid = int(c["id"])
            before = self.repo.counted(cid, item.sku) or 0
            if before + qty < 0:
                raise InvalidInput(
                    f"{item.sku} has {before} counted: cannot take back {-qty}",
                    f"{item.sku} 已盘 {before} 件，不能减去 {-qty}",
                )
            total = self.repo.add_counted(cid, item.sku, qty, self._now())
            self.uow.commit()
        return {"count_id": cid, "sku": item.sku, "added": qty, "counted": total}

    def count_report(self) -> dict[str, Any]:
        c = self._open_count()
        out = self._variance(int(c["id"])).as_dict()
        out.update(started_at=c["started_at"], started_by=c["started_by"], note=c["note"])
        return out

    def count_status(self) -> dict[str, Any]:
        return self.count_report()

    def _variance(self, count_id: int) -> VarianceReport:
        lines = [
            VarianceLine(
                sku=r["sku"],
                name=r["name"],
                expected=int(r["expected"]),
                moved_since=int(r["moved_since"]),
                counted=int(r["counted"]),
                unit_price_fen=int(r["price_fen"]),
            )
            for r in self.repo.count_lines(count_id)
        ]
        return VarianceReport(count_id, lines, self.repo.uncounted_with_stock(count_id))

    def count_finish(self, manager: User) -> dict[str, Any]:
        """The manager approves the variance report: its differences are posted as movements
        (reason `count`), in one transaction with the count's closing."""
        _need_manager(manager, "approve a stock count", "审批盘点")
        now = self._now()
        with self.uow:
            c = self._open_count()
            cid = int(c["id"])
            report = self._variance(cid)
            diffs = [(ln.sku, ln.difference) for ln in report.differences]
            if diffs:
                self.repo.record(
                    diffs,
                    reason=st.COUNT,
                    ref=f"count-{cid}",
                    user=manager.name,
                    at=now,
                    business_day=self._day(),
                    extra={"count_id": cid, "approved_by": manager.name},
                )
            self.repo.close_count(cid, "posted", now, manager.name)
            self.uow.commit()
        out = report.as_dict()
        out.update(posted=True, approved_by=manager.name, posted_lines=len(diffs))
        return out

    def count_cancel(self, manager: User) -> dict[str, Any]:
        _need_manager(manager, "cancel a stock count", "取消盘点")
        with self.uow:
            c = self._open_count()
            self.repo.close_count(int(c["id"]), "cancelled", self._now(), manager.name)
            self.uow.commit()
        return {"count_id": c["id"], "cancelled": True}

    # ---- receiving ------------------------------------------------------------------------

    def _doc(self, doc: str) -> dict[str, Any]:
        d = self.repo.doc(doc)
        if d is None:
            raise NotFound(
                f"No delivery or transfer {doc} has been announced to this store: check the "
                "number, or run `guitai sync run` to fetch new announcements",
                f"本店没有单号为 {doc} 的到货/调拨：请核对单号，或运行 guitai sync run 获取",
            )
        return d

    def receiving(self) -> list[dict[str, Any]]:
        return [d for d in self.repo.docs() if d["state"] != "received"]

    def receive_start(self, doc: str, user: User) -> dict[str, Any]:
        with self.uow:
            d = self._doc(doc)
            if d["state"] == "received":
                raise StateError(
                    f"{doc} was already received on {d['received_at']} by {d['received_by']}",
                    f"{doc} 已于 {d['received_at']} 由 {d['received_by']} 收货",
                )
            self.repo.set_doc_state(doc, "receiving", None, None)
            self.uow.commit()
        return self.receive_status(doc)

    def receive_scan(self, doc: str, code: str, qty: int = 1) -> dict[str, Any]:
        st.check_qty(qty)
        item = self.lookup(code)
        with self.uow:
            d = self._doc(doc)
            if d["state"] != "receiving":
                raise StateError(
                    f"{doc} is {d['state']}: run `guitai stock receive start {doc}` first",
                    f"{doc} 当前状态为 {d['state']}：请先运行 guitai stock receive start",
                )
            total = self.repo.add_doc_scan(doc, item.sku, qty)
            self.uow.commit()
        announced = sum(int(x["qty"]) for x in d["lines"] if x["sku"] == item.sku)
        return {"doc": doc, "sku": item.sku, "received": total, "announced": announced}

    def receive_status(self, doc: str) -> dict[str, Any]:
        d = self._doc(doc)
        announced: dict[str, int] = {}
        for x in d["lines"]:
            announced[x["sku"]] = announced.get(x["sku"], 0) + int(x["qty"])
        report = compare_receipt(
            doc, d["kind"], d["from_store"], announced, self.repo.doc_scans(doc)
        ).as_dict()
        report["state"] = d["state"]
        return report

    def receive_finish(self, doc: str, user: User) -> dict[str, Any]:
        """Post what was scanned (reason `receive`) and report short and over quantities."""
        now = self._now()
        with self.uow:
            d = self._doc(doc)
            if d["state"] != "receiving":
                raise StateError(
                    f"{doc} is {d['state']}, not being received",
                    f"{doc} 当前状态为 {d['state']}，不在收货中",
                )
            report = self.receive_status(doc)
            lines = [(ln["sku"], ln["received"]) for ln in report["lines"] if ln["received"]]
            summary = {k: v for k, v in report.items() if k != "lines"}
            self.repo.record(
                lines,
                reason=st.RECEIVE,
                ref=doc,
                user=user.name,
                at=now,
                business_day=self._day(),
                extra={
                    "doc": doc,
                    "doc_kind": d["kind"],
                    "from_store": d["from_store"],
                    "report": dict(summary, lines=report["lines"]),
                },
            )
            self.repo.set_doc_state(doc, "received", now, user.name)
            self.uow.commit()
        report["state"] = "received"
        report["received_by"] = user.name
        return report

    # ---- sending --------------------------------------------------------------------------

    def send(
        self, user: User, to_store: str, items: Sequence[tuple[str, int]], note: str = ""
    ) -> dict[str, Any]:
        """Items leave for another store: a transfer announced to the cloud (in the outbox)
        so that store can receive it."""
        to = to_store.strip().upper()
        if not to or not to.isalnum():
            raise InvalidInput(
                f"{to_store!r} is not a store id (letters and digits, e.g. S002)",
                f"{to_store} 不是有效的门店编号（如 S002）",
            )
        if to == self.store_id().upper():
            raise InvalidInput("A transfer goes to another store", "调拨须发往其他门店")
        if not items:
            raise InvalidInput("Scan at least one item to send (--scan CODE)", "请扫描要调出的商品")
        totals: dict[str, int] = {}
        for code, qty in items:
            st.check_qty(qty)
            sku = self.lookup(code).sku
            totals[sku] = totals.get(sku, 0) + qty
        doc = f"T{self.store_id()}-{to}-{uuid.uuid4().hex[:10].upper()}"
        now = self._now()
        with self.uow:
            payload = self.repo.record(
                [(s, -q) for s, q in totals.items()],
                reason=st.TRANSFER_OUT,
                ref=doc,
                user=user.name,
                at=now,
                business_day=self._day(),
                extra={
                    "doc": doc,
                    "to_store": to,
                    "note": note,
                    "send_lines": [{"sku": s, "qty": q} for s, q in totals.items()],
                },
            )
            self.uow.commit()
        return {
            "doc": doc,
            "to_store": to,
            "units": sum(totals.values()),
            "lines": payload["lines"],
        }

    # ---- reports --------------------------------------------------------------------------

    def report_value(self) -> dict[str, Any]:
        rows = self.repo.value_by_category()
        return {
            "categories": rows,
            "units": sum(int(r["units"]) for r in rows),
            "value_fen": sum(int(r["value_fen"]) for r in rows),
        }

    def report_negative(self) -> dict[str, Any]:
        rows = self.repo.negative()
        return {"skus": rows, "count": len(rows), "units": sum(int(r["on_hand"]) for r in rows)}

    def report_slow(self, days: int, limit: int = 200) -> dict[str, Any]:
        if days < 1 or days > 3650:
            raise InvalidInput("--days is between 1 and 3650", "--days 取值 1 到 3650")
        before = iso_utc(self.clock.now() - timedelta(days=days))
        rows = self.repo.slow(before, limit)
        return {
            "days": days,
            "no_sale_since": before,
            "skus": rows,
            "value_fen": sum(int(r["value_fen"]) for r in rows),
        }

    def z_section(self, shift: Mapping[str, Any]) -> dict[str, Any]:
        """The Z report's `stock_adjustments` section: the day's counts, receipts and transfers,
        and the sales that took a SKU below zero (for the manager to check the shelf)."""
        day = str(shift["business_day"])
        moves = self.repo.day_adjustments(day)
        by_reason: dict[str, dict[str, int]] = {}
        for m in moves:
            r = by_reason.setdefault(m["reason"], {"lines": 0, "units": 0})
            r["lines"] += 1
            r["units"] += int(m["qty"])
        return {
            "moves": moves,
            "by_reason": by_reason,
            "sold_below_zero": self.repo.day_went_negative(day),
        }
