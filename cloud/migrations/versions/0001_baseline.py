"""The cloud's schema as the hand-rolled code of before Alembic created it (cloud/db.py
SCHEMA, stock.py STOCK_SCHEMA, member_schema.py MEMBERS_SCHEMA, rejections.py
REJECTIONS_SCHEMA at e6f3d7b).

It adopts a database that code made: a table or index that is already there is left as it is
(that code created them all with IF NOT EXISTS, the same columns as below), one that is
missing (a database from an older cloud) is created.  Frozen: a later change of the schema is
a new revision, never an edit here.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _existing() -> tuple[set[str], set[str]]:
    insp = sa.inspect(op.get_bind())
    tables = set(insp.get_table_names())
    indexes = {str(i["name"]) for t in tables for i in insp.get_indexes(t)}
    return tables, indexes


def upgrade() -> None:
    tables, indexes = _existing()

    def _table(name: str, *columns: Any, **kw: Any) -> None:
        if name not in tables:
            op.create_table(name, *columns, **kw)

    def _index(name: str, table: str, columns: list[str], **kw: Any) -> None:
        if name not in indexes:
            op.create_index(name, table, columns, **kw)

    _table(
        "changes",
        sa.Column(
            "cursor",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("cursor"),
        sqlite_autoincrement=True,
    )
    _table(
        "config",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    _table(
        "coupon_redemptions",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("sale_id", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=True),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("offline", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", "sale_id"),
    )
    _table(
        "coupons",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    _table(
        "funnel",
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("associate", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("n", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "associate", "kind"),
    )
    _table(
        "funnel_follows",
        sa.Column("follow_key", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("associate", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("openid", sa.Text(), nullable=True),
        sa.Column("member_id", sa.Text(), nullable=True),
        sa.Column("scene", sa.Text(), nullable=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("follow_key"),
    )
    _table(
        "funnel_opens",
        sa.Column("receipt_key", sa.Text(), nullable=False),
        sa.Column("visitor", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("associate", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("receipt_key", "visitor"),
    )
    _table(
        "idempotency",
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "key"),
    )
    _table(
        "member_aliases",
        sa.Column("alias_id", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("alias_id"),
    )
    _table(
        "member_flags",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("member_id", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("detail", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=True),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    _table(
        "member_purchases",
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("sale_id", sa.Text(), nullable=True),
        sa.Column("store_id", sa.Text(), nullable=True),
        sa.Column("till_no", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("receipt_no", sa.Integer(), nullable=True),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("associate", sa.Text(), nullable=True),
        sa.Column("items", sa.Text(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    _index("member_purchases_member", "member_purchases", ["member_id"], unique=False)
    _index("member_purchases_sale", "member_purchases", ["sale_id"], unique=False)
    _table(
        "members",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("tier", sa.Text(), server_default=sa.text("'ordinary'"), nullable=False),
        sa.Column("points", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("data", sa.Text(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("phone"),
    )
    _table(
        "nonces",
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "nonce"),
    )
    _table(
        "points_by_sale",
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("sale_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    _index("points_by_sale_sale", "points_by_sale", ["sale_id", "kind"], unique=False)
    _table(
        "points_ledger",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("delta", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=True),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sqlite_autoincrement=True,
    )
    _index("points_member", "points_ledger", ["member_id"], unique=False)
    _table(
        "prices",
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("member_price_fen", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sku"),
    )
    _table(
        "products",
        sa.Column("style", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("style"),
    )
    _table(
        "rejection_clears",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("cleared_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    _table(
        "stock_docs",
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("from_store", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), server_default=sa.text("'announced'"), nullable=False),
        sa.Column("announced_at", sa.Text(), nullable=False),
        sa.Column("received_at", sa.Text(), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("doc"),
    )
    _table(
        "stock_levels",
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "sku"),
    )
    _table(
        "stock_moves",
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ref", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq", "idx"),
    )
    _index("stock_moves_key", "stock_moves", ["store_id", "sku"], unique=False)
    _table(
        "stock_sets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("marks", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    _index("stock_sets_key", "stock_sets", ["store_id", "sku", "id"], unique=False)
    _table(
        "stock_skus",
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("style", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sku"),
    )
    _index("stock_skus_style", "stock_skus", ["style"], unique=False)
    _table(
        "store_locations",
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("lat", sa.DOUBLE_PRECISION(), nullable=False),
        sa.Column("lon", sa.DOUBLE_PRECISION(), nullable=False),
        sa.PrimaryKeyConstraint("store_id"),
    )
    _table(
        "stores",
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("store_id"),
    )
    _table(
        "wechat_pushes",
        sa.Column("from_user", sa.Text(), nullable=False),
        sa.Column("create_time", sa.Text(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("from_user", "create_time"),
    )
    _table(
        "wechat_scenes",
        sa.Column("scene", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("associate", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("scene"),
    )
    _index("wechat_scenes_who", "wechat_scenes", ["store_id", "associate"], unique=True)
    _table(
        "devices",
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("till_no", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("serial", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("app_version", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("enrolled_at", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.Text(), nullable=True),
        sa.Column("last_seen_at", sa.Text(), nullable=True),
        sa.Column("contiguous_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("max_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("chain_head", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.store_id"],
        ),
        sa.PrimaryKeyConstraint("device_id"),
    )
    _index(
        "devices_active_till",
        "devices",
        ["store_id", "till_no"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    _index("devices_key_id", "devices", ["key_id"], unique=False)
    _table(
        "enrollment_codes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("store_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column("used_at", sa.Text(), nullable=True),
        sa.Column("used_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.store_id"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    _table(
        "stored_value_ledger",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.Identity(always=True),
            nullable=False,
        ),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("delta_fen", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    _index("sv_member", "stored_value_ledger", ["member_id"], unique=False)
    _table(
        "events",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.Text(), nullable=False),
        sa.Column("received_at", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_entry_hash", sa.Text(), nullable=True),
        sa.Column("entry_hash", sa.Text(), nullable=True),
        sa.Column("receipt_no", sa.BigInteger(), nullable=True),
        sa.Column("total_fen", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reject_code", sa.Text(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.device_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id", "seq"),
    )
    _index("events_receipt", "events", ["device_id", "receipt_no"], unique=False)
    _index("events_status", "events", ["status"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("The cloud's first schema has no downgrade: restore a backup")
