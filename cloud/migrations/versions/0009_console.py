"""The brand's console (issue 22): console accounts, their stores, sessions and audit log, and
the summaries its pages read (sales by store and day, shift sums, Z reports, device status),
kept by the ingest from then on.

Revision ID: 0009_console
Revises: 0008_segments
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009_console"
down_revision = "0008_segments"
branch_labels = None
depends_on = None


def _req(name: str, type_: Any) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=False)


def _dflt(name: str, type_: Any, default: str) -> sa.Column[Any]:
    return sa.Column(name, type_, server_default=sa.text(default), nullable=False)


def upgrade() -> None:
    text, big, integer = sa.Text(), sa.BigInteger(), sa.Integer()
    op.create_table(
        "console_users",
        _req("username", text),
        _req("role", text),
        _req("password_hash", text),
        _dflt("failures", integer, "0"),
        sa.Column("locked_until", text, nullable=True),
        _req("created_at", text),
        _req("updated_at", text),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "console_user_stores",
        _req("username", text),
        _req("store_id", text),
        sa.PrimaryKeyConstraint("username", "store_id"),
    )
    op.create_table(
        "console_sessions",
        _req("sid_hash", text),
        _req("username", text),
        _req("csrf", text),
        _req("created_at", text),
        _req("expires_at", text),
        sa.PrimaryKeyConstraint("sid_hash"),
    )
    op.create_index("console_sessions_user", "console_sessions", ["username"], unique=False)
    op.create_table(
        "console_audit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        _req("at", text),
        _req("username", text),
        _req("action", text),
        _dflt("store_id", text, "''"),
        _dflt("target", text, "''"),
        _dflt("detail", text, "''"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "console_sales_day",
        _req("store_id", text),
        _req("business_day", text),
        _req("dim", text),
        _req("key", text),
        _dflt("sales", big, "0"),
        _dflt("refunds", big, "0"),
        _dflt("qty", big, "0"),
        _dflt("sales_fen", big, "0"),
        _dflt("refunds_fen", big, "0"),
        sa.PrimaryKeyConstraint("store_id", "business_day", "dim", "key"),
    )
    op.create_index(
        "console_sales_day_day", "console_sales_day", ["business_day", "dim"], unique=False
    )
    op.create_table(
        "console_sales_month",
        _req("store_id", text),
        _req("month", text),
        _req("dim", text),
        _req("key", text),
        _dflt("sales", big, "0"),
        _dflt("refunds", big, "0"),
        _dflt("qty", big, "0"),
        _dflt("sales_fen", big, "0"),
        _dflt("refunds_fen", big, "0"),
        sa.PrimaryKeyConstraint("store_id", "month", "dim", "key"),
    )
    op.create_index(
        "console_sales_month_month", "console_sales_month", ["month", "dim"], unique=False
    )
    op.create_table(
        "console_shift_sums",
        _req("device_id", text),
        _req("shift_id", big),
        _req("dim", text),
        _req("key", text),
        _dflt("n", big, "0"),
        _dflt("net_fen", big, "0"),
        sa.PrimaryKeyConstraint("device_id", "shift_id", "dim", "key"),
    )
    op.create_table(
        "console_z_reports",
        _req("event_id", text),
        _req("device_id", text),
        _req("store_id", text),
        _req("till_no", integer),
        _req("shift_id", big),
        sa.Column("z_no", big, nullable=True),
        _req("business_day", text),
        _req("closed_at", text),
        _dflt("closed_by", text, "''"),
        _req("report", text),
        _req("seq", big),
        _req("received_at", text),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        "console_z_reports_store", "console_z_reports", ["store_id", "business_day"], unique=False
    )
    op.create_index("console_z_reports_day", "console_z_reports", ["business_day"], unique=False)
    op.create_table(
        "console_device_status",
        _req("device_id", text),
        _req("device", text),
        _req("kind", text),
        _req("state", text),
        _dflt("reason", text, "''"),
        _req("at", text),
        sa.PrimaryKeyConstraint("device_id", "device"),
    )


def downgrade() -> None:
    op.drop_table("console_device_status")
    op.drop_index("console_z_reports_day", table_name="console_z_reports")
    op.drop_index("console_z_reports_store", table_name="console_z_reports")
    op.drop_table("console_z_reports")
    op.drop_table("console_shift_sums")
    op.drop_index("console_sales_month_month", table_name="console_sales_month")
    op.drop_table("console_sales_month")
    op.drop_index("console_sales_day_day", table_name="console_sales_day")
    op.drop_table("console_sales_day")
    op.drop_table("console_audit")
    op.drop_index("console_sessions_user", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_user_stores")
    op.drop_table("console_users")
