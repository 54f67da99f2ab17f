"""Generic helpers for sync tests and the sync benchmark: a till home with a key and a
migrated database, chained sale/refund events written straight into the outbox (until the
sale service lands; then `write_sale` can call `guitai sale` instead), and e-receipt tokens
built by the spec's layout (specs/ereceipt-token-v1.md; the receipts package owns the real
encoder)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import struct
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloud.enrolment import EnrollRequest
from pos_app.adapters.db.connection import OpenDatabase, open_database
from pos_app.config import Paths
from pos_app.domain.journal import GENESIS, canonical, entry_hash
from sync.signing import ENROLL_KEYID, RequestSigner, key_id_of, public_raw, write_private_key

START = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def make_till_home(
    home: Path, seed: bytes | None = None
) -> tuple[Paths, OpenDatabase, Ed25519PrivateKey]:
    paths = Paths(home)
    key = Ed25519PrivateKey.from_private_bytes(seed) if seed else Ed25519PrivateKey.generate()
    write_private_key(paths.private_key, key)
    return paths, open_database(paths.database), key


def token_for(
    key: Ed25519PrivateKey, receipt_no: int, issued_at: int, total_fen: int, entry_hash_hex: str
) -> str:
    head = (
        struct.pack(">B4sIIi", 1, key_id_of(public_raw(key)), receipt_no, issued_at, total_fen)
        + bytes.fromhex(entry_hash_hex)[:8]
    )
    raw = head + key.sign(head)
    return base64.b32encode(raw).decode().rstrip("=")


@dataclass
class TillWriter:
    """Writes chained sale/refund events (docs/events.md schema) into a till's outbox."""

    od: OpenDatabase
    store_id: str
    till_no: int
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    prev: bytes = GENESIS
    receipt_no: int = 0
    clock: datetime = START
    sales: list[dict[str, Any]] = field(default_factory=list)
    total_fen: int = 0
    written: list[dict[str, Any]] = field(default_factory=list)

    def _insert(self, etype: str, payload: dict[str, Any]) -> dict[str, Any]:
        h = entry_hash(self.prev, payload)
        row = {
            "id": str(uuid.uuid4()),
            "type": etype,
            "payload": payload,
            "prev": self.prev.hex(),
            "hash": h.hex(),
        }
        self.od.conn.execute(
            "INSERT INTO outbox(id, type, schema, occurred_at, payload, prev_entry_hash, "
            "entry_hash) VALUES (?, ?, 1, ?, ?, ?, ?)",
            (
                row["id"],
                etype,
                payload["completed_at"],
                canonical(payload).decode(),
                row["prev"],
                row["hash"],
            ),
        )
        self.prev = h
        self.total_fen += payload["total_fen"]
        self.written.append(row)
        return row

    def sale(self) -> dict[str, Any]:
        self.receipt_no += 1
        self.clock += timedelta(seconds=self.rng.randint(5, 90))
        lines = []
        for n in range(1, self.rng.randint(1, 4) + 1):
            qty, unit = self.rng.randint(1, 3), self.rng.choice([9900, 19900, 29900, 45900])
            disc = self.rng.choice([0, 0, 500, 1000])
            lines.append(
                {
                    "line_no": n,
                    "sku": f"QP-2026-{n:03d}-BLK-L",
                    "name": f"男士羊毛夹克 黑 L {n}",
                    "qty": qty,
                    "unit_price_fen": unit,
                    "discount_fen": disc,
                    "amount_fen": qty * unit - disc,
                    "vat_rate_bp": 1300,
                    "category": "外套",
                }
            )
        total = sum(line["amount_fen"] for line in lines)
        if self.rng.random() < 0.5:
            paid = ((total + 9999) // 10000) * 10000
            payments = [{"tender": "cash", "amount_fen": paid, "change_fen": paid - total}]
        else:
            payments = [{"tender": "wechat", "amount_fen": total, "change_fen": 0}]
        payload = {
            "sale_id": str(uuid.uuid4()),
            "store_id": self.store_id,
            "till_no": self.till_no,
            "receipt_no": self.receipt_no,
            "completed_at": self.clock.isoformat().replace("+00:00", "Z"),
            "business_day": self.clock.date().isoformat(),
            "shift_id": 1,
            "currency": "CNY",
            "cashier": "lily",
            "lines": lines,
            "voided_lines": [],
            "subtotal_fen": sum(x["qty"] * x["unit_price_fen"] for x in lines),
            "line_discount_fen": sum(x["discount_fen"] for x in lines),
            "order_discount_fen": 0,
            "rounding_fen": 0,
            "total_fen": total,
            "vat": [],
            "payments": payments,
            "approvals": [],
        }
        self.sales.append(payload)
        return self._insert("sale.completed", payload)

    def refund(self) -> dict[str, Any]:
        orig = self.rng.choice(self.sales)
        line = orig["lines"][0]
        self.receipt_no += 1
        self.clock += timedelta(seconds=30)
        amount = line["amount_fen"] // line["qty"]
        payload = {
            "refund_id": str(uuid.uuid4()),
            "original_sale_id": orig["sale_id"],
            "original_receipt_no": orig["receipt_no"],
            "store_id": self.store_id,
            "till_no": self.till_no,
            "receipt_no": self.receipt_no,
            "completed_at": self.clock.isoformat().replace("+00:00", "Z"),
            "business_day": self.clock.date().isoformat(),
            "shift_id": 1,
            "currency": "CNY",
            "cashier": "lily",
            "reason": "尺码不合适",
            "lines": [
                {
                    "line_no": line["line_no"],
                    "sku": line["sku"],
                    "name": line["name"],
                    "qty": 1,
                    "unit_price_fen": line["unit_price_fen"],
                    "amount_fen": amount,
                    "vat_rate_bp": 1300,
                    "category": "外套",
                }
            ],
            "total_fen": -amount,
            "vat": [],
            "payments": [{"tender": "cash", "amount_fen": -amount, "change_fen": 0}],
            "approvals": [],
        }
        return self._insert("refund.completed", payload)

    def other(self, etype: str = "cash.moved") -> None:
        self.clock += timedelta(seconds=10)
        payload = {
            "shift_id": 1,
            "kind": "pay_in",
            "amount_fen": 10000,
            "reason": "找零",
            "user": "lily",
            "at": self.clock.isoformat().replace("+00:00", "Z"),
        }
        self.od.conn.execute(
            "INSERT INTO outbox(id, type, schema, occurred_at, payload) VALUES (?, ?, 1, ?, ?)",
            (str(uuid.uuid4()), etype, payload["at"], json.dumps(payload, ensure_ascii=False)),
        )

    def day(self, n_sales: int, refund_every: int = 10) -> None:
        """n_sales sales, a refund after every refund_every-th, in one transaction."""
        conn = self.od.conn
        conn.execute("BEGIN IMMEDIATE")
        for i in range(1, n_sales + 1):
            self.sale()
            if i % refund_every == 0:
                self.refund()
            if i % 50 == 0:
                self.other()
        conn.execute("COMMIT")


ENROLL_URL = "http://cloud.test/v1/devices/enroll"


def enroll_request(
    key: Ed25519PrivateKey,
    code: str,
    device: dict[str, Any] | None = None,
    *,
    url: str = ENROLL_URL,
    public_key: bytes | None = None,
    signed: bool = True,
) -> EnrollRequest:
    """An enrollment request as a till sends it (signed with `key`, keyid "enroll"), for the
    cloud service called directly; `public_key` puts another key in the body."""
    body = json.dumps(
        {
            "code": code,
            "public_key": base64.b64encode(public_key or public_raw(key)).decode(),
            "device": device or {},
        }
    ).encode()
    headers = {"content-type": "application/json"}
    if signed:
        now = datetime.now(UTC)
        headers |= RequestSigner(key, ENROLL_KEYID).headers("POST", url, body, now)
    return EnrollRequest("POST", url, headers, body, datetime.now(UTC).timestamp())


def enroll_device(
    svc: Any, key: Ed25519PrivateKey, store_id: str = "S001", device: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Enroll `key` with a fresh code of the store, by a signed request (proof of possession)."""
    answer: dict[str, Any] = svc.enroll(
        enroll_request(key, svc.admin.enrollment_code(store_id)["code"], device)
    )
    return answer


def enroll_settings(conn: Any, answer: dict[str, Any], cloud_url: str) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
        [
            ("device_id", answer["device_id"]),
            ("cloud_url", cloud_url),
            ("ereceipt_base_url", answer["ereceipt_base_url"]),
            ("key_id", answer["key_id"]),
            ("store_id", answer["store_id"]),
            ("till_no", str(answer["till_no"])),
        ],
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
