"""The member ledger's tables (created with the cloud's schema) and alias resolution."""

from __future__ import annotations

from .db import Tx

MEMBERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS member_aliases (
  alias_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS points_ledger (
  id {serial},
  member_id TEXT NOT NULL,
  delta BIGINT NOT NULL,
  reason TEXT NOT NULL,
  event_id TEXT UNIQUE,
  device_id TEXT,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_member ON points_ledger(member_id);
CREATE TABLE IF NOT EXISTS points_by_sale (
  event_id TEXT PRIMARY KEY,
  sale_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  points BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_by_sale_sale ON points_by_sale(sale_id, kind);
CREATE TABLE IF NOT EXISTS coupon_redemptions (
  code TEXT NOT NULL,
  sale_id TEXT NOT NULL,
  member_id TEXT,
  device_id TEXT,
  offline INTEGER NOT NULL DEFAULT 0,
  at TEXT NOT NULL,
  PRIMARY KEY (code, sale_id)
);
CREATE TABLE IF NOT EXISTS member_flags (
  id {serial},
  member_id TEXT,
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  event_id TEXT,
  device_id TEXT,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS member_purchases (
  event_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  sale_id TEXT,
  store_id TEXT,
  till_no INTEGER,
  kind TEXT NOT NULL,
  receipt_no INTEGER,
  total_fen BIGINT NOT NULL,
  associate TEXT,
  items TEXT NOT NULL DEFAULT '[]',
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS member_purchases_member ON member_purchases(member_id);
CREATE INDEX IF NOT EXISTS member_purchases_sale ON member_purchases(sale_id);
CREATE TABLE IF NOT EXISTS funnel (
  store_id TEXT NOT NULL,
  associate TEXT NOT NULL,
  kind TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, associate, kind)
);
CREATE TABLE IF NOT EXISTS funnel_follows (
  follow_key TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  associate TEXT NOT NULL,
  source TEXT NOT NULL,
  openid TEXT,
  member_id TEXT,
  scene TEXT,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS funnel_opens (
  receipt_key TEXT NOT NULL,               -- <device id>:<receipt no>
  visitor TEXT NOT NULL,
  store_id TEXT NOT NULL,
  associate TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (receipt_key, visitor)
);
CREATE TABLE IF NOT EXISTS wechat_scenes (
  scene TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  associate TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS wechat_scenes_who ON wechat_scenes(store_id, associate);
CREATE TABLE IF NOT EXISTS wechat_pushes (
  from_user TEXT NOT NULL,
  create_time TEXT NOT NULL,
  event TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (from_user, create_time)
)
"""

FUNNEL_KINDS = ("receipts_printed", "ereceipts_opened", "follows", "joins")


def migrate_members(tx: Tx, serial: str) -> None:
    for stmt in MEMBERS_SCHEMA.format(serial=serial).split(";"):
        if stmt.strip():
            tx.execute(stmt)


def _canonical(tx: Tx, member_id: str) -> str:
    row = tx.execute(
        "SELECT member_id FROM member_aliases WHERE alias_id = ?", (member_id,)
    ).fetchone()
    return str(row[0]) if row else member_id
