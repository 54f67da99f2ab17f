"""How the routes declare what they answer: the error statuses with their codes, the request
bodies (read raw, see api_models.py), and the app class whose OpenAPI 3.1 document is
generated from the routes at /openapi.json."""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import FastAPI
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .api_models import JSON_VALUE, Error, Event

REF = "#/components/schemas/{model}"
ERROR = {"$ref": REF.format(model="Error")}

DESCRIPTION = (
    "Sync protocol v1.1 between Guitai tills and the brand's cloud. Every /v1/ call is "
    "signed with HTTP Message Signatures (RFC 9421, ed25519, keyid = device_id) covering "
    '"@method" "@target-uri" "content-digest" with created and nonce; enrollment with '
    'keyid = "enroll" and the private key of the public key it enrolls (proof of '
    "possession). Bad input is a 400, never a 5xx. Every response carries Date; every "
    'answer other than 2xx is {"error": {"code", "message"}}.'
)

# The signature scheme as OpenAPI can name it: the header that carries it.  The check itself
# is the route's (app.authenticate), so a missing header is the protocol's 401, not FastAPI's.
signature_header = APIKeyHeader(
    name="Signature",
    scheme_name="httpSignature",
    description="RFC 9421 Signature + Signature-Input + Content-Digest",
    auto_error=False,
)

Responses = dict[int | str, dict[str, Any]]


def errors(spec: dict[int, str]) -> Responses:
    """{status: the codes it carries} as declared responses with the error body."""
    # The content is spelled out rather than `model=Error`, which FastAPI would file under the
    # route's own media type: the HTML page's and WeChat's text answers err in JSON too.
    return {
        status: {"description": codes, "content": {"application/json": {"schema": ERROR}}}
        for status, codes in spec.items()
    }


CRASH = errors({500: "internal_error: the cloud failed; the till retries"})
TOO_LARGE = errors({413: "batch_too_large: a request body is at most 1 MiB"})
SIGNED = errors(
    {
        401: "Signature problem: missing_signature, unknown_key, revoked_key, bad_signature, "
        "digest_mismatch, stale_signature, replayed_nonce; bad_public_key: the device was "
        "enrolled (before version 1.1) with a key that is not acceptable"
    }
)


def v1(spec: dict[int, str]) -> Responses:
    """What a /v1/ route answers: its own errors, a body over 1 MiB (read before the
    signature is checked) and a crash."""
    return {**TOO_LARGE, **errors(spec), **CRASH}


# The models the document holds beyond those FastAPI finds in response_model= and responses=:
# the error body the `errors()` answers refer to, the event a batch carries, and every
# request body (request_body() adds them).
_request_models: dict[str, type[BaseModel]] = {"Error": Error, "Event": Event}


def request_body(
    model: type[BaseModel] | None, media: str = "application/json", description: str = ""
) -> dict[str, Any]:
    """`openapi_extra` declaring a body the route reads itself (the signature covers its
    bytes); `model` None: a body that is text of `media`, not JSON."""
    if model is None:
        schema: dict[str, Any] = {"type": "string"}
    else:
        _request_models[model.__name__] = model
        schema = {"$ref": REF.format(model=model.__name__)}
    body: dict[str, Any] = {"required": True, "content": {media: {"schema": schema}}}
    if description:
        body["description"] = description
    return {"requestBody": body}


class CloudAPI(FastAPI):
    """FastAPI whose document also holds the request bodies the routes read raw, and none of
    FastAPI's 422 answers: the routes declare no parameter that can fail validation, and a
    validation error would be the protocol's 400 (errors.py)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        with warnings.catch_warnings():
            # A route taking two methods (/wechat/push, one route so that its 405 names both
            # in `Allow`) gets one operation id for both: FastAPI warns; renamed below.
            warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
            doc = super().openapi()
        seen: set[str] = set()
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        _, defs = models_json_schema(
            [(m, "validation") for m in _request_models.values()], ref_template=REF
        )
        for name, schema in defs.get("$defs", {}).items():
            schemas.setdefault(name, schema)
        schemas["JsonValue"] = JSON_VALUE
        for item in doc["paths"].values():
            for method, op in item.items():
                if op["operationId"] in seen:
                    op["operationId"] = f"{op['operationId'].rsplit('_', 1)[0]}_{method}"
                seen.add(op["operationId"])
                if method == "get":  # one route for GET and POST: the body is POST's alone
                    op.pop("requestBody", None)
                if op["responses"].get("422", {}).get("description") == "Validation Error":
                    del op["responses"]["422"]
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        self.openapi_schema = doc
        return doc
