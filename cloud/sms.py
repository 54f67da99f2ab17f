"""The SMS provider port and its client in the shape of Aliyun's 短信服务 (dysmsapi SendSms,
Version 2017-05-25, RPC signature 1.0 with HMAC-SHA1).

`guitai cloud serve --sms-url URL` points it at the provider (https://dysmsapi.aliyuncs.com/)
or at the emulator (`guitai emulate sms`, drivers/sms).  The answer's `Code` is "OK" with a
`BizId` on success; any other code is the provider's refusal and is reported, never retried
here (the customer asks for a new code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

import httpx

from .common import ApiError
from .secret_ref import resolve

if TYPE_CHECKING:
    from .ereceipt import CloudConfig

log = logging.getLogger(__name__)


class SmsSender(Protocol):
    def send(self, phone: str, params: Mapping[str, str]) -> str:
        """Send the join template with `params`; the provider's message id, or ApiError."""


def _enc(text: str) -> str:
    return quote(text, safe="~")


def rpc_sign(method: str, params: Mapping[str, str], secret: str) -> str:
    """Aliyun's RPC signature 1.0: HMAC-SHA1 over METHOD&%2F&enc(sorted query), key SECRET&."""
    query = "&".join(f"{_enc(k)}={_enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_enc('/')}&{_enc(query)}"
    return base64.b64encode(
        hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()


@dataclass(frozen=True)
class AliyunSms:
    url: str
    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_code: str
    timeout_s: float = 10.0
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def send(self, phone: str, params: Mapping[str, str]) -> str:
        p = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": str(uuid.uuid4()),
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")),
            "Timestamp": self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        p["Signature"] = rpc_sign("POST", p, self.access_key_secret)
        try:
            r = httpx.post(self.url, data=p, timeout=self.timeout_s)
            answer = r.json()
        except (httpx.HTTPError, ValueError) as err:
            log.warning("the SMS provider did not answer: %s", err)
            raise ApiError(
                503,
                "sms_unavailable",
                "The SMS service does not answer; try again in a minute",
                "短信服务暂时无法连接，请一分钟后重试",
            ) from err
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            code = answer.get("Code") if isinstance(answer, dict) else r.status_code
            log.warning("the SMS provider refused the message: %s", code)
            raise ApiError(
                503,
                "sms_refused",
                f"The SMS service refused the message ({code}); try again later",
                f"短信服务拒绝发送（{code}），请稍后重试",
            )
        return str(answer.get("BizId", ""))


def sms_from_config(cfg: CloudConfig) -> SmsSender | None:
    """The provider `guitai cloud serve --sms-url …` names, or None (joining by SMS is off)."""
    if not cfg.sms_url:
        return None
    return AliyunSms(
        url=cfg.sms_url,
        access_key_id=cfg.sms_access_key_id,
        access_key_secret=resolve("--sms-secret", cfg.sms_secret_ref),
        sign_name=cfg.sms_sign_name or cfg.brand_name,
        template_code=cfg.sms_template,
    )
