"""The official account's follow loop (issue 19): the cached access token, each receipt's
temporary follow QR code, the account's followers, and the cloud's own secrets (the page
session key).

Revision ID: 0002_wxmp
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_wxmp"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_access_tokens",
        sa.Column("appid", sa.Text(), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("fetched_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("appid"),
    )
    op.create_table(
        "receipt_follow_qrs",
        sa.Column("receipt_key", sa.Text(), nullable=False),
        sa.Column("scene", sa.Text(), nullable=False),
        sa.Column("ticket", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("associate", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("receipt_key"),
    )
    op.create_index("receipt_follow_qrs_scene", "receipt_follow_qrs", ["scene"])
    op.create_table(
        "wechat_followers",
        sa.Column("openid", sa.Text(), nullable=False),
        sa.Column("followed_at", sa.Text(), nullable=False),
        sa.Column("unfollowed_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("openid"),
    )
    op.create_table(
        "cloud_secrets",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("cloud_secrets")
    op.drop_table("wechat_followers")
    op.drop_index("receipt_follow_qrs_scene", table_name="receipt_follow_qrs")
    op.drop_table("receipt_follow_qrs")
    op.drop_table("wechat_access_tokens")
