"""Who follows the brand's official account, as WeChat's pushes told us: a `subscribe` or a
`SCAN` (only a follower gets SCAN) makes the WeChat user a follower, `unsubscribe` ends it.
The e-receipt page asks this to choose its one big action (cloud/pages/receipt_hero.py)."""

from __future__ import annotations

from ..db import CloudDB, Tx


def mark_following(tx: Tx, openid: str, at: str) -> None:
    tx.execute(
        "INSERT INTO wechat_followers(openid, followed_at, unfollowed_at) VALUES (?, ?, NULL) "
        "ON CONFLICT (openid) DO UPDATE SET unfollowed_at = NULL",
        (openid, at),
    )


def mark_unfollowed(tx: Tx, openid: str, at: str) -> None:
    tx.execute("UPDATE wechat_followers SET unfollowed_at = ? WHERE openid = ?", (at, openid))


class Followers:
    def __init__(self, db: CloudDB) -> None:
        self.db = db

    def is_following(self, openid: str) -> bool:
        with self.db.tx() as tx:
            return is_following(tx, openid)


def is_following(tx: Tx, openid: str) -> bool:
    row = tx.execute(
        "SELECT 1 FROM wechat_followers WHERE openid = ? AND unfollowed_at IS NULL",
        (openid,),
    ).fetchone()
    return row is not None
