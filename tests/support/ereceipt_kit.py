"""A served cloud with an enrolled till, the WeChat official-account emulator, and receipts in
every state the e-receipt page knows (issue 19: visitor, follower, member, altered, unknown,
pre-sync), for the page's integration and browser tests."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync_fixtures import Cloud
from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home, token_for

from cloud.ereceipt import CloudConfig
from cloud.pages.visitor import SESSION_COOKIE, session_cookie, session_key
from drivers.wechat_mp.emulator import WechatMpEmulator
from pos_app.cli.sync_cmds import build_relay

APPID = "wx5f3e0c1d2b4a6978"
APP_SECRET = "0123456789abcdef0123456789abcdef"
PUSH_TOKEN = "guitai-push-token"
MEMBER_PHONE = "13812345678"
ISSUED_AT = 1795588200


def sale_payload(writer: TillWriter, *, associate: str, member: dict[str, Any] | None) -> None:
    """A sale of one known line, with its associate and (optionally) its member block."""
    writer.receipt_no += 1
    writer.clock = writer.clock.replace(minute=(writer.receipt_no * 7) % 60)
    line = {
        "line_no": 1,
        "sku": "QS-2026-001-BLK-L",
        "name": "男士羊毛夹克 黑 L",
        "qty": 1,
        "unit_price_fen": 59900,
        "discount_fen": 0,
        "amount_fen": 59900,
        "vat_rate_bp": 1300,
        "category": "外套",
    }
    payload: dict[str, Any] = {
        "sale_id": str(uuid.uuid4()),
        "store_id": writer.store_id,
        "till_no": writer.till_no,
        "receipt_no": writer.receipt_no,
        "completed_at": writer.clock.isoformat().replace("+00:00", "Z"),
        "business_day": writer.clock.date().isoformat(),
        "shift_id": 1,
        "currency": "CNY",
        "cashier": "lily",
        "associate": associate,
        "lines": [line],
        "voided_lines": [],
        "subtotal_fen": 59900,
        "line_discount_fen": 0,
        "order_discount_fen": 0,
        "rounding_fen": 0,
        "total_fen": 59900,
        "vat": [],
        "payments": [{"tender": "wechat", "amount_fen": 59900, "change_fen": 0}],
        "approvals": [],
    }
    if member is not None:
        payload["member"] = member
        payload["points_earned"] = 599
        payload["points_balance"] = 8888
    writer.sales.append(payload)
    writer._insert("sale.completed", payload)


@dataclass
class Rig:
    cloud: Cloud
    emulator: WechatMpEmulator
    writer: TillWriter
    key: Any
    base: str
    member_id: str
    hashes: dict[int, str] = field(default_factory=dict)

    def token(self, receipt_no: int) -> str:
        p = self.writer.sales[receipt_no - 1]
        return token_for(self.key, receipt_no, ISSUED_AT, p["total_fen"], self.hashes[receipt_no])

    def session(self, **fields: str) -> tuple[str, str]:
        """(cookie name, value) of a page session holding `fields` (openid, member_id)."""
        key = session_key(self.cloud.db)
        return SESSION_COOKIE, session_cookie(key, fields, time.time())

    def stop(self) -> None:
        self.cloud.stop()
        self.emulator.stop()


def start_rig(
    tmp: Path, db_url: str, *, store_name: str = "南京西路店", brand: str = "青衫 QINGSHAN"
) -> Rig:
    """Receipt 1: with associate A07 and a member; receipt 2: associate A08, no member."""
    emu = WechatMpEmulator(appid=APPID, secret=APP_SECRET, token=PUSH_TOKEN).start()
    cfg = CloudConfig(
        brand_name=brand,
        account_name="青衫服饰",
        wechat_token=PUSH_TOKEN,
        wechat_mp_url=emu.url,
        wechat_appid=APPID,
        wechat_secret=APP_SECRET,
    )
    # the receipts package draws the synced sale, as `guitai cloud serve` does
    cloud = Cloud(db_url, config=cfg).start()
    emu.push_url = cloud.url + "/wechat/push"
    svc = cloud.service
    svc.admin.add_store("S001", store_name)
    member = svc.admin.add_member(MEMBER_PHONE, "王芳", "core", 8888)
    paths, od, key = make_till_home(tmp / "till")
    answer = enroll_device(svc, key)
    enroll_settings(od.conn, answer, cloud.url)
    writer = TillWriter(od, "S001", 1)
    mblock = {"id": member["id"], "phone_masked": "138****5678", "tier": "core"}
    sale_payload(writer, associate="A07", member=mblock)
    sale_payload(writer, associate="A08", member=None)
    hashes = {i + 1: row["hash"] for i, row in enumerate(writer.written)}
    parts = build_relay(paths, od.conn)
    try:
        assert parts.relay.push().accepted == 2
    finally:
        parts.close()
    return Rig(cloud, emu, writer, key, answer["ereceipt_base_url"], member["id"], hashes)
