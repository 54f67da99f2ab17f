"""Members, their till-side ledger, follow-ups and the history queries the member panel and
the suggestions need.  Writes run inside the caller's unit of work (the member parts open it)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from pos_app.domain.members import Member

_COLS = (
    "id, phone, name, birthday, tier, points, stored_value_fen, consent_at, associate, tags, "
    "created_at"
)


def _member(row: tuple[Any, ...] | None) -> Member | None:
    if row is None:
        return None
    tags = tuple(t for t in str(row[9] or "").split(",") if t)
    return Member(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        int(row[5]),
        int(row[6]),
        row[7],
        row[8],
        tags,
        row[10],
    )


class SqliteMembers:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # ---- members ------------------------------------------------------------------------

    def by_id(self, member_id: str) -> Member | None:
        """By id, or by an id the cloud merged into another member."""
        row = self.conn.execute(f"SELECT {_COLS} FROM members WHERE id = ?", (member_id,))
        found = _member(row.fetchone())
        if found is None:
            alias = self.conn.execute(
                "SELECT member_id FROM member_aliases WHERE alias_id = ?", (member_id,)
            ).fetchone()
            if alias is not None:
                found = _member(
                    self.conn.execute(
                        f"SELECT {_COLS} FROM members WHERE id = ?", (alias[0],)
                    ).fetchone()
                )
        return found

    def by_phone(self, phone: str) -> Member | None:
        return _member(
            self.conn.execute(f"SELECT {_COLS} FROM members WHERE phone = ?", (phone,)).fetchone()
        )

    def by_last4(self, last4: str, limit: int = 20) -> list[Member]:
        rows = self.conn.execute(
            f"SELECT {_COLS} FROM members WHERE substr(phone, -4) = ? ORDER BY updated_at DESC, "
            "id LIMIT ?",
            (last4, limit),
        ).fetchall()
        return [m for r in rows if (m := _member(r)) is not None]

    def upsert(self, m: Member, at: str) -> None:
        """Insert, or refresh from the cloud's answer (the phone is unique: one member)."""
        self.conn.execute(
            f"INSERT INTO members({_COLS}, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, birthday = excluded.birthday, "
            "tier = excluded.tier, points = excluded.points, "
            "stored_value_fen = excluded.stored_value_fen, updated_at = excluded.updated_at",
            (
                m.id,
                m.phone,
                m.name,
                m.birthday,
                m.tier,
                m.points,
                m.stored_value_fen,
                m.consent_at,
                m.associate,
                ",".join(m.tags),
                m.created_at or at,
                at,
            ),
        )

    def set_tags(self, member_id: str, tags: Iterable[str], at: str) -> None:
        self.conn.execute(
            "UPDATE members SET tags = ?, updated_at = ? WHERE id = ?",
            (",".join(tags), at, member_id),
        )

    def adjust(self, member_id: str, points: int, stored_value_fen: int, at: str) -> None:
        """Move the mirror's balances until the cloud's own figures come back on the pull."""
        self.conn.execute(
            "UPDATE members SET points = points + ?, stored_value_fen = stored_value_fen + ?, "
            "updated_at = ? WHERE id = ?",
            (points, stored_value_fen, at, member_id),
        )

    # ---- ledger -------------------------------------------------------------------------

    def add_ledger(
        self,
        member_id: str,
        kind: str,
        amount: int,
        *,
        ref: str,
        sale_id: str | None,
        offline: bool,
        business_day: str,
        at: str,
    ) -> None:
        self.conn.execute(
            "INSERT INTO member_ledger(member_id, kind, amount, ref, sale_id, offline, "
            "business_day, at) VALUES (?,?,?,?,?,?,?,?)",
            (member_id, kind, amount, ref, sale_id, int(offline), business_day, at),
        )

    def offline_debits(self, business_day: str, member_id: str | None = None) -> int:
        sql = (
            "SELECT coalesce(sum(amount), 0) FROM member_ledger WHERE kind = 'sv_debit' "
            "AND offline = 1 AND business_day = ?"
        )
        args: tuple[Any, ...] = (business_day,)
        if member_id is not None:
            sql += " AND member_id = ?"
            args += (member_id,)
        return int(self.conn.execute(sql, args).fetchone()[0])

    def points_settled_by_returns(self, sale_id: str, except_refund: str = "") -> dict[str, int]:
        """Points earlier returns of a sale took back (`taken_back`) and gave back
        (`given_back`): ledger rows with ref 'refund' of the refunds of that sale."""
        rows = self.conn.execute(
            "SELECT kind, coalesce(sum(amount), 0) FROM member_ledger WHERE ref = 'refund' "
            "AND kind IN ('points_earned', 'points_redeemed') AND sale_id IN "
            "(SELECT id FROM sales WHERE original_sale_id = ? AND id != ?) GROUP BY kind",
            (sale_id, except_refund),
        ).fetchall()
        got = {str(k): int(n) for k, n in rows}
        return {
            "taken_back": got.get("points_redeemed", 0),
            "given_back": got.get("points_earned", 0),
        }

    def coupon_used_here(self, code: str) -> bool:
        """Redeemed on this till and not given back (a give-back is a negative row)."""
        return self.coupon_uses_here(code) > 0

    def coupon_uses_here(self, code: str) -> int:
        """How many times this till redeemed the coupon, less the uses it gave back."""
        n = self.conn.execute(
            "SELECT coalesce(sum(CASE WHEN amount < 0 THEN -1 ELSE 1 END), 0) FROM member_ledger "
            "WHERE kind = 'coupon_redeemed' AND ref = ?",
            (code,),
        ).fetchone()[0]
        return max(0, int(n))

    def ledger(self, member_id: str, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT kind, amount, ref, sale_id, offline, at FROM member_ledger "
            "WHERE member_id = ? ORDER BY id DESC LIMIT ?",
            (member_id, limit),
        ).fetchall()
        cols = ("kind", "amount", "ref", "sale_id", "offline", "at")
        return [dict(zip(cols, r, strict=True)) for r in rows]

    # ---- cloud-published promotions, coupons, config -------------------------------------

    def promotions(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.conn.execute("SELECT data FROM promotions")]

    def coupon(self, code: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT data FROM coupons WHERE code = ?", (code,)).fetchone()
        return None if row is None else dict(json.loads(row[0]), code=code)

    def coupons_for(self, member_id: str) -> list[dict[str, Any]]:
        out = []
        for code, data in self.conn.execute("SELECT code, data FROM coupons ORDER BY code"):
            d = dict(json.loads(data), code=code)
            if d.get("member_id") == member_id:
                out.append(d)
        return out

    def cloud_config(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM cloud_config WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        v = json.loads(row[0])
        return v.get("value") if isinstance(v, dict) and "value" in v else v

    # ---- follow-ups ---------------------------------------------------------------------

    def add_followup(
        self, member_id: str, sale_id: str, associate: str, step: int, due_at: str, at: str
    ) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO followups(member_id, sale_id, associate, step, due_at, "
            "created_at) VALUES (?,?,?,?,?,?)",
            (member_id, sale_id, associate, step, due_at, at),
        )

    def followups(
        self, associate: str | None, due_before: str | None, include_done: bool = False
    ) -> list[dict[str, Any]]:
        sql = (
            "SELECT f.id, f.member_id, m.name, m.phone, f.sale_id, f.associate, f.step, "
            "f.due_at, f.done_at, f.note FROM followups f LEFT JOIN members m "
            "ON m.id = f.member_id WHERE 1 = 1"
        )
        args: list[Any] = []
        if not include_done:
            sql += " AND f.done_at IS NULL"
        if associate:
            sql += " AND f.associate = ?"
            args.append(associate)
        if due_before:
            sql += " AND f.due_at <= ?"
            args.append(due_before)
        sql += " ORDER BY f.due_at, f.id LIMIT 1000"
        cols = (
            "id",
            "member_id",
            "name",
            "phone",
            "sale_id",
            "associate",
            "step",
            "due_at",
            "done_at",
            "note",
        )
        return [dict(zip(cols, r, strict=True)) for r in self.conn.execute(sql, args)]

    def finish_followup(self, fid: int, by: str, note: str, at: str) -> bool:
        cur = self.conn.execute(
            "UPDATE followups SET done_at = ?, done_by = ?, note = ? WHERE id = ? "
            "AND done_at IS NULL",
            (at, by, note, fid),
        )
        return cur.rowcount == 1

    # ---- history ------------------------------------------------------------------------

    def member_sales(self, member_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The member's completed sales on this till, newest first (the journal payloads)."""
        rows = self.conn.execute(
            "SELECT j.payload FROM sales s JOIN journal j ON j.seq = s.journal_seq "
            "WHERE s.kind = 'sale' AND (s.member_id = ? OR s.member_id IN "
            "(SELECT alias_id FROM member_aliases WHERE member_id = ?)) "
            "ORDER BY s.completed_at DESC LIMIT ?",
            (member_id, member_id, limit),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def bought_together(
        self, skus: list[str], exclude: list[str], limit: int
    ) -> list[dict[str, Any]]:
        """Items most often in the same sale as any of `skus` (co-occurrence over
        sale_lines), with how many sales they shared."""
        if not skus:
            return []
        qs = ",".join("?" * len(skus))
        xs = ",".join("?" * len(exclude)) or "''"
        rows = self.conn.execute(
            "SELECT o.sku, k.name, k.category, count(DISTINCT o.sale_id) AS n "
            f"FROM sale_lines b JOIN sale_lines o ON o.sale_id = b.sale_id AND o.sku NOT IN ({qs}) "
            "JOIN sales s ON s.id = b.sale_id AND s.kind = 'sale' "
            "JOIN skus k ON k.sku = o.sku AND k.active = 1 "
            f"WHERE b.sku IN ({qs}) AND o.sku NOT IN ({xs}) "
            "GROUP BY o.sku ORDER BY n DESC, o.sku LIMIT ?",
            (*skus, *skus, *exclude, limit),
        ).fetchall()
        return [{"sku": r[0], "name": r[1], "category": r[2], "together": r[3]} for r in rows]

    def items_in(
        self, category: str, size: str | None, exclude: list[str], limit: int
    ) -> list[dict[str, Any]]:
        """Active items of a category (in a size), the store's best sellers first."""
        xs = ",".join("?" * len(exclude)) or "''"
        sql = (
            "SELECT k.sku, k.name, k.category, k.size, "
            "(SELECT coalesce(sum(qty), 0) FROM sale_lines l WHERE l.sku = k.sku) AS sold "
            f"FROM skus k WHERE k.active = 1 AND k.category = ? AND k.sku NOT IN ({xs})"
        )
        args: list[Any] = [category, *exclude]
        if size:
            sql += " AND k.size = ?"
            args.append(size)
        sql += " ORDER BY sold DESC, k.sku LIMIT ?"
        args.append(limit)
        return [
            {"sku": r[0], "name": r[1], "category": r[2], "size": r[3], "sold": r[4]}
            for r in self.conn.execute(sql, args)
        ]

    def sales_by_associate(self, first_day: str, last_day: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT coalesce(s.associate, o.associate, ''), s.kind, count(*), "
            "coalesce(sum(s.total_fen), 0), count(DISTINCT s.member_id) FROM sales s "
            "LEFT JOIN sales o ON o.id = s.original_sale_id "
            "WHERE s.business_day BETWEEN ? AND ? GROUP BY 1, 2 ORDER BY 1, 2",
            (first_day, last_day),
        ).fetchall()
        out: dict[str, dict[str, Any]] = {}
        for assoc, kind, n, total, members in rows:
            d = out.setdefault(
                assoc,
                {
                    "associate": assoc or None,
                    "sales": 0,
                    "sales_fen": 0,
                    "refunds": 0,
                    "refunds_fen": 0,
                    "members": 0,
                },
            )
            if kind == "sale":
                d.update(sales=n, sales_fen=total, members=members)
            else:
                d.update(refunds=n, refunds_fen=total)
        for d in out.values():
            d["net_fen"] = d["sales_fen"] + d["refunds_fen"]
        return list(out.values())
