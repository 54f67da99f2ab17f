"""Pulled from the cloud into the till's follow-up list (issue 21, the associate's phone):

- `task`: a task a trigger opened for a member's own associate (专属导购), kept as a row of
  `followups` with sale_id `task:<id>` and step 0, so `member followups` and the follow-up
  screen show it beside the 3369 steps; finishing it at the till sends `followup_done` with
  that sale id, which the cloud's trigger stream reads back (cloud/triggers/service.py).
- `followup`: a 3369 step finished on the associate's phone: the till's row is marked done too.
"""

from __future__ import annotations

import sqlite3

from pos_app.domain.ports import Change

TASK_PREFIX = "task:"


def apply_task(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    d = ch.data
    sale_id = f"{TASK_PREFIX}{ch.key}"
    if ch.op == "delete":
        c.execute("DELETE FROM followups WHERE sale_id = ? AND step = 0", (sale_id,))
        return
    c.execute(
        "INSERT INTO followups(member_id, sale_id, associate, step, due_at, done_at, done_by, "
        "note, created_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT(sale_id, step) DO "
        "UPDATE SET member_id = excluded.member_id, associate = excluded.associate, "
        "due_at = excluded.due_at, done_at = COALESCE(followups.done_at, excluded.done_at), "
        "done_by = COALESCE(followups.done_by, excluded.done_by), "
        "note = CASE WHEN followups.done_at IS NULL THEN excluded.note ELSE followups.note END",
        (
            str(d.get("member_id") or ""),
            sale_id,
            str(d.get("associate") or ""),
            str(d.get("due_at") or stamp),
            d.get("done_at"),
            d.get("done_by"),
            # open: the task's title is what the list shows; done: the associate's note
            str(d.get("note") or "") if d.get("done_at") else str(d.get("title") or ""),
            stamp,
        ),
    )


def apply_followup_done(c: sqlite3.Connection, ch: Change, stamp: str) -> None:
    d = ch.data
    if not d.get("done_at"):
        return
    c.execute(
        "UPDATE followups SET done_at = ?, done_by = ?, note = ? WHERE sale_id = ? AND step = ? "
        "AND done_at IS NULL",
        (
            str(d["done_at"]),
            str(d.get("done_by") or ""),
            str(d.get("note") or ""),
            str(d.get("sale_id") or ""),
            int(d.get("step") or 0),
        ),
    )
