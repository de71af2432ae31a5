"""Field checks shared by every service: they return FieldErrors so a caller can report all at once."""

from __future__ import annotations

import re
import unicodedata

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
    if any(unicodedata.category(c) in {"Cc", "Cf"} for c in stripped):
        return [FieldError(field, _("must not contain control characters"))]
    return []


def check_email(field: str, value: str) -> list[FieldError]:
    stripped = value.strip()
    if len(stripped) > 254 or not _EMAIL.fullmatch(stripped):
        return [FieldError(field, _("is not an email address"))]
    return []
