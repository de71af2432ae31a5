"""Field checks shared by every service: they return FieldErrors so a caller can report all at once."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields, is_dataclass

from shomei_cli.domain.errors import FieldError
from shomei_cli.i18n import _

# Deliberately simple: one @, something on each side, a dot in the domain, no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def check_text(field: str, value: str, *, max_length: int, required: bool = True) -> list[FieldError]:
    """A single-line text: present (if required), not too long, no control characters."""
    stripped = value.strip()
    if required and not stripped:
        return [FieldError(field, _("is required"))]
    if len(stripped) > max_length:
        reason = _("must be at most {maximum} characters (it has {length})")
        return [FieldError(field, reason.format(maximum=max_length, length=len(stripped)))]
    if has_invisible(stripped):
        return [FieldError(field, _("must not contain control characters"))]
    return []


def has_invisible(text: str, *, line_breaks: bool = False) -> bool:
    """Whether ``text`` holds a control character (category Cc) or an invisible format character (Cf: the
    bidirectional controls that reorder what is printed, U+202A–202E and U+2066–2069, zero-width spaces and
    joiners, soft hyphens, a BOM). Japanese text needs none of them: the variation selectors of 異体字
    (U+FE00–FE0F, U+E0100–E01EF) are Mn, not Cf, and stay allowed; ZWJ only joins emoji, which a certificate
    does not carry. ``line_breaks``: tab, LF and CR are allowed (a multi-line field)."""
    return any(unicodedata.category(c) in {"Cc", "Cf"} and not (line_breaks and c in "\t\n\r") for c in text)


def check_email(field: str, value: str) -> list[FieldError]:
    stripped = value.strip()
    if len(stripped) > 254 or not _EMAIL.fullmatch(stripped):
        return [FieldError(field, _("is not an email address"))]
    return []


# References, IDs and numbers that a person types or a QR code carries: none of ours is longer
IDENTIFIER_MAX_LENGTH = 64


def unstorable(field: str, value: object, *, identifier: bool = False) -> list[FieldError]:
    """Text that no column can hold, anywhere in ``value`` (walking dicts, lists and dataclasses): a NUL or an
    unpaired surrogate; and, for an ``identifier``, more characters than any reference has. Checked before
    anything is looked up or written (the audit record of a refusal included)."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value):
            return [FieldError(field, _("must not contain NUL or unpaired surrogate characters"))]
        if identifier and len(value) > IDENTIFIER_MAX_LENGTH:
            reason = _("must be at most {maximum} characters (it has {length})")
            return [FieldError(field, reason.format(maximum=IDENTIFIER_MAX_LENGTH, length=len(value)))]
        return []
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in unstorable(f"{field}.{k}", v) + unstorable(field, k)]
    if isinstance(value, list | tuple):
        items = enumerate(value, 1)
        return [e for i, v in items for e in unstorable(f"{field}.{i}", v, identifier=identifier)]
    if is_dataclass(value) and not isinstance(value, type):
        return [e for f in fields(value) for e in unstorable(f.name, getattr(value, f.name))]
    return []
