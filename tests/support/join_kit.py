"""A cloud with the SMS emulator and an enrolled till writing sales (the join tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sync_fixtures import Cloud
from sync_testkit import TillWriter, enroll_device, enroll_settings, make_till_home, token_for

from cloud.sms import AliyunSms
from drivers.sms.emulator import SmsEmulator
from pos_app.cli.sync_cmds import build_relay

SMS_ID, SMS_SECRET = "LTAItest", "sms-test-secret"


@dataclass
class JoinRig:
    cloud: Cloud
    sms: SmsEmulator
    writer: TillWriter
    key: Any
    paths: Any
    od: Any

    @property
    def url(self) -> str:
        return self.cloud.url

    def sale(self, push: bool = True) -> tuple[dict[str, Any], str]:
        """A sale written at the till and its e-receipt token (pushed unless told not to)."""
        row = self.writer.sale()
        p = row["payload"]
        token = token_for(self.key, p["receipt_no"], 1795588200, p["total_fen"], row["hash"])
        if push:
            self.push()
        return row, token

    def push(self) -> Any:
        parts = build_relay(self.paths, self.od.conn)
        try:
            return parts.relay.push()
        finally:
            parts.close()

    def pull(self) -> Any:
        parts = build_relay(self.paths, self.od.conn)
        try:
            return parts.relay.pull(force=True)
        finally:
            parts.close()

    def last_code(self, phone: str) -> str:
        msgs = httpx.get(f"{self.sms.url}/messages", params={"phone": phone}).json()
        assert msgs, f"no SMS was sent to {phone}"
        return str(msgs[0]["params"]["code"])

    def stop(self) -> None:
        self.cloud.stop()
        self.sms.stop()
        self.od.close()


def start_join_rig(tmp: Path, db_url: str, **app_kw: Any) -> JoinRig:
    sms = SmsEmulator(access_key_id=SMS_ID, access_key_secret=SMS_SECRET).start()
    client = AliyunSms(
        url=sms.url,
        access_key_id=SMS_ID,
        access_key_secret=SMS_SECRET,
        sign_name="青衫",
        template_code="SMS_GUITAI_JOIN",
    )
    cloud = Cloud(db_url, sms=client, **app_kw).start()
    svc = cloud.service
    svc.admin.add_store("S001", "南京西路店")
    paths, od, key = make_till_home(tmp / "till")
    answer = enroll_device(svc, key)
    enroll_settings(od.conn, answer, cloud.url)
    return JoinRig(cloud, sms, TillWriter(od, "S001", 1), key, paths, od)
