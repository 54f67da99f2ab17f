"""Where occurrences come from: the stored ingest events, read by a cursor per till, and the
daily pass over time (3369 follow-up steps, birthdays, lapsed members, e-receipts opened by
someone who did not join).

Occurrence keys say what "once" means: a sale's or refund's id; `first` for a member's first
purchase; `<sale id>:<step>d` for a follow-up step; the birthday's date; the last purchase a
member lapsed after; the receipt opened.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pos_app.domain.loyalty import DEFAULT_FOLLOWUPS, LoyaltyRules

from ..common import _now_iso
from ..db import Tx
from ..members.rows import canonical
from .engine import Occurrence

CHINA = timezone(timedelta(hours=8))  # the store's day (as the funnel's business days)
STREAM_TYPES = ("sale.completed", "refund.completed", "member.updated")
# A follow-up step or an open is caught up to this long after it fell due (a pass missed while
# the cloud was down), never older: a new trigger does not act on last year's sales.
CATCH_UP = timedelta(days=3)


def _parse(iso: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=CHINA)


@dataclass(frozen=True, slots=True)
class Facts:
    tier: str
    tags: frozenset[str]
    consent: bool
    associate: str
    store: str
    birthday: str


class MemberFacts:
    """What conditions and consent read about a member, once per member and pass."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self._seen: dict[str, Facts | None] = {}

    def get(self, member_id: str) -> Facts | None:
        if member_id not in self._seen:
            row = self.tx.execute(
                "SELECT tier, data FROM members WHERE id = ?", (member_id,)
            ).fetchone()
            self._seen[member_id] = None if row is None else self._facts(member_id, row)
        return self._seen[member_id]

    def _facts(self, member_id: str, row: Any) -> Facts:
        data = json.loads(row[1] or "{}")
        tags = data.get("tags") or []
        if isinstance(tags, str):
            tags = [t for t in tags.split(",") if t]
        associate, store = data.get("associate") or "", data.get("store_id") or ""
        if not associate or not store:
            # served by an associate: theirs until a manager reassigns the member
            last = self.tx.execute(
                "SELECT associate, store_id FROM member_purchases WHERE member_id = ? "
                "AND kind = 'sale.completed' AND COALESCE(associate, '') <> '' ORDER BY at LIMIT 1",
                (member_id,),
            ).fetchone()
            if last is not None:
                associate = associate or (last[0] or "")
                store = store or (last[1] or "")
        return Facts(
            tier=str(row[0] or ""),
            tags=frozenset(str(t) for t in tags),
            consent=bool(data.get("consent_at")),
            associate=str(associate),
            store=str(store),
            birthday=str(data.get("birthday") or ""),
        )


def _occ(
    event: str,
    member_id: str,
    key: str,
    at: datetime,
    facts: Facts | None,
    **kw: Any,
) -> Occurrence:
    f = facts or Facts("", frozenset(), False, "", "", "")
    base: dict[str, Any] = {
        "tier": f.tier,
        "tags": f.tags,
        "consent": f.consent,
        "associate": f.associate,
        "store": f.store,
    }
    return Occurrence(event=event, member_id=member_id, key=key, at=at, **(base | kw))


# ---- the event stream -----------------------------------------------------------------------


