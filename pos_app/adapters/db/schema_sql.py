"""The SQL of each numbered migration (registered in migrations.py) and the two splitters
that turn a script into statements.  Data, not code: never edit a shipped migration's text."""

from __future__ import annotations

SCHEMA_0001 = """
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  roles TEXT NOT NULL,                 -- comma separated: cashier,manager,technician
  pin_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE TABLE styles (
  style TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT ''
);
CREATE TABLE skus (
  sku TEXT PRIMARY KEY,
  style TEXT NOT NULL,
  name TEXT NOT NULL,                  -- printed name, e.g. 男士羊毛夹克 黑 L
  name_en TEXT NOT NULL DEFAULT '',
  colour TEXT NOT NULL DEFAULT '',
  size TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  vat_rate_bp INTEGER NOT NULL DEFAULT 1300,
  price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
  member_price_fen INTEGER CHECK (member_price_fen IS NULL OR member_price_fen >= 0),
  initials TEXT NOT NULL DEFAULT '',   -- pinyin initials of the name, lower case
  active INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX skus_style ON skus(style);
CREATE INDEX skus_initials ON skus(initials);
CREATE INDEX skus_name ON skus(name);
CREATE TABLE barcodes (
  code TEXT PRIMARY KEY,
  sku TEXT NOT NULL REFERENCES skus(sku) ON DELETE CASCADE,
  kind TEXT NOT NULL                   -- ean13 | ean8 | upca | store
);
CREATE INDEX barcodes_sku ON barcodes(sku);
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  birthday TEXT,
  tier TEXT NOT NULL DEFAULT 'ordinary',
  points INTEGER NOT NULL DEFAULT 0,
  stored_value_fen INTEGER NOT NULL DEFAULT 0,
  consent_at TEXT,
  associate TEXT,
  tags TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE shifts (
  id INTEGER PRIMARY KEY,
  business_day TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  float_fen INTEGER NOT NULL,
  closed_at TEXT,
  closed_by TEXT,
  counted_fen INTEGER,
  z_no INTEGER UNIQUE,
  z_report TEXT
);
CREATE UNIQUE INDEX one_open_shift ON shifts((closed_at IS NULL)) WHERE closed_at IS NULL;
CREATE TABLE sales (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
  receipt_no INTEGER NOT NULL UNIQUE,
  shift_id INTEGER NOT NULL REFERENCES shifts(id),
  business_day TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  cashier TEXT NOT NULL,
  associate TEXT,
  member_id TEXT,
  original_sale_id TEXT REFERENCES sales(id),
  subtotal_fen INTEGER NOT NULL,
  discount_fen INTEGER NOT NULL,
  rounding_fen INTEGER NOT NULL,
  total_fen INTEGER NOT NULL,
  journal_seq INTEGER NOT NULL UNIQUE REFERENCES journal(seq),
  reprints INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sales_day ON sales(business_day);
CREATE INDEX sales_original ON sales(original_sale_id);
CREATE TABLE sale_lines (
  sale_id TEXT NOT NULL REFERENCES sales(id),
  line_no INTEGER NOT NULL,
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty > 0),
  unit_price_fen INTEGER NOT NULL,
  discount_fen INTEGER NOT NULL,
  amount_fen INTEGER NOT NULL,
  vat_rate_bp INTEGER NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (sale_id, line_no)
);
CREATE INDEX sale_lines_sku ON sale_lines(sku);
CREATE TABLE payments (
  sale_id TEXT NOT NULL REFERENCES sales(id),
  seq INTEGER NOT NULL,
  tender TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  change_fen INTEGER NOT NULL DEFAULT 0,
  reference TEXT,
  PRIMARY KEY (sale_id, seq)
);
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  ref_id TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,               -- canonical JSON, exactly what was hashed
  prev_hash TEXT NOT NULL,
  entry_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE cash_moves (
  id INTEGER PRIMARY KEY,
  shift_id INTEGER NOT NULL REFERENCES shifts(id),
  kind TEXT NOT NULL CHECK (kind IN ('pay_in', 'pay_out', 'no_sale')),
  amount_fen INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  user TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE voids (
  id INTEGER PRIMARY KEY,
  shift_id INTEGER,
  kind TEXT NOT NULL CHECK (kind IN ('line', 'sale')),
  sale_id TEXT NOT NULL,
  cashier TEXT NOT NULL,
  reason TEXT NOT NULL,
  qty INTEGER NOT NULL DEFAULT 0,
  amount_fen INTEGER NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  user TEXT NOT NULL,
  approver TEXT,
  reason TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE suspended_sales (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  cashier TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL
);
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,             -- gap-free: the till's outbox sequence
  id TEXT NOT NULL UNIQUE,             -- event id = the cloud's idempotency key
  type TEXT NOT NULL,
  schema INTEGER NOT NULL DEFAULT 1,
  occurred_at TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_entry_hash TEXT,
  entry_hash TEXT,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error TEXT,
  sent_at TEXT,
  dead_code TEXT,
  dead_reason TEXT
);
CREATE INDEX outbox_pending ON outbox(state, seq);
CREATE INDEX outbox_entry_hash ON outbox(entry_hash) WHERE entry_hash IS NOT NULL;
CREATE TABLE sync_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
"""


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


