"""`Triggers`: add and list the rules, run the engine over the event stream and the daily
pass, and read the log of firings (docs/members.md, "Triggers")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ..changelog import Publish
from ..common import ApiError
from ..db import CloudDB, Tx
from ..members.issuing import CouponIssuing
from . import sources
from .actions import ActionRunner, publish_task
from .coupon_link import issue_one
from .engine import (
    FIRED,
    Occurrence,
    Trigger,
    describe,
    evaluate,
    parse_cap,
    parse_condition,
    parse_then,
    parse_when,
)
from .store import (
    DbHistory,
    add_trigger,
    advance,
    finish_lease,
    firing_log,
    load_triggers,
    pending_devices,
    take_lease,
)

DAILY = "daily"
BATCH = 500  # events per till and transaction


class Triggers:
    def __init__(
        self,
        db: CloudDB,
        now: Callable[[], datetime],
        publish: Publish,
        issuing: CouponIssuing,
    ) -> None:
        self.db = db
        self.now = now
        self.publish = publish
        self.actions = ActionRunner(
            now, publish, lambda tx, code, mid, batch: issue_one(issuing, tx, code, mid, batch)
        )

    # ---- the rules ----------------------------------------------------------------------

    def add(
        self, name: str, when: str, then: Iterable[str], cond: str = "", cap: str = ""
    ) -> dict[str, Any]:
        name = name.strip()
        if not name:
            raise ApiError(400, "bad_trigger", "Name the trigger", "请为触发器命名")
        actions = list(then)
        t = Trigger(
            name=name,
            when=parse_when(when),
            conds=parse_condition(cond),
            then=parse_then(actions),
            cap=parse_cap(cap),
            since=self.now().replace(microsecond=0),
        )
        with self.db.tx() as tx:
            for a in t.then:
                if (
                    a.action == "coupon"
                    and not tx.execute("SELECT 1 FROM coupons WHERE code = ?", (a.arg,)).fetchone()
                ):
                    raise ApiError(
                        404,
                        "unknown_coupon",
                        f"No coupon {a.arg}: add it first with `guitai cloud coupon add`",
                        f"没有券 {a.arg}：请先用 guitai cloud coupon add 添加",
                    )
            add_trigger(
                tx,
                t,
                t.when.text(),
                cond.strip(),
                [a.text() for a in t.then],
                t.cap.text() if t.cap else "",
            )
        return dict(describe(t)) | {"created_at": t.since.isoformat()}

    def listing(self) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            rules = load_triggers(tx, active_only=False)
            counts = dict(
                tx.execute(
                    "SELECT trigger, count(*) FROM trigger_firings WHERE outcome = ? "
                    "GROUP BY trigger",
                    (FIRED,),
                ).fetchall()
            )
        return [dict(describe(t)) | {"fired": int(counts.get(t.name, 0))} for t in rules]

    def log(
        self, *, trigger: str | None = None, member: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            return firing_log(tx, trigger=trigger, member=member, limit=limit)

    # ---- the engine ---------------------------------------------------------------------

    def _fire(self, tx: Tx, rules: list[Trigger], occs: Iterable[Occurrence]) -> int:
        """Decide and act for these occurrences in the caller's transaction."""
        history = DbHistory(tx, self.now())
        fired = 0
        for occ in occs:
            for d in evaluate(rules, [occ], history):
                if d.outcome == FIRED:
                    self.actions.run(tx, history.id_of(d), d, occ)
                    fired += 1
        return fired

    def run_stream(self, limit: int = BATCH) -> dict[str, int]:
        """Read each till's new events up to its contiguous_seq, one transaction per till and
        batch: the firings, their actions and the cursor commit together."""
        read = fired = 0
        with self.db.tx() as tx:
            todo = pending_devices(tx)
            rules = load_triggers(tx)
        for device, after, upto in todo:
            while after < upto:
                with self.db.tx() as tx:
                    rows = sources.stream_rows(tx, device, after, upto, limit)
                    facts = sources.MemberFacts(tx)
                    occs = [
                        o
                        for _, eid, kind, at, payload in rows
                        for o in sources.from_event(tx, facts, eid, kind, at, payload)
                    ]
                    for _, _, kind, _, payload in rows:
                        tid = sources.task_done_at_till(tx, kind, payload)
                        if tid is not None:  # the phone shows it done too
                            publish_task(tx, self.publish, tid)
                    if rules:
                        fired += self._fire(tx, rules, occs)
                    after = int(rows[-1][0]) if len(rows) == limit else upto
                    advance(tx, device, after)
                    read += len(rows)
        return {"events": read, "fired": fired}

    def run_daily(self, holder: str = "cli", *, force: bool = False) -> dict[str, Any]:
        """The time-based events, once per store day (the lease: one worker of several runs
        it; `force` runs it again, which fires only what did not fire yet)."""
        now = self.now()
        day = now.astimezone(sources.CHINA).date().isoformat()
        with self.db.tx() as tx:
            if not take_lease(tx, DAILY, holder, day, now) and not force:
                return {"day": day, "ran": False, "fired": 0}
            rules = load_triggers(tx)
        fired = 0
        with self.db.tx() as tx:
            facts = sources.MemberFacts(tx)
            for occs in self._daily_sources(tx, facts, rules, now):
                fired += self._fire(tx, rules, occs)
        with self.db.tx() as tx:
            finish_lease(tx, DAILY, holder, day)
        return {"day": day, "ran": True, "fired": fired}

    @staticmethod
    def _daily_sources(
        tx: Tx, facts: sources.MemberFacts, rules: list[Trigger], now: datetime
    ) -> Iterable[Iterable[Occurrence]]:
        def ns(event: str) -> list[int]:
            return sorted({t.when.n or 0 for t in rules if t.when.event == event})

        if ns("followup"):
            yield sources.followups(tx, facts, now)
        if ns("birthday"):
            yield sources.birthdays(tx, facts, now, max(ns("birthday")))
        if ns("lapsed"):
            yield sources.lapsed(tx, facts, now, min(ns("lapsed")))
        for n in ns("opened_not_joined"):
            yield sources.opened_not_joined(tx, now, n)

    def tasks(self, associate: str | None = None, state: str = "open") -> list[dict[str, Any]]:
        with self.db.tx() as tx:
            rows = tx.execute(
                "SELECT id, member_id, associate, store_id, kind, title, due_at, state, note "
                "FROM member_tasks WHERE state = ?"
                + (" AND associate = ?" if associate is not None else "")
                + " ORDER BY due_at, id",
                (state, associate) if associate is not None else (state,),
            ).fetchall()
        keys = ("id", "member_id", "associate", "store_id", "kind", "title", "due_at")
        return [dict(zip(keys, r[:7], strict=True)) | {"state": r[7], "note": r[8]} for r in rows]
