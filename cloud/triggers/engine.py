"""The trigger engine: rules as data, one pure decision per (trigger, member, occurrence).

A trigger is `--when EVENT [--if CONDITION] --then ACTION… [--cap N/Dd]` (docs/members.md,
"Triggers").  Sources (sources.py) turn the stored ingest events and the daily pass into
`Occurrence`s; `evaluate` decides, against a `History` port, which triggers fire for one.
The history is where "exactly once" lives: `record` is the unique key (trigger, member,
occurrence) in the database, so a duplicate delivery, a second pass or a second worker finds
the row and nothing fires twice.  Everything here is standard library, no clock, no I/O.

    EVENT     := first_purchase | purchase_above:FEN | followup[:DAYS] | birthday:DAYS
               | lapsed:DAYS | opened_not_joined[:DAYS] | return
    CONDITION := CLAUSE ("and" CLAUSE)*        CLAUSE := FIELD OP VALUE
    ACTION    := coupon:CODE | task[:TEXT] | wechat:TEMPLATE_ID | tag:TAG
    CAP       := N/Dd                            at most N firings per member in D days
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from pos_app.domain.errors import InvalidInput

# event -> does it take a number, and must it
EVENTS: dict[str, str] = {
    "first_purchase": "none",
    "purchase_above": "required",  # fen: the sale's total is above it
    "followup": "optional",  # days of the 3369 step (DEFAULT_FOLLOWUPS); none: every step
    "birthday": "required",  # days before the birthday (fires once a year, on the pass
    # that first finds it within that many days)
    "lapsed": "required",  # days since the last purchase
    "opened_not_joined": "optional",  # days after the e-receipt was opened (default 1)
    "return": "none",
}
ACTIONS = ("coupon", "task", "wechat", "tag")
# Actions that reach the customer (or send an associate to them) need their consent.
CONTACT = frozenset({"coupon", "task", "wechat"})
# Without a member (a receipt opened by someone who has not joined) only a task can follow:
# the associate who served them invites them to join at the next visit.
WITHOUT_MEMBER = frozenset({"task"})

FIELDS: dict[str, str] = {
    "amount_fen": "int",  # the sale's or the refund's total
    "tier": "str",
    "tag": "set",  # true when the member has the tag
    "store": "str",
    "associate": "str",
    "category": "set",  # true when the sale has a line of the category
    "days": "int",  # the followup step, the days to the birthday, the days lapsed
}
OPS = ("!=", ">=", "<=", "=", ">", "<")

FIRED, CAPPED, NO_CONSENT, NO_MEMBER = "fired", "capped", "no_consent", "no_member"


class BadTrigger(InvalidInput):
    code = "bad_trigger"


def _bad(en: str, zh: str) -> BadTrigger:
    return BadTrigger(en, zh)


@dataclass(frozen=True, slots=True)
class When:
    event: str
    n: int | None = None

    def text(self) -> str:
        return self.event if self.n is None else f"{self.event}:{self.n}"


@dataclass(frozen=True, slots=True)
class Clause:
    field: str
    op: str
    value: str | int


@dataclass(frozen=True, slots=True)
class Then:
    action: str
    arg: str = ""

    def text(self) -> str:
        return f"{self.action}:{self.arg}" if self.arg else self.action


@dataclass(frozen=True, slots=True)
class Cap:
    count: int
    days: int

    def text(self) -> str:
        return f"{self.count}/{self.days}d"


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    when: When
    conds: tuple[Clause, ...]
    then: tuple[Then, ...]
    cap: Cap | None
    # occurrences before the second it was added do not fire (a till's times have whole
    # seconds: a sale in that second counts)
    since: datetime
    active: bool = True


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Something a member did, or a day that came: one occurrence, keyed."""

    event: (
        str  # first_purchase | purchase | followup | birthday | lapsed | opened_not_joined | return
    )
    member_id: str  # '' when nobody has joined (opened_not_joined)
    key: str  # the sale, the refund, the year, the step, the receipt …
    at: datetime
    amount_fen: int = 0
    days: int = 0
    tier: str = ""
    tags: frozenset[str] = frozenset()
    store: str = ""
    associate: str = ""
    categories: frozenset[str] = frozenset()
    consent: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    trigger: str
    event: str
    member_id: str
    occurrence: str
    outcome: str  # fired | capped | no_consent | no_member
    actions: tuple[Then, ...] = field(default=())
    at: datetime | None = None


