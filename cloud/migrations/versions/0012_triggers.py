"""Triggers: the rules, their firings (once per trigger, member and occurrence), the engine's
cursor per till, the daily pass's lease, WeChat messages to send, the associates' tasks, and
the associates' workbench: their accounts, the brand's 话术 and the coupons they may send
(issue 21).

Revision ID: 0012_triggers
Revises: 0010_topup
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_triggers"
down_revision = "0010_topup"
branch_labels = None
depends_on = None


def _serial(name: str) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        sa.Identity(always=True),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "triggers",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("when_spec", sa.Text(), nullable=False),
        sa.Column("if_spec", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("then_spec", sa.Text(), nullable=False),
        sa.Column("cap_spec", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("active", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "trigger_firings",
        _serial("id"),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("occurrence", sa.Text(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("occurred_at", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trigger", "member_id", "occurrence", name="trigger_firings_once"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "trigger_firings_member",
        "trigger_firings",
        ["trigger", "member_id", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "trigger_cursors",
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "trigger_leases",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("holder", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("expires_at", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("done_for", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "trigger_messages",
        sa.Column("firing_id", sa.BigInteger(), nullable=False),
        sa.Column("openid", sa.Text(), nullable=False),
        sa.Column("template_id", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("detail", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("firing_id"),
    )
    op.create_index("trigger_messages_state", "trigger_messages", ["state"], unique=False)
    op.create_table(
        "member_tasks",
        _serial("id"),
        sa.Column("task_key", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("associate", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("store_id", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("due_at", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), server_default=sa.text("'open'"), nullable=False),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("done_at", sa.Text(), nullable=True),
        sa.Column("done_by", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_key"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "member_tasks_who", "member_tasks", ["associate", "state", "due_at"], unique=False
    )
    op.create_table(
        "associates",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("pw_hash", sa.Text(), nullable=False),
        sa.Column("failed", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "talk_scripts",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )
    op.create_table(
        "associate_coupons",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    for table in (
        "associate_coupons",
        "talk_scripts",
        "associates",
        "member_tasks",
        "trigger_messages",
        "trigger_leases",
        "trigger_cursors",
        "trigger_firings",
        "triggers",
    ):
        op.drop_table(table)
