"""The OpenAPI 3.1 document of the cloud (served at /openapi.json)."""

from __future__ import annotations

from typing import Any

from .openapi_schemas import components

SIGNED: list[dict[str, list[str]]] = [{"httpSignature": []}]


def _err(desc: str) -> dict[str, Any]:
    return {
        "description": desc,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: dict[str, Any], desc: str = "OK") -> dict[str, Any]:
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


AUTH_ERRORS = {
    "401": _err(
        "Signature problem: missing_signature, unknown_key, revoked_key, "
        "bad_signature, digest_mismatch, stale_signature, replayed_nonce; bad_public_key: "
        "the device was enrolled (before version 1.1) with a key that is not acceptable"
    )
}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_document() -> dict[str, Any]:
    from .wechat_push import openapi_paths  # the WeChat push URL documents itself

    doc = _document()
    doc["paths"].update(openapi_paths())
    doc["paths"]["/R/{token}"] = doc["paths"]["/r/{token}"]
    for path, item in doc["paths"].items():
        for op in item.values():
            _declare_common_errors(path, op)
    return doc


def _declare_common_errors(path: str, op: dict[str, Any]) -> None:
    """What any operation of its kind can answer, declared once instead of on each route:
    a crash (500, the error body); for /v1/, a body over 1 MiB (413, read before the
    signature is checked).  A method a path does not take answers 405 with `Allow`; that is
    not an operation, so it is not declared (OpenAPI has no place for it)."""
    responses = op.setdefault("responses", {})
    responses.setdefault("500", _err("internal_error: the cloud failed; the till retries"))
    if path.startswith("/v1/"):
        responses.setdefault("413", _err("batch_too_large: a request body is at most 1 MiB"))


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Guitai cloud CRM (reference)",
            "version": "1.1",
            "description": "Sync protocol v1.1 between Guitai tills and the brand's cloud. "
            "Every /v1/ call is signed with HTTP Message "
            "Signatures (RFC 9421, ed25519, keyid = device_id) covering "
            '"@method" "@target-uri" "content-digest" with created '
            'and nonce; enrollment with keyid = "enroll" and the private key of the public '
            "key it enrolls (proof of possession). Bad input is a 400, never a 5xx. "
            "Every response carries Date.",
        },
        "paths": {
            "/v1/devices/enroll": {
                "post": {
                    "summary": "Enroll a till with a one-time code",
                    "description": 'Signed with keyid "enroll" by the private key of '
                    "`public_key` (proof of possession, protocol 1.1); the signature is checked "
                    "before the code.",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref("EnrollRequest")}},
                    },
                    "responses": {
                        "201": _json(ref("EnrollResponse"), "Enrolled"),
                        "400": _err(
                            "bad_json (not JSON, or nested deeper than 32 levels), bad_request, "
                            "bad_till_no; bad_public_key: not the canonical encoding of a point "
                            "of the prime-order subgroup (small-order, mixed-order, identity, "
                            "non-canonical y)"
                        ),
                        "401": _err(
                            'bad_signature: missing, keyid not "enroll", or not made by the '
                            "key in the body; digest_mismatch, stale_signature, replayed_nonce"
                        ),
                        "404": _err("unknown_code"),
                        "409": _err(
                            "code_used: the code was used before; wrong_store: the till is "
                            "set up for another store; till_no_taken: another active till "
                            "holds the requested number; key_enrolled: an unsigned request "
                            "names a key already enrolled (only its holder re-enrolls it)"
                        ),
                        "410": _err("code_expired"),
                    },
                }
            },
            "/v1/events": {
                "post": {
                    "summary": "Push a batch of outbox events (≤ 500 events, ≤ 1 MiB)",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["events"],
                                    "properties": {
                                        "events": {
                                            "type": "array",
                                            "maxItems": 500,
                                            "items": ref("Event"),
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(ref("PushResult")),
                        "400": _err(
                            "bad_batch: not JSON, nested deeper than 32 levels, no events "
                            "list, or an event id that is not a UUID"
                        ),
                        "413": _err("batch_too_large"),
                        **AUTH_ERRORS,
                    },
                }
            },
            "/v1/changes": {
                "get": {
                    "summary": "Pull catalog, price, promotion, member, coupon, device key and "
                    "config changes after a cursor",
                    "security": SIGNED,
                    "parameters": [
                        {"name": "since", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                        },
                    ],
                    "responses": {
                        "200": _json(ref("ChangesPage")),
                        "400": _err("bad_cursor"),
                        **AUTH_ERRORS,
                    },
                }
            },
            "/v1/coupons/redemptions": {
                "post": {
                    "summary": "Redeem a coupon online for a sale (a second sale is refused)",
                    "security": SIGNED,
                    "requestBody": _json(
                        {
                            "type": "object",
                            "required": ["code", "sale_id"],
                            "properties": {
                                "code": {"type": "string"},
                                "member_id": {"type": ["string", "null"]},
                                "sale_id": {"type": "string"},
                            },
                        },
                        "The coupon and the sale it is redeemed for (same sale again: 200)",
                    ),
                    "responses": {
                        "200": _json({"type": "object"}),
                        "404": _err("unknown_coupon"),
                        "400": _err("bad_request"),
                        "409": _err("coupon_used: already used, or another member's"),
                        **AUTH_ERRORS,
                    },
                }
            },
            "/v1/coupons/releases": {
                "post": {
                    "summary": "Give back a coupon redeemed for a sale that was abandoned",
                    "security": SIGNED,
                    "requestBody": _json(
                        {
                            "type": "object",
                            "required": ["code", "sale_id"],
                            "properties": {
                                "code": {"type": "string"},
                                "sale_id": {"type": "string"},
                            },
                        },
                        "The coupon and the abandoned sale",
                    ),
                    "responses": {
                        "200": _json({"type": "object"}),
                        "400": _err("bad_request"),
                        "409": _err("not_yours, sale_completed"),
                        **AUTH_ERRORS,
                    },
                }
            },
            "/r/{token}/follow": {
                "post": {
                    "summary": "The e-receipt page's follow button (counted for the funnel once "
                    "per receipt, together with WeChat's subscribe push)",
                    "parameters": [
                        {
                            "name": "token",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json({"type": "object"}),
                        "404": _err("bad_token (the body also says counted: false)"),
                    },
                }
            },
            "/v1/members": {
                "get": {
                    "summary": "Look up a member by phone",
                    "security": SIGNED,
                    "parameters": [
                        {
                            "name": "phone",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(ref("Member")),
                        "404": _err("unknown_member"),
                        **AUTH_ERRORS,
                    },
                }
            },
            **{
                f"/v1/stored-value/{d}": {
                    "post": {
                        "summary": f"Stored-value {d[:-1]} (authoritative balance ledger)",
                        "security": SIGNED,
                        "parameters": [
                            {
                                "name": "Idempotency-Key",
                                "in": "header",
                                "required": True,
                                "schema": {"type": "string", "maxLength": 255},
                            }
                        ],
                        "requestBody": {
                            "required": True,
                            "content": {"application/json": {"schema": ref("StoredValueRequest")}},
                        },
                        "responses": {
                            "200": _json(ref("StoredValueResult")),
                            "400": _err("idempotency_key_required, bad_request, bad_amount"),
                            "404": _err("unknown_member"),
                            "409": _err("insufficient_funds"),
                            "422": _err("idempotency_key_reused"),
                            **AUTH_ERRORS,
                        },
                    }
                }
                for d in ("debits", "credits")
            },
            "/v1/receipts/{token}": {
                "get": {
                    "summary": "The synced sale behind an e-receipt token",
                    "security": SIGNED,
                    "parameters": [
                        {
                            "name": "token",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(ref("ReceiptLookup")),
                        "404": _err("bad_token"),
                        **AUTH_ERRORS,
                    },
                }
            },
            "/v1/stock/{style}": {
                "get": {
                    "summary": "Every store's quantities of a style's SKUs, nearest to the "
                    "calling till's store first (its own store first of all); distance_km is "
                    "null where a store has no coordinates",
                    "security": SIGNED,
                    "parameters": [
                        {
                            "name": "style",
                            "in": "path",
                            "required": True,
                            "description": "percent-encoded, a `/` as %2F; the signature "
                            "covers the path as sent",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {"200": _json(ref("StockGrid")), **AUTH_ERRORS},
                }
            },
            "/r/{token}": {
                "get": {
                    "summary": "The public e-receipt page (also at /R/{token}; case-sensitive)",
                    "parameters": [
                        {
                            "name": "token",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "HTML page",
                            "content": {"text/html": {"schema": {"type": "string"}}},
                        },
                        "404": {
                            "description": "Not a valid token: an HTML page for a browser "
                            "(Accept text/html or */*), the error body (bad_token) for a "
                            "client that accepts only JSON",
                            "content": {
                                "text/html": {"schema": {"type": "string"}},
                                "application/json": {"schema": ref("Error")},
                            },
                        },
                    },
                }
            },
            "/openapi.json": {
                "get": {"summary": "This document", "responses": {"200": _json({"type": "object"})}}
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness: the process serves (touches nothing)",
                    "responses": {"200": _json({"type": "object"})},
                }
            },
            "/readyz": {
                "get": {
                    "summary": "Readiness: the database answers a trivial query within 2 s",
                    "responses": {
                        "200": _json({"type": "object"}),
                        "503": _err("database_unavailable: the database does not answer"),
                    },
                }
            },
        },
        "components": components(),
    }
