"""The outbox, the sync state and pulled changes on the till's SQLite database.

SqliteOutbox writes events into `outbox` in the transaction of the change they describe and
reads and updates them for the relay; SqliteChangeSink applies pulled pages to the catalog,
member, promotion, coupon, device-key and config tables together with the cursor;
SqliteSyncState keeps small key/values in `sync_state`.  Like every repository they never begin
or end a transaction: the relay's side reaches them through adapters/db/relay_ports.py, which
runs each call in the unit of work.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pos_app.adapters.db.repositories.sibling_sales import apply_store_sale
from pos_app.adapters.db.repositories.stock import apply_stock_change, apply_stock_doc_change
from pos_app.adapters.db.repositories.task_changes import apply_followup_done, apply_task
from pos_app.domain.ed25519_keys import is_acceptable_public_key
from pos_app.domain.ids import time_ordered_id
from pos_app.domain.ports import Change, OutboxEvent, Rejection

log = logging.getLogger(__name__)

CURSOR_KEY = "changes_cursor"
_ENVELOPE_BYTES = 300  # id, type, seq, times and hashes around each payload on the wire


def _iso(at: datetime) -> str:
    return at.isoformat()


class SqliteOutbox:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(
        self,
        type_: str,
        payload: Mapping[str, Any],
        occurred_at: str,
        prev_entry_hash: str | None = None,
        entry_hash_hex: str | None = None,
        body: bytes | None = None,
    ) -> str:
        event_id, _seq = self.add_numbered(
            type_, payload, occurred_at, prev_entry_hash, entry_hash_hex, body
        )
        return event_id

    def add_numbered(
        self,
        type_: str,
        payload: Mapping[str, Any],
        occurred_at: str,
        prev_entry_hash: str | None = None,
        entry_hash_hex: str | None = None,
        body: bytes | None = None,
    ) -> tuple[str, int]:
        """add(), and the event's seq (a stock movement records it: no SELECT by id after)."""
        text = (
            json.dumps(payload, ensure_ascii=False, sort_keys=True)
            if body is None
            else body.decode("utf-8")
        )
        event_id = time_ordered_id()
        # seq is the rowid (INTEGER PRIMARY KEY, no AUTOINCREMENT): SQLite gives the new row
        # max(seq) + 1, which is what a SELECT before the insert used to ask for.
        cur = self.conn.execute(
            "INSERT INTO outbox(id, type, schema, occurred_at, payload, prev_entry_hash, "
            "entry_hash) VALUES(?,?,?,?,?,?,?)",
            (
                event_id,
                type_,
                1,
                occurred_at,
                text,
                prev_entry_hash,
                entry_hash_hex,
            ),
        )
        return event_id, int(cur.lastrowid or 0)

    def pending(self, limit: int, max_bytes: int, now: datetime) -> Sequence[OutboxEvent]:
        c = self.conn
        rows = c.execute(
            "SELECT seq, id, type, schema, occurred_at, payload, prev_entry_hash, "
            "entry_hash, attempts FROM outbox WHERE state = 'pending' "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY seq LIMIT ?",
            (_iso(now), limit),
        ).fetchall()
        out: list[OutboxEvent] = []
        size = 20
        for r in rows:
            size += len(r[5].encode("utf-8")) + _ENVELOPE_BYTES
            if out and size > max_bytes:
                break
            out.append(
                OutboxEvent(
                    seq=r[0],
                    id=r[1],
                    type=r[2],
                    schema=r[3],
                    occurred_at=r[4],
                    payload=json.loads(r[5]),
                    prev_entry_hash=r[6],
                    entry_hash=r[7],
                    attempts=r[8],
                )
            )
        return out

    def mark_sent(self, ids: Sequence[str], at: datetime) -> None:
        c = self.conn
        c.executemany(
            "UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1, "
            "last_error = NULL, next_attempt_at = NULL WHERE id = ? AND state = 'pending'",
            [(_iso(at), i) for i in ids],
        )

    def mark_failed(self, ids: Sequence[str], error: str, retry_at: datetime) -> None:
        c = self.conn
        c.executemany(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
            "WHERE id = ? AND state = 'pending'",
            [(error[:500], _iso(retry_at), i) for i in ids],
        )

    def dead_letter(self, rejections: Sequence[Rejection], at: datetime) -> None:
        c = self.conn
        c.executemany(
            "UPDATE outbox SET state = 'dead', dead_code = ?, dead_reason = ?, "
            "attempts = attempts + 1, last_error = ?, next_attempt_at = NULL "
            "WHERE id = ? AND state = 'pending'",
            [(r.code, r.reason[:1000], f"rejected: {r.code}", r.id) for r in rejections],
        )

    def requeue_dead(self, ids: Sequence[str] | None = None) -> int:
        """Put dead letters back in the queue (after the cause was fixed in the cloud)."""
        c = self.conn
        if ids is None:
            cur = c.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = NULL WHERE state = 'dead'"
            )
        else:
            cur = c.executemany(
                "UPDATE outbox SET state = 'pending', next_attempt_at = NULL "
                "WHERE state = 'dead' AND id = ?",
                [(i,) for i in ids],
            )
        return int(cur.rowcount)

    def stats(self, now: datetime) -> Mapping[str, Any]:
        c = self.conn
        pending, oldest = c.execute(
            "SELECT count(*), min(occurred_at) FROM outbox WHERE state = 'pending'"
        ).fetchone()
        dead = c.execute(
            "SELECT id, type, seq, dead_code, dead_reason FROM outbox WHERE state = 'dead' "
            "ORDER BY seq"
        ).fetchall()
        cursor = c.execute("SELECT value FROM sync_state WHERE key = ?", (CURSOR_KEY,)).fetchone()
        age = None
        if oldest:
            try:
                age = max(
                    0,
                    int(
                        (
                            now - datetime.fromisoformat(oldest.replace("Z", "+00:00"))
                        ).total_seconds()
                    ),
                )
            except ValueError:
                age = None
        return {
            "pending": pending,
            "oldest_pending_age_s": age,
            "dead_letters": len(dead),
            "dead_letter_list": [
                {"id": d[0], "type": d[1], "seq": d[2], "code": d[3], "reason": d[4]} for d in dead
            ],
            "cursor": cursor[0] if cursor else None,
        }