SCHEMA_0002_DEVICES = """
CREATE TABLE devices (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('printer', 'drawer', 'scanner', 'terminal')),
  uri TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',   -- JSON object
  serial_number TEXT,
  added_at TEXT NOT NULL
);
CREATE TABLE print_jobs (
  id INTEGER PRIMARY KEY,
  printer TEXT NOT NULL,
  created_at TEXT NOT NULL,
  kind TEXT NOT NULL,                    -- receipt | refund | reprint | test | report | ...
  ref TEXT,                              -- e.g. the sale id or receipt number
  data BLOB NOT NULL,                    -- the exact ESC/POS bytes
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'printing', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  done_at TEXT
);
CREATE INDEX print_jobs_open ON print_jobs(printer, state, id);
CREATE INDEX print_jobs_ref ON print_jobs(ref);
CREATE TABLE drawer_opens (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('sale', 'refund', 'no_sale', 'test')),
  ref TEXT,
  user TEXT,
  drawer TEXT
);
CREATE INDEX drawer_opens_at ON drawer_opens(at);
"""


SCHEMA_0003_PAYMENTS = """
CREATE TABLE payment_attempts (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'refund')),
  sale_id TEXT,                        -- the sale (or refund) it is for, set when attached
  original_id TEXT REFERENCES payment_attempts(id),  -- a refund's original payment
  tender TEXT NOT NULL,                -- card | wechat | alipay
  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
  state TEXT NOT NULL CHECK (state IN
    ('started', 'approved', 'declined', 'unknown', 'reversed', 'attached')),
  provider TEXT NOT NULL,
  out_trade_no TEXT NOT NULL UNIQUE,   -- our order number at the provider
  provider_ref TEXT,                   -- transaction_id / trade_no / terminal trace
  auth_code_masked TEXT,               -- the payment code's tail, or the card approval code
  card_type TEXT,
  masked_pan TEXT,                     -- first six and last four only
  terminal_ref TEXT,                   -- ZVT receipt number (what a reversal needs)
  slip TEXT NOT NULL DEFAULT '[]',     -- the terminal's print lines (card numbers masked)
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  error TEXT
);
CREATE INDEX payment_attempts_state ON payment_attempts(state);
CREATE INDEX payment_attempts_sale ON payment_attempts(sale_id);
CREATE INDEX payment_attempts_original ON payment_attempts(original_id);
CREATE TABLE payment_providers (
  name TEXT PRIMARY KEY,               -- wechat | alipay
  url TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}', -- json: merchant ids, keys, key file paths
  updated_at TEXT NOT NULL
);
"""


