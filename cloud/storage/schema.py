"""The cloud's schema, defined once: SQLAlchemy Core tables in one MetaData.

Tables are created and changed only by the Alembic migrations in cloud/migrations (a change
here gets a new revision there; `alembic check` against this MetaData says when one is
missing).  Queries stay plain SQL with `?` placeholders (cloud/db.py).

A sequence column (`_serial`) is BIGINT GENERATED ALWAYS AS IDENTITY on PostgreSQL and
INTEGER PRIMARY KEY AUTOINCREMENT on SQLite (a rowid alias: a cursor never reuses a number).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

_text = sa.Text
_big = sa.BigInteger
_int = sa.Integer


def _serial(name: str) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        sa.Identity(always=True),
        primary_key=True,
    )


def _req(name: str, type_: Any) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=False)


def _opt(name: str, type_: Any) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=True)


def _dflt(name: str, type_: Any, default: str) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=False, server_default=sa.text(default))


# ---- enrollment, devices, the event log --------------------------------------------------

stores = sa.Table(
    "stores",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    _req("name", _text),
    _req("created_at", _text),
)

enrollment_codes = sa.Table(
    "enrollment_codes",
    metadata,
    sa.Column("code", _text, primary_key=True),
    sa.Column("store_id", _text, sa.ForeignKey("stores.store_id"), nullable=False),
    _req("created_at", _text),
    _req("expires_at", _text),
    _opt("used_at", _text),
    _opt("used_by", _text),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_id", _text, primary_key=True),
    sa.Column("store_id", _text, sa.ForeignKey("stores.store_id"), nullable=False),
    _req("till_no", _int),
    _req("key_id", _text),
    _req("public_key", _text),
    _dflt("model", _text, "''"),
    _dflt("serial", _text, "''"),
    _dflt("app_version", _text, "''"),
    _req("enrolled_at", _text),
    _opt("revoked_at", _text),
    _opt("last_seen_at", _text),
    _dflt("contiguous_seq", _big, "0"),
    _dflt("max_seq", _big, "0"),
    _dflt("chain_head", _text, "''"),  # '' = genesis (32 zero bytes)
    # one active device per till number of a store; a revoked one keeps its row
    sa.Index(
        "devices_active_till",
        "store_id",
        "till_no",
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    ),
    sa.Index("devices_key_id", "key_id"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", _text, primary_key=True),  # the till's event id: the idempotency key
    sa.Column("device_id", _text, sa.ForeignKey("devices.device_id"), nullable=False),
    _req("seq", _big),
    _req("type", _text),
    _req("occurred_at", _text),
    _req("received_at", _text),
    _req("payload", _text),
    _opt("prev_entry_hash", _text),
    _opt("entry_hash", _text),
    _opt("receipt_no", _big),
    _opt("total_fen", _big),
    _req("status", _text),  # accepted | rejected
    _opt("reject_code", _text),
    _opt("reject_reason", _text),
    sa.UniqueConstraint("device_id", "seq"),
    sa.Index("events_receipt", "device_id", "receipt_no"),
    sa.Index("events_status", "status"),
)

nonces = sa.Table(
    "nonces",
    metadata,
    sa.Column("device_id", _text, primary_key=True),
    sa.Column("nonce", _text, primary_key=True),
    _req("created", _big),
)

changes = sa.Table(
    "changes",
    metadata,
    _serial("cursor"),
    _req("kind", _text),
    _req("op", _text),
    _req("key", _text),
    _req("data", _text),
    _opt("store_id", _text),  # NULL: every store
    _req("at", _text),
    sqlite_autoincrement=True,
)

# ---- catalog, members, configuration -------------------------------------------------------

products = sa.Table(
    "products",
    metadata,
    sa.Column("style", _text, primary_key=True),
    _req("data", _text),
    _req("updated_at", _text),
)

prices = sa.Table(
    "prices",
    metadata,
    sa.Column("sku", _text, primary_key=True),
    _req("price_fen", _big),
    _opt("member_price_fen", _big),
    _req("updated_at", _text),
)

members = sa.Table(
    "members",
    metadata,
    sa.Column("id", _text, primary_key=True),
    sa.Column("phone", _text, nullable=False, unique=True),
    _dflt("name", _text, "''"),
    _dflt("tier", _text, "'ordinary'"),
    _dflt("points", _big, "0"),
    _dflt("data", _text, "'{}'"),
    _req("created_at", _text),
    _req("updated_at", _text),
)

coupons = sa.Table(
    "coupons",
    metadata,
    sa.Column("code", _text, primary_key=True),
    _req("data", _text),
    _req("updated_at", _text),
)

config = sa.Table(
    "config",
    metadata,
    sa.Column("key", _text, primary_key=True),
    _req("value", _text),
    _req("updated_at", _text),
)

stored_value_ledger = sa.Table(
    "stored_value_ledger",
    metadata,
    _serial("id"),
    sa.Column("member_id", _text, sa.ForeignKey("members.id"), nullable=False),
    _req("delta_fen", _big),
    _dflt("reference", _text, "''"),
    _opt("device_id", _text),
    _req("at", _text),
    sa.Index("sv_member", "member_id"),
    sqlite_autoincrement=True,
)

idempotency = sa.Table(
    "idempotency",
    metadata,
    sa.Column("device_id", _text, primary_key=True),
    sa.Column("key", _text, primary_key=True),
    _req("request_hash", _text),
    _req("status", _int),
    _req("response", _text),
    _req("at", _text),
)

# ---- stock ------------------------------------------------------------------------------

stock_sets = sa.Table(
    "stock_sets",
    metadata,
    _serial("id"),
    _req("store_id", _text),
    _req("sku", _text),
    _req("qty", _big),
    _req("marks", _text),  # JSON device_id -> seq already inside qty
    _req("at", _text),
    sa.Index("stock_sets_key", "store_id", "sku", "id"),
    sqlite_autoincrement=True,
)

stock_moves = sa.Table(
    "stock_moves",
    metadata,
    sa.Column("device_id", _text, primary_key=True),
    sa.Column("seq", _big, primary_key=True),
    sa.Column("idx", _int, primary_key=True),
    _req("store_id", _text),
    _req("sku", _text),
    _req("qty", _big),
    _req("reason", _text),
    _dflt("ref", _text, "''"),
    _req("at", _text),
    sa.Index("stock_moves_key", "store_id", "sku"),
)

stock_skus = sa.Table(
    "stock_skus",
    metadata,
    sa.Column("sku", _text, primary_key=True),
    _req("style", _text),
    sa.Index("stock_skus_style", "style"),
)

stock_levels = sa.Table(
    "stock_levels",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    sa.Column("sku", _text, primary_key=True),
    _req("qty", _big),
    _req("updated_at", _text),
)

stock_docs = sa.Table(
    "stock_docs",
    metadata,
    sa.Column("doc", _text, primary_key=True),
    _req("store_id", _text),  # the store that receives it
    _req("kind", _text),  # delivery | transfer
    _dflt("from_store", _text, "''"),
    _req("lines", _text),
    _dflt("state", _text, "'announced'"),  # announced | received
    _req("announced_at", _text),
    _opt("received_at", _text),
    _opt("report", _text),
)

store_locations = sa.Table(
    "store_locations",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    _req("lat", sa.DOUBLE_PRECISION),
    _req("lon", sa.DOUBLE_PRECISION),
)

# ---- the member ledger ------------------------------------------------------------------

member_aliases = sa.Table(
    "member_aliases",
    metadata,
    sa.Column("alias_id", _text, primary_key=True),
    _req("member_id", _text),
    _req("at", _text),
)

points_ledger = sa.Table(
    "points_ledger",
    metadata,
    _serial("id"),
    _req("member_id", _text),
    _req("delta", _big),
    _req("reason", _text),
    sa.Column("event_id", _text, unique=True),
    _opt("device_id", _text),
    _req("at", _text),
    sa.Index("points_member", "member_id"),
    sqlite_autoincrement=True,
)

points_by_sale = sa.Table(
    "points_by_sale",
    metadata,
    sa.Column("event_id", _text, primary_key=True),
    _req("sale_id", _text),
    _req("kind", _text),
    _req("points", _big),
    sa.Index("points_by_sale_sale", "sale_id", "kind"),
)

coupon_redemptions = sa.Table(
    "coupon_redemptions",
    metadata,
    sa.Column("code", _text, primary_key=True),
    sa.Column("sale_id", _text, primary_key=True),
    _opt("member_id", _text),
    _opt("device_id", _text),
    _dflt("offline", _int, "0"),
    _req("at", _text),
)

member_flags = sa.Table(
    "member_flags",
    metadata,
    _serial("id"),
    _opt("member_id", _text),
    _req("kind", _text),
    _dflt("amount", _big, "0"),
    _dflt("detail", _text, "''"),
    _opt("event_id", _text),
    _opt("device_id", _text),
    _req("at", _text),
    sqlite_autoincrement=True,
)

member_purchases = sa.Table(
    "member_purchases",
    metadata,
    sa.Column("event_id", _text, primary_key=True),
    _req("member_id", _text),
    _opt("sale_id", _text),
    _opt("store_id", _text),
    _opt("till_no", _int),
    _req("kind", _text),
    _opt("receipt_no", _int),
    _req("total_fen", _big),
    _opt("associate", _text),
    _dflt("items", _text, "'[]'"),
    _req("at", _text),
    sa.Index("member_purchases_member", "member_id"),
    sa.Index("member_purchases_sale", "sale_id"),
)

funnel = sa.Table(
    "funnel",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    sa.Column("associate", _text, primary_key=True),
    sa.Column("kind", _text, primary_key=True),
    _dflt("n", _big, "0"),
)

funnel_follows = sa.Table(
    "funnel_follows",
    metadata,
    sa.Column("follow_key", _text, primary_key=True),
    _req("store_id", _text),
    _req("associate", _text),
    _req("source", _text),
    _opt("openid", _text),
    _opt("member_id", _text),
    _opt("scene", _text),
    _req("at", _text),
)

funnel_opens = sa.Table(
    "funnel_opens",
    metadata,
    sa.Column("receipt_key", _text, primary_key=True),  # <device id>:<receipt no>
    sa.Column("visitor", _text, primary_key=True),
    _req("store_id", _text),
    _req("associate", _text),
    _req("at", _text),
)

wechat_scenes = sa.Table(
    "wechat_scenes",
    metadata,
    sa.Column("scene", _text, primary_key=True),
    _req("store_id", _text),
    _req("associate", _text),
    _req("at", _text),
    sa.Index("wechat_scenes_who", "store_id", "associate", unique=True),
)

wechat_pushes = sa.Table(
    "wechat_pushes",
    metadata,
    sa.Column("from_user", _text, primary_key=True),
    sa.Column("create_time", _text, primary_key=True),
    _req("event", _text),
    _req("at", _text),
)

# ---- rejected events cleared by the brand -------------------------------------------------

rejection_clears = sa.Table(
    "rejection_clears",
    metadata,
    _serial("id"),
    _req("event_id", _text),
    _req("device_id", _text),
    _opt("code", _text),
    _opt("reason", _text),
    _req("cleared_at", _text),
    sqlite_autoincrement=True,
)

# ---- the official account: access token, per-receipt follow QR codes, followers ---------
# (issue 19: follow with attribution; cloud/wechat_mp.py, cloud/follow_qr.py)

wechat_access_tokens = sa.Table(
    "wechat_access_tokens",
    metadata,
    sa.Column("appid", _text, primary_key=True),
    _req("access_token", _text),
    _req("expires_at", _big),  # Unix seconds
    _req("fetched_at", _text),
)

receipt_follow_qrs = sa.Table(
    "receipt_follow_qrs",
    metadata,
    sa.Column("receipt_key", _text, primary_key=True),  # <device id>:<receipt no>
    _req("scene", _text),
    _req("ticket", _text),
    _req("url", _text),
    _req("store_id", _text),
    _req("associate", _text),
    _req("expires_at", _big),  # Unix seconds
    _req("at", _text),
    sa.Index("receipt_follow_qrs_scene", "scene"),
)

wechat_followers = sa.Table(
    "wechat_followers",
    metadata,
    sa.Column("openid", _text, primary_key=True),
    _req("followed_at", _text),
    _opt("unfollowed_at", _text),
)

# ---- joining from the e-receipt page (cloud/members/join.py, claims.py) -------------------

# The newest verification code per phone, HMAC'd with the site secret (never stored in clear).
join_codes = sa.Table(
    "join_codes",
    metadata,
    sa.Column("phone", _text, primary_key=True),
    _req("code_hash", _text),
    _req("expires_at", _text),
    _dflt("tries", _int, "0"),
    _req("sent_at", _text),
)

# One row per code sent, by who asked: `phone:<phone>` and `addr:<client address>` (the rate
# limits count them in a window; rows older than a day are pruned).
join_sends = sa.Table(
    "join_sends",
    metadata,
    _serial("id"),
    _req("who", _text),
    _req("at_s", _big),
    sa.Index("join_sends_who", "who", "at_s"),
    sqlite_autoincrement=True,
)

# 补积分: a receipt claimed by a member from its page, credited exactly once (at the claim,
# or when the sale syncs).  state: pending (sale not synced yet) | credited | refused.
receipt_claims = sa.Table(
    "receipt_claims",
    metadata,
    sa.Column("receipt_key", _text, primary_key=True),  # <device id>:<receipt no>
    _req("device_id", _text),
    _req("receipt_no", _big),
    _req("token", _text),
    _req("member_id", _text),
    _opt("sale_id", _text),
    _req("state", _text),
    _dflt("points", _big, "0"),
    _dflt("reason", _text, "''"),
    _req("claimed_at", _text),
    _opt("settled_at", _text),
    sa.Index("receipt_claims_member", "member_id"),
)

# The WeChat openid a member joined with (snsapi_base): the follower and the member are one.
member_openids = sa.Table(
    "member_openids",
    metadata,
    sa.Column("openid", _text, primary_key=True),
    _req("member_id", _text),
    _req("at", _text),
)

cloud_secrets = sa.Table(
    "cloud_secrets",
    metadata,
    sa.Column("name", _text, primary_key=True),
    _req("value", _text),
    _req("at", _text),
)

# ---- 发票 asked for from the e-receipt page (cloud/fapiao) --------------------------------

fapiao_requests = sa.Table(
    "fapiao_requests",
    metadata,
    sa.Column("receipt_key", _text, primary_key=True),  # <device id>:<receipt no>: one each
    sa.Column("request_id", _text, nullable=False, unique=True),  # the provider's idempotency key
    _req("sale_id", _text),
    _req("store_id", _text),
    _req("kind", _text),  # personal | company
    _req("title", _text),
    _dflt("tax_id", _text, "''"),
    _dflt("email", _text, "''"),
    _dflt("phone", _text, "''"),
    _req("lines", _text),  # JSON [{rate_bp, gross_fen, vat_fen}] net of refunds at request
    _req("total_fen", _big),
    _req("state", _text),  # pending | issued | failed
    _dflt("number", _text, "''"),
    _dflt("pdf_url", _text, "''"),
    _dflt("reason", _text, "''"),
    _req("requested_at", _text),
    _req("updated_at", _text),
    sa.Index("fapiao_requests_store", "store_id", "requested_at"),
    sa.Index("fapiao_requests_sale", "sale_id"),
)

fapiao_reversals = sa.Table(
    "fapiao_reversals",
    metadata,
    sa.Column("refund_id", _text, primary_key=True),  # one red-letter invoice per refund
    _req("receipt_key", _text),  # the invoice it reverses (fapiao_requests)
    _req("lines", _text),  # JSON, negative amounts
    _req("total_fen", _big),
    _req("state", _text),  # pending | issued | failed
    _dflt("number", _text, "''"),
    _dflt("pdf_url", _text, "''"),
    _dflt("reason", _text, "''"),
    _req("at", _text),
    _req("updated_at", _text),
    sa.Index("fapiao_reversals_receipt", "receipt_key"),
)

refund_vat = sa.Table(
    "refund_vat",
    metadata,
    sa.Column("refund_id", _text, primary_key=True),
    _req("original_sale_id", _text),
    _req("vat", _text),  # JSON [{rate_bp, gross_fen, vat_fen}], negative amounts
    _req("total_fen", _big),
    _req("at", _text),
    sa.Index("refund_vat_sale", "original_sale_id"),
)

# --- segments, coupons to people, targeted promotions (issue 21) ----------------------------
# (cloud/members/segments.py, issuing.py)

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("name", _text, primary_key=True),
    _req("rule", _text),  # the rule as written (docs/members.md, Segments)
    _req("created_at", _text),
    _req("updated_at", _text),
)

# One coupon copy per (coupon, member, batch): issuing again finds the row and gives nothing.
coupon_issues = sa.Table(
    "coupon_issues",
    metadata,
    sa.Column("code", _text, primary_key=True),  # the coupon issued (coupons.code)
    sa.Column("member_id", _text, primary_key=True),
    sa.Column("batch", _text, primary_key=True),  # '' unless the caller names a campaign
    sa.Column("coupon_code", _text, nullable=False, unique=True),  # the member's own copy
    _req("at", _text),
    sa.Index("coupon_issues_member", "member_id"),
)

# Who saw members' phones unmasked (`segment members --unmasked`), and how many.
member_exports = sa.Table(
    "member_exports",
    metadata,
    _serial("id"),
    _req("what", _text),
    _req("who", _text),
    _dflt("reason", _text, "''"),
    _req("rows", _big),
    _req("at", _text),
    sqlite_autoincrement=True,
)

# --- the brand's console (issue 22) ---------------------------------------------------------
# Accounts, their sessions and audit log (cloud/console/auth.py, sessions.py, audit.py), and
# the summaries the console's pages read, kept exact in the ingest's own transaction
# (cloud/console/facts.py): a page at 1,000 stores × 365 days never walks the event log.

console_users = sa.Table(
    "console_users",
    metadata,
    sa.Column("username", _text, primary_key=True),
    _req("role", _text),  # hq | store-manager
    _req("password_hash", _text),  # scrypt$N$r$p$salt$key
    _dflt("failures", _int, "0"),
    _opt("locked_until", _text),
    _req("created_at", _text),
    _req("updated_at", _text),
)

console_user_stores = sa.Table(
    "console_user_stores",
    metadata,
    sa.Column("username", _text, primary_key=True),
    sa.Column("store_id", _text, primary_key=True),
)

console_sessions = sa.Table(
    "console_sessions",
    metadata,
    sa.Column("sid_hash", _text, primary_key=True),  # sha256 of the cookie's session id
    _req("username", _text),
    _req("csrf", _text),
    _req("created_at", _text),
    _req("expires_at", _text),
    sa.Index("console_sessions_user", "username"),
)

console_audit = sa.Table(
    "console_audit",
    metadata,
    _serial("id"),
    _req("at", _text),
    _req("username", _text),
    _req("action", _text),
    _dflt("store_id", _text, "''"),
    _dflt("target", _text, "''"),
    _dflt("detail", _text, "''"),
    sqlite_autoincrement=True,
)

# dim '' (key ''): the store's day; 'hour' (key 00–23, China time), 'tender', 'category',
# 'associate', 'till'.  Refund figures are negative, as on the refund receipt.  Head office's
# pages sum every store's rows (no chain-wide row for every till's ingest to queue on): the
# (dim, day) index carries the figures on PostgreSQL, so that sum reads the index alone.
_SUMS = ("sales", "refunds", "qty", "sales_fen", "refunds_fen")
console_sales_day = sa.Table(
    "console_sales_day",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    sa.Column("business_day", _text, primary_key=True),
    sa.Column("dim", _text, primary_key=True),
    sa.Column("key", _text, primary_key=True),
    _dflt("sales", _big, "0"),
    _dflt("refunds", _big, "0"),
    _dflt("qty", _big, "0"),
    _dflt("sales_fen", _big, "0"),
    _dflt("refunds_fen", _big, "0"),
    sa.Index(
        "console_sales_day_dim",
        "dim",
        "business_day",
        "key",
        "store_id",
        postgresql_include=list(_SUMS),
    ),
)

# The same figures by calendar month ('YYYY-MM' of the business day): a period of many months
# reads a month's row where it covers the whole month, and days only at its two ends.
console_sales_month = sa.Table(
    "console_sales_month",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    sa.Column("month", _text, primary_key=True),
    sa.Column("dim", _text, primary_key=True),
    sa.Column("key", _text, primary_key=True),
    _dflt("sales", _big, "0"),
    _dflt("refunds", _big, "0"),
    _dflt("qty", _big, "0"),
    _dflt("sales_fen", _big, "0"),
    _dflt("refunds_fen", _big, "0"),
    sa.Index(
        "console_sales_month_dim",
        "dim",
        "month",
        "key",
        "store_id",
        postgresql_include=list(_SUMS),
    ),
)

# What the synced sales of one till's shift add up to, to check its Z report against.
console_shift_sums = sa.Table(
    "console_shift_sums",
    metadata,
    sa.Column("device_id", _text, primary_key=True),
    sa.Column("shift_id", _big, primary_key=True),
    sa.Column("dim", _text, primary_key=True),  # kind (sale | refund) | tender
    sa.Column("key", _text, primary_key=True),
    _dflt("n", _big, "0"),
    _dflt("net_fen", _big, "0"),
)

console_z_reports = sa.Table(
    "console_z_reports",
    metadata,
    sa.Column("event_id", _text, primary_key=True),
    _req("device_id", _text),
    _req("store_id", _text),
    _req("till_no", _int),
    _req("shift_id", _big),
    _opt("z_no", _big),
    _req("business_day", _text),
    _req("closed_at", _text),
    _dflt("closed_by", _text, "''"),
    _req("report", _text),
    _req("seq", _big),  # the Z event's place in the till's sequence (its sales come before)
    _req("received_at", _text),
    sa.Index("console_z_reports_store", "store_id", "business_day"),
    sa.Index("console_z_reports_day", "business_day"),
)

console_device_status = sa.Table(
    "console_device_status",
    metadata,
    sa.Column("device_id", _text, primary_key=True),  # the till
    sa.Column("device", _text, primary_key=True),  # the till's name for the printer, terminal…
    _req("kind", _text),
    _req("state", _text),
    _dflt("reason", _text, "''"),
    _req("at", _text),
)

# --- 631 tiers (issue 21) ---------------------------------------------------------------
# (cloud/tiers: members.tier stays the current tier; these hold the runs, every change, and
# the downgrades waiting out their grace period)

tier_runs = sa.Table(
    "tier_runs",
    metadata,
    sa.Column("run_id", _text, primary_key=True),  # nightly:<day> (claimed once) | manual:<uuid>
    _req("kind", _text),  # nightly | manual
    _req("at", _text),
    _req("policy", _text),  # JSON TierPolicy
    _req("summary", _text),  # JSON: counts, moves, thresholds
)

tier_history = sa.Table(
    "tier_history",
    metadata,
    _serial("id"),
    _req("member_id", _text),
    _req("from_tier", _text),
    _req("to_tier", _text),
    _req("spend_fen", _big),  # net spend in the window at the change
    _req("run_id", _text),
    _req("at", _text),
    sa.Index("tier_history_member", "member_id", "id"),
    sqlite_autoincrement=True,
)

tier_grace = sa.Table(
    "tier_grace",
    metadata,
    sa.Column("member_id", _text, primary_key=True),
    _req("since", _text),  # the first recompute that found the member below their tier
)

# --- stored-value top-ups (issue 23) ---
# Bonus rules (充500送50) the brand publishes; top-ups as the tills booked them; the bonus
# part of each member's stored value.  stored_value_ledger keeps the whole spendable balance
# (paid and bonus); stored_value_bonus says how much of it is bonus, spent last.

topup_rules = sa.Table(
    "topup_rules",
    metadata,
    sa.Column("id", _text, primary_key=True),
    _dflt("name", _text, "''"),
    _req("min_fen", _big),
    _req("bonus_fen", _big),
    _opt("tier", _text),  # NULL: every tier
    _opt("starts_on", _text),  # ISO dates, inclusive; NULL: open ended
    _opt("ends_on", _text),
    _dflt("active", _int, "1"),
    _req("created_at", _text),
)

topups = sa.Table(
    "topups",
    metadata,
    sa.Column("id", _text, primary_key=True),  # the till's top-up id
    sa.Column("member_id", _text, sa.ForeignKey("members.id"), nullable=False),
    _req("device_id", _text),
    _dflt("store_id", _text, "''"),
    _req("paid_fen", _big),
    _dflt("bonus_fen", _big, "0"),
    _opt("rule_id", _text),
    _req("tender", _text),
    _dflt("payment_ref", _text, "''"),
    _req("business_day", _text),
    _req("at", _text),
    _dflt("refunded_fen", _big, "0"),
    _dflt("forfeited_fen", _big, "0"),
    sa.Index("topups_member", "member_id"),
    sa.Index("topups_store_day", "store_id", "business_day"),
)

stored_value_bonus = sa.Table(
    "stored_value_bonus",
    metadata,
    _serial("id"),
    sa.Column("member_id", _text, sa.ForeignKey("members.id"), nullable=False),
    _req("delta_fen", _big),
    _dflt("reference", _text, "''"),
    _req("at", _text),
    sa.Index("sv_bonus_member", "member_id"),
    sqlite_autoincrement=True,
)

# --- triggers and the associate's phone (issue 21) --------------------------------------------
# (cloud/triggers/: the engine, its sources, the daily pass; cloud/associates/: the workbench)

triggers = sa.Table(
    "triggers",
    metadata,
    sa.Column("name", _text, primary_key=True),
    _req("when_spec", _text),  # first_purchase | purchase_above:FEN | followup[:DAYS] | …
    _dflt("if_spec", _text, "''"),
    _req("then_spec", _text),  # JSON list of actions as written (coupon:CODE, task, …)
    _dflt("cap_spec", _text, "''"),  # N/Dd, '' for none
    _dflt("active", _int, "1"),
    _req("created_at", _text),
)

# One row per (trigger, member, occurrence): the unique key that makes a trigger fire once
# however often its event is delivered or passed over, and by however many workers.
trigger_firings = sa.Table(
    "trigger_firings",
    metadata,
    _serial("id"),
    _req("trigger", _text),
    _req("member_id", _text),  # '' when nobody joined (opened_not_joined)
    _req("occurrence", _text),
    _req("event", _text),
    _req("outcome", _text),  # fired | capped | no_consent | no_member
    _dflt("actions", _text, "'[]'"),  # JSON: what each action did
    _req("occurred_at", _text),
    _req("at", _text),
    sa.UniqueConstraint("trigger", "member_id", "occurrence", name="trigger_firings_once"),
    sa.Index("trigger_firings_member", "trigger", "member_id", "occurred_at"),
    sqlite_autoincrement=True,
)

# How far the engine has read each till's events (never past the till's contiguous_seq).
trigger_cursors = sa.Table(
    "trigger_cursors",
    metadata,
    sa.Column("device_id", _text, primary_key=True),
    _req("seq", _big),
)

# The daily pass: one worker holds the lease until it expires or the day's pass is done.
trigger_leases = sa.Table(
    "trigger_leases",
    metadata,
    sa.Column("name", _text, primary_key=True),
    _dflt("holder", _text, "''"),
    _dflt("expires_at", _text, "''"),
    _dflt("done_for", _text, "''"),  # the store date whose pass finished
)

# WeChat template messages waiting to be sent (sent after the firing committed).
trigger_messages = sa.Table(
    "trigger_messages",
    metadata,
    sa.Column("firing_id", _big, primary_key=True),
    _req("openid", _text),
    _req("template_id", _text),
    _req("data", _text),  # JSON: the template's fields
    _dflt("state", _text, "'pending'"),  # pending | sent | failed
    _dflt("detail", _text, "''"),
    _req("at", _text),
    _opt("sent_at", _text),
    sa.Index("trigger_messages_state", "state"),
)

# Tasks for the member's own associate (专属导购): from triggers (and the workbench).
member_tasks = sa.Table(
    "member_tasks",
    metadata,
    _serial("id"),
    sa.Column("task_key", _text, nullable=False, unique=True),  # e.g. trigger:<firing id>
    _req("member_id", _text),
    _dflt("associate", _text, "''"),
    _dflt("store_id", _text, "''"),
    _req("kind", _text),  # trigger
    _req("title", _text),
    _req("due_at", _text),
    _dflt("state", _text, "'open'"),  # open | done
    _dflt("note", _text, "''"),
    _opt("done_at", _text),
    _opt("done_by", _text),
    _req("created_at", _text),
    sa.Index("member_tasks_who", "associate", "state", "due_at"),
    sqlite_autoincrement=True,
)

# The associates' own accounts for the workbench at /a/ (cloud/associates/): a scrypt hash,
# failed sign-ins counted for the lockout.
associates = sa.Table(
    "associates",
    metadata,
    sa.Column("name", _text, primary_key=True),  # as the tills write it on a sale
    _req("store_id", _text),
    _req("pw_hash", _text),  # scrypt$n$r$p$salt$hash
    _dflt("failed", _int, "0"),
    _dflt("locked_until", _text, "''"),
    _req("created_at", _text),
)

# 话术: the suggested message for a kind of task, kept by the brand.
talk_scripts = sa.Table(
    "talk_scripts",
    metadata,
    sa.Column("kind", _text, primary_key=True),  # followup, birthday, lapsed, … or default
    _req("text", _text),
    _req("updated_at", _text),
)

# The coupons an associate may send from the workbench.
associate_coupons = sa.Table(
    "associate_coupons",
    metadata,
    sa.Column("code", _text, primary_key=True),
    _req("at", _text),
)

# --- returns that travel (issue 20) ---------------------------------------------------------
# A synced sale's compact record (what the store's tills keep for returns offline), its lines'
# sold / refunded / reserved quantities (the reservation is a serialising UPDATE on a line's
# row: two stores never take the same unit), reservations by refund id, and over-refunds
# found on ingest (two tills refunded one line while offline).

return_sales = sa.Table(
    "return_sales",
    metadata,
    sa.Column("sale_id", _text, primary_key=True),
    _req("store_id", _text),
    _req("device_id", _text),
    _req("till_no", _int),
    _req("receipt_no", _big),
    _req("record", _text),  # JSON: the record published to the store's tills (store_sale)
    _req("at", _text),
    sa.Index("return_sales_receipt", "device_id", "receipt_no"),
)

return_lines = sa.Table(
    "return_lines",
    metadata,
    sa.Column("sale_id", _text, primary_key=True),
    sa.Column("line_no", _int, primary_key=True),
    _req("sold_qty", _big),
    _dflt("refunded_qty", _big, "0"),
    _dflt("reserved_qty", _big, "0"),
    sa.CheckConstraint("reserved_qty >= 0", name="return_lines_reserved"),
)

return_reservations = sa.Table(
    "return_reservations",
    metadata,
    sa.Column("refund_id", _text, primary_key=True),
    sa.Column("line_no", _int, primary_key=True),
    _req("sale_id", _text),
    _req("device_id", _text),
    _req("qty", _big),
    _req("state", _text),  # held | committed | released
    _req("expires_at", _text),
    _req("at", _text),
    sa.Index("return_reservations_held", "state", "expires_at"),
)

return_conflicts = sa.Table(
    "return_conflicts",
    metadata,
    _serial("id"),
    _req("store_id", _text),
    _req("sale_id", _text),
    _req("receipt_no", _big),
    _req("till_no", _int),
    _req("line_no", _int),
    _req("sold_qty", _big),
    _req("refunded_qty", _big),  # all refunds of the line, this one included
    _req("excess_qty", _big),
    _req("refund_id", _text),
    _req("refund_till_no", _int),
    _req("refund_receipt_no", _big),
    _req("at", _text),
    sa.UniqueConstraint("refund_id", "line_no"),
    sa.Index("return_conflicts_store", "store_id", "at"),
)


# --- the console off the ingest's hot path (issue 22, follow-up) ---------------------------
# The e-receipt funnel per store, business day and associate ('' none), and by month
# ('YYYY-MM'), kept exact by the ingest and the e-receipt pages (cloud/console/funnel_facts.py):
# /console/funnel reads these instead of walking the event log.
_FUNNEL = (
    "receipts_printed", "printed_fen", "ereceipts_opened", "receipts_opened", "follows",
    "joins", "returned_90d", "returned_fen",
)  # fmt: skip
console_funnel_day = sa.Table(
    "console_funnel_day",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    sa.Column("business_day", _text, primary_key=True),
    sa.Column("associate", _text, primary_key=True),
    *(_dflt(c, _big, "0") for c in _FUNNEL),
    sa.Index(
        "console_funnel_day_day",
        "business_day",
        "store_id",
        "associate",
        postgresql_include=list(_FUNNEL),
    ),
)
console_funnel_month = sa.Table(
    "console_funnel_month",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    sa.Column("month", _text, primary_key=True),
    sa.Column("associate", _text, primary_key=True),
    *(_dflt(c, _big, "0") for c in _FUNNEL),
    sa.Index(
        "console_funnel_month_month",
        "month",
        "store_id",
        "associate",
        postgresql_include=list(_FUNNEL),
    ),
)
# A member's sales (the till's member id as sold), for the 90-day returns of each.
console_funnel_sales = sa.Table(
    "console_funnel_sales",
    metadata,
    sa.Column("receipt_key", _text, primary_key=True),  # <device id>:<receipt no>
    _req("member_id", _text),
    _req("grp", _text),  # the member it is counted under (member_id, or what it is an alias of)
    _req("store_id", _text),
    _req("business_day", _text),
    _req("associate", _text),
    _req("at", _text),
    _req("sale_id", _text),
    _req("total_fen", _big),
    sa.Index("console_funnel_sales_grp", "grp"),
)

# Head office's rows for the whole chain (cloud/console/chain.py): brought up to date by the
# console's pages for the store days the ingest marked in console_sales_dirty, never written
# by the ingest itself (a chain-wide row would make every till's batch queue on it).
console_chain_day = sa.Table(
    "console_chain_day",
    metadata,
    sa.Column("dim", _text, primary_key=True),
    sa.Column("business_day", _text, primary_key=True),
    sa.Column("key", _text, primary_key=True),
    *(_dflt(c, _big, "0") for c in _SUMS),
)
console_chain_month = sa.Table(
    "console_chain_month",
    metadata,
    sa.Column("dim", _text, primary_key=True),
    sa.Column("month", _text, primary_key=True),
    sa.Column("key", _text, primary_key=True),
    *(_dflt(c, _big, "0") for c in _SUMS),
)
console_sales_dirty = sa.Table(
    "console_sales_dirty",
    metadata,
    sa.Column("store_id", _text, primary_key=True),
    sa.Column("business_day", _text, primary_key=True),
    _dflt("n", _big, "0"),  # batches that changed the store's day since the chain's rows
)


# --- offline returns of another store's receipt (issue 20) --------------------------------
# A refund of another store's receipt taken offline whose sale the cloud does not have yet:
# booked against it when the sale is ingested (cloud/returns/offline.py).
return_offline_pending = sa.Table(
    "return_offline_pending",
    metadata,
    sa.Column("refund_id", _text, primary_key=True),
    _req("store_id", _text),
    _req("till_no", _int),
    _req("receipt_no", _big),
    _req("digest", _text),
    _req("payload", _text),
    _req("at", _text),
    sa.Index("return_offline_pending_sale", "store_id", "till_no", "receipt_no"),
)

# --- top-up receipts' QR (issue 23) ------------------------------------------------------------
# (cloud/topups/receipt_page.py): the version 3 e-receipt token binds a top-up by its digest
# (docs/specs/ereceipt-token-v1.md "Version 3"); the booking writes it, the page finds it by it.

topup_receipts = sa.Table(
    "topup_receipts",
    metadata,
    sa.Column("digest", _text, primary_key=True),  # 16 hex: the token's 8 digest bytes
    sa.Column("topup_id", _text, sa.ForeignKey("topups.id"), nullable=False),
)

# --- returns without a receipt across the chain (issue 20) -------------------------------------
# One row per ingested refund marked `no_receipt` that names the member's phone key (never the
# phone): what `GET /v1/returns/no-receipt-count` counts (cloud/returns/no_receipt.py).
returns_no_receipt = sa.Table(
    "returns_no_receipt",
    metadata,
    sa.Column("refund_id", _text, primary_key=True),
    _req("phone_key", _text),
    _req("store_id", _text),
    _req("till_no", _int),
    _req("completed_at", _text),
    sa.Index("returns_no_receipt_phone", "phone_key", "completed_at"),
)

# --- till keys' verdicts (issue 18) ------------------------------------------------------------
# (cloud/key_checks.py): whether a till's public key is acceptable (pos_app.domain.ed25519_keys)
# is ~2 ms of point arithmetic, which every fresh worker paid once per till; the verdict is
# written at enrolment, or by the first worker that checks a key it finds unrecorded, and read
# with the device's row.  NULL problem: acceptable.
device_key_checks = sa.Table(
    "device_key_checks",
    metadata,
    sa.Column("public_key", _text, primary_key=True),  # base64, as devices.public_key
    _opt("problem", _text),
    _req("checked_at", _text),
)
