"""What a firing does, in the transaction that recorded it: a coupon issued, a task for the
member's own associate, a tag, a WeChat template message queued (sent after commit by
wechat.py: a network call never runs inside the transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..changelog import Publish
from ..common import ApiError, _dump, _now_iso
from ..db import Tx
from ..members.rows import publish_member
from .engine import Decision, Occurrence, Then

IssueOne = Callable[[Tx, str, str, str], dict[str, Any]]  # (tx, code, member, batch)

TITLES = {
    "first_purchase": "首次购买回访 · first purchase",
    "purchase": "大单回访 · purchase above the amount",
    "purchase_above": "大单回访 · purchase above the amount",
    "followup": "3369 回访 · follow-up",
    "birthday": "生日关怀 · birthday",
    "lapsed": "沉睡唤醒 · lapsed",
    "opened_not_joined": "邀请入会 · opened the e-receipt, not joined",
    "return": "退货回访 · return",
}


def publish_task(tx: Tx, publish: Publish, task_id: int) -> None:
    """A task as the tills pull it (`task`, to the member's store only)."""
    row = tx.execute(
        "SELECT id, member_id, associate, store_id, title, due_at, state, note, done_at, "
        "done_by FROM member_tasks WHERE id = ?",
        (task_id,),
    ).fetchone()
    keys = ("id", "member_id", "associate", "store_id", "title", "due_at", "state", "note",
            "done_at", "done_by")  # fmt: skip
    data = dict(zip(keys, row, strict=True))
    publish(tx, "task", "upsert", str(task_id), data, store_id=str(row[3]) or None)


class ActionRunner:
    def __init__(self, now: Callable[[], datetime], publish: Publish, issue: IssueOne) -> None:
        self.now = now
        self.publish = publish
        self.issue = issue

    def run(self, tx: Tx, firing_id: int, d: Decision, occ: Occurrence) -> list[dict[str, Any]]:
        done = [self._one(tx, firing_id, d, occ, a) for a in d.actions]
        tx.execute("UPDATE trigger_firings SET actions = ? WHERE id = ?", (_dump(done), firing_id))
        return done

    def _one(self, tx: Tx, firing_id: int, d: Decision, occ: Occurrence, a: Then) -> dict[str, Any]:
        out: dict[str, Any] = {"action": a.text()}
        if a.action == "coupon":
            try:
                r = self.issue(tx, a.arg, d.member_id, f"trigger:{d.trigger}:{d.occurrence}")
            except ApiError as err:  # the coupon was removed since: the log says so
                return out | {"error": err.code}
            copies = r.get("coupons") or []
            return out | {
                "issued": int(r.get("issued", 0)),
                "coupon_code": copies[0]["coupon_code"] if copies else None,
            }
        if a.action == "task":
            title = a.arg or TITLES.get(d.event, d.event)
            row = tx.execute(
                "INSERT INTO member_tasks(task_key, member_id, associate, store_id, kind, title, "
                "due_at, created_at) VALUES (?, ?, ?, ?, 'trigger', ?, ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING id",
                (
                    f"trigger:{firing_id}",
                    d.member_id,
                    occ.associate,
                    occ.store,
                    title,
                    _now_iso(self.now()),
                    _now_iso(self.now()),
                ),
            ).fetchone()
            if row is not None:  # the till's follow-up list shows it (pulled)
                publish_task(tx, self.publish, int(row[0]))
            return out | {"task_id": int(row[0]) if row else None, "associate": occ.associate}
        if a.action == "tag":
            row = tx.execute("SELECT data FROM members WHERE id = ?", (d.member_id,)).fetchone()
            if row is None:
                return out | {"error": "unknown_member"}
            data = json.loads(row[0] or "{}")
            tags = list(data.get("tags") or [])
            if a.arg not in tags:
                data["tags"] = [*tags, a.arg]
                tx.execute(
                    "UPDATE members SET data = ?, updated_at = ? WHERE id = ?",
                    (_dump(data), _now_iso(self.now()), d.member_id),
                )
                publish_member(tx, self.publish, d.member_id)
            return out | {"tagged": a.arg}
        # wechat: the follower the member joined as (member_openids)
        who = tx.execute(
            "SELECT openid FROM member_openids WHERE member_id = ? ORDER BY at DESC LIMIT 1",
            (d.member_id,),
        ).fetchone()
        if who is None:
            return out | {"error": "no_openid"}
        fields = {
            "first": {"value": TITLES.get(d.event, d.event)},
            "keyword1": {"value": d.trigger},
            "keyword2": {"value": _now_iso(occ.at)},
        }
        tx.execute(
            "INSERT INTO trigger_messages(firing_id, openid, template_id, data, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (firing_id, who[0], a.arg, _dump(fields), _now_iso(self.now())),
        )
        return out | {"queued": True}
