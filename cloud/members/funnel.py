"""The e-receipt funnel the brand watches: receipts printed, e-receipt pages opened, follows of
the official account and membership joins, per store and associate.

A follow is counted once per receipt (`receipt:<device>:<receipt_no>`), whether the customer
tapped the page's button or WeChat told us the account was followed from the receipt's
parametric QR code; a follow from a store's or associate's QR code (no receipt) is counted
once per WeChat user (`openid:<openid>`).  Only a genuine receipt counts (a forged or
altered token is not a receipt the store printed), and an e-receipt page view counts once
per receipt and visitor (`funnel_opens`; the visitor is app.visitor_of's first-party
cookie).  `funnel_follows` keeps each counted follow with the member and WeChat user it
links, so the brand can join them later.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from ..common import ApiError, _now_iso
from ..console import funnel_facts
from ..db import CloudDB, Tx
from .followers import mark_following, mark_unfollowed
from .funnel_days import funnel_by_day
from .rows import canonical, count

FUNNEL_KINDS = ("receipts_printed", "ereceipts_opened", "follows", "joins")

RECEIPT_SCENE = "r"  # r.<key id hex>.<receipt no>: the e-receipt's parametric QR code
PLACE_SCENE = "s"  # s.<id>: a store's or associate's QR code (wechat_scenes)


def receipt_scene(key_id_hex: str, receipt_no: int) -> str:
    """The scene string of a receipt's parametric QR code (WeChat allows 1–64 characters)."""
    return f"{RECEIPT_SCENE}.{key_id_hex}.{receipt_no}"


class ReceiptLookup(Protocol):
    """The synced receipts a follow is attributed by (cloud.receipt_lookup.SyncedReceipts)."""

    def device_by_key_id(self, key_id_hex: str) -> dict[str, Any] | None: ...
    def synced_receipt(self, device_id: str, receipt_no: int) -> dict[str, Any] | None: ...


