"""A generated chain of members with known net spend, written straight into the cloud's
tables (the 631 tier tests and benchmarks/bench_tiers.py).

Member i is `m{i:07d}` (phone 139{i:08d}).  Its purchases in the window add up to
`spends[i]`: one sale, and for every 7th member a sale of 1 000 fen more and a refund of
1 000 fen; every 5th member also has a large sale before the window, which must not count."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

OLD_AT = "2020-01-01T00:00:00Z"  # before any window the tests use


def member_id(i: int) -> str:
    return f"m{i:07d}"


def _members(n: int, at: str) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        yield (member_id(i), f"139{i:08d}", "", "ordinary", 0, "{}", at, at)


def _purchases(spends: Sequence[int], at: str, tag: str) -> Iterator[tuple[Any, ...]]:
    for i, spend in enumerate(spends):
        mid = member_id(i)
        if i % 7 == 3:
            yield (f"{tag}s{i}", mid, "sale.completed", spend + 1000, at)
            yield (f"{tag}r{i}", mid, "refund.completed", -1000, at)
        elif spend:
            yield (f"{tag}s{i}", mid, "sale.completed", spend, at)
        if i % 5 == 0:
            yield (f"{tag}o{i}", mid, "sale.completed", 10**9, OLD_AT)


def seed_chain(db: Any, spends: Sequence[int], at: str) -> None:
    """Members 0..len(spends)-1 with their purchases at `at` (RFC 3339 UTC, seconds)."""
    members = _members(len(spends), at)
    purchases = _purchases(spends, at, "e")
    with db.tx() as tx:
        if tx.dialect == "postgres":
            # COPY: a million rows in seconds (the seeding is not what is measured)
            conn = tx._conn
            with conn.cursor() as cur:
                cols = "id, phone, name, tier, points, data, created_at, updated_at"
                with cur.copy(f"COPY members({cols}) FROM STDIN") as cp:
                    for row in members:
                        cp.write_row(row)
                cols = "event_id, member_id, kind, total_fen, at"
                with cur.copy(f"COPY member_purchases({cols}) FROM STDIN") as cp:
                    for row in purchases:
                        cp.write_row(row)
            tx.execute("ANALYZE members")
            tx.execute("ANALYZE member_purchases")
            return
        tx.executemany(
            "INSERT INTO members(id, phone, name, tier, points, data, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            list(members),
        )
        tx.executemany(
            "INSERT INTO member_purchases(event_id, member_id, kind, total_fen, at) "
            "VALUES (?, ?, ?, ?, ?)",
            list(purchases),
        )


def add_purchase(db: Any, event_id: str, i: int, total_fen: int, at: str) -> None:
    kind = "refund.completed" if total_fen < 0 else "sale.completed"
    with db.tx() as tx:
        tx.execute(
            "INSERT INTO member_purchases(event_id, member_id, kind, total_fen, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (event_id, member_id(i), kind, total_fen, at),
        )


def tiers_of(db: Any) -> dict[str, str]:
    with db.tx() as tx:
        return {r[0]: r[1] for r in tx.execute("SELECT id, tier FROM members").fetchall()}
