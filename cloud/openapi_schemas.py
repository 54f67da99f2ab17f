"""The data shapes of the cloud's OpenAPI document (its `components`): the error body, the
signature scheme and every request and answer schema the paths in openapi.py refer to."""

from __future__ import annotations

from typing import Any


def components() -> dict[str, Any]:
    return {
        "securitySchemes": {
            "httpSignature": {
                "type": "apiKey",
                "in": "header",
                "name": "Signature",
                "description": "RFC 9421 Signature + Signature-Input + Content-Digest",
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    }
                },
            },
            "EnrollRequest": {
                "type": "object",
                "required": ["code", "public_key"],
                "properties": {
                    "code": {"type": "string"},
                    "public_key": {"type": "string", "contentEncoding": "base64"},
                    "device": {
                        "type": "object",
                        "properties": {
                            "model": {"type": "string"},
                            "serial": {"type": "string"},
                            "app_version": {"type": "string"},
                            "till_no": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 999,
                                "description": "the number the till was set up with",
                            },
                            "store_id": {
                                "type": "string",
                                "description": "the store the till was set up for",
                            },
                        },
                    },
                },
            },
            "EnrollResponse": {
                "type": "object",
                "properties": {
                    "device_id": {"type": "string"},
                    "store_id": {"type": "string"},
                    "till_no": {"type": "integer"},
                    "key_id": {"type": "string"},
                    "ereceipt_base_url": {"type": "string"},
                    "server_time": {"type": "string", "format": "date-time"},
                },
            },
            "Event": {
                "type": "object",
                "required": ["id", "type", "seq", "occurred_at", "payload"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "type": {"type": "string"},
                    "schema": {"type": "integer", "const": 1},
                    "seq": {"type": "integer", "minimum": 1},
                    "occurred_at": {"type": "string", "format": "date-time"},
                    "payload": {"type": "object"},
                    "prev_entry_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "entry_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                },
            },
            "PushResult": {
                "type": "object",
                "properties": {
                    "accepted": {"type": "array", "items": {"type": "string"}},
                    "duplicates": {"type": "array", "items": {"type": "string"}},
                    "rejected": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "code": {"type": "string"},
                                "reason": {"type": "string"},
                            },
                        },
                    },
                    "contiguous_seq": {"type": "integer"},
                },
            },
            "ChangesPage": {
                "type": "object",
                "properties": {
                    "changes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "kind": {
                                    "enum": [
                                        "product",
                                        "price",
                                        "promotion",
                                        "member",
                                        "coupon",
                                        "device_key",
                                        "config",
                                        "stock",
                                        "stock_doc",
                                    ]
                                },
                                "op": {"enum": ["upsert", "delete"]},
                                "key": {"type": "string"},
                                "data": {"type": "object"},
                            },
                        },
                    },
                    "next_cursor": {"type": "string"},
                    "more": {"type": "boolean"},
                },
            },
            "Member": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "phone": {"type": "string"},
                    "name": {"type": "string"},
                    "tier": {"type": "string"},
                    "points": {"type": "integer"},
                    "stored_value_fen": {"type": "integer"},
                },
            },
            "StoredValueRequest": {
                "type": "object",
                "required": ["member_id", "amount_fen"],
                "properties": {
                    "member_id": {"type": "string"},
                    "amount_fen": {"type": "integer", "minimum": 1},
                    "reference": {"type": "string"},
                },
            },
            "StoredValueResult": {
                "type": "object",
                "properties": {
                    "transaction_id": {"type": "integer"},
                    "member_id": {"type": "string"},
                    "amount_fen": {"type": "integer"},
                    "direction": {"type": "string"},
                    "balance_fen": {"type": "integer"},
                },
            },
            "StockGrid": {
                "type": "object",
                "properties": {
                    "style": {"type": "string"},
                    "skus": {"type": "array", "items": {"type": "string"}},
                    "stores": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "store_id": {"type": "string"},
                                "name": {"type": "string"},
                                "distance_km": {"type": ["number", "null"]},
                                "skus": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer"},
                                },
                            },
                        },
                    },
                },
            },
            "ReceiptLookup": {
                "type": "object",
                "properties": {
                    "verdict": {"enum": ["genuine", "altered", "unknown_till", "revoked_till"]},
                    "receipt_no": {"type": "integer"},
                    "issued_at": {"type": "integer"},
                    "total_fen": {"type": "integer"},
                    "store_id": {"type": ["string", "null"]},
                    "till_no": {"type": ["integer", "null"]},
                    "synced": {"type": "boolean"},
                    "payload": {"type": ["object", "null"]},
                },
            },
        },
    }
