"""The e-receipt routes: the public page a customer's phone opens from the printed QR code
(/r/{token}, /R/{token}), its follow button, and the signed lookup a till makes
(/v1/receipts/{token})."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Annotated, Any

from fastapi import Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from receipts.token import TokenError, TokenFields, decode_token, verify_token
from sync.signing import unb64

from .api_docs import CRASH, ERROR, SIGNED, CloudAPI, v1
from .api_models import FollowRefused, FollowResult, ReceiptLookup
from .db import Tx
from .ereceipt import CloudConfig, invite_html, receipts_page, token_only_page, verdict_html
from .errors import not_a_receipt_page
from .gate import Till, key_acceptable
from .receipt_lookup import device_by_key_id, synced_receipt
from .service import ApiError, CloudService

log = logging.getLogger(__name__)

VISITOR_COOKIE = "gt_visitor"
VISITOR_COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap a cookie's life at 400 days
_VISITOR = re.compile(r"[0-9a-f]{32}")

Token = Annotated[str, Path(description="the e-receipt token printed in the QR code")]

PAGE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}},
    404: {
        "description": "Not a valid token: an HTML page for a browser (Accept text/html or "
        "*/*), the error body (bad_token) for a client that accepts only JSON",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/json": {"schema": ERROR},
        },
    },
    **CRASH,
}


def visitor_of(request: Request) -> tuple[str, bool]:
    """(who is looking at an e-receipt page, whether the page must set the cookie).

    A visitor is the first-party cookie the page sets.  Without it (the first visit, or a
    browser that refuses cookies) it is a hash of the client address and User-Agent, and the
    cookie is set to that same value: the reload after a first visit is the same visitor
    whichever way it is recognised, and a browser without cookies stays one visitor while
    its address does not change.  Two people behind one address with identical browsers and
    no cookies count once (undercounting, never overcounting)."""
    cookie = request.cookies.get(VISITOR_COOKIE, "")
    if _VISITOR.fullmatch(cookie):
        return cookie, False
    host = request.client.host if request.client else ""
    agent = request.headers.get("user-agent", "")
    return hashlib.sha256(f"{host}\n{agent}".encode()).hexdigest()[:32], True


def add_receipt_routes(app: CloudAPI, service: CloudService, cfg: CloudConfig) -> None:
    def decode(token: str) -> TokenFields:
        try:
            return decode_token(token)
        except TokenError as err:
            raise ApiError(
                404, "bad_token", f"This is not a Guitai e-receipt token: {err}"
            ) from err

    def judge(tx: Tx, fields: TokenFields) -> dict[str, Any]:
        """What the cloud knows about a token: verdict, device, synced sale."""
        device = device_by_key_id(tx, fields.key_id.hex())
        result: dict[str, Any] = {"fields": fields, "device": device, "sale": None}
        if device is None:
            result["verdict"] = "unknown_till"
            return result
        try:
            pub = unb64(device["public_key"])
            if not key_acceptable(pub):
                # a key any signature verifies under (enrolled before keys were checked)
                raise ValueError("the till's key is not acceptable")
            verify_token(fields, pub)
        except (TokenError, ValueError):  # any verification failure: the printed token was altered
            result["verdict"] = "altered"
            return result
        result["verdict"] = "revoked_till" if device["revoked_at"] else "genuine"
        sale = synced_receipt(tx, device["device_id"], fields.receipt_no)
        if sale is not None:
            if (
                sale["entry_hash"][:16] != fields.sale_digest.hex()
                or sale["total_fen"] != fields.total_fen
            ):
                result["verdict"] = "altered"
            result["sale"] = sale
        return result

    def lookup(token: str) -> dict[str, Any]:
        fields = decode(token)
        with service.db.tx() as tx:
            return judge(tx, fields)

    @app.get(
        "/v1/receipts/{token}",
        summary="The synced sale behind an e-receipt token",
        response_model=ReceiptLookup,
        responses={**v1({404: "bad_token"}), **SIGNED},
    )
    async def receipt_api(till: Till, token: Token) -> Response:
        found = await run_in_threadpool(lookup, token)
        f, dev, sale = found["fields"], found["device"], found["sale"]
        member = ((sale or {}).get("payload") or {}).get("member") or {}
        member_id = (
            await run_in_threadpool(service.members.views.canonical_member_id, str(member["id"]))
            if member.get("id")
            else None
        )
        return JSONResponse(
            {
                "verdict": found["verdict"],
                "receipt_no": f.receipt_no,
                "issued_at": f.issued_at,
                "total_fen": f.total_fen,
                "key_id": f.key_id.hex(),
                "store_id": dev["store_id"] if dev else None,
                "till_no": dev["till_no"] if dev else None,
                "synced": sale is not None,
                "type": sale["type"] if sale else None,
                "payload": sale["payload"] if sale else None,
                "entry_hash": sale["entry_hash"] if sale else None,
                "member_id": member_id,
            }
        )

    def show(token: str, visitor: str) -> dict[str, Any]:
        """The page's lookup and its open count in one transaction (one commit per page)."""
        fields = decode(token)
        with service.db.tx() as tx:
            found = judge(tx, fields)
            # Only a genuine receipt is a receipt the store printed; a reload or a second
            # look by the same visitor is the same open (cloud/members/funnel.py).
            if found["verdict"] == "genuine":
                sale = found.get("sale")
                assoc = str(((sale or {}).get("payload") or {}).get("associate") or "")
                service.members.funnel.open_receipt(
                    tx, found["device"], fields.receipt_no, assoc, visitor
                )
        return found

    async def receipt_page(request: Request, token: Token) -> Response:
        visitor, new_visitor = visitor_of(request)
        try:
            found = await run_in_threadpool(show, token, visitor)
        except ApiError:
            return not_a_receipt_page(cfg, request)
        page = _receipt_page(found)
        if new_visitor:
            page.set_cookie(
                VISITOR_COOKIE,
                visitor,
                max_age=VISITOR_COOKIE_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        return page

    for prefix in ("/r", "/R"):  # the QR code's alphanumeric mode prints the URL upper-case
        app.add_api_route(
            prefix + "/{token}",
            receipt_page,
            methods=["GET"],
            name=f"receipt_page{prefix[1]}",
            summary="The public e-receipt page (at /r/{token} and /R/{token}; the token is "
            "case-sensitive)",
            response_class=HTMLResponse,
            responses=PAGE_ANSWERS,
        )

    def _receipt_page(found: dict[str, Any]) -> HTMLResponse:
        f, dev, sale, verdict = found["fields"], found["device"], found["sale"], found["verdict"]
        if sale is not None:
            # receipts.html draws genuine / altered itself; a revoked till it cannot say.
            extra = verdict_html(verdict) if verdict == "revoked_till" else ""
            return HTMLResponse(
                receipts_page(
                    sale["payload"],
                    verified=verdict == "genuine",
                    extra_html=extra + invite_html(cfg),
                    store_name=dev["store_name"] if dev else "",
                    kind=sale["type"],
                )
            )
        text = token_only_page(
            store_name=dev["store_name"] if dev else "",
            store_id=dev["store_id"] if dev else "",
            till_no=dev["till_no"] if dev else None,
            fields=f,
            verdict=verdict,
            cfg=cfg,
        )
        return HTMLResponse(text)

    @app.post(
        "/r/{token}/follow",
        summary="The e-receipt page's follow button (counted for the funnel once per receipt, "
        "together with WeChat's subscribe push)",
        response_model=FollowResult,
        responses={
            404: {"model": FollowRefused, "description": "bad_token; counted: false"},
            **CRASH,
        },
    )
    async def ereceipt_follow(token: Token) -> Response:
        """The e-receipt page's follow button: counted for the funnel (store, associate) once
        per genuine receipt, also when WeChat reported the follow first (wechat_push.py).
        A forged or altered token names a real till but no receipt it printed: not counted."""
        try:
            found = await run_in_threadpool(lookup, token)
        except ApiError as err:
            # the error body every non-2xx carries, and `counted` the page's script reads
            return JSONResponse(
                {"counted": False, "error": {"code": err.code, "message": err.message}},
                status_code=404,
            )
        if found["verdict"] != "genuine":
            return JSONResponse({"counted": False})
        counted = await run_in_threadpool(
            service.members.funnel.follow_receipt, found["device"], found["fields"].receipt_no
        )
        return JSONResponse({"counted": counted})
