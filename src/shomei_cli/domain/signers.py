"""Signers (署名者) and sub IDs: their fields, statuses and identifiers."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from shomei_cli.domain.errors import FieldError
from shomei_cli.domain.validation import check_email, check_text
from shomei_cli.i18n import _

# More active (or pending) signers than this need a written reason.
MAX_SIGNERS_WITHOUT_REASON = 15


class SignerStatus(StrEnum):
    PENDING = "pending"  # waiting for the chamber's review (an addition, or a new signature)
    RETURNED = "returned"  # sent back with a reason; an update resubmits it
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"  # by its administrator, for a while: its user ID and sub IDs stop working
    REMOVED = "removed"


def signer_reference(sequence: int) -> str:
    return f"SG{sequence:06d}"


def user_login_id(sequence: int) -> str:
    """A signer's user ID (ユーザーID): U000001, …"""
    return f"U{sequence:06d}"


def sub_login_id(sequence: int) -> str:
    """A staff member's sub ID (サブID): SB000001, …"""
    return f"SB{sequence:06d}"


# name: (max length, required)
SIGNER_FIELDS: dict[str, tuple[int, bool]] = {
    "name": (100, True),
    "name_en": (100, True),
    "title": (100, True),
    "title_en": (100, True),
    "birth_date": (10, False),
    "address": (300, False),
    "address_en": (300, False),
}


def check_signer_fields(
    values: Mapping[str, str | None], names: tuple[str, ...], row: int | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate and NFKC-normalise the given signer fields; every problem is returned."""
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name in names:
        max_length, required = SIGNER_FIELDS[name]
        raw = values.get(name)
        text = unicodedata.normalize("NFKC", raw).strip() if raw else ""
        if not text:
            if required:
                errors.append(FieldError(name, _("is required"), row))
            else:
                clean[name] = None
            continue
        problems = check_text(name, text, max_length=max_length)
        if problems:
            errors += [FieldError(p.field, p.reason, row) for p in problems]
            continue
        if name == "birth_date":
            try:
                clean[name] = date.fromisoformat(text.replace("/", "-"))
            except ValueError:
                errors.append(FieldError(name, _("must be a date, e.g. 1980-01-01"), row))
            continue
        clean[name] = text
    return clean, errors


def check_sub_fields(name: str | None, email: str | None) -> tuple[dict[str, Any], list[FieldError]]:
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    if name is not None:
        errors += check_text("name", name, max_length=100)
        clean["name"] = unicodedata.normalize("NFKC", name).strip()
    if email is not None:
        if email.strip():
            errors += check_email("email", email)
            clean["email"] = email.strip()
        else:
            clean["email"] = None
    return clean, errors
