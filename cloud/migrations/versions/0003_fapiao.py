"""发票 requests from the e-receipt page, their red-letter reversals, and each refund's VAT
by original sale (what an invoice is net of).

Revision ID: 0003_fapiao
Revises: 0002_wxmp
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_fapiao"
down_revision = "0002_wxmp"
branch_labels = None
depends_on = None


def _text(name: str, default: str | None = None) -> sa.Column[str]:
    if default is None:
        return sa.Column(name, sa.Text(), nullable=False)
    return sa.Column(name, sa.Text(), server_default=sa.text(default), nullable=False)


def upgrade() -> None:
    op.create_table(
        "fapiao_requests",
        _text("receipt_key"),
        _text("request_id"),
        _text("sale_id"),
        _text("store_id"),
        _text("kind"),
        _text("title"),
        _text("tax_id", "''"),
        _text("email", "''"),
        _text("phone", "''"),
        _text("lines"),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        _text("state"),
        _text("number", "''"),
        _text("pdf_url", "''"),
        _text("reason", "''"),
        _text("requested_at"),
        _text("updated_at"),
        sa.PrimaryKeyConstraint("receipt_key"),
        sa.UniqueConstraint("request_id"),
    )
    op.create_index("fapiao_requests_store", "fapiao_requests", ["store_id", "requested_at"])
    op.create_index("fapiao_requests_sale", "fapiao_requests", ["sale_id"])
    op.create_table(
        "fapiao_reversals",
        _text("refund_id"),
        _text("receipt_key"),
        _text("lines"),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        _text("state"),
        _text("number", "''"),
        _text("pdf_url", "''"),
        _text("reason", "''"),
        _text("at"),
        _text("updated_at"),
        sa.PrimaryKeyConstraint("refund_id"),
    )
    op.create_index("fapiao_reversals_receipt", "fapiao_reversals", ["receipt_key"])
    op.create_table(
        "refund_vat",
        _text("refund_id"),
        _text("original_sale_id"),
        _text("vat"),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        _text("at"),
        sa.PrimaryKeyConstraint("refund_id"),
    )
    op.create_index("refund_vat_sale", "refund_vat", ["original_sale_id"])


def downgrade() -> None:
    for index, table in (
        ("refund_vat_sale", "refund_vat"),
        ("fapiao_reversals_receipt", "fapiao_reversals"),
        ("fapiao_requests_sale", "fapiao_requests"),
        ("fapiao_requests_store", "fapiao_requests"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("refund_vat", "fapiao_reversals", "fapiao_requests"):
        op.drop_table(table)
