"""The e-receipt funnel per store, business day and associate, kept exact in summary rows
(`console_funnel_day`, and by month in `console_funnel_month`), so /console/funnel reads a few
rows a store instead of walking the event log as `guitai cloud funnel` does
(cloud/members/funnel_days.py, whose figures these equal — a test compares them).

Each figure is added where its fact arrives, in that fact's own transaction:

- printed, joins: the ingest (a sale; a member enrolled, on the day it happened);
- opened, followed: the sale's ingest counts the opens and follows already recorded for its
  receipt, and an open or follow recorded later adds itself to its synced sale's row.  Both
  sides hold the till's device row (the ingest reads it FOR UPDATE), so one of the two always
  sees the other;
- bought again within 90 days: the returns of a member's sales depend on all of them, so a
  batch takes each of its members' sales (`console_funnel_sales`, the member sales only) and
  adds the difference the new sales make; a till's member id that becomes an alias of another
  member (the same phone) regroups both members' sales the same way (each sale keeps the
  member it is counted under, `grp`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..db import Tx
from .upsert import merge, upsert

CHINA = timezone(timedelta(hours=8))
RETURN_WINDOW = timedelta(days=90)
FIGURES = (
    "receipts_printed", "printed_fen", "ereceipts_opened", "receipts_opened", "follows",
    "joins", "returned_90d", "returned_fen",
)  # fmt: skip
SUMMARIES = ("console_funnel_day", "console_funnel_month", "console_funnel_sales")
Key = tuple[str, str, str]  # store, business day, associate ('' for none)

_COLS = ", ".join(FIGURES)
_DAY_UPSERT = (
    f"INSERT INTO console_funnel_day(store_id, business_day, associate, {_COLS}) "
    f"VALUES ({', '.join('?' * (3 + len(FIGURES)))}) "
    "ON CONFLICT(store_id, business_day, associate) DO UPDATE SET "
    + ", ".join(f"{f} = console_funnel_day.{f} + excluded.{f}" for f in FIGURES)
)
_MONTH_UPSERT = _DAY_UPSERT.replace("console_funnel_day", "console_funnel_month").replace(
    "business_day", "month"
)
_SALE_INSERT = (
    "INSERT INTO console_funnel_sales(receipt_key, member_id, grp, store_id, business_day, "
    "associate, at, sale_id, total_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)


def _day(iso: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(CHINA).date().isoformat()


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _total(p: Mapping[str, Any]) -> int:
    return int(p.get("total_fen") or 0)


class Deltas:
    """Figures to add, by key; written as one multi-row upsert a table."""

    def __init__(self) -> None:
        self.rows: dict[Key, list[int]] = defaultdict(lambda: [0] * len(FIGURES))

    def add(self, key: Key, **figures: int) -> None:
        row = self.rows[key]
        for name, n in figures.items():
            row[FIGURES.index(name)] += n

    def write(self, tx: Tx) -> None:
        day: list[tuple[Any, ...]] = sorted((*k, *v) for k, v in self.rows.items() if any(v))
        month = sorted(merge([(r[0], r[1][:7], *r[2:]) for r in day], 3))
        upsert(tx, _DAY_UPSERT, day)
        upsert(tx, _MONTH_UPSERT, month)


def returns(sales: Iterable[Sequence[Any]]) -> dict[Key, tuple[int, int]]:
    """(returned_90d, returned_fen) by key of one member's sales, given as (store, day,
    associate, at, sale_id, total): a sale counts when another of the member's sales came
    within 90 days after it, with those sales' money (funnel_days.py's rule)."""
    rows = sorted((_when(s[3]), str(s[4]), int(s[5]), (s[0], s[1], s[2])) for s in sales)
    out: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for at, sale_id, _, key in rows:
        later = [t for a, i, t, _ in rows if i != sale_id and at < a <= at + RETURN_WINDOW]
        if later:
            out[key][0] += 1
            out[key][1] += sum(later)
    return {k: (v[0], v[1]) for k, v in out.items()}


def _canonical(tx: Tx, raw: set[str]) -> dict[str, str]:
    marks = ", ".join("?" * len(raw))
    out = {r: r for r in raw}
    for alias, member in tx.execute(
        f"SELECT alias_id, member_id FROM member_aliases WHERE alias_id IN ({marks})", sorted(raw)
    ).fetchall():
        out[str(alias)] = str(member)
    return out


def _group_sales(tx: Tx, groups: set[str]) -> dict[str, list[tuple[Any, ...]]]:
    """The stored member sales of these groups (the member each was counted under), by
    group: (store, day, associate, at, sale id, total)."""
    marks = ", ".join("?" * len(groups))
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for grp, *sale in tx.execute(
        "SELECT grp, store_id, business_day, associate, at, sale_id, total_fen "
        f"FROM console_funnel_sales WHERE grp IN ({marks})",
        sorted(groups),
    ).fetchall():
        out[str(grp)].append(tuple(sale))
    return out


def _add_returns(deltas: Deltas, before: dict[Key, tuple[int, int]], after: dict[Key, Any]) -> None:
    for key in set(before) | set(after):
        b, a = before.get(key, (0, 0)), after.get(key, (0, 0))
        deltas.add(key, returned_90d=a[0] - b[0], returned_fen=a[1] - b[1])


def apply(
    tx: Tx, device_id: str, store_id: str, events: Sequence[Any], accepted: Iterable[str]
) -> None:
    """Add a batch's accepted sales and enrolments to the funnel's summaries."""
    ok = set(accepted)
    deltas = Deltas()
    sales: list[tuple[str, Key, dict[str, Any]]] = []  # receipt key, key, payload
    merged_ids: set[str] = set()
    for e in events:
        if not isinstance(e, dict) or e.get("id") not in ok:
            continue
        p = e.get("payload")
        if not isinstance(p, dict):
            continue
        if e.get("type") == "sale.completed":
            at = str(p.get("completed_at") or "")
            if not at:
                continue  # funnel_days.py counts no sale without its time
            key = (store_id, str(p.get("business_day") or _day(at)), str(p.get("associate") or ""))
            sales.append((f"{device_id}:{p.get('receipt_no')}", key, p))
            deltas.add(key, receipts_printed=1, printed_fen=_total(p))
        elif e.get("type") == "member.enrolled" and p.get("member_id") and p.get("phone"):
            when = _day(str(e.get("occurred_at")))
            deltas.add((store_id, when, str(p.get("associate") or "")), joins=1)
            merged_ids.add(str(p["member_id"]))
    if merged_ids:
        _regroup(tx, deltas, merged_ids)
    if sales:
        _opens_and_follows(tx, deltas, sales)
        _sale_returns(tx, deltas, sales)
    deltas.write(tx)


def _regroup(tx: Tx, deltas: Deltas, till_ids: set[str]) -> None:
    """A till's member id that is an alias of another member now (ledger.py, which runs
    first, made it one for the same phone): the sales counted under the id join the
    member's.  Each sale keeps the member it was counted under (grp), so an alias made
    before this batch has nothing left to move."""
    moved = {a: m for a, m in _canonical(tx, till_ids).items() if a != m}
    if not moved:
        return
    stored = _group_sales(tx, set(moved) | set(moved.values()))
    if not any(stored.get(a) for a in moved):
        return
    before: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for part in stored.values():
        for k, v in returns(part).items():
            before[k][0] += v[0]
            before[k][1] += v[1]
    merged: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for grp, part in stored.items():
        merged[moved.get(grp, grp)] += part
    after: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for part in merged.values():
        for k, v in returns(part).items():
            after[k][0] += v[0]
            after[k][1] += v[1]
    _add_returns(deltas, {k: (v[0], v[1]) for k, v in before.items()}, after)
    for alias, member in sorted(moved.items()):
        tx.execute("UPDATE console_funnel_sales SET grp = ? WHERE grp = ?", (member, alias))


def _opens_and_follows(tx: Tx, deltas: Deltas, sales: list[tuple[str, Key, Any]]) -> None:
    keys = [r for r, _, _ in sales]
    follow_keys = [f"receipt:{r}" for r in keys]
    # One round trip for both (a statement of its own each cost the push a round trip);
    # PostgreSQL: arrays, so the statement's text is the same for every batch and prepared.
    params: list[Any]
    if tx.dialect == "postgres":
        matches, params = "= ANY(?::text[])", [keys, follow_keys]
    else:
        matches, params = f"IN ({', '.join('?' * len(keys))})", [*keys, *follow_keys]
    opens: dict[str, int] = {}
    follows: set[str] = set()
    sql = (
        f"SELECT 'o', receipt_key, COUNT(*) FROM funnel_opens WHERE receipt_key {matches} "
        "GROUP BY receipt_key UNION ALL "
        f"SELECT 'f', follow_key, 0 FROM funnel_follows WHERE follow_key {matches}"
    )
    found = (
        tx.execute(sql, params, binary=True)
        if tx.dialect == "postgres"
        else tx.execute(sql, params)
    )
    for kind, key, n in found.fetchall():
        if kind == "o":
            opens[str(key)] = int(n)
        else:
            follows.add(str(key).removeprefix("receipt:"))
    for receipt, key, _ in sales:
        n = opens.get(receipt, 0)
        if n or receipt in follows:
            deltas.add(
                key,
                ereceipts_opened=n,
                receipts_opened=1 if n else 0,
                follows=1 if receipt in follows else 0,
            )


def _sale_returns(tx: Tx, deltas: Deltas, sales: list[tuple[str, Key, Any]]) -> None:
    mine = [(r, k, p, str((p.get("member") or {}).get("id") or "")) for r, k, p in sales]
    mine = [s for s in mine if s[3]]
    if not mine:
        return
    canon = _canonical(tx, {s[3] for s in mine})
    stored = _group_sales(tx, set(canon.values()))
    new: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    rows = []
    for receipt, key, p, raw in mine:
        sale = (*key, str(p["completed_at"]), str(p.get("sale_id") or ""), _total(p))
        new[canon[raw]].append(sale)
        rows.append((receipt, raw, canon[raw], *sale))
    for member, added in new.items():
        old = stored.get(member, [])
        _add_returns(deltas, returns(old), returns(old + added))
    upsert(tx, _SALE_INSERT, rows)


def _receipt_sale(tx: Tx, device_id: str, receipt_no: int) -> Key | None:
    """The key of a synced sale's receipt, after waiting for the till's batch in flight."""
    tx.lock_device(device_id)
    row = tx.execute(
        "SELECT d.store_id, e.payload FROM events e JOIN devices d ON d.device_id = e.device_id "
        "WHERE e.device_id = ? AND e.receipt_no = ? AND e.type = 'sale.completed' "
        "AND e.status = 'accepted'",
        (device_id, receipt_no),
    ).fetchone()
    if row is None:
        return None  # the sale's ingest will count it
    p = json.loads(row[1])
    at = str(p.get("completed_at") or "")
    if not at:
        return None
    return (str(row[0]), str(p.get("business_day") or _day(at)), str(p.get("associate") or ""))


def sale_key(store_id: str, payload: Mapping[str, Any]) -> Key | None:
    """The summary key of a synced sale's payload (None without its completion time)."""
    at = str(payload.get("completed_at") or "")
    if not at:
        return None
    return (
        store_id,
        str(payload.get("business_day") or _day(at)),
        str(payload.get("associate") or ""),
    )


