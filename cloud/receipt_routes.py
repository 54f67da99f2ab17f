"""The e-receipt routes: the public page a customer's phone opens from the printed QR code
(/r/{token}, /R/{token}), its follow button, and the signed lookup a till makes
(/v1/receipts/{token})."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import Annotated, Any

from fastapi import Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from receipts.token import ALL_VERSIONS, TokenError, TokenFields, decode_token

from .api_docs import CRASH, ERROR, SIGNED, CloudAPI, v1
from .api_models import FollowRefused, FollowResult, ReceiptLookup
from .common import _now_iso
from .db import Tx
from .ereceipt import CloudConfig, invite_html, receipts_page, token_only_page
from .errors import not_a_receipt_page
from .fapiao.desk import receipt_key
from .fapiao_routes import add_fapiao_routes
from .follow_qr import follow_codes
from .gate import Till
from .members.funnel_days import is_bot
from .pages.fapiao import fapiao_section
from .pages.gift import gift_page
from .pages.receipt_hero import UNVERIFIED, VISITOR, hero_html, private_payload, unverified_page
from .pages.receipt_view import needs_follow_code, receipt_view, with_follow_code
from .pages.visitor import read_visitor
from .receipt_lookup import sale_of_row, token_receipt, token_signed_by
from .returns.reservations import returnable
from .service import ApiError, CloudService
from .topups.receipt_page import show_topup

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
        device, sale_row, follow_row = token_receipt(tx, fields.key_id.hex(), fields.receipt_no)
        result: dict[str, Any] = {
            "fields": fields,
            "device": device,
            "sale": None,
            "follow_row": follow_row,
        }
        if device is None:
            result["verdict"] = "unknown_till"
            return result
        if not token_signed_by(device, fields):  # the printed token was altered
            result["verdict"] = "altered"
            return result
        result["verdict"] = "revoked_till" if device["revoked_at"] else "genuine"
        if sale_row is not None:
            sale = sale_of_row(sale_row)
            # a gift receipt's token (version 2) carries no total: its digest binds it
            if sale["entry_hash"][:16] != fields.sale_digest.hex() or (
                not fields.gift and sale["total_fen"] != fields.total_fen
            ):
                result["verdict"] = "altered"
            result["sale"] = sale
        return result

    def lookup(token: str) -> dict[str, Any]:
        fields = decode(token)
        with service.db.tx() as tx:
            found = judge(tx, fields)
            sale = found["sale"]
            if sale is not None and sale["type"] == "sale.completed":
                sale_id = str(sale["payload"].get("sale_id", ""))
                found["returns"] = returnable(tx, sale_id, _now_iso(service.now()))
            return found

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
                "returns": found.get("returns"),
            }
        )

    codes = follow_codes(service.db, service.now, cfg)

    def wants_fapiao(found: dict[str, Any]) -> bool:
        # A sale's genuine receipt of a brand with an invoicing provider (cloud/pages/fapiao.py)
        sale = found["sale"]
        if found["verdict"] != "genuine" or not service.fapiao.available:
            return False
        return sale is None or sale["type"] == "sale.completed"

    def show(fields: TokenFields, visitor: str, request: Request) -> dict[str, Any]:
        """Everything the page reads, and its open count, in one transaction (one commit per
        page): the lookup, the visitor's session key, who follows, the receipt's stored follow
        code and its fapiao.  Only what must talk to WeChat or the invoicing provider (a new
        follow code, a pending invoice) runs after it, in transactions of its own."""
        with service.db.tx() as tx:
            found = judge(tx, fields)
            # Only a genuine receipt is a receipt the store printed; a reload or a second
            # look by the same visitor is the same open (cloud/members/funnel.py); a
            # crawler's look is no open.
            if found["verdict"] == "genuine" and not is_bot(request.headers.get("user-agent", "")):
                sale = found.get("sale")
                assoc = str(((sale or {}).get("payload") or {}).get("associate") or "")
                synced = (
                    (sale or {}).get("payload")
                    if (sale or {}).get("type") == "sale.completed"
                    else None
                )
                service.members.funnel.open_receipt(
                    tx, found["device"], fields.receipt_no, assoc, visitor, synced
                )
            if not fields.gift and found["verdict"] not in UNVERIFIED:
                # made here on a database's very first page: with the open count's
                # asynchronous commit a crash may lose it within ~600 ms, before any
                # session was signed with it (a page signs none), so nothing is lost
                key = service.session_secret_in(tx)
                who = read_visitor(request, key, time.time())
                found["view"], found["owner"] = receipt_view(tx, codes, found, who)
            found["fapiao"] = None
            if wants_fapiao(found) and found["sale"] is not None:
                found["fapiao"] = service.fapiao.state_in(
                    tx, receipt_key(found["device"], fields.receipt_no)
                )
        if "view" in found:
            service.keep_session_secret(key)  # committed: every later page reuses it
            if needs_follow_code(codes, found, found["view"]):
                found["view"] = with_follow_code(codes, found, found["view"])
        if _unsent(found["fapiao"]):  # the provider has not answered yet: asked again first
            found["fapiao"] = service.fapiao.state(receipt_key(found["device"], fields.receipt_no))
        return found

    async def receipt_page(request: Request, token: Token) -> Response:
        fields = _any_fields(token)  # decoded once: base32 both ways is a tenth of a page
        if fields is not None and fields.topup:  # a top-up receipt's QR (token version 3)
            text = await run_in_threadpool(show_topup, service, cfg, fields, token, request)
            return HTMLResponse(text)
        if fields is None:
            return not_a_receipt_page(cfg, request)
        visitor, new_visitor = visitor_of(request)
        try:
            found = await run_in_threadpool(show, fields, visitor, request)
        except ApiError:
            return not_a_receipt_page(cfg, request)
        page = _receipt_page(found, token)
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

    def _receipt_page(found: dict[str, Any], token: str) -> HTMLResponse:
        f, dev, sale, verdict = found["fields"], found["device"], found["sale"], found["verdict"]
        if f.gift:  # a gift receipt's QR: the items and how to exchange them, no money (and
            # for an altered or unknown one, that it cannot be exchanged on it: gift.py)
            return HTMLResponse(gift_page(found, cfg))
        if verdict in UNVERIFIED:  # nothing of the receipt: its contents are not the store's
            return HTMLResponse(unverified_page(cfg, verdict))
        view, owner = found["view"], found["owner"]
        sections = (
            fapiao_section(token, sale is not None, found["fapiao"]) if wants_fapiao(found) else ""
        )
        refund = sale is not None and sale["type"] == "refund.completed"
        lead = hero_html(
            cfg,
            token=token,
            store_name=dev["store_name"] or dev["store_id"],
            verdict=verdict,
            total_fen=int(sale["total_fen"]) if sale else f.total_fen,
            refund=refund,
            view=view,
        )
        # the invitation card below the receipt is for a visitor who does not follow yet
        invite = invite_html(cfg) if view.state == VISITOR else ""
        if sale is not None:
            # receipts.html draws the synced sale or refund (issue 18: the page has one
            # renderer); its footer says where a refund's money went (现金退回 / 原路退回)
            return HTMLResponse(
                receipts_page(
                    private_payload(sale["payload"], owner),
                    verified=None,  # the hero above carries the verdict
                    extra_html=sections + invite,
                    store_name=dev["store_name"],
                    kind=sale["type"],
                    lead_html=lead,
                )
            )
        text = token_only_page(
            store_name=dev["store_name"],
            store_id=dev["store_id"],
            till_no=dev["till_no"],
            fields=f,
            verdict=verdict,
            cfg=cfg,
            lead_html=lead,
            invite=bool(invite),
            extra_html=sections,
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

    add_fapiao_routes(app, service, lookup)


def _any_fields(token: str) -> TokenFields | None:
    """The token's fields, a top-up receipt's too (version 3: its own page); None when it is
    no token (the page then says it is not a receipt).  A sale's or gift receipt's fields
    are those decode_token reads with its default versions: only the version check differs."""
    try:
        return decode_token(token, versions=ALL_VERSIONS)
    except TokenError:
        return None


def _unsent(fapiao: dict[str, Any] | None) -> bool:
    """An invoice (or a 红冲 of an issued one) still waiting for the provider's answer."""
    if fapiao is None:
        return False
    if fapiao["state"] == "pending":
        return True
    return fapiao["state"] == "issued" and any(r["state"] == "pending" for r in fapiao["reversals"])
