"""A till of one store whose chained sales, refunds and member enrollments reach a test cloud
(sync_fixtures.Cloud) as a push would, with the e-receipt token of each sale (the 发票 and
funnel tests of issue 19)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sync_fixtures import Cloud
from sync_testkit import token_for

from pos_app.domain.journal import GENESIS, entry_hash
from sync.client import CloudClient

ISSUED_AT = 1795588200


def local_day(at: str) -> str:
    when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return when.astimezone(timezone(timedelta(hours=8))).date().isoformat()


class Shop:
    """One enrolled till whose chained sales and refunds reach the cloud as a push would."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        cloud.service.admin.add_store("S001", "南京西路店")
        self.key = Ed25519PrivateKey.generate()
        with CloudClient(cloud.url, key=self.key) as c:
            code = cloud.service.admin.enrollment_code("S001")["code"]
            self.device_id = c.enroll(code, {})["device_id"]
        self.prev, self.seq, self.receipt_no = GENESIS, 0, 0

    def _event(
        self, etype: str, payload: dict[str, Any], push: bool = True, chained: bool = True
    ) -> str:
        h = entry_hash(self.prev, payload)
        self.seq += 1
        event = {
            "id": str(uuid.uuid4()),
            "type": etype,
            "schema": 1,
            "seq": self.seq,
            "occurred_at": payload["completed_at"],
            "payload": payload,
        }
        if chained:
            event |= {"prev_entry_hash": self.prev.hex(), "entry_hash": h.hex()}
            self.prev = h
        if push:
            result = self.cloud.service.ingest(self.device_id, [event])
            assert result["accepted"] == [event["id"]], result
        else:
            self.held = event
        return h.hex()

    def sale(
        self,
        push: bool = True,
        at: str = "2026-11-25T02:10:00Z",
        associate: str | None = None,
        member: str | None = None,
    ) -> tuple[dict[str, Any], str]:
        """A sale of two coats (13% VAT) and a scarf (6%): 1,178.00 yuan."""
        self.receipt_no += 1
        lines = [
            {
                "line_no": 1,
                "sku": "QP-001",
                "name": "羊毛夹克",
                "qty": 2,
                "unit_price_fen": 45900,
                "discount_fen": 0,
                "amount_fen": 91800,
                "vat_rate_bp": 1300,
                "category": "外套",
            },
            {
                "line_no": 2,
                "sku": "QP-002",
                "name": "围巾",
                "qty": 1,
                "unit_price_fen": 26000,
                "discount_fen": 0,
                "amount_fen": 26000,
                "vat_rate_bp": 600,
                "category": "配饰",
            },
        ]
        payload = {
            "sale_id": str(uuid.uuid4()), "store_id": "S001", "till_no": 1,
            "receipt_no": self.receipt_no, "completed_at": at,
            "business_day": local_day(at), "shift_id": 1, "currency": "CNY",
            "cashier": "lily", "lines": lines, "voided_lines": [], "subtotal_fen": 117800,
            "line_discount_fen": 0, "order_discount_fen": 0, "rounding_fen": 0,
            "total_fen": 117800,
            "vat": [
                {"rate_bp": 600, "gross_fen": 26000, "vat_fen": 1472},
                {"rate_bp": 1300, "gross_fen": 91800, "vat_fen": 10561},
            ],
            "payments": [{"tender": "wechat", "amount_fen": 117800, "change_fen": 0}],
            "approvals": [],
        }  # fmt: skip
        if associate:
            payload["associate"] = associate
        if member:
            payload["member"] = {"id": member, "phone_masked": "138****0000"}
        h = self._event("sale.completed", payload, push)
        return payload, token_for(self.key, self.receipt_no, ISSUED_AT, 117800, h)

    def refund_one_coat(self, sale: dict[str, Any]) -> dict[str, Any]:
        self.receipt_no += 1
        payload = {
            "refund_id": str(uuid.uuid4()), "original_sale_id": sale["sale_id"],
            "original_receipt_no": sale["receipt_no"], "store_id": "S001", "till_no": 1,
            "receipt_no": self.receipt_no, "completed_at": "2026-11-26T03:00:00Z",
            "business_day": "2026-11-26", "shift_id": 2, "currency": "CNY",
            "cashier": "lily", "reason": "尺码不合适",
            "lines": [{"line_no": 1, "sku": "QP-001", "name": "羊毛夹克", "qty": 1,
                       "unit_price_fen": 45900, "amount_fen": 45900, "vat_rate_bp": 1300,
                       "category": "外套"}],
            "total_fen": -45900,
            "vat": [{"rate_bp": 1300, "gross_fen": -45900, "vat_fen": -5281}],
            "payments": [{"tender": "wechat", "amount_fen": -45900, "change_fen": 0}],
            "approvals": [],
        }  # fmt: skip
        self._event("refund.completed", payload)
        return payload

    def member_enrolled(self, member_id: str, phone: str, associate: str, at: str) -> None:
        payload = {"member_id": member_id, "phone": phone, "name": "", "associate": associate,
                   "completed_at": at}  # fmt: skip
        self._event("member.enrolled", payload, chained=False)
