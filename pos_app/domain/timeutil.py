"""Times on the wire are RFC 3339 UTC with a trailing Z; the business day is the store's
local calendar day when the shift opened (zoneinfo, no DST assumptions)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidInput

DEFAULT_TZ = "Asia/Shanghai"


def iso_utc(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: the till's clock must be timezone-aware")
    # isoformat, not strftime: the same text for years 1000-9999 at half the cost (it
    # stamps every sale, event and journal entry)
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_iso(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise InvalidInput(
            f"Unknown time zone “{name}”: use an IANA name such as Asia/Shanghai",
            f"未知时区“{name}”，请使用如 Asia/Shanghai 的时区名",
        ) from err


def local_day(dt: datetime, tz: str = DEFAULT_TZ) -> str:
    return dt.astimezone(zone(tz)).strftime("%Y-%m-%d")


def local_hour(iso: str, tz: str = DEFAULT_TZ) -> int:
    return parse_iso(iso).astimezone(zone(tz)).hour
