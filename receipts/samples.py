"""Sample receipts for demos, previews, the benchmark and tests (`guitai receipt show --sample`).

The sale is the spec's test vector (shared/specs/ereceipt-token-v1.md) grown to `lines` lines;
with `lines=1` the payload is exactly the vector's plus the docs/events.md fields.
"""

from __future__ import annotations

from typing import Any

from .document import StoreInfo

SAMPLE_STORE = StoreInfo(
    name="衣尚 · 南京西路店",
    store_id="S001",
    address="上海市静安区南京西路1266号恒隆广场B1-12",
    phone="021-62881234",
)

_ITEMS = [
    ("QP-2026-001-BLK-L", "男士羊毛夹克 黑 L", 29900, "黑", "L"),
    ("QP-2026-014-GRY-M", "女士羊绒围巾 灰", 8900, "灰", "F"),
    ("QP-2026-203-WHT-40", "Oxford 牛津纺衬衫 白 40", 25900, "白", "40"),
    ("QP-2026-077-NVY-32", "修身弹力牛仔裤 藏青 32", 39900, "藏青", "32"),
    ("QP-2026-118-BEI-S", "Cashmere V-neck Sweater 米色 S", 59900, "米色", "S"),
    ("QP-2026-054-BLK-F", "针织帽 黑", 6900, "黑", "F"),
    ("QP-2026-320-BRN-42", "真皮休闲鞋 棕 42", 69900, "棕", "42"),
    ("QP-2026-009-RED-M", "纯棉印花T恤 红 M", 9900, "红", "M"),
    ("QP-2026-150-KHA-L", "工装风衣 卡其 L", 89900, "卡其", "L"),
    ("QP-2026-061-BLK-F", "皮带 黑 110cm", 15900, "黑", "F"),
]


def sample_sale_payload(lines: int = 10, *, member: bool = True) -> dict[str, Any]:
    """A `sale.completed` payload (docs/events.md) with `lines` lines (1-10)."""
    lines = max(1, min(lines, len(_ITEMS)))
    items: list[dict[str, Any]] = []
    for i, (sku, name, price, colour, size) in enumerate(_ITEMS[:lines], start=1):
        qty = 2 if i % 4 == 2 else 1
        discount = 1000 * qty if i % 3 == 2 else 0
        items.append(
            {
                "line_no": i,
                "sku": sku,
                "name": name,
                "qty": qty,
                "unit_price_fen": price,
                "discount_fen": discount,
                "amount_fen": qty * price - discount,
                "vat_rate_bp": 1300,
                "category": "apparel",
                "style": sku[:11],
                "colour": colour,
                "size": size,
                "barcode": f"69{i:011d}",
            }
        )
    total = sum(x["amount_fen"] for x in items)
    subtotal = sum(x["qty"] * x["unit_price_fen"] for x in items)
    vat = total - (total * 10000 + 5650) // 11300  # 13 % contained, half up
    payments: list[dict[str, Any]] = []
    if lines == 1:
        payments.append({"tender": "cash", "amount_fen": 30000, "change_fen": 30000 - total})
    else:
        # about half in cash (whole yuan, 100 yuan too much handed over), the rest by card
        cash_part = total // 2 // 100 * 100
        payments.append({"tender": "cash", "amount_fen": cash_part + 10000, "change_fen": 10000})
        payments.append(
            {
                "tender": "card",
                "amount_fen": total - cash_part,
                "change_fen": 0,
                "card": {"type": "银联", "masked_pan": "622588******1234", "auth_code": "A1B2C3"},
            }
        )
    payload: dict[str, Any] = {
        "sale_id": "0b7f6a1e-3c55-4c1e-9a57-2f1d8f6c9e01",
        "store_id": "S001",
        "till_no": 1,
        "receipt_no": 42,
        "completed_at": "2026-11-25T06:30:00Z",
        "business_day": "2026-11-25",
        "shift_id": 7,
        "currency": "CNY",
        "cashier": "王芳",
        "associate": "李娜",
        "lines": items,
        "voided_lines": [],
        "subtotal_fen": subtotal,
        "line_discount_fen": sum(x["discount_fen"] for x in items),
        "order_discount_fen": 0,
        "rounding_fen": 0,
        "total_fen": total,
        "vat": [{"rate_bp": 1300, "gross_fen": total, "vat_fen": vat}],
        "payments": payments,
        "approvals": [],
    }
    if member:
        payload["member"] = {
            "id": "M000123",
            "phone_masked": "138****5678",
            "points_earned": total // 100,
            "points_balance": 12800 + total // 100,
        }
    return payload


def sample_refund_payload() -> dict[str, Any]:
    """A `refund.completed` payload returning line 1 of the sample sale."""
    return {
        "refund_id": "5d1c9f1e-8a51-4bd7-9f3e-7c2a1b0e4d21",
        "original_sale_id": "0b7f6a1e-3c55-4c1e-9a57-2f1d8f6c9e01",
        "original_receipt_no": 42,
        "store_id": "S001",
        "till_no": 1,
        "receipt_no": 43,
        "completed_at": "2026-11-26T02:15:00Z",
        "business_day": "2026-11-26",
        "shift_id": 8,
        "currency": "CNY",
        "cashier": "王芳",
        "reason": "尺码不合适",
        "lines": [
            {
                "line_no": 1,
                "sku": "QP-2026-001-BLK-L",
                "name": "男士羊毛夹克 黑 L",
                "qty": 1,
                "unit_price_fen": 29900,
                "amount_fen": 29900,
                "vat_rate_bp": 1300,
                "category": "apparel",
            }
        ],
        "total_fen": -29900,
        "vat": [{"rate_bp": 1300, "gross_fen": -29900, "vat_fen": -3440}],
        "payments": [{"tender": "cash", "amount_fen": -29900, "change_fen": 0}],
        "approvals": [],
    }


def sample_z_report() -> dict[str, Any]:
    return {
        "z_no": 7,
        "business_day": "2026-11-25",
        "till_no": 1,
        "opened_by": "王芳",
        "closed_by": "王芳",
        "opened_at": "2026-11-25T01:00:00Z",
        "closed_at": "2026-11-25T13:00:00Z",
        "sections": [
            {
                "title": "销售",
                "rows": [["销售笔数", "23"], ["销售额", "12,345.00"], ["退货笔数", "1"]],
            },
            {
                "title": "收款方式",
                "rows": [["现金", "3,200.00"], ["微信支付", "6,145.00"], ["银联", "3,000.00"]],
            },
            {
                "title": "现金",
                "rows": [["备用金", "500.00"], ["应有现金", "3,700.00"], ["实点现金", "3,700.00"]],
            },
        ],
    }
