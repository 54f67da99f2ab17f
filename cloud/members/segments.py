"""Segments (分群): named rules over the members, evaluated on demand.

`Segments.members(name)` is the one evaluator the CLI, coupon issuing, targeted promotions and
later the triggers and the associate's phone call; a segment stores its rule text only, so
its members are always those of now (a lapsed or birthday-month rule moves with the clock).

Tills never evaluate a rule: for a promotion restricted to a segment the cloud publishes the
segment's member ids (`publish`, a `config` change `segment_members.<NAME>`), and the till's
pricing engine looks the member up in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pos_app.domain.members import mask_phone
from pos_app.domain.timeutil import DEFAULT_TZ

from ..changelog import Publish
from ..common import ApiError, _now_iso
from ..db import CloudDB, Tx
from .segment_rules import parse_rule
from .segment_sql import Clock, member_query, to_sql

_NAME = re.compile(r"[\w\-]{1,64}")
CONFIG_PREFIX = "segment_members."


def segment_config_key(name: str) -> str:
    return CONFIG_PREFIX + name


class Segments:
    def __init__(
        self,
        db: CloudDB,
        now: Callable[[], datetime],
        publish: Publish,
        tz: str = DEFAULT_TZ,
    ) -> None:
        self.db = db
        self.now = now
        self.publish = publish
        self.tz = tz

    def add(self, name: str, rule: str, *, replace: bool = False) -> dict[str, Any]:
        if not _NAME.fullmatch(name):
            raise ApiError(
                400,
                "bad_segment_name",
                f"{name!r} is not a segment name: use letters, digits, _ or - (at most 64)",
                f"分群名称 {name!r} 无效：只能用字母、数字、_ 或 -（最多 64 个）",
            )
        parse_rule(rule)  # refused before anything is stored
        now = _now_iso(self.now())
        with self.db.tx() as tx:
            cur = tx.execute(
                "INSERT INTO segments(name, rule, created_at, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (name, rule, now, now),
            )
            if cur.rowcount == 0:
                if not replace:
                    raise ApiError(
                        409,
                        "segment_exists",
                        f"Segment {name} exists: give --replace to change its rule",
                        f"分群 {name} 已存在：如需修改规则请加 --replace",
                    )
                tx.execute(
                    "UPDATE segments SET rule = ?, updated_at = ? WHERE name = ?",
                    (rule, now, name),
                )
            count = len(self._rows(tx, rule))
        return {"name": name, "rule": rule, "members": count}

    def listing(self) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            rows = tx.execute(
                "SELECT name, rule, created_at, updated_at FROM segments ORDER BY name"
            ).fetchall()
            return [
                {
                    "name": r[0],
                    "rule": r[1],
                    "members": len(self._rows(tx, r[1])),
                    "created_at": r[2],
                    "updated_at": r[3],
                }
                for r in rows
            ]

    def rule_of(self, tx: Tx, name: str) -> str:
        row = tx.execute("SELECT rule FROM segments WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ApiError(
                404,
                "unknown_segment",
                f"No segment {name}: see `guitai cloud segment list`, or add it",
                f"没有分群 {name}：请用 guitai cloud segment list 查看，或先添加",
            )
        return str(row[0])

    def _rows(self, tx: Tx, rule: str) -> list[Any]:
        clock = Clock(self.now(), self.tz)
        sql, params = to_sql(member_query(parse_rule(rule), tx.dialect, clock), tx.dialect)
        return tx.execute(sql, params).fetchall()

    def members_in(self, tx: Tx, name: str) -> list[dict[str, Any]]:
        """The segment's members now, in the caller's transaction (full phones: callers that
        show them mask them, `members`)."""
        return [
            {"id": r[0], "phone": r[1], "name": r[2], "tier": r[3]}
            for r in self._rows(tx, self.rule_of(tx, name))
        ]

    def members(
        self, name: str, *, unmasked_for: str | None = None, reason: str = ""
    ) -> list[dict[str, Any]]:
        """The segment's members, phones masked; `unmasked_for` (who) shows them whole and
        records it in member_exports in the same transaction."""
        with self.db.tx() as tx:
            rows = self.members_in(tx, name)
            if unmasked_for is None:
                return [r | {"phone": mask_phone(r["phone"])} for r in rows]
            tx.execute(
                "INSERT INTO member_exports(what, who, reason, rows, at) VALUES (?, ?, ?, ?, ?)",
                (f"segment:{name}", unmasked_for, reason, len(rows), _now_iso(self.now())),
            )
            return rows

    def member_ids(self, name: str) -> list[str]:
        with self.db.tx() as tx:
            return [r["id"] for r in self.members_in(tx, name)]

    def publish_members(self, tx: Tx, name: str) -> int:
        """Publish the segment's member ids as of now for the tills' pricing (with the till
        ids merged into them, which a till may still hold); returns how many members."""
        ids = {r["id"] for r in self.members_in(tx, name)}
        aliases = {
            str(r[0])
            for r in tx.execute("SELECT alias_id, member_id FROM member_aliases").fetchall()
            if r[1] in ids
        }
        self.publish(
            tx,
            "config",
            "upsert",
            segment_config_key(name),
            {"value": {"segment": name, "members": sorted(ids | aliases)}},
        )
        return len(ids)

    def publish_segment(self, name: str) -> dict[str, Any]:
        """`guitai cloud segment publish NAME`: refresh what the tills know of it."""
        with self.db.tx() as tx:
            n = self.publish_members(tx, name)
        return {"name": name, "members": n, "published": True}