def opened_upserts_pg() -> str:
    """The day and month rows of one new open (what `opened` writes for a synced sale), as
    two data-modifying CTEs for the e-receipt page's one funnel statement on PostgreSQL
    (members/funnel.py): they read `fresh` (the open's insert, a row only when the visitor is
    new) and `prior` (how many visitors had opened the receipt before), and take the key's
    three parameters each, day then month.  A statement a table cost the page a round trip
    each."""
    ctes = []
    for table, period in (
        ("console_funnel_day", "business_day"),
        ("console_funnel_month", "month"),
    ):
        ctes.append(
            f"{table} AS (INSERT INTO {table}(store_id, {period}, associate, "
            "ereceipts_opened, receipts_opened) "
            "SELECT ?, ?, ?, 1, CASE WHEN prior.n = 0 THEN 1 ELSE 0 END FROM fresh, prior "
            f"ON CONFLICT(store_id, {period}, associate) DO UPDATE SET "
            f"ereceipts_opened = {table}.ereceipts_opened + excluded.ereceipts_opened, "
            f"receipts_opened = {table}.receipts_opened + excluded.receipts_opened)"
        )
    return ", ".join(ctes)


def opened_key_params(key: Key) -> tuple[str, ...]:
    """The parameters of `opened_upserts_pg` for a sale's summary key: day, then month."""
    store, day, associate = key
    return (store, day, associate, store, day[:7], associate)


