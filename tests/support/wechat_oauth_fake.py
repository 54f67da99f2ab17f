"""A small stand-in for WeChat's web authorization (snsapi_base) on loopback: the authorize
page sends the browser straight back with a one-time code, and `sns/oauth2/access_token`
exchanges it for the openid (appid, secret and grant_type checked, a code used once)."""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit


class FakeWechatOAuth:
    def __init__(self, appid: str, secret: str, openid: str) -> None:
        self.appid, self.secret, self.openid = appid, secret, openid
        self.codes: set[str] = set()
        self.exchanges = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                q = dict(parse_qsl(url.query))
                if url.path == "/connect/oauth2/authorize":
                    ok = (
                        q.get("appid") == fake.appid
                        and q.get("scope") == "snsapi_base"
                        and q.get("response_type") == "code"
                    )
                    code = secrets.token_hex(8)
                    fake.codes.add(code)
                    back = (
                        q["redirect_uri"]
                        + "?"
                        + urlencode({"code": code if ok else "", "state": q.get("state", "")})
                    )
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if url.path == "/sns/oauth2/access_token":
                    fake.exchanges += 1
                    good = (
                        q.get("appid") == fake.appid
                        and q.get("secret") == fake.secret
                        and q.get("grant_type") == "authorization_code"
                        and q.get("code") in fake.codes
                    )
                    if good:
                        fake.codes.discard(q["code"])
                        body: dict[str, Any] = {
                            "access_token": secrets.token_hex(16),
                            "expires_in": 7200,
                            "refresh_token": secrets.token_hex(16),
                            "openid": fake.openid,
                            "scope": "snsapi_base",
                        }
                    else:
                        body = {"errcode": 40029, "errmsg": "invalid code"}
                    data = json.dumps(body).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeWechatOAuth:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
