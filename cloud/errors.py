"""The cloud's error answers: every non-2xx is {"error": {"code", "message"}} (sync protocol).

The framework's own answers (404 for an unknown path, 405 for a method a route does not take,
500 for a crash, FastAPI's 422 for a parameter that fails validation, which is the protocol's
400 `bad_request`) go through here too, so a client never meets a bare text page or another
error shape; a 405 keeps the `Allow` header the router computed.  The one exception is a browser on the public e-receipt
pages (/r/…, /R/…): a customer who scanned a bad code sees the HTML problem page in both
languages rather than JSON, unless the client asks for JSON only (Accept without text/html
and without */*, which is how API tools ask)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .common import ApiError
from .ereceipt import CloudConfig, problem_page

RECEIPT_PAGE_PREFIXES = ("/r/", "/R/")

# A route parameter FastAPI checks (declared with its bounds, so the document states them):
# the code and sentence the protocol has always answered for it; any other, bad_request.
PARAMETER_ERRORS = {
    ("query", "phone"): ("phone_required", "Ask with ?phone=…"),
    ("header", "Idempotency-Key"): (
        "idempotency_key_required",
        "Send an Idempotency-Key header (a UUID made once per payment)",
    ),
}

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
_HTTP_MESSAGES = {
    404: "No such path on this cloud: see /openapi.json for the paths it serves",
    405: "This path does not take this method: use one listed in the Allow header",
}


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def wants_html(request: Request) -> bool:
    """A browser on an e-receipt page: HTML.  Browsers send text/html; httpx and curl send
    */*, and today's pages answer those with HTML too, so only an Accept that names neither
    (application/json, say) gets the JSON error body."""
    if not request.url.path.startswith(RECEIPT_PAGE_PREFIXES):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    accept = request.headers.get("accept", "*/*").lower()
    return "text/html" in accept or "*/*" in accept or not accept.strip()


def not_a_receipt_page(cfg: CloudConfig, request: Request) -> Response:
    if wants_html(request):
        return HTMLResponse(
            problem_page(
                cfg, "无法识别此电子小票，请核对二维码", "This is not a valid e-receipt code"
            ),
            status_code=404,
        )
    return error(404, "bad_token", "This is not a Guitai e-receipt token: check the QR code")


Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]


def error_handlers(cfg: CloudConfig) -> dict[int | type[Exception], Handler]:
    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        if exc.message_zh:
            return JSONResponse(
                {"error": {"code": exc.code, "message": exc.message, "message_zh": exc.message_zh}},
                status_code=exc.status,
            )
        return error(exc.status, exc.code, exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404 and wants_html(request):
            return not_a_receipt_page(cfg, request)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = _HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        # exc.headers holds the router's `Allow` on a 405
        return error(exc.status_code, code, message, dict(exc.headers or {}))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        for e in exc.errors():
            known = PARAMETER_ERRORS.get(tuple(e.get("loc", ()))[:2])
            if known is not None:
                return error(400, *known)
        where = "; ".join(
            f"{'.'.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return error(400, "bad_request", f"The request is malformed ({where}): see /openapi.json")

    async def crash(request: Request, exc: Exception) -> Response:
        return error(500, "internal_error", "The cloud failed; the till will retry")

    return {
        ApiError: api_error,
        HTTPException: http_error,
        RequestValidationError: invalid,
        Exception: crash,
    }
