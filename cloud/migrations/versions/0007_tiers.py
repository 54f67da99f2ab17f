"""631 tiers (issue 21): the recompute runs, the tier history, downgrades in their grace.

Revision ID: 0007_tiers
Revises: 0009_console
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_tiers"
down_revision = "0009_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tier_runs",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id"),
    )
    op.create_table(
        "tier_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("from_tier", sa.Text(), nullable=False),
        sa.Column("to_tier", sa.Text(), nullable=False),
        sa.Column("spend_fen", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("tier_history_member", "tier_history", ["member_id", "id"], unique=False)
    op.create_table(
        "tier_grace",
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("since", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("member_id"),
    )


def downgrade() -> None:
    op.drop_table("tier_grace")
    op.drop_index("tier_history_member", table_name="tier_history")
    op.drop_table("tier_history")
    op.drop_table("tier_runs")
