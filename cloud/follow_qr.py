"""Each e-receipt's own follow QR code: a temporary parametric QR code of the brand's official
account whose scene names the receipt, its store and its associate, so WeChat's follow push
(wechat_push.py) credits them (cloud/members/funnel.py, wechat_subscribed).

Fetched from WeChat once per receipt and kept in `receipt_follow_qrs` until shortly before it
expires (a temporary code lives at most 30 days; a page opened later gets a new one).  Two
workers asked for the same new receipt at the same moment may both fetch one; the first
stored is the one every page shows (the other code works too, and names the same scene).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_app.domain.secret_refs import resolve_secret

from .common import _now_iso
from .db import CloudDB, Tx
from .ereceipt import CloudConfig
from .members.funnel import receipt_scene
from .wechat_mp import MpClient, MpError

log = logging.getLogger(__name__)

QR_LIFETIME_S = 2_592_000  # WeChat's longest for a temporary code: 30 days
REUSE_MARGIN_S = 3600  # a code with less than an hour left is not shown again
RETRY_AFTER_S = 60  # after a failed call to WeChat
MAX_SCENE = 64  # WeChat's limit on scene_str
_SAFE = re.compile(r"[A-Za-z0-9_-]{1,20}")


def follow_scene(key_id_hex: str, receipt_no: int, store_id: str, associate: str) -> str:
    """`r.<key id>.<receipt no>.<store>.<associate>` (≤ 64 characters).  Store and associate
    are there for whoever reads the account's statistics; the credit itself comes from the
    receipt (the associate of its synced sale, or the one recorded with the code).  An id
    with characters outside [A-Za-z0-9_-] or too long is left out rather than mangled."""
    base = receipt_scene(key_id_hex, receipt_no)
    store = store_id if _SAFE.fullmatch(store_id) else ""
    assoc = associate if _SAFE.fullmatch(associate) else ""
    scene = f"{base}.{store}.{assoc}"
    return scene if len(scene) <= MAX_SCENE else base


class FollowQrCodes:
    def __init__(
        self,
        db: CloudDB,
        client: MpClient | None,
        now: Callable[[], datetime],
        clock: Callable[[], float],
    ) -> None:
        self.db = db
        self.client = client
        self.now = now
        self.clock = clock
        self._guard = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}  # receipt key → its fetch's lock
        # after WeChat failed, pages go without a code for a while instead of each waiting
        # for the API's timeout
        self._quiet_until = 0.0

    def _receipt_lock(self, key: str) -> threading.Lock:
        # one fetch per receipt in this process, and a slow answer from WeChat for one
        # receipt does not hold up the pages of the others
        with self._guard:
            return self._fetching.setdefault(key, threading.Lock())

    def _cached(self, receipt_key: str) -> dict[str, Any] | None:
        with self.db.tx() as tx:
            return self.stored(tx, receipt_key)

    @property
    def can_fetch(self) -> bool:
        """Whether a receipt without a stored code may get one from WeChat now."""
        return self.client is not None and self.clock() >= self._quiet_until

    def stored(self, tx: Tx, receipt_key: str) -> dict[str, Any] | None:
        """The receipt's stored code still worth showing, read in the caller's transaction
        (the e-receipt page's one transaction); None: none, or about to expire."""
        row = tx.execute(
            "SELECT scene, ticket, url, expires_at FROM receipt_follow_qrs WHERE receipt_key = ?",
            (receipt_key,),
        ).fetchone()
        return self.of_row(row)

    def of_row(self, row: Sequence[Any] | None) -> dict[str, Any] | None:
        """`stored` of a row (scene, ticket, url, expires_at) the caller read (the e-receipt
        page reads it with the till and the sale: receipt_lookup.token_receipt)."""
        if row is None or row[0] is None or int(row[3]) - REUSE_MARGIN_S <= self.clock():
            return None
        return {"scene": row[0], "ticket": row[1], "url": row[2], "expires_at": int(row[3])}

    def for_receipt(
        self, device: dict[str, Any], key_id_hex: str, receipt_no: int, associate: str
    ) -> dict[str, Any] | None:
        """{scene, ticket, url, expires_at} of the receipt's code; None when no official
        account is configured or WeChat cannot be reached (the page offers what it can)."""
        key = f"{device['device_id']}:{receipt_no}"
        found = self._cached(key)
        if found is not None or self.client is None or self.clock() < self._quiet_until:
            return found
        try:
            with self._receipt_lock(key):
                found = self._cached(key)
                if found is not None:
                    return found
                store = str(device["store_id"])
                scene = follow_scene(key_id_hex, receipt_no, store, associate)
                try:
                    made = self.client.create_scene_qr(scene, QR_LIFETIME_S)
                except MpError as err:
                    log.warning("no follow QR code for receipt %s: %s", key, err)
                    self._quiet_until = self.clock() + RETRY_AFTER_S
                    return None
                expires_at = int(self.clock()) + int(made.get("expire_seconds") or QR_LIFETIME_S)
                with self.db.tx() as tx:
                    tx.execute(
                        "DELETE FROM receipt_follow_qrs WHERE receipt_key = ? AND expires_at <= ?",
                        (key, int(self.clock()) + REUSE_MARGIN_S),
                    )
                    tx.execute(
                        "INSERT INTO receipt_follow_qrs(receipt_key, scene, ticket, url, store_id, "
                        "associate, expires_at, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT DO NOTHING",
                        (
                            key,
                            scene,
                            made["ticket"],
                            made["url"],
                            store,
                            associate,
                            expires_at,
                            _now_iso(self.now()),
                        ),
                    )
        finally:
            with self._guard:
                self._fetching.pop(key, None)
        return self._cached(key)


def read_secret(ref: str, flag: str = "--wechat-secret") -> str:
    """The AppSecret a `serve` flag refers to (env:VAR or @FILE; a literal is refused)."""
    return resolve_secret(flag, ref, os.environ, lambda p: Path(p).read_text(encoding="utf-8"))


def follow_codes(db: CloudDB, now: Callable[[], datetime], cfg: CloudConfig) -> FollowQrCodes:
    """The follow codes of a cloud configured with `cfg`: with WeChat's API when the
    official account's URL, appid and secret are all given, else none (the page then offers
    the account's one QR image, or its name)."""
    client = None
    if cfg.wechat_mp_url and cfg.wechat_appid and cfg.wechat_secret:
        client = MpClient(db, cfg.wechat_mp_url, cfg.wechat_appid, cfg.wechat_secret)
    return FollowQrCodes(db, client, now, time.time)
