"""The tier recompute over the database: SQL sums each member's net spend in the window
(SQLite and PostgreSQL alike), cloud.tiers.ranking decides, and the changes land in one
transaction: members.tier, a tier_history row per move, the downgrades in grace, and a
`member` upsert on the change feed per member moved (every till's mirror gets the new tier
at its next pull, and its pricing engine the tier's benefits)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pos_app.domain.timeutil import iso_utc

from ..changelog import ChangeLog
from ..common import ApiError, _dump, _now_iso
from ..db import CloudDB, Tx
from ..members.rows import canonical, shape_full_member
from .ranking import (
    TIERS,
    PolicyError,
    Thresholds,
    TierPolicy,
    rank_of,
    settle,
    thresholds,
    tier_of,
    window_start,
)

POLICY_KEY = "tier_policy"  # in the cloud's config (the tills get it too: thresholds, window)
NIGHTLY_TZ = ZoneInfo("Asia/Shanghai")  # a night's run is keyed by the brand's calendar day


# Each moved member as cloud.members.rows.full_member describes them (the same fields and
# values; tests/integration/cloud/test_cloud_tiers.py compares the two), built by PostgreSQL.
PG_MOVED_MEMBERS = """
SELECT m.id, json_build_object(
    'id', m.id, 'phone', m.phone, 'name', m.name, 'tier', m.tier, 'points', m.points,
    'stored_value_fen', COALESCE(
        (SELECT SUM(s.delta_fen) FROM stored_value_ledger s WHERE s.member_id = m.id), 0),
    'created_at', m.created_at,
    'birthday', m.data::json -> 'birthday',
    'consent_at', m.data::json -> 'consent_at',
    'associate', m.data::json -> 'associate',
    'tags', CASE json_typeof(m.data::json -> 'tags')
        WHEN 'array' THEN COALESCE((
            SELECT string_agg(x.v, ',' ORDER BY x.n)
            FROM json_array_elements_text(m.data::json -> 'tags') WITH ORDINALITY AS x(v, n)
        ), '')
        WHEN 'string' THEN m.data::json ->> 'tags'
        ELSE '' END
)::text
FROM tier_moves t JOIN members m ON m.id = t.member_id ORDER BY m.id
"""


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


class Tiers:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], changelog: ChangeLog) -> None:
        self.db = db
        self.now = now
        self.changelog = changelog

    # ---- the policy ------------------------------------------------------------------

    def policy(self, tx: Tx | None = None) -> TierPolicy:
        if tx is None:
            with self.db.tx() as t:
                return self.policy(t)
        row = tx.execute("SELECT value FROM config WHERE key = ?", (POLICY_KEY,)).fetchone()
        try:
            return TierPolicy.from_dict(json.loads(row[0]) if row else None)
        except PolicyError as err:
            raise ApiError(400, "bad_tier_policy", f"The stored tier policy: {err}") from err

    def set_policy(self, changes: dict[str, int]) -> TierPolicy:
        with self.db.tx() as tx:
            try:
                policy = TierPolicy.from_dict(self.policy(tx).as_dict() | changes)
            except PolicyError as err:
                raise ApiError(400, "bad_tier_policy", str(err)) from err
            now = _now_iso(self.now())
            tx.execute(
                "INSERT INTO config(key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (POLICY_KEY, _dump(policy.as_dict()), now),
            )
            self.changelog.publish(tx, "config", "upsert", POLICY_KEY, {"value": policy.as_dict()})
        return policy

    # ---- the recompute ---------------------------------------------------------------

    def recompute(self, *, dry_run: bool = False, nightly: bool = False) -> dict[str, Any]:
        """Rank every member and move them; `dry_run` says what would move and writes
        nothing.  `nightly`: the scheduled run, claimed once per calendar day across every
        worker (the claim is the run's row, inserted in the run's own transaction: a second
        worker waits on it and then finds it taken; a run that fails leaves it free)."""
        now = self.now()
        run_id = (
            f"nightly:{now.astimezone(NIGHTLY_TZ).date().isoformat()}"
            if nightly
            else f"manual:{uuid.uuid4().hex}"
        )
        with self.db.tx() as tx:
            if tx.dialect == "postgres":
                # a million members take longer than a request's statement budget
                tx.execute("SET LOCAL statement_timeout = 0")
            policy = self.policy(tx)
            if not dry_run:
                claimed = tx.execute(
                    "INSERT INTO tier_runs(run_id, kind, at, policy, summary) "
                    "VALUES (?, ?, ?, ?, '{}') ON CONFLICT DO NOTHING",
                    (run_id, "nightly" if nightly else "manual", _now_iso(now), "{}"),
                )
                if claimed.rowcount == 0:
                    return {"run_id": run_id, "skipped": True, "reason": "already run"}
            summary = self._run(tx, run_id, policy, now, dry_run)
            if not dry_run:
                tx.execute(
                    "UPDATE tier_runs SET policy = ?, summary = ? WHERE run_id = ?",
                    (_dump(policy.as_dict()), _dump(summary), run_id),
                )
        return summary

    def _run(
        self, tx: Tx, run_id: str, policy: TierPolicy, now: datetime, dry_run: bool
    ) -> dict[str, Any]:
        # seconds, like the tills' completed_at: the text comparison must order them right
        since, until = iso_utc(window_start(now, policy)), iso_utc(now)
        rows = tx.execute(
            "SELECT m.id, m.tier, COALESCE(s.net, 0), g.since FROM members m "
            "LEFT JOIN (SELECT member_id, SUM(total_fen) AS net FROM member_purchases "
            "WHERE at >= ? AND at <= ? GROUP BY member_id) s ON s.member_id = m.id "
            "LEFT JOIN tier_grace g ON g.member_id = m.id",
            (since, until),
        ).fetchall()
        th = thresholds([int(r[2]) for r in rows], policy)
        counts: Counter[str] = Counter()
        moves: list[tuple[str, str, str, int]] = []
        grace_new: list[str] = []
        grace_end: list[str] = []
        up = down = 0
        for mid, current, spend, grace_at in rows:
            had = _parse(grace_at) if grace_at else None
            s = settle(current, tier_of(int(spend), th), had, now, policy)
            counts[s.tier] += 1
            if s.tier != current:
                moves.append((mid, current, s.tier, int(spend)))
                if rank_of(s.tier) < rank_of(current):
                    up += 1
                else:
                    down += 1
            if had is None and s.grace_since is not None:
                grace_new.append(mid)
            elif had is not None and s.grace_since is None:
                grace_end.append(mid)
        in_grace = len(grace_new) + sum(1 for r in rows if r[3]) - len(grace_end)
        summary: dict[str, Any] = {
            **{t: counts[t] for t in TIERS},
            "moved_up": up,
            "moved_down": down,
            "grace_started": len(grace_new),
            "in_grace": in_grace,
            "members": len(rows),
            "thresholds": {"core_fen": th.core_fen, "potential_fen": th.potential_fen},
            "window": {"from": since, "to": until},
            "policy": policy.as_dict(),
            "run_id": None if dry_run else run_id,
            "dry_run": dry_run,
            "at": until,
        }
        if dry_run:
            return summary
        self._apply(tx, run_id, until, moves)
        tx.executemany("DELETE FROM tier_grace WHERE member_id = ?", [(m,) for m in grace_end])
        tx.copy_rows("tier_grace", ("member_id", "since"), [(m, until) for m in grace_new])
        return summary

    def _apply(self, tx: Tx, run_id: str, at: str, moves: list[tuple[str, str, str, int]]) -> None:
        """The moves, set-based: they go to a temporary table (COPY on PostgreSQL), and the
        members, their history and the change feed are written from it with a statement
        each (one statement per member was most of a recompute's time)."""
        if not moves:
            return
        if tx.dialect == "postgres":
            tx.execute(
                "CREATE TEMPORARY TABLE tier_moves (member_id TEXT PRIMARY KEY, "
                "from_tier TEXT, to_tier TEXT, spend_fen BIGINT) ON COMMIT DROP"
            )
        else:
            tx.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS tier_moves (member_id TEXT PRIMARY KEY, "
                "from_tier TEXT, to_tier TEXT, spend_fen BIGINT)"
            )
            tx.execute("DELETE FROM tier_moves")
        tx.copy_rows("tier_moves", ("member_id", "from_tier", "to_tier", "spend_fen"), moves)
        if tx.dialect == "postgres":
            tx.execute("ANALYZE tier_moves")  # a fresh table has no statistics: plan on rows
        # UPDATE … FROM (PostgreSQL; SQLite since 3.33): one join, where a correlated
        # subquery per member took four times as long on PostgreSQL
        tx.execute(
            "UPDATE members SET tier = t.to_tier, updated_at = ? FROM tier_moves t "
            "WHERE members.id = t.member_id",
            (at,),
        )
        tx.execute(
            "INSERT INTO tier_history(member_id, from_tier, to_tier, spend_fen, run_id, at) "
            "SELECT member_id, from_tier, to_tier, spend_fen, ?, ? FROM tier_moves "
            "ORDER BY member_id",
            (run_id, at),
        )
        if tx.dialect == "postgres":
            # the server writes the members' changes itself: fetching, shaping and encoding
            # 400,000 members in Python and copying them back was a third of a first run
            self.changelog.publish_select(tx, "member", "upsert", PG_MOVED_MEMBERS)
            return
        rows = tx.execute(
            "SELECT m.id, m.phone, m.name, m.tier, m.points, m.created_at, m.data, "
            "COALESCE((SELECT SUM(s.delta_fen) FROM stored_value_ledger s "
            "WHERE s.member_id = m.id), 0) "
            "FROM tier_moves t JOIN members m ON m.id = t.member_id ORDER BY m.id"
        ).fetchall()
        self.changelog.publish_many(
            tx, "member", "upsert", [(r[0], shape_full_member(r)) for r in rows]
        )

    # ---- reads -----------------------------------------------------------------------

    def last_thresholds(self, tx: Tx) -> Thresholds | None:
        row = tx.execute(
            "SELECT summary FROM tier_runs WHERE summary <> '{}' ORDER BY at DESC, run_id DESC "
            "LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        t = json.loads(row[0]).get("thresholds") or {}
        return Thresholds(t.get("core_fen"), t.get("potential_fen"))

    def spend(self, tx: Tx, member_id: str, policy: TierPolicy) -> int:
        now = self.now()
        row = tx.execute(
            "SELECT COALESCE(SUM(total_fen), 0) FROM member_purchases "
            "WHERE member_id = ? AND at >= ? AND at <= ?",
            (member_id, iso_utc(window_start(now, policy)), iso_utc(now)),
        ).fetchone()
        return int(row[0])

    def history(self, member_id: str) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            mid = canonical(tx, member_id)
            cols = ("from_tier", "to_tier", "spend_fen", "run_id", "at")
            return [
                dict(zip(cols, r, strict=True))
                for r in tx.execute(
                    "SELECT from_tier, to_tier, spend_fen, run_id, at FROM tier_history "
                    "WHERE member_id = ? ORDER BY id",
                    (mid,),
                ).fetchall()
            ]
