"""Returns without a receipt across the chain (issue 20): `returns_no_receipt`, one row per
ingested refund marked `no_receipt` with the member's phone key, filled for those already
ingested, so `GET /v1/returns/no-receipt-count` counts every store's.

Revision ID: 0018_no_receipt_count
Revises: 0017_topup_token
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0018_no_receipt_count"
down_revision = "0017_topup_token"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "returns_no_receipt",
        sa.Column("refund_id", sa.Text(), nullable=False),
        sa.Column("phone_key", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("till_no", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("refund_id"),
    )
    op.create_index(
        "returns_no_receipt_phone",
        "returns_no_receipt",
        ["phone_key", "completed_at"],
        unique=False,
    )
    rows = op.get_bind().execute(
        sa.text(
            "SELECT payload FROM events WHERE type = 'refund.completed' AND status = 'accepted' "
            "AND payload LIKE '%\"no_receipt\"%'"
        )
    )
    seen: dict[str, dict[str, object]] = {}
    for (text,) in rows:
        p = json.loads(text)
        key = (p.get("no_receipt") or {}).get("phone_key")
        if key and p.get("refund_id"):
            seen[str(p["refund_id"])] = {
                "refund_id": str(p["refund_id"]),
                "phone_key": str(key),
                "store_id": str(p.get("store_id") or ""),
                "till_no": int(p.get("till_no") or 0),
                "completed_at": str(p.get("completed_at") or ""),
            }
    if seen:
        op.bulk_insert(table, list(seen.values()))


def downgrade() -> None:
    op.drop_index("returns_no_receipt_phone", table_name="returns_no_receipt")
    op.drop_table("returns_no_receipt")