SCHEMA_0004_SYNC = """
CREATE TABLE device_keys (
  device_id TEXT PRIMARY KEY,           -- other tills of the brand (pulled: kind device_key)
  key_id TEXT NOT NULL,                 -- hex, first 4 bytes of SHA-256 of the public key
  public_key TEXT NOT NULL,             -- base64 raw 32 bytes
  store_id TEXT NOT NULL DEFAULT '',
  till_no INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
);
CREATE INDEX device_keys_key_id ON device_keys(key_id);
CREATE TABLE promotions (
  id TEXT PRIMARY KEY,
  data TEXT NOT NULL,                   -- JSON as published by the cloud
  updated_at TEXT NOT NULL
);
CREATE TABLE coupons (
  code TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE cloud_config (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,                  -- JSON
  updated_at TEXT NOT NULL
);
CREATE INDEX outbox_dead ON outbox(state) WHERE state = 'dead'
"""


# 0005 (catalog): substring search over item names for the till's search-as-you-type.  An FTS5
# trigram index (SQLite >= 3.34) answers any substring of 3+ characters from the index; the
# triggers keep it in step with every write to skus, whoever writes (import, demo, sync pull).
# Each value is indexed with two trailing spaces so that every character starts a trigram: a
# 1–2 character query (夹克, 黑) then finds its trigrams by a prefix range on the index's
# vocabulary (skus_fts_vocab) instead of scanning every name.
SCHEMA_0005 = """
CREATE VIEW skus_search AS SELECT rowid AS id, name || '  ' AS name, name_en || '  ' AS name_en
FROM skus;
CREATE VIRTUAL TABLE skus_fts USING fts5(
  name, name_en, content='skus_search', content_rowid='id', tokenize='trigram'
);
CREATE VIRTUAL TABLE skus_fts_vocab USING fts5vocab(skus_fts, 'row');
CREATE TRIGGER skus_fts_insert AFTER INSERT ON skus BEGIN
  INSERT INTO skus_fts(rowid, name, name_en)
  VALUES (new.rowid, new.name || '  ', new.name_en || '  ');
END;
CREATE TRIGGER skus_fts_delete AFTER DELETE ON skus BEGIN
  INSERT INTO skus_fts(skus_fts, rowid, name, name_en)
  VALUES ('delete', old.rowid, old.name || '  ', old.name_en || '  ');
END;
CREATE TRIGGER skus_fts_update AFTER UPDATE OF name, name_en ON skus BEGIN
  INSERT INTO skus_fts(skus_fts, rowid, name, name_en)
  VALUES ('delete', old.rowid, old.name || '  ', old.name_en || '  ');
  INSERT INTO skus_fts(rowid, name, name_en)
  VALUES (new.rowid, new.name || '  ', new.name_en || '  ');
END;
INSERT INTO skus_fts(skus_fts) VALUES ('rebuild')
"""


def _script_statements(script: str) -> list[str]:
    """Split on ';' at the end of a line outside trigger bodies (which contain ';' themselves)."""
    out: list[str] = []
    buf: list[str] = []
    depth = 0
    for line in script.strip().splitlines():
        buf.append(line)
        stripped = line.strip()
        if stripped.startswith("CREATE TRIGGER"):
            depth = 1
        if depth and stripped == "END;":
            depth = 0
            out.append("\n".join(buf).rstrip(";"))
            buf = []
        elif not depth and stripped.endswith(";"):
            out.append("\n".join(buf).rstrip(";"))
            buf = []
    if "".join(buf).strip():
        out.append("\n".join(buf))
    return out


