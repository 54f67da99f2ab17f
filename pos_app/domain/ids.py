"""Record ids that grow with time: UUID version 7 (RFC 9562, section 5.7).

A sale's id, a refund's and an outbox event's id are keys of B-trees that a sale's COMMIT
writes (sales, journal.ref_id, payments, sale_lines, outbox.id).  A random id (version 4)
lands on a random leaf of each: a page the COMMIT adds to the WAL that is seldom the one the
previous sale wrote, and now and then a leaf split in the middle of the tree inside a sale.
Ids that grow put each new key on the page the previous sale wrote (issue 17; the figures
are in docs/proof.md).  They stay UUIDs in the 36-character text form the sync protocol and
the cloud require, which accept any version.

The time in an id only orders keys; it is never read back as the time of anything (a sale
carries its own completed_at), so the default maker reads the wall clock (ports.SystemClock)
rather than the business clock a test may freeze.  Below the millisecond an id holds 74 bits
drawn once per maker plus a counter (RFC 9562 section 6.2, method 1): ids of one millisecond
grow in the order they were made, ids of two makers (two tills, two runs) differ in those
random bits, and `itertools.count` hands each thread its own number without a lock.  A wall
clock stepped back makes smaller ids for a while, still distinct.
"""

from __future__ import annotations

import itertools
import os

from .ports import Clock, SystemClock

_RAND_A_BITS = 12
_RAND_B_BITS = 62
# The counter is added to 61 random bits so that it never carries into rand_a (2**61 ids).
_START_BITS = 61
_VERSION = 0x7
_VARIANT = 0b10


def compose(unix_ms: int, rand_a: int, rand_b: int) -> str:
    """The text form of the UUIDv7 with these fields (what the tables and events hold)."""
    value = (
        ((unix_ms & ((1 << 48) - 1)) << 80)
        | (_VERSION << 76)
        | ((rand_a & ((1 << _RAND_A_BITS) - 1)) << 64)
        | (_VARIANT << 62)
        | (rand_b & ((1 << _RAND_B_BITS) - 1))
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class TimeOrderedIds:
    """Makes UUIDv7 ids in text form; one maker per process (see the module's docstring)."""

    def __init__(self, clock: Clock | None = None, seed: bytes | None = None) -> None:
        self._clock = clock or SystemClock()
        drawn = int.from_bytes(seed if seed is not None else os.urandom(10), "big")
        self._rand_a = drawn >> (80 - _RAND_A_BITS)
        self._start = drawn & ((1 << _START_BITS) - 1)
        self._count = itertools.count()

    def new(self) -> str:
        unix_ms = int(self._clock.now().timestamp() * 1000)
        return compose(unix_ms, self._rand_a, self._start + next(self._count))


_maker = TimeOrderedIds()


def time_ordered_id() -> str:
    """A new id from this process's maker."""
    return _maker.new()