class Funnel:
    def __init__(self, db: CloudDB, now: Callable[[], datetime], receipts: ReceiptLookup) -> None:
        self.db = db
        self.now = now
        self.receipts = receipts

    def open_receipt(
        self,
        tx: Tx,
        device: dict[str, Any],
        receipt_no: int,
        associate: str,
        visitor: str,
        sale: Mapping[str, Any] | None = None,
    ) -> None:
        """A genuine e-receipt's page was shown to `visitor` (app.visitor_of): counted once
        per receipt and visitor, so reloads and a second look are not new opens.  In the
        page's own transaction, which writes nothing else.  `sale`: the synced sale's payload
        when the page read it (the console's summary then needs no second look-up)."""
        store_id = str(device["store_id"])
        key = None if sale is None else funnel_facts.sale_key(store_id, sale)
        opened = (
            f"{device['device_id']}:{receipt_no}",
            visitor,
            store_id,
            associate,
            _now_iso(self.now()),
        )
        if tx.dialect == "postgres":
            # The page does not wait for the WAL flush of a count (set_config(…, true): SET
            # LOCAL, without a round trip of its own): a crash of the database may lose the
            # opens of its last moments (at most 3 × wal_writer_delay, 600 ms by default), a
            # statistic, never a sale or a ledger entry: nothing else is written in this
            # transaction.  The open and, only when it is new, its count and the console's
            # day and month rows: one statement (one round trip); `prior`, whether another
            # visitor opened it before, does not see the statement's own insert (one
            # snapshot).  Exact under several workers: the open's key is unique, so of two
            # concurrent inserts of one open only one returns a row and counts.
            summaries = ""
            summary_args: tuple[str, ...] = ()
            if key is not None:
                summaries = ", " + funnel_facts.opened_upserts_pg()
                summary_args = funnel_facts.opened_key_params(key)
            new, _ = tx.execute(
                "WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)), "
                "fresh AS (INSERT INTO funnel_opens(receipt_key, visitor, store_id, "
                "associate, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1), "
                "prior AS (SELECT COUNT(*) AS n FROM funnel_opens WHERE receipt_key = ?), "
                "counted AS (INSERT INTO funnel(store_id, associate, kind, n) "
                "SELECT ?, ?, 'ereceipts_opened', 1 FROM fresh "
                "ON CONFLICT(store_id, associate, kind) DO UPDATE SET n = funnel.n + excluded.n)"
                f"{summaries} "
                "SELECT (SELECT COUNT(*) FROM fresh), (SELECT COUNT(*) FROM quick)",
                (*opened, opened[0], store_id, associate, *summary_args),
            ).fetchone()
            if new and key is None:  # the sale is not synced yet: funnel_facts waits for it
                funnel_facts.opened(tx, str(device["device_id"]), receipt_no)
            return
        fresh = tx.execute(
            "INSERT INTO funnel_opens(receipt_key, visitor, store_id, associate, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            opened,
        ).rowcount
        if fresh:
            count(tx, store_id, associate, "ereceipts_opened")
            funnel_facts.opened(tx, str(device["device_id"]), receipt_no, key=key)  # console's

    def funnel(self, store_id: str | None = None) -> list[dict[str, Any]]:
        """Counters per store and associate ('' = no associate)."""
        where, args = ("WHERE store_id = ?", (store_id,)) if store_id else ("", ())
        with self.db.tx() as tx:
            rows = tx.execute(
                f"SELECT store_id, associate, kind, n FROM funnel {where} "
                "ORDER BY store_id, associate",
                args,
            ).fetchall()
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for s, a, k, n in rows:
            d = out.setdefault(
                (s, a), {"store_id": s, "associate": a or None} | dict.fromkeys(FUNNEL_KINDS, 0)
            )
            d[k] = int(n)
        return list(out.values())

    def by_day(
        self,
        store_id: str | None = None,
        associate: str | None = None,
        day_from: date | None = None,
        day_to: date | None = None,
    ) -> list[dict[str, Any]]:
        """The funnel per business day, store and associate (funnel_days.py)."""
        with self.db.tx() as tx:
            return funnel_by_day(tx, store_id, associate, day_from, day_to)

    # ---- follows ------------------------------------------------------------------------

    def _follow(self, tx: Tx, key: str, who: dict[str, Any], source: str) -> bool:
        cur = tx.execute(
            "INSERT INTO funnel_follows(follow_key, store_id, associate, source, openid, "
            "member_id, scene, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                key,
                who["store_id"],
                who["associate"],
                source,
                who.get("openid"),
                who.get("member_id"),
                who.get("scene"),
                _now_iso(self.now()),
            ),
        )
        if cur.rowcount == 0:
            if who.get("openid"):  # counted by the button first: link the WeChat user now
                tx.execute(
                    "UPDATE funnel_follows SET openid = ? WHERE follow_key = ? AND openid IS NULL",
                    (who["openid"], key),
                )
            return False
        count(tx, who["store_id"], who["associate"], "follows")
        funnel_facts.followed(tx, key)  # the console's per-day funnel
        return True

    def _receipt_follower(self, device: dict[str, Any], receipt_no: int) -> dict[str, Any]:
        """Store, associate and member of a receipt (associate '' until the sale has synced)."""
        sale = self.receipts.synced_receipt(str(device["device_id"]), receipt_no)
        payload = (sale or {}).get("payload") or {}
        member = (payload.get("member") or {}).get("id")
        return {
            "key": f"receipt:{device['device_id']}:{receipt_no}",
            "store_id": str(device["store_id"]),
            "associate": str(payload.get("associate") or ""),
            "member_id": str(member) if member else None,
        }

    def follow_receipt(self, device: dict[str, Any], receipt_no: int) -> bool:
        """The e-receipt page's follow button: counted once per receipt."""
        who = self._receipt_follower(device, receipt_no)
        with self.db.tx() as tx:
            if who["member_id"]:
                who["member_id"] = canonical(tx, who["member_id"])
            return self._follow(tx, who["key"], who, "button")

    def wechat_scene(self, store_id: str, associate: str = "") -> str:
        """The scene string for a store's or associate's parametric QR code (made once)."""
        with self.db.tx() as tx:
            if (
                tx.execute("SELECT 1 FROM stores WHERE store_id = ?", (store_id,)).fetchone()
                is None
            ):
                raise ApiError(404, "unknown_store", f"No store {store_id}")
            row = tx.execute(
                "SELECT scene FROM wechat_scenes WHERE store_id = ? AND associate = ?",
                (store_id, associate),
            ).fetchone()
            if row is not None:
                return str(row[0])
            scene = f"{PLACE_SCENE}.{secrets.token_hex(6)}"
            tx.execute(
                "INSERT INTO wechat_scenes(scene, store_id, associate, at) VALUES (?, ?, ?, ?)",
                (scene, store_id, associate, _now_iso(self.now())),
            )
            return scene

    def wechat_subscribed(self, openid: str, create_time: str, scene: str | None) -> dict[str, Any]:
        """WeChat pushed `subscribe` for `openid` (from the QR code of `scene`, if any).
        A retried push (same user and CreateTime) and a second follow of one receipt or by
        one WeChat user from a place's code are not counted again; a follow with no scene of
        ours (the account found by search) is not the funnel's."""
        who: dict[str, Any] | None = None
        parts = (scene or "").split(".")
        # r.<key id>.<receipt no>, or with .<store>.<associate> (cloud/follow_qr.py)
        if parts[0] == RECEIPT_SCENE and len(parts) in (3, 5) and parts[2].isdigit():
            device = self.receipts.device_by_key_id(parts[1].lower())
            if device is not None:
                who = self._receipt_follower(device, int(parts[2]))
                if not who["associate"] and len(parts) == 5:
                    # the sale has not synced yet: the associate the code was made for
                    who["associate"] = parts[4]
        with self.db.tx() as tx:
            fresh = tx.execute(
                "INSERT INTO wechat_pushes(from_user, create_time, event, at) "
                "VALUES (?, ?, 'subscribe', ?) ON CONFLICT DO NOTHING",
                (openid, create_time, _now_iso(self.now())),
            ).rowcount
            if not fresh:
                return {"counted": False, "reason": "repeated_push"}
            mark_following(tx, openid, _now_iso(self.now()))
            if parts[0] == PLACE_SCENE and len(parts) == 2:
                row = tx.execute(
                    "SELECT store_id, associate FROM wechat_scenes WHERE scene = ?", (scene,)
                ).fetchone()
                if row is not None:
                    who = {
                        "key": f"openid:{openid}",
                        "store_id": row[0],
                        "associate": row[1],
                        "member_id": None,
                    }
            if who is None:
                return {"counted": False, "reason": "not_from_a_guitai_code"}
            if who["member_id"]:
                who["member_id"] = canonical(tx, who["member_id"])
            who |= {"openid": openid, "scene": scene}
            counted = self._follow(tx, who["key"], who, "wechat")
            return {
                "counted": counted,
                "store_id": who["store_id"],
                "associate": who["associate"] or None,
            } | ({} if counted else {"reason": "already_counted"})

    def wechat_event(self, openid: str, event: str) -> None:
        """A push other than a follow: `SCAN` comes only from a follower (who is one, then,
        even if their follow predates this cloud); `unsubscribe` ends the follow.  Neither
        is a funnel count."""
        at = _now_iso(self.now())
        with self.db.tx() as tx:
            if event == "SCAN":
                mark_following(tx, openid, at)
            elif event == "unsubscribe":
                mark_unfollowed(tx, openid, at)
