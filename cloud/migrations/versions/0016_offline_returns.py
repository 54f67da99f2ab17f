"""Offline returns of another store's receipt (issue 20): refunds waiting for their sale.

Revision ID: 0016_offline_returns
Revises: 0013_console_perf
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_offline_returns"
down_revision = "0013_console_perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "return_offline_pending",
        sa.Column("refund_id", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("till_no", sa.Integer(), nullable=False),
        sa.Column("receipt_no", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("refund_id"),
    )
    op.create_index(
        "return_offline_pending_sale",
        "return_offline_pending",
        ["store_id", "till_no", "receipt_no"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("return_offline_pending_sale", table_name="return_offline_pending")
    op.drop_table("return_offline_pending")
