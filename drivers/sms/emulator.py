"""`guitai emulate sms --port N`: an SMS provider on loopback in the shape of Aliyun's
dysmsapi `SendSms` (Version 2017-05-25, RPC style: form or query parameters AccessKeyId,
Action, PhoneNumbers, SignName, TemplateCode, TemplateParam (JSON), SignatureMethod
HMAC-SHA1, SignatureNonce, SignatureVersion 1.0, Timestamp, Version, Signature).

It checks the signature with the AccessKey secret it was given, refuses a repeated nonce and
a timestamp more than 15 minutes off (as the provider does), renders the template and keeps
the message.  Tests read what it "sent" at `GET /messages?phone=PHONE`: a JSON list, newest
first, each with `phone`, `text`, `sent_at` (and `biz_id`, `template_code`, `params`)."""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .signing import rpc_signature

log = logging.getLogger(__name__)

# The template the cloud's join page sends (its code is a brand's setting; the emulator knows
# this one and any given with --template CODE=TEXT).
DEFAULT_TEMPLATES = {
    "SMS_GUITAI_JOIN": "您的验证码为${code}，5分钟内有效，请勿泄露给他人。",
}
_PHONE = re.compile(r"^(\+?86)?1[3-9][0-9]{9}$")
MAX_SKEW_S = 15 * 60


def _answer(code: str, message: str, **extra: str) -> dict[str, str]:
    return {"Code": code, "Message": message, "RequestId": secrets.token_hex(16).upper(), **extra}


class SmsEmulator:
    name = "sms-emulator"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        access_key_id: str = "LTAIemulator",
        access_key_secret: str = "emulator-secret",
        templates: dict[str, str] | None = None,
    ) -> None:
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self.templates = {**DEFAULT_TEMPLATES, **(templates or {})}
        self.messages: list[dict[str, Any]] = []
        self.rejected_signatures = 0
        self._nonces: set[str] = set()
        self.lock = threading.Lock()
        emu = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("%s: " + format, emu.name, *args)

            def _send(self, status: int, data: Any) -> None:
                body = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/messages":
                    phone = dict(parse_qsl(url.query)).get("phone")
                    self._send(200, emu.sent(phone))
                    return
                self._send(*emu.api("GET", dict(parse_qsl(url.query, keep_blank_values=True))))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(length, 1 << 16)).decode("utf-8", "replace")
                params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                params.update(parse_qsl(body, keep_blank_values=True))
                self._send(*emu.api("POST", params))

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self._server = Server((host, port), Handler)
        self.host, self.port = (
            str(self._server.server_address[0]),
            int(self._server.server_address[1]),
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def sent(self, phone: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            found = [m for m in self.messages if phone in (None, m["phone"])]
        return [
            {k: m[k] for k in ("phone", "text", "sent_at", "biz_id", "template_code", "params")}
            for m in reversed(found)
        ]

    def api(self, method: str, p: dict[str, str]) -> tuple[int, dict[str, str]]:
        """One RPC call: (HTTP status, the provider's JSON answer)."""
        if p.get("Action") != "SendSms" or p.get("Version") != "2017-05-25":
            return 400, _answer("InvalidAction.NotFound", "Specified api is not found")
        if p.get("AccessKeyId") != self.access_key_id:
            return 404, _answer("InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        if (
            p.get("SignatureMethod") != "HMAC-SHA1"
            or p.get("SignatureVersion") != "1.0"
            or not secrets.compare_digest(
                rpc_signature(method, p, self._secret).encode(), p.get("Signature", "").encode()
            )
        ):
            with self.lock:
                self.rejected_signatures += 1
            return 400, _answer(
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        try:
            at = datetime.strptime(p.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return 400, _answer("InvalidTimeStamp.Format", "Specified time stamp is not valid.")
        if abs((datetime.now(UTC) - at).total_seconds()) > MAX_SKEW_S:
            return 400, _answer("InvalidTimeStamp.Expired", "Specified time stamp is expired.")
        nonce = p.get("SignatureNonce", "")
        with self.lock:
            if not nonce or nonce in self._nonces:
                return 400, _answer(
                    "SignatureNonceUsed", "Specified signature nonce was used already."
                )
            self._nonces.add(nonce)
        phones = [x for x in p.get("PhoneNumbers", "").split(",") if x]
        if not phones or not all(_PHONE.match(x) for x in phones):
            return 200, _answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if not p.get("SignName"):
            return 200, _answer("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法")
        template = self.templates.get(p.get("TemplateCode", ""))
        if template is None:
            return 200, _answer("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
        try:
            params = json.loads(p.get("TemplateParam") or "{}")
        except ValueError:
            return 200, _answer("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            return 200, _answer("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        text = template
        for k, v in params.items():
            text = text.replace("${" + k + "}", v)
        if "${" in text:
            return 200, _answer("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        biz_id = f"{secrets.randbelow(10**15):015d}^0"
        sent_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        with self.lock:
            for phone in phones:
                self.messages.append(
                    {
                        "phone": phone.removeprefix("+").removeprefix("86")
                        if len(phone) > 11
                        else phone,
                        "text": f"【{p['SignName']}】{text}",
                        "sent_at": sent_at,
                        "biz_id": biz_id,
                        "template_code": p["TemplateCode"],
                        "params": params,
                    }
                )
        return 200, _answer("OK", "OK", BizId=biz_id)

    def start(self) -> SmsEmulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> SmsEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
