"""WeChat template messages queued by firings, sent after commit through the official
account (`POST /cgi-bin/message/template/send`, WeChat's "模板消息接口"; the emulator
`guitai emulate wechat-mp` answers it).  Each message is claimed by one worker first
(pending → sending), so two workers never send the same one; a worker that dies between
the send and the answer leaves it `sending` for the brand to see, never sent twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ..common import _now_iso
from ..db import CloudDB


class TemplateSender(Protocol):
    def call(self, path: str, body: dict[str, object]) -> dict[str, object]: ...


TEMPLATE_PATH = "/cgi-bin/message/template/send"


def send_pending(
    db: CloudDB, client: TemplateSender, now: Callable[[], datetime], limit: int = 100
) -> dict[str, int]:
    with db.tx() as tx:
        rows = tx.execute(
            "SELECT firing_id, openid, template_id, data FROM trigger_messages "
            "WHERE state = 'pending' ORDER BY firing_id LIMIT ?",
            (limit,),
        ).fetchall()
    sent = failed = 0
    for fid, openid, template, data in rows:
        with db.tx() as tx:
            mine = tx.execute(
                "UPDATE trigger_messages SET state = 'sending' WHERE firing_id = ? "
                "AND state = 'pending'",
                (fid,),
            ).rowcount
        if not mine:
            continue  # another worker has it
        body: dict[str, object] = {
            "touser": openid,
            "template_id": template,
            "data": json.loads(data),
        }
        try:
            answer = client.call(TEMPLATE_PATH, body)
            state, detail = "sent", str(answer.get("msgid", ""))
            sent += 1
        except Exception as err:  # any failure is the message's state, not a crash
            state, detail = "failed", str(err)[:200]
            failed += 1
        with db.tx() as tx:
            tx.execute(
                "UPDATE trigger_messages SET state = ?, detail = ?, sent_at = ? "
                "WHERE firing_id = ?",
                (state, detail, _now_iso(now()), fid),
            )
    return {"sent": sent, "failed": failed}
