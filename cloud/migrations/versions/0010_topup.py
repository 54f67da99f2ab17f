"""Stored-value top-ups (issue 23): the brand's bonus rules (充500送50), the top-ups the tills
booked, and the bonus part of each member's stored value.

Revision ID: 0010_topup
Revises: 0007_tiers
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_topup"
down_revision = "0007_tiers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topup_rules",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("min_fen", sa.BigInteger(), nullable=False),
        sa.Column("bonus_fen", sa.BigInteger(), nullable=False),
        sa.Column("tier", sa.Text(), nullable=True),
        sa.Column("starts_on", sa.Text(), nullable=True),
        sa.Column("ends_on", sa.Text(), nullable=True),
        sa.Column("active", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "topups",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("paid_fen", sa.BigInteger(), nullable=False),
        sa.Column("bonus_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("rule_id", sa.Text(), nullable=True),
        sa.Column("tender", sa.Text(), nullable=False),
        sa.Column("payment_ref", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("business_day", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("refunded_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("forfeited_fen", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("topups_member", "topups", ["member_id"], unique=False)
    op.create_index("topups_store_day", "topups", ["store_id", "business_day"], unique=False)
    op.create_table(
        "stored_value_bonus",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("delta_fen", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("sv_bonus_member", "stored_value_bonus", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index("sv_bonus_member", table_name="stored_value_bonus")
    op.drop_table("stored_value_bonus")
    op.drop_index("topups_store_day", table_name="topups")
    op.drop_index("topups_member", table_name="topups")
    op.drop_table("topups")
    op.drop_table("topup_rules")
