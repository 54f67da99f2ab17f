"""The official account's server API (公众号) as the cloud calls it: an access token from
appid + secret, and temporary parametric QR codes (`qrcode/create`, QR_STR_SCENE).

The access token is cached in the database (`wechat_access_tokens`), not per process: WeChat
hands out a new token on every `cgi-bin/token` call and limits the calls per day, so N workers
each fetching their own would spend the quota N times and keep replacing each other's token.
A worker takes the stored token while it has more than REFRESH_MARGIN_S to live; otherwise,
or when WeChat answers 40001 (not this account's latest token) or 42001 (expired), it fetches
a new one and stores it.  Within a process one lock serialises the refresh, and a refresh
asked for because a token failed is skipped when another thread already replaced that token.
Two workers refreshing at the same moment both succeed: WeChat keeps the previous token
valid for five minutes after issuing the next.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from .common import _now_iso
from .db import CloudDB

REFRESH_MARGIN_S = 300  # refresh five minutes before WeChat's expiry (expires_in 7200)
TOKEN_ERRORS = {40001, 42001}  # the token is not the latest, or expired: refresh and retry once
TIMEOUT_S = 5.0


_SECRET_IN_URL = re.compile(r"(secret=)[^&\s\"']+")


class _RedactSecret(logging.Filter):
    """WeChat takes the AppSecret in the token call's query string, and httpx logs each
    request's URL at INFO: the secret is masked in that line, so it never reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "secret=" in message:
            record.msg, record.args = _SECRET_IN_URL.sub(r"\1***", message), ()
        return True


def _redact_httpx_log() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactSecret) for f in logger.filters):
        logger.addFilter(_RedactSecret())


class MpError(Exception):
    """WeChat refused a call (errcode) or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, message: str) -> None:
        super().__init__(f"WeChat official account API: {message} (errcode {errcode})")
        self.errcode = errcode


class MpClient:
    def __init__(
        self,
        db: CloudDB,
        base_url: str,
        appid: str,
        secret: str,
        *,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.db = db
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self._secret = secret
        self.clock = clock
        self._transport = transport
        self._lock = threading.Lock()
        _redact_httpx_log()

    def __repr__(self) -> str:  # never the secret
        return f"MpClient({self.base_url}, appid={self.appid})"

    def _get_json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=TIMEOUT_S, transport=self._transport) as http:
                resp = http.request(method, self.base_url + path, **kw)
            data = resp.json()
        except (httpx.HTTPError, ValueError) as err:
            raise MpError(None, f"no answer from {self.base_url} ({type(err).__name__})") from err
        if not isinstance(data, dict):
            raise MpError(None, "the answer is not a JSON object")
        return data

    def _stored(self) -> tuple[str, int] | None:
        with self.db.tx() as tx:
            row = tx.execute(
                "SELECT access_token, expires_at FROM wechat_access_tokens WHERE appid = ?",
                (self.appid,),
            ).fetchone()
        return (str(row[0]), int(row[1])) if row else None

    def access_token(self, failed: str | None = None) -> str:
        """A token with more than REFRESH_MARGIN_S left; `failed`: the token WeChat just
        refused, to be replaced unless another thread or worker replaced it already."""
        with self._lock:
            stored = self._stored()
            if stored is not None:
                token, expires_at = stored
                if token != failed and expires_at - REFRESH_MARGIN_S > self.clock():
                    return token
            data = self._get_json(
                "GET",
                "/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self._secret,
                },
            )
            fresh = data.get("access_token")
            if not isinstance(fresh, str) or not fresh:
                raise MpError(data.get("errcode"), str(data.get("errmsg") or "no access_token"))
            token = fresh
            expires_at = int(self.clock()) + int(data.get("expires_in") or 7200)
            with self.db.tx() as tx:
                updated = tx.execute(
                    "UPDATE wechat_access_tokens SET access_token = ?, expires_at = ?, "
                    "fetched_at = ? WHERE appid = ?",
                    (token, expires_at, _now_iso(datetime.now(UTC)), self.appid),
                ).rowcount
                if not updated:
                    tx.execute(
                        "INSERT INTO wechat_access_tokens(appid, access_token, expires_at, "
                        "fetched_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (self.appid, token, expires_at, _now_iso(datetime.now(UTC))),
                    )
            return token

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to an API path with the access token; one retry with a fresh token
        when WeChat says the token is stale (40001) or expired (42001)."""
        token = self.access_token()
        for attempt in (1, 2):
            data = self._get_json("POST", path, params={"access_token": token}, json=body)
            code = data.get("errcode")
            if code in TOKEN_ERRORS and attempt == 1:
                token = self.access_token(failed=token)
                continue
            if code:
                raise MpError(int(code), str(data.get("errmsg") or ""))
            return data
        raise AssertionError("unreachable")

    def create_scene_qr(self, scene_str: str, expire_seconds: int) -> dict[str, Any]:
        """A temporary QR code naming `scene_str` (1–64 characters): {ticket, url,
        expire_seconds}."""
        data = self.call(
            "/cgi-bin/qrcode/create",
            {
                "expire_seconds": expire_seconds,
                "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene_str}},
            },
        )
        if not isinstance(data.get("ticket"), str) or not isinstance(data.get("url"), str):
            raise MpError(None, "qrcode/create answered without ticket and url")
        return data