class History(Protocol):
    def fired_since(self, trigger: str, member_id: str, since: datetime) -> int:
        """Firings (outcome fired) of the trigger for the member at or after `since`."""
        ...

    def record(self, decision: Decision) -> bool:
        """Keep the decision under its (trigger, member, occurrence); False if one was
        kept already (a duplicate, or another worker got there first)."""
        ...


# ---- parsing ---------------------------------------------------------------------------------


def parse_when(text: str) -> When:
    event, _, arg = text.strip().lower().partition(":")
    if event not in EVENTS:
        raise _bad(
            f"unknown event “{text}”: use one of {', '.join(EVENTS)}",
            f"未知事件“{text}”，可用：{', '.join(EVENTS)}",
        )
    takes = EVENTS[event]
    if not arg:
        if takes == "required":
            raise _bad(
                f"{event} needs a number, like {event}:{_example(event)}",
                f"{event} 需要一个数，如 {event}:{_example(event)}",
            )
        return When(event, 1 if event == "opened_not_joined" else None)
    if takes == "none":
        raise _bad(f"{event} takes no number", f"{event} 不带数字")
    if not re.fullmatch(r"\d{1,9}", arg.removesuffix("d")):
        raise _bad(
            f"{event} takes a whole number, like {event}:{_example(event)} (not “{arg}”)",
            f"{event} 取整数，如 {event}:{_example(event)}",
        )
    return When(event, int(arg.removesuffix("d")))


def _example(event: str) -> str:
    return {"purchase_above": "50000", "birthday": "7", "lapsed": "180"}.get(event, "3")


def parse_condition(text: str | None) -> tuple[Clause, ...]:
    if not text or not text.strip():
        return ()
    out = []
    for part in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        m = re.fullmatch(r"\s*([a-z_]+)\s*(!=|>=|<=|=|>|<)\s*(.+?)\s*", part, re.IGNORECASE)
        if m is None:
            raise _bad(
                f"cannot read “{part}”: write FIELD OP VALUE (like amount_fen>=50000), "
                "joined with and",
                f"无法识别“{part}”：应为 字段 运算符 值（如 amount_fen>=50000），用 and 连接",
            )
        name, op, raw = m.group(1).lower(), m.group(2), m.group(3).strip("\"'")
        kind = FIELDS.get(name)
        if kind is None:
            raise _bad(
                f"unknown field “{name}”: use one of {', '.join(FIELDS)}",
                f"未知字段“{name}”，可用：{', '.join(FIELDS)}",
            )
        if kind != "int" and op not in ("=", "!="):
            raise _bad(f"{name} takes = or !=, not {op}", f"{name} 只支持 = 或 !=")
        if kind == "int":
            if not re.fullmatch(r"-?\d{1,15}", raw):
                raise _bad(f"{name} takes a whole number (not “{raw}”)", f"{name} 取整数")
            out.append(Clause(name, op, int(raw)))
        else:
            out.append(Clause(name, op, raw))
    return tuple(out)


def parse_then(texts: Iterable[str]) -> tuple[Then, ...]:
    out = []
    for text in texts:
        action, _, arg = text.strip().partition(":")
        action = action.lower()
        if action not in ACTIONS:
            raise _bad(
                f"unknown action “{text}”: use coupon:CODE, task[:TEXT], wechat:TEMPLATE_ID "
                "or tag:TAG",
                f"未知动作“{text}”，可用 coupon:券号、task[:内容]、wechat:模板ID、tag:标签",
            )
        if action != "task" and not arg.strip():
            raise _bad(f"{action} needs a value, like {action}:…", f"{action} 需要取值")
        out.append(Then(action, arg.strip()))
    if not out:
        raise _bad("give at least one --then", "至少需要一个 --then")
    return tuple(out)


def parse_cap(text: str | None) -> Cap | None:
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d{1,6})\s*/\s*(\d{1,5})d?\s*", text.lower())
    if m is None or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        raise _bad(
            f"a cap is N/Dd, like 1/30d (at most once in 30 days), not “{text}”",
            f"频次上限写作 N/Dd，如 1/30d（30 天内最多一次），而不是“{text}”",
        )
    return Cap(int(m.group(1)), int(m.group(2)))


# ---- deciding --------------------------------------------------------------------------------


