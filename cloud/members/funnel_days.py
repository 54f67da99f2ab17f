"""The e-receipt funnel per store, associate and business day (`guitai cloud funnel`):

printed → opened → followed → joined → came back and bought again within 90 days.

- printed: the genuine sales that synced (`sale.completed`), on the store's business day;
- opened: `ereceipts_opened` counts unique visitors per receipt (funnel_opens: reloads are
  the same visitor, bots and altered tokens were never recorded), `receipts_opened` the
  receipts opened at least once;
- follows: receipts whose page or parametric QR code led to a follow (funnel_follows);
- joins: members enrolled that day, credited to the associate who enrolled them;
- returned_90d: printed receipts of a member who bought again (another sale, any store of
  the chain) within 90 days after it, with that money (`returned_fen`).

Counted from the rows themselves, not the running counters of funnel.py, so any window of
days can be asked for; money in fen, and in yuan (text) for people."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..db import Tx
from .rows import canonical

CHINA = timezone(timedelta(hours=8))  # a business day is the store's (China) date
RETURN_WINDOW = timedelta(days=90)

KINDS = (
    "receipts_printed",
    "ereceipts_opened",
    "receipts_opened",
    "follows",
    "joins",
    "returned_90d",
    "printed_fen",
    "returned_fen",
)

# A User-Agent that is a crawler, a link preview or a script, not a person's browser: its
# look at a receipt is not an open.  Plain HTTP libraries are left in (a till's own lookups
# and tests use them; a receipt page is reached only through its printed QR code anyway).
BOT_MARKERS = (
    "bot", "spider", "crawl", "slurp", "preview", "facebookexternalhit", "headlesschrome",
    "curl/", "wget/", "scrapy", "lighthouse", "pingdom", "uptime", "monitor",
)  # fmt: skip


def is_bot(user_agent: str) -> bool:
    ua = user_agent.strip().lower()
    return not ua or any(m in ua for m in BOT_MARKERS)


def _day(iso: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(CHINA).date().isoformat()


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def funnel_by_day(
    tx: Tx,
    store_id: str | None = None,
    associate: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
) -> list[dict[str, Any]]:
    """Rows {store_id, associate (None: none), day, and KINDS}, by day, store, associate."""
    lo, hi = (day_from or date.min).isoformat(), (day_to or date.max).isoformat()
    rows: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict.fromkeys(KINDS, 0).copy)

    def wanted(s: str, a: str, d: str) -> bool:
        return (
            (store_id is None or s == store_id)
            and (associate is None or a == associate)
            and lo <= d <= hi
        )

    # every sale (the 90-day return looks past the window), then the printed ones in it
    sales: list[dict[str, Any]] = []
    member_sales: dict[str, list[tuple[datetime, str, int]]] = defaultdict(list)
    for device_id, store, receipt_no, payload in tx.execute(
        "SELECT e.device_id, d.store_id, e.receipt_no, e.payload FROM events e "
        "JOIN devices d ON d.device_id = e.device_id "
        "WHERE e.type = 'sale.completed' AND e.status = 'accepted'"
    ).fetchall():
        p = json.loads(payload)
        at = str(p.get("completed_at") or "")
        if not at:
            continue
        member = str((p.get("member") or {}).get("id") or "")
        member = canonical(tx, member) if member else ""
        sale: dict[str, Any] = {
            "key": f"{device_id}:{receipt_no}",
            "store": str(store),
            "associate": str(p.get("associate") or ""),
            "day": str(p.get("business_day") or _day(at)),
            "at": _when(at),
            "sale_id": str(p.get("sale_id") or ""),
            "member": member,
            "total": int(p.get("total_fen") or 0),
        }
        sales.append(sale)
        if member:
            member_sales[member].append((sale["at"], sale["sale_id"], sale["total"]))

    opens: dict[str, int] = defaultdict(int)
    for key, n in tx.execute(
        "SELECT receipt_key, count(*) FROM funnel_opens GROUP BY receipt_key"
    ).fetchall():
        opens[str(key)] = int(n)
    follows = {
        str(k).removeprefix("receipt:")
        # the pattern as a parameter: psycopg reads a literal % in the SQL as a placeholder
        for (k,) in tx.execute(
            "SELECT follow_key FROM funnel_follows WHERE follow_key LIKE ?", ("receipt:%",)
        ).fetchall()
    }

    for s in sales:
        if not wanted(s["store"], s["associate"], s["day"]):
            continue
        r = rows[(s["day"], s["store"], s["associate"])]
        r["receipts_printed"] += 1
        r["printed_fen"] += s["total"]
        r["ereceipts_opened"] += opens.get(s["key"], 0)
        r["receipts_opened"] += 1 if opens.get(s["key"]) else 0
        r["follows"] += 1 if s["key"] in follows else 0
        if s["member"]:
            later = [
                total
                for at, sale_id, total in member_sales[s["member"]]
                if sale_id != s["sale_id"] and s["at"] < at <= s["at"] + RETURN_WINDOW
            ]
            if later:
                r["returned_90d"] += 1
                r["returned_fen"] += sum(later)

    for store, payload, occurred in tx.execute(
        "SELECT d.store_id, e.payload, e.occurred_at FROM events e "
        "JOIN devices d ON d.device_id = e.device_id "
        "WHERE e.type = 'member.enrolled' AND e.status = 'accepted'"
    ).fetchall():
        p = json.loads(payload)
        if not p.get("member_id") or not p.get("phone"):
            continue  # not a member the ledger booked (ledger._enrolled)
        a, d = str(p.get("associate") or ""), _day(str(occurred))
        if wanted(str(store), a, d):
            rows[(d, str(store), a)]["joins"] += 1

    return [
        {"day": d, "store_id": s, "associate": a or None} | counts
        for (d, s, a), counts in sorted(rows.items())
    ]
