"""Time-ordered ids (pos_app/domain/ids.py) made by several threads at once (the database
thread, the UI's and the relay's) are all distinct, and each thread's grow."""

from __future__ import annotations

import itertools
import threading

from pos_app.domain.ids import TimeOrderedIds


def test_ids_from_many_threads_are_distinct_and_each_threads_grow() -> None:
    ids = TimeOrderedIds()
    made: dict[int, list[str]] = {}

    def make(n: int) -> None:
        made[n] = [ids.new() for _ in range(5000)]

    threads = [threading.Thread(target=make, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [x for run in made.values() for x in run]
    assert len(every) == 20000 and len(set(every)) == 20000
    for run in made.values():
        assert all(b > a for a, b in itertools.pairwise(run))