def matches(t: Trigger, occ: Occurrence) -> bool:
    """Does this occurrence set off the trigger (event, number and condition)?"""
    if not t.active or occ.at < t.since:
        return False
    w = t.when
    if w.event == "purchase_above":
        return occ.event == "purchase" and occ.amount_fen > (w.n or 0) and _all(t, occ)
    if w.event != occ.event:
        return False
    if w.n is not None:
        # followup: that step; birthday: within n days; lapsed, opened_not_joined: n days ago
        if w.event == "followup" and occ.days != w.n:
            return False
        if w.event == "birthday" and occ.days > w.n:
            return False
        if w.event in ("lapsed", "opened_not_joined") and occ.days < w.n:
            return False
    return _all(t, occ)


def _all(t: Trigger, occ: Occurrence) -> bool:
    return all(_holds(c, occ) for c in t.conds)


def _holds(c: Clause, occ: Occurrence) -> bool:
    if c.field in ("tag", "category"):
        has = str(c.value) in (occ.tags if c.field == "tag" else occ.categories)
        return has if c.op == "=" else not has
    if c.field in ("tier", "store", "associate"):
        text = {"tier": occ.tier, "store": occ.store, "associate": occ.associate}[c.field]
        same = text.lower() == str(c.value).lower()
        return same if c.op == "=" else not same
    have = occ.amount_fen if c.field == "amount_fen" else occ.days
    v = int(c.value)
    return {
        "=": have == v,
        "!=": have != v,
        ">=": have >= v,
        "<=": have <= v,
        ">": have > v,
        "<": have < v,
    }[c.op]


def occurrence_key(t: Trigger, occ: Occurrence) -> str:
    """One firing per member and occurrence: the occurrence's own key, except that a
    first purchase is one per member whichever sale it was."""
    return "first" if t.when.event == "first_purchase" else occ.key


def decide(t: Trigger, occ: Occurrence, history: History) -> Decision:
    """The outcome for an occurrence that matches: fired, or why not (kept all the same,
    so the occurrence never fires later)."""
    key = occurrence_key(t, occ)
    base = Decision(t.name, t.when.event, occ.member_id, key, FIRED, t.then, occ.at)
    if not occ.member_id:
        doable = tuple(a for a in t.then if a.action in WITHOUT_MEMBER)
        if not doable:
            return _with(base, NO_MEMBER, ())
        return _with(base, FIRED, doable)
    if not occ.consent and any(a.action in CONTACT for a in t.then):
        return _with(base, NO_CONSENT, ())
    if t.cap is not None:
        since = occ.at - timedelta(days=t.cap.days)
        if history.fired_since(t.name, occ.member_id, since) >= t.cap.count:
            return _with(base, CAPPED, ())
    return base


def _with(d: Decision, outcome: str, actions: tuple[Then, ...]) -> Decision:
    return Decision(d.trigger, d.event, d.member_id, d.occurrence, outcome, actions, d.at)


def evaluate(
    triggers: Sequence[Trigger], occurrences: Iterable[Occurrence], history: History
) -> list[Decision]:
    """Every decision newly kept for these occurrences (in order); duplicates give none."""
    out = []
    for occ in occurrences:
        for t in triggers:
            if matches(t, occ):
                d = decide(t, occ, history)
                if history.record(d):
                    out.append(d)
    return out


class MemoryHistory:
    """The History port in memory (tests, benchmarks): the same unique key as the table."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str, str], Decision] = {}
        self._fired: dict[tuple[str, str], list[datetime]] = {}

    def fired_since(self, trigger: str, member_id: str, since: datetime) -> int:
        return sum(1 for at in self._fired.get((trigger, member_id), ()) if at >= since)

    def record(self, decision: Decision) -> bool:
        key = (decision.trigger, decision.member_id, decision.occurrence)
        if key in self.kept:
            return False
        self.kept[key] = decision
        if decision.outcome == FIRED and decision.at is not None:
            self._fired.setdefault((decision.trigger, decision.member_id), []).append(decision.at)
        return True


def describe(t: Trigger) -> Mapping[str, object]:
    return {
        "name": t.name,
        "when": t.when.text(),
        "if": " and ".join(f"{c.field}{c.op}{c.value}" for c in t.conds),
        "then": [a.text() for a in t.then],
        "cap": t.cap.text() if t.cap else None,
        "active": t.active,
    }