def from_event(
    tx: Tx, facts: MemberFacts, event_id: str, kind: str, occurred_at: str, payload: str
) -> list[Occurrence]:
    """The occurrences one stored sale or refund event is (none without a member)."""
    if kind not in ("sale.completed", "refund.completed"):
        return []
    p = json.loads(payload)
    at = _parse(str(p.get("completed_at") or occurred_at)) or _parse(occurred_at)
    if at is None:
        return []
    mid = str((p.get("member") or {}).get("id") or "")
    if not mid and kind == "refund.completed":
        orig = tx.execute(
            "SELECT member_id FROM member_purchases WHERE sale_id = ?",
            (str(p.get("original_sale_id", "")),),
        ).fetchone()
        mid = str(orig[0]) if orig else ""
    if not mid:
        return []
    mid = canonical(tx, mid)
    f = facts.get(mid)
    if f is None:
        return []
    kw: dict[str, Any] = {
        "amount_fen": abs(int(p.get("total_fen") or 0)),
        "categories": frozenset(
            str(ln.get("category")) for ln in p.get("lines") or [] if ln.get("category")
        ),
    }
    # store and associate stay the member's own (专属导购): a task goes to them, not to
    # whoever rang the sale
    if kind == "refund.completed":
        key = str(p.get("refund_id") or event_id)
        return [_occ("return", mid, key, at, f, **kw)]
    sale = str(p.get("sale_id") or event_id)
    out = [_occ("purchase", mid, sale, at, f, **kw)]
    earlier = tx.execute(
        "SELECT 1 FROM member_purchases WHERE member_id = ? AND kind = 'sale.completed' "
        "AND event_id <> ? AND (at < ? OR (at = ? AND event_id < ?)) LIMIT 1",
        (mid, event_id, str(p.get("completed_at", "")), str(p.get("completed_at", "")), event_id),
    ).fetchone()
    if earlier is None:
        out.append(_occ("first_purchase", mid, sale, at, f, **kw))
    return out


def task_done_at_till(tx: Tx, kind: str, payload: str) -> int | None:
    """A pulled task finished at the till (`followup_done` with sale id `task:<id>`): the
    task's id once marked done here, else None."""
    if kind != "member.updated" or '"task:' not in payload:
        return None
    done = json.loads(payload).get("followup_done")
    sale = str(done.get("sale_id") or "") if isinstance(done, dict) else ""
    if not sale.startswith("task:") or not sale[5:].isdigit():
        return None
    n = tx.execute(
        "UPDATE member_tasks SET state = 'done', note = ?, done_at = ?, done_by = ? "
        "WHERE id = ? AND state = 'open'",
        (str(done.get("note") or ""), str(done.get("at") or ""), str(done.get("by") or ""),
         int(sale[5:])),
    ).rowcount  # fmt: skip
    return int(sale[5:]) if n else None


def stream_rows(tx: Tx, device_id: str, after: int, upto: int, limit: int) -> list[Any]:
    return tx.execute(
        "SELECT seq, id, type, occurred_at, payload FROM events WHERE device_id = ? "
        "AND seq > ? AND seq <= ? AND status = 'accepted' AND type IN (?, ?, ?) "
        "ORDER BY seq LIMIT ?",
        (device_id, after, upto, *STREAM_TYPES, limit),
    ).fetchall()


# ---- the daily pass -------------------------------------------------------------------------


def cadence(tx: Tx) -> tuple[timedelta, ...]:
    """The 3369 steps the tills use: the brand's `loyalty` config (`followup_minutes`, pushed
    to every till), else DEFAULT_FOLLOWUPS (30 minutes, 3, 30, 60 and 90 days)."""
    row = tx.execute("SELECT value FROM config WHERE key = 'loyalty'").fetchone()
    if row is None:
        return DEFAULT_FOLLOWUPS
    try:
        steps = LoyaltyRules.from_settings({"loyalty_rules": str(row[0])}).followups
    except (ValueError, TypeError, KeyError):  # a config the tills cannot read either
        return DEFAULT_FOLLOWUPS
    return steps or DEFAULT_FOLLOWUPS