def opened(
    tx: Tx, device_id: str, receipt_no: int, *, key: Key | None = None, first: bool | None = None
) -> None:
    """A new visitor's open of a receipt was recorded (funnel.py, in the same transaction).

    `key` (and `first`: no other visitor had opened it) when the page had already read the
    synced sale: its ingest has committed, so no batch in flight can count this open and there
    is nothing to wait for or read again.  Without them the sale is looked up after waiting for
    the till's batch in flight (the sale's ingest counts the opens it finds)."""
    if key is None:
        key, first = _receipt_sale(tx, device_id, receipt_no), None
        if key is None:
            return
    if first is None:
        (n,) = tx.execute(
            "SELECT COUNT(*) FROM funnel_opens WHERE receipt_key = ?",
            (f"{device_id}:{receipt_no}",),
        ).fetchone()
        first = int(n) == 1
    deltas = Deltas()
    deltas.add(key, ereceipts_opened=1, receipts_opened=1 if first else 0)
    deltas.write(tx)


def followed(tx: Tx, follow_key: str) -> None:
    """A receipt's follow was recorded (funnel.py, in the same transaction)."""
    device_id, _, receipt_no = follow_key.removeprefix("receipt:").rpartition(":")
    if not follow_key.startswith("receipt:") or not receipt_no.isdigit():
        return
    key = _receipt_sale(tx, device_id, int(receipt_no))
    if key is not None:
        deltas = Deltas()
        deltas.add(key, follows=1)
        deltas.write(tx)