# 0007 (stock): on hand per SKU as a ledger.  `stock_moves` holds every movement (sales,
# returns, counts, transfers, deliveries, the cloud's starting quantities); `stock_levels.on_hand`
# is kept equal to the cloud's figure plus this till's movements the cloud has not counted yet,
# in the same transaction as each movement, so reading a style's grid is one indexed query.
SCHEMA_0007_STOCK = """
CREATE TABLE stock_levels (
  sku TEXT PRIMARY KEY,
  on_hand INTEGER NOT NULL DEFAULT 0,
  cloud_qty INTEGER,                    -- the cloud's last figure (kind `stock`), NULL: none yet
  cloud_mark INTEGER NOT NULL DEFAULT 0, -- the cloud counted our moves with outbox seq <= mark
  last_sale_at TEXT,
  updated_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE stock_moves (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL,                 -- signed: + into the store, - out of it
  reason TEXT NOT NULL,                 -- sale | return | count | receive | transfer_out | adjust
  ref TEXT NOT NULL DEFAULT '',         -- sale id, count id, document number
  user TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL,
  business_day TEXT,
  outbox_seq INTEGER,                   -- the stock.moved event that carries it
  on_hand_after INTEGER NOT NULL
);
CREATE INDEX stock_moves_sku ON stock_moves(sku, id);
CREATE INDEX stock_moves_seq ON stock_moves(outbox_seq);
CREATE INDEX stock_moves_day ON stock_moves(business_day, reason);
CREATE TABLE stock_alerts (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  sku TEXT NOT NULL,
  on_hand INTEGER NOT NULL,
  ref TEXT NOT NULL DEFAULT '',
  user TEXT NOT NULL DEFAULT '',
  seen_by TEXT
);
CREATE TABLE stock_counts (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('open', 'posted', 'cancelled')),
  started_at TEXT NOT NULL,
  started_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  finished_at TEXT,
  approved_by TEXT
);
CREATE UNIQUE INDEX one_open_count ON stock_counts((state = 'open')) WHERE state = 'open';
CREATE TABLE stock_count_lines (
  count_id INTEGER NOT NULL REFERENCES stock_counts(id),
  sku TEXT NOT NULL,
  counted INTEGER NOT NULL,
  expected_at_first INTEGER NOT NULL,   -- on hand when the SKU was first counted
  first_move_id INTEGER NOT NULL,       -- the last stock move before that moment
  first_at TEXT NOT NULL,
  PRIMARY KEY (count_id, sku)
);
CREATE TABLE stock_docs (
  doc TEXT PRIMARY KEY,                 -- document number announced by the cloud
  kind TEXT NOT NULL,                   -- delivery | transfer
  from_store TEXT NOT NULL DEFAULT '',
  lines TEXT NOT NULL,                  -- JSON [{sku, qty}]
  state TEXT NOT NULL DEFAULT 'announced' CHECK (state IN ('announced', 'receiving', 'received')),
  announced_at TEXT NOT NULL,
  received_at TEXT,
  received_by TEXT
);
CREATE TABLE stock_doc_scans (
  doc TEXT NOT NULL REFERENCES stock_docs(doc),
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL,
  PRIMARY KEY (doc, sku)
);
"""


# 0008 (members): the till's side of the member ledger (points, stored value and coupons
# moved here, kept for the offline caps and until the cloud's balances come back), the
# associates' follow-up schedule, and indexes for lookup by the last four digits and history.
SCHEMA_0008_MEMBERS = """
CREATE TABLE member_ledger (
  id INTEGER PRIMARY KEY,
  member_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN
    ('points_earned', 'points_redeemed', 'sv_debit', 'coupon_redeemed')),
  amount INTEGER NOT NULL,              -- points, or fen
  ref TEXT NOT NULL DEFAULT '',         -- coupon code, idempotency key, cloud transaction
  sale_id TEXT,
  offline INTEGER NOT NULL DEFAULT 0,
  business_day TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX member_ledger_member ON member_ledger(member_id, kind, business_day);
CREATE INDEX member_ledger_day ON member_ledger(kind, offline, business_day);
CREATE TABLE followups (
  id INTEGER PRIMARY KEY,
  member_id TEXT NOT NULL,
  sale_id TEXT NOT NULL,
  associate TEXT NOT NULL,
  step INTEGER NOT NULL,               -- 1.. in the configured schedule
  due_at TEXT NOT NULL,
  done_at TEXT,
  done_by TEXT,
  note TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (sale_id, step)
);
CREATE INDEX followups_due ON followups(done_at, due_at);
CREATE INDEX followups_associate ON followups(associate, due_at);
CREATE TABLE member_aliases (
  alias_id TEXT PRIMARY KEY,            -- a member id the cloud merged into another
  member_id TEXT NOT NULL,              -- (same phone enrolled at two tills)
  at TEXT NOT NULL
);
CREATE INDEX members_last4 ON members(substr(phone, -4));
CREATE INDEX sales_member ON sales(member_id) WHERE member_id IS NOT NULL
"""


