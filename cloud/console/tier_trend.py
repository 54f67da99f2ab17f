"""The members page's tier distribution (631) over time: how many members were core,
potential and ordinary at each of the last 12 month ends (the brand's calendar, Asia/Shanghai)
and now, from the tier recompute's history (cloud/tiers/recompute.py).

A member's tier at an instant is the `to_tier` of their last tier_history row before it, else
the `from_tier` of their first row after it (the tier they joined with), else members.tier (never
moved).  The recompute is the only writer of members.tier after a member is made, and writes
each row's `from_tier` as the tier the member had, so every member's rows chain onto their
current tier: the tier at an instant is today's tier with the later moves undone.  That makes
the whole table two grouped reads (members by tier and join month; moves by month and join
month), never a look-up per member and month.  A member counts from the month they joined;
a store manager sees the members whose home store (the store they joined at,
members.data.store_id) is theirs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..db import Tx
from ..tiers.ranking import TIERS
from .layout import esc

BRAND_TZ = ZoneInfo("Asia/Shanghai")
MONTHS = 12


@dataclass(frozen=True)
class TierTrend:
    labels: list[str]  # "2026-01" … "2026-12" (each month's end), then "now"
    tiers: list[str]  # core, potential, ordinary, then any other tier a member holds
    counts: list[dict[str, int]]  # per label


def month_ends(now: datetime, months: int = MONTHS) -> list[tuple[str, str]]:
    """(month, the instant it ends as UTC text without its zone suffix) for the `months`
    months before the current one.  Compared with `<` against the cloud's ISO texts
    ("…T16:00:00Z", "…T16:00:00.5Z"), the suffix-free bound puts every instant of the next
    month at or after it."""
    local = now.astimezone(BRAND_TZ)
    y, m = local.year, local.month
    out = []
    for back in range(months, 0, -1):
        k = (y * 12 + m - 1) - back
        start_next = datetime((k + 1) // 12, (k + 1) % 12 + 1, 1, tzinfo=BRAND_TZ)
        cut = start_next.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        out.append((f"{k // 12:04d}-{k % 12 + 1:02d}", cut))
    return out


def _bucket(col: str, n: int) -> str:
    """The index of the first month end after `col`, or n (the current month)."""
    return "CASE " + " ".join(f"WHEN {col} < ? THEN {i}" for i in range(n)) + f" ELSE {n} END"


def _scope(tx: Tx, stores: frozenset[str] | None) -> tuple[str, list[str]]:
    if stores is None:
        return "", []
    if not stores:
        return " AND 1 = 0", []
    home = "(m.data::json ->> 'store_id')" if tx.dialect == "postgres" else (
        "json_extract(m.data, '$.store_id')"
    )  # fmt: skip
    return f" AND {home} IN ({', '.join('?' * len(stores))})", sorted(stores)


def tier_trend(tx: Tx, now: datetime, stores: frozenset[str] | None = None) -> TierTrend:
    """`stores`: None for head office (every member), else the manager's stores."""
    ends = month_ends(now)
    n = len(ends)
    cuts = [c for _, c in ends]
    where, args = _scope(tx, stores)
    joined: dict[int, Counter[str]] = {}  # join bucket → current tiers
    for tier, b, c in tx.execute(
        f"SELECT m.tier, {_bucket('m.created_at', n)}, COUNT(*) FROM members m "
        f"WHERE 1 = 1{where} GROUP BY 1, 2",
        (*cuts, *args),
    ).fetchall():
        joined.setdefault(int(b), Counter())[str(tier)] += int(c)
    moves = tx.execute(
        f"SELECT h.from_tier, h.to_tier, {_bucket('h.at', n)}, {_bucket('m.created_at', n)}, "
        "COUNT(*) FROM tier_history h JOIN members m ON m.id = h.member_id "
        f"WHERE h.at >= ?{where} GROUP BY 1, 2, 3, 4",
        (*cuts, *cuts, cuts[0], *args),
    ).fetchall()
    counts: list[dict[str, int]] = []
    for i in range(n):
        at = Counter[str]()
        for b, held in joined.items():
            if b <= i:
                at.update(held)
        for from_tier, to_tier, moved_b, joined_b, c in moves:
            if int(moved_b) > i and int(joined_b) <= i:  # moved after this month's end: undo
                at[str(to_tier)] -= int(c)
                at[str(from_tier)] += int(c)
        counts.append(dict(at))
    current = Counter[str]()
    for held in joined.values():
        current.update(held)
    counts.append(dict(current))
    seen = {t for c in counts for t, k in c.items() if k}
    tiers = [*TIERS, *sorted(seen - set(TIERS))]
    return TierTrend(
        [m for m, _ in ends] + ["now"], tiers, [{t: c.get(t, 0) for t in tiers} for c in counts]
    )


TIER_NAMES = {"core": "核心 core", "potential": "潜力 potential", "ordinary": "普通 ordinary"}
# each tier its own pattern as well as its shade: the chart reads in greyscale and print
_FILLS = ("#1f3b73", "url(#tier-hatch)", "url(#tier-dots)", "#b9c3d6", "url(#tier-cross)")
_PATTERNS = (
    '<pattern id="tier-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#dde4f2"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#3b5b9a" stroke-width="3"/></pattern>'
    '<pattern id="tier-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1" fill="#3b5b9a"/>'
    "</pattern>"
    '<pattern id="tier-cross" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#fff"/><path d="M0 0L6 6M6 0L0 6" stroke="#3b5b9a"/>'
    "</pattern>"
)


def tier_name(tier: str) -> str:
    return TIER_NAMES.get(tier, tier)


def tier_chart(trend: TierTrend) -> str:
    """One stacked bar per month end, a pattern per tier (in the legend too), and each
    month's figures written beside its bar: readable without colour."""
    fills = {t: _FILLS[min(i, len(_FILLS) - 1)] for i, t in enumerate(trend.tiers)}
    row_h, label_w, bar_w, text_w = 22, 70, 300, 330
    top = max((sum(c.values()) for c in trend.counts), default=0) or 1
    legend_h = 26
    height = legend_h + row_h * len(trend.labels) + 6
    width = label_w + bar_w + text_w
    title = "会员等级分布（月末）Tier distribution at each month end"
    parts = [
        f'<svg role="img" aria-label="{esc(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg" '
        f'id="tier-trend-chart"><title>{esc(title)}</title><defs>{_PATTERNS}</defs>'
    ]
    x = label_w
    for t in trend.tiers:
        parts.append(
            f'<rect x="{x}" y="4" width="16" height="14" fill="{fills[t]}" stroke="#1f3b73"/>'
            f'<text x="{x + 20}" y="16">{esc(tier_name(t))}</text>'
        )
        x += 30 + 9 * len(tier_name(t))
    for i, (label, counts) in enumerate(zip(trend.labels, trend.counts, strict=True)):
        y = legend_h + i * row_h
        shown = "现在 now" if label == "now" else label
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{esc(shown)}</text>')
        x = label_w
        for t in trend.tiers:
            w = round(bar_w * counts[t] / top)
            if w:
                parts.append(
                    f'<rect x="{x}" y="{y + 3}" width="{w}" height="{row_h - 6}" '
                    f'fill="{fills[t]}" stroke="#1f3b73"><title>{esc(label)} '
                    f"{esc(tier_name(t))}: {counts[t]:,}</title></rect>"
                )
            x += w
        figures = " · ".join(f"{t} {counts[t]:,}" for t in trend.tiers)
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 15}">{esc(figures)}</text>')
    parts.append("</svg>")
    return "".join(parts)
