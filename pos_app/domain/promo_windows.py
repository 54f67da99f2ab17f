"""When a promotion runs and for whom: date and time windows in the store's time zone
(会员日 every month's 18th, weekends, a campaign week, happy hours) and audiences (tiers,
segments, stores).  Pure: the caller gives the clock's instant and the store's zone.

Promotion JSON keys (all optional, all must hold together): `days_of_month` [1–31],
`weekdays` [1–7 or mon…sun, ISO: 1 is Monday], `date_from` / `date_to` (YYYY-MM-DD,
inclusive), `time_from` / `time_to` (HH:MM, from inclusive, to exclusive), `tiers`,
`segments`, `stores`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .errors import InvalidInput
from .timeutil import zone

_WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _bad(pid: str, en: str, zh: str) -> InvalidInput:
    return InvalidInput(f"Promotion {pid}: {en}", f"促销 {pid}：{zh}")


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    v = d.get(key) or []
    return [v] if isinstance(v, str | int) else list(v)


def _strs(d: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(x) for x in _list(d, key))


@dataclass(frozen=True, slots=True)
class PromoWindow:
    days_of_month: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()
    date_from: str | None = None
    date_to: str | None = None
    time_from: str | None = None
    time_to: str | None = None

    @property
    def always(self) -> bool:
        return self == PromoWindow()

    def open_at(self, local: datetime) -> bool:
        """Whether the window is open at this local (store time zone) moment."""
        day = local.date().isoformat()
        hhmm = local.strftime("%H:%M")
        return (
            (not self.days_of_month or local.day in self.days_of_month)
            and (not self.weekdays or local.isoweekday() in self.weekdays)
            and (self.date_from is None or day >= self.date_from)
            and (self.date_to is None or day <= self.date_to)
            and (self.time_from is None or hhmm >= self.time_from)
            and (self.time_to is None or hhmm < self.time_to)
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.days_of_month:
            out["days_of_month"] = sorted(self.days_of_month)
        if self.weekdays:
            out["weekdays"] = sorted(self.weekdays)
        for k in ("date_from", "date_to", "time_from", "time_to"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], pid: str = "") -> PromoWindow:
        days = set()
        for v in _list(d, "days_of_month"):
            if not (isinstance(v, int) or str(v).isdigit()) or not 1 <= int(v) <= 31:
                raise _bad(pid, f"days_of_month are 1 to 31, not {v!r}", "每月日期须为 1 到 31")
            days.add(int(v))
        weekdays = set()
        for v in _list(d, "weekdays"):
            w = _WEEKDAYS.get(str(v).lower()[:3]) if not str(v).isdigit() else int(v)
            if w is None or not 1 <= w <= 7:
                raise _bad(
                    pid, f"weekdays are 1–7 (Monday is 1) or mon…sun, not {v!r}", "星期须为 1–7"
                )
            weekdays.add(w)
        dates: dict[str, str | None] = {}
        for k in ("date_from", "date_to"):
            v = d.get(k)
            if v:
                try:
                    dates[k] = date.fromisoformat(str(v)).isoformat()
                except ValueError as err:
                    raise _bad(
                        pid, f"{k} is a date like 2026-12-18, not {v!r}", f"{k} 须为日期"
                    ) from err
            else:
                dates[k] = None
        times: dict[str, str | None] = {}
        for k in ("time_from", "time_to"):
            v = d.get(k)
            if v and not _HHMM.fullmatch(str(v)):
                raise _bad(pid, f"{k} is a time like 10:00, not {v!r}", f"{k} 须为时间（如 10:00）")
            times[k] = str(v) if v else None
        if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
            raise _bad(pid, "date_from is after date_to", "开始日期晚于结束日期")
        if times["time_from"] and times["time_to"] and times["time_from"] >= times["time_to"]:
            raise _bad(pid, "time_from must be before time_to", "开始时间须早于结束时间")
        return cls(
            frozenset(days),
            frozenset(weekdays),
            dates["date_from"],
            dates["date_to"],
            times["time_from"],
            times["time_to"],
        )


@dataclass(frozen=True, slots=True)
class PromoAudience:
    """Empty sets: everyone.  Tiers and segments are of members only."""

    tiers: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    stores: frozenset[str] = frozenset()

    @property
    def everyone(self) -> bool:
        return not (self.tiers or self.segments or self.stores)

    def as_dict(self) -> dict[str, Any]:
        return {
            k: sorted(getattr(self, k)) for k in ("tiers", "segments", "stores") if getattr(self, k)
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PromoAudience:
        return cls(_strs(d, "tiers"), _strs(d, "segments"), _strs(d, "stores"))


@dataclass(frozen=True, slots=True)
class PricingContext:
    """Where and when a basket is priced, and which of the published segments the member is
    in (the till looks the member up in what the cloud published)."""

    now: datetime  # the injected clock's instant, aware
    tz: str  # the store's time zone
    store_id: str
    segments: frozenset[str] = frozenset()

    def local(self) -> datetime:
        return self.now.astimezone(zone(self.tz))


def promo_open(
    window: PromoWindow,
    audience: PromoAudience,
    ctx: PricingContext | None,
    *,
    is_member: bool,
    tier: str | None,
) -> bool:
    """Whether a promotion with this window and audience applies.  Without a context (a
    caller that gives no clock or store) only an unrestricted promotion does."""
    if ctx is None:
        return window.always and audience.everyone
    if not window.open_at(ctx.local()):
        return False
    if audience.stores and ctx.store_id not in audience.stores:
        return False
    if audience.tiers and not (is_member and tier in audience.tiers):
        return False
    return not audience.segments or (is_member and bool(audience.segments & ctx.segments))
