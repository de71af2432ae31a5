"""The data of an issued document, embedded in its PDF as ``certificate.json`` and covered by the chamber's
signature, so that a bank or customs can read it by machine and trust it without asking the server.

``SCHEMA`` is printed by ``shomei cert schema --issued``; its ``$id`` is every file's ``schema``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

SCHEMA_ID = "urn:shomei:issued-document:v1"

_CHAMBER = {
    "type": "object",
    "required": ["code", "name", "name_en", "root_sha256"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "pattern": "^[0-9]{4}$"},
        "name": {"type": "string"},
        "name_en": {"type": ["string", "null"]},
        "root_sha256": {
            "description": "SHA-256 of the root certificate the signature chains to (AB:CD:… as printed)",
            "type": "string",
            "pattern": "^([0-9A-F]{2}:){31}[0-9A-F]{2}$",
        },
    },
}

_COMMON = {
    "schema": {"const": SCHEMA_ID},
    "chamber": _CHAMBER,
    "certificate_number": {"type": "string", "minLength": 1},
    "registration_number": {"type": "string", "description": "the company's trade registration"},
    "company": {"type": "string"},
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Data of a document issued by the chamber (embedded as certificate.json, signed)",
    "oneOf": [
        {
            "title": "certificate (of origin, signature certification, certified invoice)",
            "type": "object",
            "required": [
                "schema",
                "document",
                "chamber",
                "certificate_number",
                "type",
                "issued_at",
                "issued_on",
                "registration_number",
                "company",
                "copies",
                "form",
                "attachment_sha256",
            ],
            "additionalProperties": False,
            "properties": {
                **_COMMON,
                "document": {"const": "certificate"},
                "type": {"enum": ["co", "signature", "invoice"]},
                "issued_at": {"type": "string", "format": "date-time"},
                "issued_on": {
                    "type": "string",
                    "format": "date",
                    "description": "in the chamber's time zone",
                },
                "copies": {"type": "integer", "minimum": 0},
                "form": {
                    "type": "object",
                    "description": "every field as applied for (`shomei cert schema --type TYPE`)",
                },
                "attachment_sha256": {
                    "type": ["string", "null"],
                    "description": "SHA-256 (hex) of the invoice a certified invoice was made from",
                },
            },
        },
        {
            "title": "receipt (領収書)",
            "type": "object",
            "required": [
                "schema",
                "document",
                "chamber",
                "receipt_number",
                "certificate_number",
                "registration_number",
                "company",
                "amount",
                "currency",
                "tax_rate",
                "method",
                "paid_at",
                "invoice_registration_number",
            ],
            "additionalProperties": False,
            "properties": {
                **_COMMON,
                "document": {"const": "receipt"},
                "receipt_number": {"type": "string", "minLength": 1},
                "amount": {"type": "integer", "minimum": 0, "description": "tax included"},
                "currency": {"const": "JPY"},
                "tax_rate": {"type": "integer", "minimum": 0, "description": "per cent; 0: not taxable"},
                "method": {"type": "string"},
                "paid_at": {"type": "string", "format": "date-time"},
                "invoice_registration_number": {"type": ["string", "null"], "pattern": "^T[0-9]{13}$"},
            },
        },
    ],
}


def dumps(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


def chamber_part(code: str, name: str, name_en: str | None, root_sha256: str) -> dict[str, Any]:
    return {"code": code, "name": name, "name_en": name_en, "root_sha256": root_sha256}


def instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds")
