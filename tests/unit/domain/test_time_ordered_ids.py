"""Record ids that grow with time (pos_app/domain/ids.py): UUIDv7 in the text form the sync
protocol requires, growing in the order they were made within a millisecond and across."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from pos_app.domain.ids import TimeOrderedIds, compose, time_ordered_id
from pos_app.domain.ports import ManualClock

START = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
MS = int(START.timestamp() * 1000)


def test_an_id_is_a_version_7_uuid_whose_time_is_the_clocks() -> None:
    text = TimeOrderedIds(ManualClock(START)).new()
    u = uuid.UUID(text)
    assert str(u) == text and len(text) == 36
    assert u.version == 7 and u.variant == uuid.RFC_4122
    assert u.int >> 80 == MS


def test_ids_made_in_one_millisecond_grow_in_the_order_they_were_made() -> None:
    ids = TimeOrderedIds(ManualClock(START))
    made = [uuid.UUID(ids.new()) for _ in range(1000)]
    assert all(b.int > a.int for a, b in itertools.pairwise(made))
    assert {u.int >> 80 for u in made} == {MS}
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in made)


def test_a_later_millisecond_sorts_after_and_the_text_sorts_as_the_ids() -> None:
    clock = ManualClock(START)
    ids = TimeOrderedIds(clock)
    made = []
    for _ in range(300):
        made += [ids.new(), ids.new()]
        clock.advance(milliseconds=1)
    # what a TEXT primary key compares
    assert made == sorted(made) and len(set(made)) == len(made)
    assert uuid.UUID(made[-1]).int >> 80 == MS + 299


def test_two_makers_differ_in_their_random_bits() -> None:
    a = TimeOrderedIds(ManualClock(START), seed=bytes(10))
    b = TimeOrderedIds(ManualClock(START), seed=b"\xff" * 10)
    assert {a.new() for _ in range(100)}.isdisjoint({b.new() for _ in range(100)})
    assert TimeOrderedIds(ManualClock(START), seed=bytes(10)).new() == compose(MS, 0, 0)


def test_a_clock_stepped_back_makes_smaller_ids_never_the_same_id() -> None:
    clock = ManualClock(START)
    ids = TimeOrderedIds(clock)
    first = [ids.new() for _ in range(10)]
    clock.advance(seconds=-3600)
    later = [ids.new() for _ in range(10)]
    assert set(first).isdisjoint(later) and later == sorted(later)
    assert uuid.UUID(later[0]).int >> 80 == int((START - timedelta(hours=1)).timestamp() * 1000)


def test_the_process_maker_reads_the_wall_clock() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    u = uuid.UUID(time_ordered_id())
    assert u.version == 7 and before <= u.int >> 80 <= before + 60_000