def rebuild_days(tx: Tx) -> None:
    """The day and month rows made again as `guitai cloud funnel` counts them (facts.rebuild,
    after the member sales are in place)."""
    from ..members.funnel_days import funnel_by_day

    tx.execute("DELETE FROM console_funnel_day")
    tx.execute("DELETE FROM console_funnel_month")
    deltas = Deltas()
    for r in funnel_by_day(tx):
        deltas.add(
            (str(r["store_id"]), str(r["day"]), str(r["associate"] or "")),
            **{f: int(r[f]) for f in FIGURES},
        )
    deltas.write(tx)


def pieces(start: str, end: str) -> tuple[list[tuple[str, str, int]], list[str]]:
    """The period as day ranges, each added (+1) or taken away (-1), and whole months: a
    month mostly covered is read as its month row less the days it leaves out, which reads
    fewer rows than the days it covers."""
    lo, hi = date.fromisoformat(start), date.fromisoformat(end)
    days: list[tuple[str, str, int]] = []
    months: list[str] = []
    first = lo.replace(day=1)
    while first <= hi:
        nxt = (first + timedelta(days=32)).replace(day=1)
        last = nxt - timedelta(days=1)
        a, b = max(lo, first), min(hi, last)
        if (a, b) == (first, last):
            months.append(first.isoformat()[:7])
        elif (b - a).days + 1 <= (last - first).days + 1 - ((b - a).days + 1):
            days.append((a.isoformat(), b.isoformat(), 1))
        else:
            months.append(first.isoformat()[:7])
            if a > first:
                days.append((first.isoformat(), (a - timedelta(days=1)).isoformat(), -1))
            if b < last:
                days.append(((b + timedelta(days=1)).isoformat(), last.isoformat(), -1))
        first = nxt
    return days, months


def grouped(tx: Tx, start: str, end: str, stores: Sequence[str] | None) -> list[dict[str, Any]]:
    """The funnel per store and associate over [start, end] (pieces: months from the month
    rows, the rest by day)."""
    where, args = "", []
    if stores is not None:
        if not stores:
            return []
        where = f" AND store_id IN ({', '.join('?' * len(stores))})"
        args = list(stores)
    days, months = pieces(start, end)
    sums = ", ".join(f"SUM({f})" for f in FIGURES)
    less = ", ".join(f"-{f} AS {f}" for f in FIGURES)
    parts, params = [], []
    for a, b, sign in days:
        parts.append(
            f"SELECT store_id, associate, {_COLS if sign > 0 else less} FROM console_funnel_day "
            f"WHERE business_day BETWEEN ? AND ?{where}"
        )
        params += [a, b, *args]
    if months:
        parts.append(
            f"SELECT store_id, associate, {_COLS} FROM console_funnel_month "
            f"WHERE month IN ({', '.join('?' * len(months))}){where}"
        )
        params += [*months, *args]
    rows = tx.execute(
        f"SELECT store_id, associate, {sums} FROM ({' UNION ALL '.join(parts)}) u "
        "GROUP BY store_id, associate ORDER BY store_id, associate",
        params,
    ).fetchall()
    return [
        {"store_id": str(r[0]), "associate": str(r[1]) or None}
        | {f: int(v or 0) for f, v in zip(FIGURES, r[2:], strict=True)}
        for r in rows
        if any(r[2:])  # a store and associate with nothing in the period
    ]
