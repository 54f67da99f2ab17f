"""Joining from the e-receipt page: verification codes, their sending log, receipt claims
(补积分), members' WeChat openids, and the cloud's own secrets (the session key,
cloud/pages/visitor.py) unless a sibling revision made that table first.

Revision ID: 0004_join_members
Revises: 0003_fapiao
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_join_members"
down_revision = "0003_fapiao"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "join_codes",
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("code_hash", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column("tries", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("sent_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("phone"),
    )
    op.create_table(
        "join_sends",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("at_s", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("join_sends_who", "join_sends", ["who", "at_s"], unique=False)
    op.create_table(
        "receipt_claims",
        sa.Column("receipt_key", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("receipt_no", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("sale_id", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("points", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("reason", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("claimed_at", sa.Text(), nullable=False),
        sa.Column("settled_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("receipt_key"),
    )
    op.create_index("receipt_claims_member", "receipt_claims", ["member_id"], unique=False)
    op.create_table(
        "member_openids",
        sa.Column("openid", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("openid"),
    )
    if "cloud_secrets" not in sa.inspect(op.get_bind()).get_table_names():
        op.create_table(
            "cloud_secrets",
            sa.Column("name", sa.Text(), nullable=False),
            sa.Column("value", sa.Text(), nullable=False),
            sa.Column("at", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )


def downgrade() -> None:
    # cloud_secrets stays: a sibling revision may own it
    for table in ("member_openids", "receipt_claims", "join_sends", "join_codes"):
        op.drop_table(table)
