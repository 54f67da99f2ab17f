"""The funnel's period read as months and day ranges (cloud/console/funnel_facts.pieces): a
month mostly covered is its month row less the days left out; every day of the period is
counted exactly once, whatever the period."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from cloud.console.funnel_facts import pieces


def days_counted(start: str, end: str) -> Counter[date]:
    ranges, months = pieces(start, end)
    out: Counter[date] = Counter()
    for month in months:
        d = date.fromisoformat(month + "-01")
        while d.isoformat()[:7] == month:
            out[d] += 1
            d += timedelta(days=1)
    for a, b, sign in ranges:
        d = date.fromisoformat(a)
        while d <= date.fromisoformat(b):
            out[d] += sign
            d += timedelta(days=1)
    return Counter({d: n for d, n in out.items() if n})  # a day taken away nets to none


def test_every_day_of_any_period_counts_once() -> None:
    base = date(2025, 12, 1)
    for lo in range(0, 400, 13):
        for length in (0, 1, 6, 20, 27, 40, 95, 364, 365):
            a, b = base + timedelta(days=lo), base + timedelta(days=lo + length)
            want = Counter(a + timedelta(days=i) for i in range(length + 1))
            assert days_counted(a.isoformat(), b.isoformat()) == want, (a, b)


def test_a_year_reads_its_long_end_as_a_month_less_a_week() -> None:
    ranges, months = pieces("2025-12-08", "2026-12-07")
    assert months == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert ranges == [("2025-12-01", "2025-12-07", -1), ("2026-12-01", "2026-12-07", 1)]
