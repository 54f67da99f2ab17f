"""Returns that travel (issue 20): synced sales' compact records, their lines' refunded and
reserved quantities, reservations by refund id, and over-refunds found on ingest.

Revision ID: 0005_returns
Revises: 0012_triggers
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_returns"
down_revision = "0012_triggers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "return_sales",
        sa.Column("sale_id", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("till_no", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.BigInteger(), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sale_id"),
    )
    op.create_index(
        "return_sales_receipt", "return_sales", ["device_id", "receipt_no"], unique=False
    )
    op.create_table(
        "return_lines",
        sa.Column("sale_id", sa.Text(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sold_qty", sa.BigInteger(), nullable=False),
        sa.Column("refunded_qty", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("reserved_qty", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("reserved_qty >= 0", name="return_lines_reserved"),
        sa.PrimaryKeyConstraint("sale_id", "line_no"),
    )
    op.create_table(
        "return_reservations",
        sa.Column("refund_id", sa.Text(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("refund_id", "line_no"),
    )
    op.create_index(
        "return_reservations_held",
        "return_reservations",
        ["state", "expires_at"],
        unique=False,
    )
    op.create_table(
        "return_conflicts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("sale_id", sa.Text(), nullable=False),
        sa.Column("receipt_no", sa.BigInteger(), nullable=False),
        sa.Column("till_no", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sold_qty", sa.BigInteger(), nullable=False),
        sa.Column("refunded_qty", sa.BigInteger(), nullable=False),
        sa.Column("excess_qty", sa.BigInteger(), nullable=False),
        sa.Column("refund_id", sa.Text(), nullable=False),
        sa.Column("refund_till_no", sa.Integer(), nullable=False),
        sa.Column("refund_receipt_no", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("refund_id", "line_no"),
        sqlite_autoincrement=True,
    )
    op.create_index("return_conflicts_store", "return_conflicts", ["store_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("return_conflicts_store", table_name="return_conflicts")
    op.drop_table("return_conflicts")
    op.drop_index("return_reservations_held", table_name="return_reservations")
    op.drop_table("return_reservations")
    op.drop_table("return_lines")
    op.drop_index("return_sales_receipt", table_name="return_sales")
    op.drop_table("return_sales")
