"""Stock on SQLite (migration 0007): the movement ledger, levels, counts, documents, reports.

Every write here runs inside the caller's unit of work (`with uow:`, ../unit_of_work.py), on
the till's one writing connection, so a movement commits with the sale, count or receipt that
caused it and with its `stock.moved` outbox event.

`on_hand` = the cloud's last figure (`cloud_qty`, pulled as change kind `stock`) + this till's
movements the cloud had not counted when it sent that figure (outbox seq > `cloud_mark`).
Before the cloud sends a figure, `on_hand` is simply the sum of this till's movements.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pos_app.domain import events
from pos_app.domain.ports import Change
from pos_app.domain.stock import Grid, GridCell, build_grid

if TYPE_CHECKING:  # the outbox applies pulled stock changes with this module's functions
    from .outbox import SqliteOutbox
    from .settings import SqliteSettings


class SqliteStockRepo:
    def __init__(
        self, conn: sqlite3.Connection, settings: SqliteSettings, outbox: SqliteOutbox
    ) -> None:
        self.conn = conn
        self.settings = settings  # the store id and till number on each event
        self.outbox = outbox  # a movement's `stock.moved` event commits with it

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(sql, tuple(args)).fetchone()
        return row[0] if row else None

    # ---- movements ------------------------------------------------------------------------

    def on_hand(self, sku: str) -> int:
        return int(self._one("SELECT on_hand FROM stock_levels WHERE sku = ?", (sku,)) or 0)

    def levels(self, skus: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in range(0, len(skus), 500):
            chunk = list(skus[i : i + 500])
            marks = ",".join("?" * len(chunk))
            out.update(
                self.conn.execute(
                    f"SELECT sku, on_hand FROM stock_levels WHERE sku IN ({marks})", chunk
                ).fetchall()
            )
        return out

    def last_move_id(self) -> int:
        return int(self._one("SELECT coalesce(max(id), 0) FROM stock_moves"))

    def record(
        self,
        lines: Sequence[tuple[str, int]],
        *,
        reason: str,
        ref: str,
        user: str,
        at: str,
        business_day: str | None,
        extra: Mapping[str, Any] | None = None,
        origin: tuple[str, int] | None = None,
    ) -> dict[str, Any]:
        """Apply signed quantities and write one `stock.moved` event for them (call inside a
        transaction).  Returns the event payload.  A move out that leaves its level below
        zero is what the negative-stock report flags (the `stock_alerts` view, 0015).
        `origin`: (store id, till no) when the caller has them (a sale's handler does), else
        they are read from the settings."""
        if origin is None:
            ident = self.settings.all()
            origin = ident.get("store_id", ""), int(ident.get("till_no", "1"))
        out_lines: list[dict[str, Any]] = []
        sale = reason == "sale"
        styles = self._styles({sku for sku, _qty in lines})  # one SELECT, not one per line
        afters = self._apply(lines, at if sale else None, at)
        for (sku, qty), after in zip(lines, afters, strict=True):
            out_lines.append(
                {"sku": sku, "style": styles.get(sku) or "", "qty": qty, "on_hand_after": after}
            )
        payload: dict[str, Any] = {
            "reason": reason,
            "ref": ref,
            "store_id": origin[0],
            "till_no": origin[1],
            "user": user,
            "at": at,
            "business_day": business_day,
            "lines": out_lines,
        }
        if extra:
            payload.update(extra)
        # The event first, so each move is written once with the seq of the event that carries
        # it (writing it without and updating it after wrote its row twice in one transaction).
        _event_id, seq = self.outbox.add_numbered(events.STOCK_MOVED, payload, at)
        self.conn.executemany(
            "INSERT INTO stock_moves(sku, qty, reason, ref, user, at, business_day, "
            "on_hand_after, outbox_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (sku, qty, reason, ref, user, at, business_day, after, seq)
                for (sku, qty), after in zip(lines, afters, strict=True)
            ],
        )
        return payload

    def _apply(
        self, lines: Sequence[tuple[str, int]], last_sale_at: str | None, at: str
    ) -> list[int]:
        """Each line's quantity onto its level; the levels after, in the lines' order.  One
        statement for a sale's lines rather than one each (issue 17: a statement's own cost
        is most of a level's write).  RETURNING's row order is not defined, so the rows are
        matched by SKU, which only distinct SKUs allow (a sale's movements are summed per
        SKU); otherwise, one statement per line in order, each seeing the one before.  At
        most 200 lines in one: 800 parameters, within the 999 of SQLite's older builds."""
        upsert = (
            "INSERT INTO stock_levels(sku, on_hand, last_sale_at, updated_at) VALUES {} "
            "ON CONFLICT(sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand, "
            "last_sale_at = coalesce(excluded.last_sale_at, last_sale_at), "
            "updated_at = excluded.updated_at RETURNING sku, on_hand"
        )
        skus = [sku for sku, _qty in lines]
        if 1 < len(lines) <= 200 and len(set(skus)) == len(skus):
            args = [x for sku, qty in lines for x in (sku, qty, last_sale_at, at)]
            sql = upsert.format(",".join(["(?,?,?,?)"] * len(lines)))
            after = dict(self.conn.execute(sql, args).fetchall())
            return [int(after[sku]) for sku in skus]
        one = upsert.format("(?,?,?,?)")
        return [
            int(self.conn.execute(one, (sku, qty, last_sale_at, at)).fetchone()[1])
            for sku, qty in lines
        ]

    def _styles(self, skus: set[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        ordered = sorted(skus)
        for i in range(0, len(ordered), 500):
            chunk = ordered[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out.update(
                self.conn.execute(
                    f"SELECT sku, style FROM skus WHERE sku IN ({marks})", chunk
                ).fetchall()
            )
        return out

    def moved_since(self, sku: str, after_id: int, reasons: Sequence[str]) -> int:
        marks = ",".join("?" * len(reasons))
        return int(
            self._one(
                f"SELECT coalesce(sum(qty), 0) FROM stock_moves WHERE sku = ? AND id > ? "
                f"AND reason IN ({marks})",
                (sku, after_id, *reasons),
            )
        )

    def moves(self, sku: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, sku, qty, reason, ref, user, at, on_hand_after, outbox_seq FROM stock_moves"
        )
        args: tuple[Any, ...] = ()
        if sku:
            sql += " WHERE sku = ?"
            args = (sku,)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        keys = ("id", "sku", "qty", "reason", "ref", "user", "at", "on_hand_after", "outbox_seq")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def day_adjustments(self, business_day: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT reason, ref, sku, qty, user, at FROM stock_moves WHERE business_day = ? "
            "AND reason NOT IN ('sale', 'return') ORDER BY id",
            (business_day,),
        ).fetchall()
        keys = ("reason", "ref", "sku", "qty", "user", "at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def day_went_negative(self, business_day: str) -> list[dict[str, Any]]:
        """SKUs the day's sales took below zero (the shelf had more than the books): one row
        each, at its lowest figure (`on_hand_after`) with its figure now (`on_hand`), with the
        sale that took it there (SQLite gives a bare
        column the values of the row min() picked), in the order they got there.  One row per SKU keeps the Z small on a
        day that sold a whole unstocked delivery."""
        # min() must be the query's only aggregate for the bare columns to come from its row
        # on_hand: the figure now (at the close), which a later count or delivery may have
        # lifted; the lowest alone would send the manager to a shelf already put right.
        rows = self.conn.execute(
            "SELECT g.sku, g.low, g.ref, g.user, g.at, coalesce(l.on_hand, 0) FROM ("
            " SELECT sku, min(on_hand_after) AS low, ref, user, at, id FROM stock_moves"
            " WHERE business_day = ? AND qty < 0 AND on_hand_after < 0 AND reason = 'sale'"
            " GROUP BY sku) g LEFT JOIN stock_levels l ON l.sku = g.sku ORDER BY g.id",
            (business_day,),
        ).fetchall()
        keys = ("sku", "on_hand_after", "ref", "user", "at", "on_hand")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def consistency(self) -> list[dict[str, Any]]:
        """SKUs whose on_hand is not the cloud's figure plus the uncounted movements (empty:
        consistent).  The crash test runs it after every kill."""
        rows = self.conn.execute(
            "SELECT l.sku, l.on_hand, coalesce(l.cloud_qty, 0) + coalesce(("
            " SELECT sum(m.qty) FROM stock_moves m WHERE m.sku = l.sku AND "
            " (l.cloud_qty IS NULL OR m.outbox_seq > l.cloud_mark)), 0) "
            "FROM stock_levels l"
        ).fetchall()
        return [{"sku": r[0], "on_hand": r[1], "expected": r[2]} for r in rows if r[1] != r[2]]

    # ---- the grid -------------------------------------------------------------------------

    def grid(self, style: str) -> Grid | None:
        name = self._one("SELECT name FROM styles WHERE style = ?", (style,))
        rows = self.conn.execute(
            "SELECT s.sku, s.colour, s.size, coalesce(l.on_hand, 0), s.name FROM skus s "
            "LEFT JOIN stock_levels l ON l.sku = s.sku WHERE s.style = ? ORDER BY s.rowid",
            (style,),
        ).fetchall()
        if not rows:
            return None
        cells = [GridCell(r[0], r[1], r[2], int(r[3])) for r in rows]
        return build_grid(style, str(name or rows[0][4]), cells)

    # ---- counts ---------------------------------------------------------------------------

    def open_count(self) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id, started_at, started_by, note FROM stock_counts WHERE state = 'open'"
        ).fetchone()
        keys = ("id", "started_at", "started_by", "note")
        return None if row is None else dict(zip(keys, row, strict=True))

    def insert_count(self, at: str, user: str, note: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO stock_counts(state, started_at, started_by, note) VALUES "
            "('open', ?, ?, ?)",
            (at, user, note),
        )
        return int(cur.lastrowid or 0)

    def add_counted(self, count_id: int, sku: str, qty: int, at: str) -> int:
        row = self.conn.execute(
            "SELECT counted FROM stock_count_lines WHERE count_id = ? AND sku = ?",
            (count_id, sku),
        ).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO stock_count_lines(count_id, sku, counted, expected_at_first, "
                "first_move_id, first_at) VALUES (?, ?, ?, ?, ?, ?)",
                (count_id, sku, qty, self.on_hand(sku), self.last_move_id(), at),
            )
            return qty
        self.conn.execute(
            "UPDATE stock_count_lines SET counted = ? WHERE count_id = ? AND sku = ?",
            (row[0] + qty, count_id, sku),
        )
        return int(row[0] + qty)

    def counted(self, count_id: int, sku: str) -> int | None:
        v = self._one(
            "SELECT counted FROM stock_count_lines WHERE count_id = ? AND sku = ?", (count_id, sku)
        )
        return None if v is None else int(v)

    def count_lines(self, count_id: int) -> list[dict[str, Any]]:
        """Each counted SKU with name, price and the sales/returns since it was first counted."""
        rows = self.conn.execute(
            "SELECT c.sku, coalesce(s.name, c.sku), coalesce(s.price_fen, 0), c.counted, "
            "c.expected_at_first, coalesce((SELECT sum(m.qty) FROM stock_moves m WHERE "
            "m.sku = c.sku AND m.id > c.first_move_id AND m.reason IN ('sale', 'return')), 0), "
            "c.first_at FROM stock_count_lines c LEFT JOIN skus s ON s.sku = c.sku "
            "WHERE c.count_id = ? ORDER BY c.first_at, c.sku",
            (count_id,),
        ).fetchall()
        keys = ("sku", "name", "price_fen", "counted", "expected", "moved_since", "first_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def uncounted_with_stock(self, count_id: int) -> int:
        # all SKUs with stock minus the counted ones with stock: one pass over the levels and
        # one join over the count (NOT EXISTS per level row is 20× slower at 500,000 SKUs)
        total = int(self._one("SELECT count(*) FROM stock_levels WHERE on_hand != 0"))
        counted = int(
            self._one(
                "SELECT count(*) FROM stock_count_lines c JOIN stock_levels l ON l.sku = c.sku "
                "WHERE c.count_id = ? AND l.on_hand != 0",
                (count_id,),
            )
        )
        return total - counted

    def close_count(self, count_id: int, state: str, at: str, approver: str | None) -> None:
        self.conn.execute(
            "UPDATE stock_counts SET state = ?, finished_at = ?, approved_by = ? "
            "WHERE id = ? AND state = 'open'",
            (state, at, approver, count_id),
        )

    # ---- documents (deliveries and transfers announced by the cloud) ---------------------

    def doc(self, doc: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT doc, kind, from_store, lines, state, announced_at, received_at, received_by "
            "FROM stock_docs WHERE doc = ?",
            (doc,),
        ).fetchone()
        if row is None:
            return None
        keys = ("doc", "kind", "from_store", "lines", "state", "announced_at", "received_at")
        d = dict(zip(keys, row[:7], strict=True))
        d["received_by"] = row[7]
        d["lines"] = json.loads(row[3])
        return d

    def docs(self, state: str | None = None) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT doc FROM stock_docs WHERE (? IS NULL OR state = ?) ORDER BY announced_at",
            (state, state),
        ).fetchall()
        return [d for r in rows if (d := self.doc(r[0])) is not None]

    def set_doc_state(self, doc: str, state: str, at: str | None, user: str | None) -> None:
        self.conn.execute(
            "UPDATE stock_docs SET state = ?, received_at = ?, received_by = ? WHERE doc = ?",
            (state, at, user, doc),
        )

    def add_doc_scan(self, doc: str, sku: str, qty: int) -> int:
        return int(
            self.conn.execute(
                "INSERT INTO stock_doc_scans(doc, sku, qty) VALUES (?, ?, ?) ON CONFLICT(doc, "
                "sku) DO UPDATE SET qty = qty + excluded.qty RETURNING qty",
                (doc, sku, qty),
            ).fetchone()[0]
        )

    def doc_scans(self, doc: str) -> dict[str, int]:
        return dict(
            self.conn.execute(
                "SELECT sku, qty FROM stock_doc_scans WHERE doc = ? ORDER BY rowid", (doc,)
            ).fetchall()
        )

    # ---- reports --------------------------------------------------------------------------

    def value_by_category(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT coalesce(nullif(s.category, ''), '-'), count(*), sum(l.on_hand), "
            "sum(l.on_hand * s.price_fen) FROM stock_levels l JOIN skus s ON s.sku = l.sku "
            "WHERE l.on_hand > 0 GROUP BY 1 ORDER BY 4 DESC"
        ).fetchall()
        return [{"category": r[0], "skus": r[1], "units": r[2], "value_fen": r[3]} for r in rows]

    def negative(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT l.sku, coalesce(s.name, ''), l.on_hand, (SELECT max(a.at) FROM stock_alerts a "
            "WHERE a.sku = l.sku), (SELECT a.ref FROM stock_alerts a WHERE a.sku = l.sku "
            "ORDER BY a.id DESC LIMIT 1) FROM stock_levels l LEFT JOIN skus s ON s.sku = l.sku "
            "WHERE l.on_hand < 0 ORDER BY l.on_hand, l.sku"
        ).fetchall()
        keys = ("sku", "name", "on_hand", "flagged_at", "flagged_ref")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def slow(self, before: str, limit: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT l.sku, coalesce(s.name, ''), l.on_hand, l.on_hand * coalesce(s.price_fen, 0),"
            " l.last_sale_at FROM stock_levels l LEFT JOIN skus s ON s.sku = l.sku "
            "WHERE l.on_hand > 0 AND (l.last_sale_at IS NULL OR l.last_sale_at < ?) "
            "ORDER BY 4 DESC, l.sku LIMIT ?",
            (before, limit),
        ).fetchall()
        keys = ("sku", "name", "on_hand", "value_fen", "last_sale_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def sku_prices(self, skus: Sequence[str]) -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        for i in range(0, len(skus), 500):
            chunk = list(skus[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                f"SELECT sku, name, price_fen FROM skus WHERE sku IN ({marks})", chunk
            ):
                out[r[0]] = (r[1], int(r[2]))
        return out


# ---- pulled changes (called by SqliteChangeSink inside its page transaction) ---------------


def _my_till(c: sqlite3.Connection) -> str:
    row = c.execute("SELECT value FROM settings WHERE key = 'till_no'").fetchone()
    return str(row[0]) if row else "1"


def apply_stock_change(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    """Kind `stock`: the cloud's figure for one SKU of this store.  `data`: {"sku", "qty",
    "marks": {till_no: seq}} where marks say up to which outbox seq of each till of the store
    the figure includes that till's movements.  Our later movements stay on top of it."""
    d = ch.data
    sku = str(d.get("sku") or ch.key)
    if ch.op == "delete":
        qty, mark = 0, 0
    else:
        qty = int(d["qty"])
        mark = int((d.get("marks") or {}).get(_my_till(c), 0))
    pending = c.execute(
        "SELECT coalesce(sum(qty), 0) FROM stock_moves WHERE sku = ? AND outbox_seq > ?",
        (sku, mark),
    ).fetchone()[0]
    c.execute(
        "INSERT INTO stock_levels(sku, on_hand, cloud_qty, cloud_mark, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(sku) DO UPDATE SET on_hand = excluded.on_hand, "
        "cloud_qty = excluded.cloud_qty, cloud_mark = excluded.cloud_mark, "
        "updated_at = excluded.updated_at",
        (sku, qty + int(pending), qty, mark, stamp),
    )


def load_stock_figures(
    c: sqlite3.Connection, figures: Iterable[tuple[str, int]], stamp: str
) -> int:
    """Starting quantities (demo data; what the brand's ERP would publish): each becomes the
    SKU's figure, counting every movement this till has made so far (mark = the last outbox
    seq), exactly as a figure pulled from the cloud would (`apply_stock_change`).  Returns the
    number of SKUs written.  Call inside a transaction."""
    mark = int(c.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0])
    rows = [(sku, qty, qty, mark, stamp) for sku, qty in figures]
    c.executemany(
        "INSERT INTO stock_levels(sku, on_hand, cloud_qty, cloud_mark, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(sku) DO UPDATE SET on_hand = excluded.on_hand, "
        "cloud_qty = excluded.cloud_qty, cloud_mark = excluded.cloud_mark, "
        "updated_at = excluded.updated_at",
        rows,
    )
    return len(rows)


def apply_stock_doc_change(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    """Kind `stock_doc`: a delivery or transfer announced for this store."""
    if ch.op == "delete":
        c.execute("DELETE FROM stock_docs WHERE doc = ? AND state = 'announced'", (ch.key,))
        return
    d = ch.data
    lines = [{"sku": str(x["sku"]), "qty": int(x["qty"])} for x in d.get("lines", [])]
    c.execute(
        "INSERT INTO stock_docs(doc, kind, from_store, lines, announced_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(doc) DO UPDATE SET lines = excluded.lines, kind = excluded.kind, "
        "from_store = excluded.from_store WHERE stock_docs.state = 'announced'",
        (ch.key, str(d.get("kind", "delivery")), str(d.get("from_store", "")),
         json.dumps(lines, ensure_ascii=False), stamp),
    )  # fmt: skip


def iter_skus_of_style(c: sqlite3.Connection, style: str) -> Iterator[str]:
    for r in c.execute("SELECT sku FROM skus WHERE style = ?", (style,)):
        yield r[0]