# 0006 shipped after 0007/0008 were written: it is registered last so every till applies
# the migrations in the same order (they are applied by name; none depends on another).
SCHEMA_0006 = """
CREATE INDEX sales_day_kind ON sales(business_day, kind, total_fen);
CREATE INDEX sales_id_day ON sales(id, business_day, kind);
CREATE INDEX sale_lines_vat_category ON sale_lines(vat_rate_bp, category, sale_id, qty, amount_fen);
CREATE INDEX payments_sale_tender ON payments(sale_id, tender, amount_fen, change_fen);
"""

# Stored-value top-ups (issue 23): each top-up is its own receipt (its own number sequence,
# `topup_no`), paid by any tender; the cloud's answer (bonus, balances) is in `payload`.
SCHEMA_0010_TOPUPS = """
CREATE TABLE topups (
  id TEXT PRIMARY KEY,
  topup_no INTEGER NOT NULL UNIQUE,     -- the top-up receipt's number (not a sale's receipt_no)
  member_id TEXT NOT NULL,
  business_day TEXT NOT NULL,
  shift_id INTEGER,                     -- NULL: recorded without money at this till
  tender TEXT NOT NULL,                 -- cash | card | wechat | alipay | unionpay | ecny | none
  paid_fen INTEGER NOT NULL CHECK (paid_fen > 0),
  bonus_fen INTEGER NOT NULL DEFAULT 0,
  refunded_fen INTEGER NOT NULL DEFAULT 0,
  attempt_id TEXT,                      -- payment_attempts.id of a card or wallet top-up
  cashier TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  payload TEXT NOT NULL                 -- what the receipt prints (JSON), with its digest
);
CREATE INDEX topups_shift ON topups(shift_id, tender);
CREATE TABLE topup_refunds (
  id TEXT PRIMARY KEY,
  topup_id TEXT NOT NULL REFERENCES topups(id),
  amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
  forfeited_bonus_fen INTEGER NOT NULL DEFAULT 0,
  tender TEXT NOT NULL,
  attempt_id TEXT,
  shift_id INTEGER,
  business_day TEXT NOT NULL,
  cashier TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX topup_refunds_shift ON topup_refunds(shift_id, tender);
"""

# Returns that travel (issue 20): the store's other tills' sales as the cloud publishes them
# (`store_sale` changes), so a return of a sibling till's sale works with the cloud down.
SCHEMA_0011_SIBLING_SALES = """
CREATE TABLE sibling_sales (
  sale_id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL,
  till_no INTEGER NOT NULL,
  receipt_no INTEGER NOT NULL,
  record TEXT NOT NULL,                 -- JSON: lines, tenders, member, refunds by till
  updated_at TEXT NOT NULL,
  UNIQUE (store_id, till_no, receipt_no)
);
CREATE TABLE sibling_refunds (           -- this till's refunds of a sibling till's sale
  refund_id TEXT PRIMARY KEY REFERENCES sales(id),
  sale_id TEXT NOT NULL                  -- in sibling_sales (sales.original_sale_id is NULL)
);
CREATE INDEX sibling_refunds_sale ON sibling_refunds(sale_id)
"""