class SqliteSyncState:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, key: str) -> str | None:
        c = self.conn
        row = c.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        c = self.conn
        c.execute(
            "INSERT INTO sync_state(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class SqliteChangeSink:
    """Applies pulled changes; `now` stamps updated_at (an injected Clock's now())."""

    def __init__(self, conn: sqlite3.Connection, now: Any = None) -> None:
        from pos_app.domain.ports import SystemClock

        self.conn = conn
        self._clock = now or SystemClock()

    def cursor(self) -> str | None:
        c = self.conn
        row = c.execute("SELECT value FROM sync_state WHERE key = ?", (CURSOR_KEY,)).fetchone()
        return row[0] if row else None

    def apply_page(self, changes: Sequence[Change], next_cursor: str) -> None:
        stamp = _iso(self._clock.now())
        c = self.conn
        for ch in changes:
            handler = _HANDLERS.get(ch.kind)
            if handler is None:
                continue  # a kind this till does not know yet: newer cloud, skip it
            handler(c, ch, stamp)
        c.execute(
            "INSERT INTO sync_state(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (CURSOR_KEY, next_cursor),
        )


def _product(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    style = ch.key
    if ch.op == "delete":
        c.execute("UPDATE skus SET active = 0, updated_at = ? WHERE style = ?", (stamp, style))
        return
    d = ch.data
    c.execute(
        "INSERT INTO styles(style, name, name_en, category) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(style) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, "
        "category = excluded.category",
        (style, d.get("name", style), d.get("name_en", ""), d.get("category", "")),
    )
    for s in d.get("skus", []):
        c.execute(
            "INSERT INTO skus(sku, style, name, name_en, colour, size, category, vat_rate_bp, "
            "price_fen, member_price_fen, initials, active, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(sku) DO UPDATE SET style = excluded.style, name = excluded.name, "
            "name_en = excluded.name_en, colour = excluded.colour, size = excluded.size, "
            "category = excluded.category, vat_rate_bp = excluded.vat_rate_bp, "
            "price_fen = excluded.price_fen, member_price_fen = excluded.member_price_fen, "
            "initials = excluded.initials, active = excluded.active, "
            "updated_at = excluded.updated_at",
            (
                s["sku"],
                style,
                s.get("name", d.get("name", "")),
                s.get("name_en", ""),
                s.get("colour", ""),
                s.get("size", ""),
                s.get("category", d.get("category", "")),
                int(s.get("vat_rate_bp", 1300)),
                int(s["price_fen"]),
                s.get("member_price_fen"),
                s.get("initials", ""),
                1 if s.get("active", True) else 0,
                stamp,
            ),
        )
        for b in s.get("barcodes", []):
            code, kind = (b, "ean13") if isinstance(b, str) else (b["code"], b.get("kind", "ean13"))
            c.execute(
                "INSERT INTO barcodes(code, sku, kind) VALUES (?, ?, ?) "
                "ON CONFLICT(code) DO UPDATE SET sku = excluded.sku, kind = excluded.kind",
                (code, s["sku"], kind),
            )


def _price(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    if ch.op == "delete":
        return  # a price is never deleted on its own; the product change deactivates the SKU
    d = ch.data
    if "member_price_fen" not in d:  # the cloud did not know it: the till's own one stays
        c.execute(
            "UPDATE skus SET price_fen = ?, updated_at = ? WHERE sku = ?",
            (int(d["price_fen"]), stamp, ch.key),
        )
        return
    c.execute(
        "UPDATE skus SET price_fen = ?, member_price_fen = ?, updated_at = ? WHERE sku = ?",
        (int(d["price_fen"]), d["member_price_fen"], stamp, ch.key),
    )


def _member(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    if ch.op == "delete":
        c.execute("DELETE FROM members WHERE id = ?", (ch.key,))
        return
    d = ch.data
    # One phone, one member: the cloud merged a member this till enrolled under another id
    # (docs/members.md).  The old id becomes an alias so its history stays the member's.
    for (old_id,) in c.execute(
        "SELECT id FROM members WHERE phone = ? AND id <> ?", (d["phone"], ch.key)
    ).fetchall():
        c.execute(
            "INSERT OR REPLACE INTO member_aliases(alias_id, member_id, at) VALUES (?, ?, ?)",
            (old_id, ch.key, stamp),
        )
        c.execute("UPDATE followups SET member_id = ? WHERE member_id = ?", (ch.key, old_id))
        c.execute("DELETE FROM members WHERE id = ?", (old_id,))
    c.execute(
        "INSERT INTO members(id, phone, name, birthday, tier, points, stored_value_fen, "
        "consent_at, associate, tags, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET phone = excluded.phone, name = excluded.name, "
        "birthday = excluded.birthday, tier = excluded.tier, points = excluded.points, "
        "stored_value_fen = excluded.stored_value_fen, consent_at = excluded.consent_at, "
        "associate = excluded.associate, tags = excluded.tags, updated_at = excluded.updated_at",
        (
            ch.key,
            d["phone"],
            d.get("name", ""),
            d.get("birthday"),
            d.get("tier", "ordinary"),
            int(d.get("points", 0)),
            int(d.get("stored_value_fen", 0)),
            d.get("consent_at"),
            d.get("associate"),
            d.get("tags", ""),
            d.get("created_at", stamp),
            stamp,
        ),
    )


def _json_table(table: str, key_col: str, value_col: str = "data") -> Any:
    def apply(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
        if ch.op == "delete":
            c.execute(f"DELETE FROM {table} WHERE {key_col} = ?", (ch.key,))
            return
        c.execute(
            f"INSERT INTO {table}({key_col}, {value_col}, updated_at) VALUES (?, ?, ?) "
            f"ON CONFLICT({key_col}) DO UPDATE SET {value_col} = excluded.{value_col}, "
            "updated_at = excluded.updated_at",
            (ch.key, json.dumps(ch.data, ensure_ascii=False, sort_keys=True), stamp),
        )

    return apply


def _device_key(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    if ch.op == "delete":
        c.execute(
            "UPDATE device_keys SET revoked = 1, updated_at = ? WHERE device_id = ?",
            (stamp, ch.key),
        )
    elif _acceptable_key(ch.data.get("public_key")):
        _store_device_key(c, ch, stamp)
    else:
        # A key any signature verifies under (specs/sync-protocol.md 1.1) is never stored,
        # so no receipt verifies against it; the rest of the page still applies.
        log.warning("refused device_key %s: not an acceptable Ed25519 public key", ch.key)


def _acceptable_key(value: Any) -> bool:
    try:
        raw = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except ValueError:
        return False
    return is_acceptable_public_key(raw)


def _store_device_key(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    d = ch.data
    c.execute(
        "INSERT INTO device_keys(device_id, key_id, public_key, store_id, till_no, revoked, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET "
        "key_id = excluded.key_id, public_key = excluded.public_key, "
        "store_id = excluded.store_id, till_no = excluded.till_no, revoked = excluded.revoked, "
        "updated_at = excluded.updated_at",
        (
            ch.key,
            d["key_id"],
            d["public_key"],
            d.get("store_id", ""),
            d.get("till_no"),
            1 if d.get("revoked") else 0,
            stamp,
        ),
    )


_HANDLERS = {
    "product": _product,
    "price": _price,
    "member": _member,
    "promotion": _json_table("promotions", "id"),
    "coupon": _json_table("coupons", "code"),
    "config": _json_table("cloud_config", "key", "value"),
    "device_key": _device_key,
    "stock": apply_stock_change,
    "stock_doc": apply_stock_doc_change,
    "task": apply_task,  # the associates' tasks and 3369 steps done on the phone (issue 21)
    "followup": apply_followup_done,
    "store_sale": apply_store_sale,
}


def settings_get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None
