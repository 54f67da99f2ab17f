"""Aliyun's RPC signature (SignatureVersion 1.0, HMAC-SHA1), as the emulator checks it.

StringToSign = METHOD + "&" + enc("/") + "&" + enc(sorted "k=v" pairs joined by "&"), where
enc is RFC 3986 percent-encoding (space %20, "*" %2A, "~" kept); the key is the AccessKey
secret followed by "&"; the Signature is the base64 of the HMAC.  The cloud's client
(cloud/sms.py) signs with its own copy: the emulator stands for the provider, so it checks
with code of its own rather than trusting the client's."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote


def enc(text: str) -> str:
    return quote(text, safe="~")


def rpc_signature(method: str, params: Mapping[str, str], secret: str) -> str:
    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()) if k != "Signature")
    to_sign = f"{method.upper()}&{enc('/')}&{enc(query)}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