# Lean indexes (issue 17): every index a sale dirties is a page the sale's COMMIT writes to the
# WAL (and a checkpoint writes again).  `sales_day` is the first column of `sales_day_kind`,
# which answers every query by day; nothing reads `stock_moves` by `outbox_seq` alone (the
# cloud's stock figure reads one SKU's moves through `stock_moves_sku`); and only a refund has
# an original sale, so that index keeps refunds only (`original_sale_id = ?` implies NOT NULL).
SCHEMA_0012_LEAN_INDEXES = """
DROP INDEX IF EXISTS sales_day;
DROP INDEX IF EXISTS stock_moves_seq;
DROP INDEX IF EXISTS sales_original;
CREATE INDEX sales_original ON sales(original_sale_id) WHERE original_sale_id IS NOT NULL
"""

# Fewer B-trees per sale (issue 17): a sale's COMMIT writes at least one page of every table
# and index it touches.  The payments become a WITHOUT ROWID table clustered on its primary key
# (the table IS the (sale_id, seq) index: one B-tree instead of two), and a sale's payments hold
# every column the tender reports read, so payments_sale_tender goes.  sales_id_day has no
# reader left (the reports read the sales first, by day or shift, and find the lines and
# payments by sale_id).  The Z report's stock lists read the day's non-sale moves and the moves
# that went negative: two partial indexes a sale from stock never writes replace
# stock_moves_day.  The lines stay a rowid table: clustered on (sale_id, line_no) they saved
# no page (a sale's random id puts its wide rows on a random, more often split leaf).
SCHEMA_0013_SALE_BTREES = """
CREATE TABLE payments_0013 (
  sale_id TEXT NOT NULL REFERENCES sales(id),
  seq INTEGER NOT NULL,
  tender TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  change_fen INTEGER NOT NULL DEFAULT 0,
  reference TEXT,
  PRIMARY KEY (sale_id, seq)
) WITHOUT ROWID;
INSERT INTO payments_0013(sale_id, seq, tender, amount_fen, change_fen, reference)
  SELECT sale_id, seq, tender, amount_fen, change_fen, reference FROM payments
  ORDER BY sale_id, seq;
DROP TABLE payments;
ALTER TABLE payments_0013 RENAME TO payments;
DROP INDEX IF EXISTS sales_id_day;
DROP INDEX IF EXISTS stock_moves_day;
CREATE INDEX stock_moves_day ON stock_moves(business_day, reason)
  WHERE reason NOT IN ('sale', 'return');
CREATE INDEX stock_moves_negative ON stock_moves(business_day) WHERE on_hand_after < 0;
ANALYZE payments
"""