def followups(tx: Tx, facts: MemberFacts, now: datetime) -> Iterator[Occurrence]:
    """Each 3369 step (cadence) that fell due within CATCH_UP before now."""
    steps = cadence(tx)
    oldest = now - max(steps) - CATCH_UP - timedelta(days=1)  # a day more: any UTC offset
    rows = tx.execute(
        "SELECT member_id, sale_id, event_id, at, total_fen "
        "FROM member_purchases WHERE kind = 'sale.completed' AND at >= ? ORDER BY at",
        (_now_iso(oldest),),
    ).fetchall()
    for mid, sale, eid, at_s, total in rows:
        at = _parse(str(at_s))
        if at is None:
            continue
        for step in steps:
            due = at + step
            if not (now - CATCH_UP <= due <= now):
                continue
            f = facts.get(str(mid))
            if f is None:
                continue
            kw: dict[str, Any] = {"days": step.days, "amount_fen": int(total or 0)}
            key = f"{sale or eid}:{step.days}d" if step.days else f"{sale or eid}:{step}"
            yield _occ("followup", str(mid), key, due, f, **kw)


def _next_birthday(text: str, today: date) -> date | None:
    try:
        born = date.fromisoformat(text[:10])
    except ValueError:
        return None
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:  # 29 February in a common year: the 28th
            day = date(year, 2, 28)
        if day >= today:
            return day
    return None


def birthdays(tx: Tx, facts: MemberFacts, now: datetime, within: int) -> Iterator[Occurrence]:
    today = now.astimezone(CHINA).date()
    for (mid,) in tx.execute(
        "SELECT id FROM members WHERE data LIKE ? ORDER BY id", ('%"birthday"%',)
    ).fetchall():
        f = facts.get(str(mid))
        if f is None or not f.birthday:
            continue
        day = _next_birthday(f.birthday, today)
        if day is None or (day - today).days > within:
            continue
        yield _occ("birthday", str(mid), day.isoformat(), now, f, days=(day - today).days)


def lapsed(tx: Tx, facts: MemberFacts, now: datetime, at_least: int) -> Iterator[Occurrence]:
    """Members whose last purchase is at least `at_least` days old; once per last purchase
    (they buy again and lapse again: a new occurrence)."""
    cutoff = _now_iso(now - timedelta(days=at_least))
    for mid, last in tx.execute(
        "SELECT member_id, max(at) FROM member_purchases WHERE kind = 'sale.completed' "
        "GROUP BY member_id HAVING max(at) <= ? ORDER BY member_id",
        (cutoff,),
    ).fetchall():
        at = _parse(str(last))
        f = facts.get(str(mid))
        if at is None or f is None:
            continue
        yield _occ("lapsed", str(mid), f"after:{last}", now, f, days=(now - at).days)


def opened_not_joined(tx: Tx, now: datetime, after_days: int) -> Iterator[Occurrence]:
    """E-receipts of sales without a member, opened `after_days` or more ago, from which
    nobody joined (no claim of the receipt): the associate who served them follows up."""
    newest = now - timedelta(days=after_days)
    rows = tx.execute(
        "SELECT o.receipt_key, min(o.at), o.store_id, o.associate FROM funnel_opens o "
        "WHERE o.at >= ? AND o.at <= ? AND NOT EXISTS (SELECT 1 FROM receipt_claims c "
        "WHERE c.receipt_key = o.receipt_key) GROUP BY o.receipt_key, o.store_id, o.associate "
        "ORDER BY o.receipt_key",
        (_now_iso(newest - CATCH_UP), _now_iso(newest)),
    ).fetchall()
    for key, first, store, associate in rows:
        device, _, no = str(key).rpartition(":")
        sale = tx.execute(
            "SELECT payload FROM events WHERE device_id = ? AND receipt_no = ? "
            "AND type = 'sale.completed'",
            (device, int(no) if no.isdigit() else -1),
        ).fetchone()
        if sale is not None and (json.loads(sale[0]).get("member") or {}).get("id"):
            continue  # a member's receipt: they joined long ago
        opened = _parse(str(first)) or now
        yield Occurrence(
            event="opened_not_joined",
            member_id="",
            key=str(key),
            at=opened,
            days=(now - opened).days,
            store=str(store or ""),
            associate=str(associate or ""),
        )
