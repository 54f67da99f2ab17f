"""The brand's console under test (issue 22): tills of several stores pushing chained sales,
refunds, Z reports, device status and a rejected event to a served test cloud, console
accounts, and a signed-in HTTP client that carries the session's CSRF token."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_fixtures import Cloud

from cloud.console.auth import Accounts
from pos_app.domain.journal import GENESIS, entry_hash
from sync.client import CloudClient

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def china_day(at: str) -> str:
    when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return when.astimezone(timezone(timedelta(hours=8))).date().isoformat()


class Till:
    """One enrolled till of `store_id` whose events reach the cloud as a push would."""

    def __init__(self, cloud: Cloud, store_id: str, store_name: str, till_no: int = 1) -> None:
        self.cloud, self.store_id, self.till_no = cloud, store_id, till_no
        cloud.service.admin.add_store(store_id, store_name)
        self.key = Ed25519PrivateKey.generate()
        with CloudClient(cloud.url, key=self.key) as c:
            code = cloud.service.admin.enrollment_code(store_id)["code"]
            self.device_id = c.enroll(code, {"till_no": till_no, "app_version": "2.4.1"})[
                "device_id"
            ]
        self.prev, self.seq, self.receipt_no = GENESIS, 0, 0

    def push(self, etype: str, payload: dict[str, Any], *, chained: bool = False) -> dict[str, Any]:
        self.seq += 1
        event: dict[str, Any] = {
            "id": str(uuid.uuid4()), "type": etype, "schema": 1, "seq": self.seq,
            "occurred_at": payload.get("completed_at") or payload.get("at") or
            payload.get("closed_at") or "2026-11-25T02:00:00Z", "payload": payload,
        }  # fmt: skip
        if chained:
            h = entry_hash(self.prev, payload)
            event |= {"prev_entry_hash": self.prev.hex(), "entry_hash": h.hex()}
            self.prev = h
        result = self.cloud.service.ingest(self.device_id, [event])
        return {"event": event, "result": result}

    def sale(
        self,
        at: str = "2026-11-25T02:10:00Z",
        *,
        name: str = "羊毛夹克",
        category: str = "外套",
        associate: str | None = "王芳",
        tender: str = "wechat",
        qty: int = 1,
        unit_fen: int = 45900,
        shift_id: int = 1,
        member: str | None = None,
    ) -> dict[str, Any]:
        self.receipt_no += 1
        amount = qty * unit_fen
        payload: dict[str, Any] = {
            "sale_id": str(uuid.uuid4()), "store_id": self.store_id, "till_no": self.till_no,
            "receipt_no": self.receipt_no, "completed_at": at, "business_day": china_day(at),
            "shift_id": shift_id, "currency": "CNY", "cashier": "lily",
            "lines": [{"line_no": 1, "sku": "QP-001", "name": name, "qty": qty,
                       "unit_price_fen": unit_fen, "discount_fen": 0, "amount_fen": amount,
                       "vat_rate_bp": 1300, "category": category}],
            "voided_lines": [], "subtotal_fen": amount, "line_discount_fen": 0,
            "order_discount_fen": 0, "rounding_fen": 0, "total_fen": amount,
            "vat": [{"rate_bp": 1300, "gross_fen": amount, "vat_fen": amount * 13 // 113}],
            "payments": [{"tender": tender, "amount_fen": amount, "change_fen": 0}],
            "approvals": [],
        }  # fmt: skip
        if associate:
            payload["associate"] = associate
        if member:
            payload["member"] = {"id": member, "phone_masked": "138****0001"}
        out = self.push("sale.completed", payload, chained=True)
        assert out["result"]["accepted"] == [out["event"]["id"]], out["result"]
        return payload

    def refund(self, sale: dict[str, Any], at: str, reason: str = "尺码不合适") -> dict[str, Any]:
        self.receipt_no += 1
        line = sale["lines"][0]
        payload = {
            "refund_id": str(uuid.uuid4()), "original_sale_id": sale["sale_id"],
            "original_receipt_no": sale["receipt_no"], "store_id": self.store_id,
            "till_no": self.till_no, "receipt_no": self.receipt_no, "completed_at": at,
            "business_day": china_day(at), "shift_id": sale["shift_id"], "currency": "CNY",
            "cashier": "lily", "reason": reason,
            "lines": [{"line_no": 1, "sku": line["sku"], "name": line["name"], "qty": 1,
                       "unit_price_fen": line["unit_price_fen"],
                       "amount_fen": line["unit_price_fen"], "vat_rate_bp": 1300,
                       "category": line["category"]}],
            "total_fen": -line["unit_price_fen"],
            "vat": [{"rate_bp": 1300, "gross_fen": -line["unit_price_fen"], "vat_fen": 0}],
            "payments": [{"tender": sale["payments"][0]["tender"],
                          "amount_fen": -line["unit_price_fen"], "change_fen": 0}],
            "approvals": [],
        }  # fmt: skip
        out = self.push("refund.completed", payload, chained=True)
        assert out["result"]["accepted"] == [out["event"]["id"]], out["result"]
        return payload

    def z_report(
        self, day: str, sales: list[dict[str, Any]], refunds: list[dict[str, Any]] = (),  # type: ignore[assignment]
        *, shift_id: int = 1, closed_by: str = "店长 Mia", skew_fen: int = 0,
    ) -> str:  # fmt: skip
        """A Z report of these sales and refunds (as the till's build_shift_report shapes it);
        `skew_fen` puts the report's sales total that far off the sales."""
        s_fen = sum(s["total_fen"] for s in sales) + skew_fen
        r_fen = sum(r["total_fen"] for r in refunds)
        tenders: dict[str, dict[str, int]] = {}
        for x in [*sales, *refunds]:
            for p in x["payments"]:
                t = tenders.setdefault(p["tender"], {"net_fen": 0, "count": 0})
                t["net_fen"] += p["amount_fen"] - p["change_fen"]
                t["count"] += 1
        cats: dict[str, dict[str, int]] = {}
        for s in sales:
            for line in s["lines"]:
                c = cats.setdefault(line["category"], {"qty": 0, "net_fen": 0})
                c["qty"] += line["qty"]
                c["net_fen"] += line["amount_fen"]
        report = {
            "kind": "Z", "store_id": self.store_id, "till_no": self.till_no,
            "shift_id": shift_id, "business_day": day, "z_no": shift_id,
            "closed_by": closed_by, "first_receipt_no": 1, "last_receipt_no": self.receipt_no,
            "sales": {"count": len(sales), "total_fen": s_fen, "discounts_fen": 0},
            "refunds": {"count": len(refunds), "total_fen": r_fen},
            "net_fen": s_fen + r_fen, "by_tender": tenders, "by_category": cats,
            "by_cashier": {"lily": {"sales": len(sales), "sales_fen": s_fen,
                                    "returns": len(refunds), "returns_fen": r_fen}},
            "cash": {"float_fen": 50000, "cash_net_fen": 0, "expected_fen": 50000,
                     "counted_fen": 50000, "difference_fen": 0},
        }  # fmt: skip
        closed = f"{day}T13:00:00Z"
        out = self.push(
            "shift.closed",
            {
                "shift_id": shift_id,
                "business_day": day,
                "closed_by": closed_by,
                "closed_at": closed,
                "z_no": shift_id,
                "report": report,
            },
        )
        assert out["result"]["accepted"] == [out["event"]["id"]], out["result"]
        return str(out["event"]["id"])

    def device_status(self, device: str, kind: str, state: str, reason: str, at: str) -> None:
        out = self.push(
            "device.status",
            {"device": device, "kind": kind, "state": state, "reason": reason, "at": at},
        )
        assert out["result"]["accepted"] == [out["event"]["id"]], out["result"]

    def rejected_sale(self, at: str = "2026-11-25T03:00:00Z") -> str:
        """A sale whose lines do not add up to its total: a dead letter (total_mismatch)."""
        self.receipt_no += 1
        payload = {
            "sale_id": str(uuid.uuid4()), "store_id": self.store_id, "till_no": self.till_no,
            "receipt_no": self.receipt_no, "completed_at": at, "business_day": china_day(at),
            "shift_id": 1, "currency": "CNY", "cashier": "lily",
            "lines": [{"line_no": 1, "sku": "QP-9", "name": "错单", "qty": 1,
                       "unit_price_fen": 100, "discount_fen": 0, "amount_fen": 100,
                       "vat_rate_bp": 1300, "category": "外套"}],
            "voided_lines": [], "subtotal_fen": 100, "line_discount_fen": 0,
            "order_discount_fen": 0, "rounding_fen": 0, "total_fen": 200,
            "vat": [], "payments": [{"tender": "cash", "amount_fen": 200, "change_fen": 0}],
            "approvals": [],
        }  # fmt: skip
        out = self.push("sale.completed", payload, chained=True)
        assert out["result"]["rejected"], out["result"]
        return str(out["event"]["id"])


def add_user(cloud: Cloud, name: str, role: str, stores: list[str] | None = None) -> None:
    Accounts(cloud.service.db, cloud.service.now).add(name, role, PASSWORD, stores or [])


class Browser:
    """An HTTP client that signs in through /console/login like a browser (cookies kept)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, follow_redirects=False, timeout=30)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def login(self, name: str, password: str = PASSWORD) -> httpx.Response:
        page = self.client.get("/console/login")
        token = CSRF.search(page.text)
        assert token, page.text
        return self.client.post(
            "/console/login",
            data={"username": name, "password": password, "csrf": token.group(1)},
        )

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def csrf(self, path: str = "/console/") -> str:
        token = CSRF.search(self.client.get(path).text)
        assert token
        return token.group(1)

    def post(self, path: str, data: dict[str, str], csrf: str | None = None) -> httpx.Response:
        token = self.csrf() if csrf is None else csrf
        return self.client.post(path, data={**data, "csrf": token})


def clock_at(cloud: Cloud, when: datetime) -> None:
    """The cloud's clock set to `when` (the console reads the service's clock each time)."""
    cloud.service.now = lambda: when