# Keys that grow, and fewer B-trees per sale (issue 17).  New sales, refunds and outbox events
# get time-ordered ids (UUIDv7, domain/ids.py), so a sale's keys land on the pages the previous
# sale wrote instead of on random leaves.  With that, the lines clustered on their key
# `(sale_id, line_no)` append too (with random ids they saved no page, 0013 above): the table
# IS its key's index, one B-tree instead of two.  `outbox_entry_hash` put each event's random
# hash on a random leaf for one reader, verification's count of the events carrying a journal
# entry's hash, which now counts them all in one grouped pass.  `sale_lines_vat_category`
# served one reader, the period report's pass over every line, and cost a sale a page per
# category it sold (~3.7 pages for three lines): `line_totals` holds those sums instead, one
# row per (VAT rate, category), kept by triggers in the transaction that writes the lines (a
# sale's lines all land on its one page), and the period report reads ~dozens of rows
# instead of every line.
SCHEMA_0014_SALE_KEYS = """
CREATE TABLE sale_lines_0014 (
  sale_id TEXT NOT NULL REFERENCES sales(id),
  line_no INTEGER NOT NULL,
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty > 0),
  unit_price_fen INTEGER NOT NULL,
  discount_fen INTEGER NOT NULL,
  amount_fen INTEGER NOT NULL,
  vat_rate_bp INTEGER NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (sale_id, line_no)
) WITHOUT ROWID;
INSERT INTO sale_lines_0014(sale_id, line_no, sku, name, qty, unit_price_fen, discount_fen,
  amount_fen, vat_rate_bp, category)
  SELECT sale_id, line_no, sku, name, qty, unit_price_fen, discount_fen, amount_fen,
  vat_rate_bp, category FROM sale_lines ORDER BY sale_id, line_no;
DROP TABLE sale_lines;
ALTER TABLE sale_lines_0014 RENAME TO sale_lines;
CREATE INDEX sale_lines_sku ON sale_lines(sku);
DROP INDEX IF EXISTS outbox_entry_hash;
CREATE TABLE line_totals (
  vat_rate_bp INTEGER NOT NULL,
  category TEXT NOT NULL,
  lines INTEGER NOT NULL,
  qty INTEGER NOT NULL,
  amount_fen INTEGER NOT NULL,
  PRIMARY KEY (vat_rate_bp, category)
) WITHOUT ROWID;
INSERT INTO line_totals(vat_rate_bp, category, lines, qty, amount_fen)
  SELECT vat_rate_bp, category, count(*), sum(qty), sum(amount_fen) FROM sale_lines
  GROUP BY vat_rate_bp, category;
CREATE TRIGGER line_totals_add AFTER INSERT ON sale_lines BEGIN
  INSERT INTO line_totals(vat_rate_bp, category, lines, qty, amount_fen)
    VALUES (new.vat_rate_bp, new.category, 1, new.qty, new.amount_fen)
    ON CONFLICT(vat_rate_bp, category) DO UPDATE SET lines = lines + 1,
    qty = qty + excluded.qty, amount_fen = amount_fen + excluded.amount_fen;
END;
CREATE TRIGGER line_totals_remove AFTER DELETE ON sale_lines BEGIN
  UPDATE line_totals SET lines = lines - 1, qty = qty - old.qty,
    amount_fen = amount_fen - old.amount_fen
    WHERE vat_rate_bp = old.vat_rate_bp AND category = old.category;
END;
CREATE TRIGGER line_totals_change AFTER UPDATE OF vat_rate_bp, category, qty, amount_fen
  ON sale_lines BEGIN
  UPDATE line_totals SET lines = lines - 1, qty = qty - old.qty,
    amount_fen = amount_fen - old.amount_fen
    WHERE vat_rate_bp = old.vat_rate_bp AND category = old.category;
  INSERT INTO line_totals(vat_rate_bp, category, lines, qty, amount_fen)
    VALUES (new.vat_rate_bp, new.category, 1, new.qty, new.amount_fen)
    ON CONFLICT(vat_rate_bp, category) DO UPDATE SET lines = lines + 1,
    qty = qty + excluded.qty, amount_fen = amount_fen + excluded.amount_fen;
END;
ANALYZE sale_lines;
"""

# A stock alert was a second copy of a stock move (issue 17): record() wrote one for every
# move out of the store that left the level below zero, with the move's time, SKU, level
# after, reference and user, in the same transaction, and nothing ever set `seen_by`.  A sale
# of an unstocked item (every sale of a store that sells before it counts) wrote a row per
# line and a page of its table.  The view gives those same rows from the moves themselves;
# its one reader, the negative-stock report, finds a SKU's through `stock_moves_sku`.
SCHEMA_0015_STOCK_ALERTS = """
DROP TABLE stock_alerts;
CREATE VIEW stock_alerts(id, at, sku, on_hand, ref, user, seen_by) AS
  SELECT id, at, sku, on_hand_after, ref, user, NULL FROM stock_moves
  WHERE qty < 0 AND on_hand_after < 0;
"""
