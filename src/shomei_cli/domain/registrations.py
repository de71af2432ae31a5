"""Trade registrations (貿易登録): their fields, validation, validity period and renewal window."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from shomei_cli.domain.errors import FieldError
from shomei_cli.domain.validation import check_email, check_text
from shomei_cli.i18n import _

VALIDITY_YEARS = 2
RENEWAL_WINDOW_DAYS = 30
ADMIN_ID_PREFIX = "A"


class RegistrationKind(StrEnum):
    EXPORTER = "exporter"  # 申請者
    AGENT = "agent"  # 代行業者


class RegistrationStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    EXPIRED = "expired"  # derived from valid_until, never stored


def registration_number(chamber_code: str, sequence: int) -> str:
    """10 digits: the chamber code and a six-digit sequence, e.g. 1301000042."""
    return f"{chamber_code}{sequence:06d}"


def admin_login_id(number: str) -> str:
    """One administrator ID per registration: A + the registration number."""
    return f"{ADMIN_ID_PREFIX}{number}"


def add_years(day: date, years: int) -> date:
    """The same calendar date ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validity_end(valid_from: date) -> date:
    """The last day of validity: two years from registration, inclusive (2026-11-27 → 2028-11-26).

    As the Civil Code counts periods (民法143条): the day before the corresponding day, or, when that month
    has no corresponding day (from 29 February), the last day of that month (2028-02-29 → 2030-02-28).
    """
    if valid_from.month == 2 and valid_from.day == 29:
        return add_years(valid_from, VALIDITY_YEARS)
    return add_years(valid_from, VALIDITY_YEARS) - timedelta(days=1)


def renewed_until(valid_until: date) -> date:
    """An approved renewal extends validity by two years from the previous end."""
    return add_years(valid_until, VALIDITY_YEARS)


def is_expired(valid_until: date, today: date) -> bool:
    return today > valid_until


def renewal_open(valid_until: date, today: date) -> bool:
    """Renewal may be requested from 30 days before the end of validity, and at any time after it."""
    return today >= valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def effective_status(stored: str, valid_until: date, today: date) -> RegistrationStatus:
    if stored == RegistrationStatus.SUSPENDED:
        return RegistrationStatus.SUSPENDED
    if is_expired(valid_until, today):
        return RegistrationStatus.EXPIRED
    return RegistrationStatus.ACTIVE


# -- the fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    max_length: int
    required: bool = True
    # NFKC folds full-width digits and letters and half-width katakana into their usual forms
    normalise: bool = True


# The registered particulars (登録内容); changed only through a reviewed change request.
PARTICULARS: tuple[FieldSpec, ...] = (
    FieldSpec("company_name", 200),
    FieldSpec("company_name_en", 200),
    FieldSpec("representative_name", 100),
    FieldSpec("representative_name_en", 100),
    FieldSpec("representative_title", 100),
    FieldSpec("representative_title_en", 100),
    FieldSpec("postal_code", 10),  # 〒100-0001 is 9 characters; stored as 100-0001
    FieldSpec("address", 300),
    FieldSpec("address_en", 300),
)
# Contact details (連絡先等); changed at once by the administrator.
CONTACT: tuple[FieldSpec, ...] = (
    FieldSpec("contact_person", 100),
    FieldSpec("department", 100, required=False),
    FieldSpec("phone", 20),
    FieldSpec("email", 254),
)
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("kind", 16),
    FieldSpec("corporate_number", 20),
    *PARTICULARS,
    *CONTACT,
    FieldSpec("member", 8),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
_SPECS = {f.name: f for f in FIELDS}
_PHONE = re.compile(r"\+?[0-9][0-9-]{8,18}[0-9]")
_TRUE = {"true", "yes", "1", "member", "会員", "はい", "y"}
_FALSE = {"false", "no", "0", "non-member", "nonmember", "非会員", "いいえ", "n"}


# hyphens and dashes that Japanese input methods produce in numbers (NFKC leaves them alone)
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"})


def normalise(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _digits_and_hyphens(text: str) -> str:
    return text.translate(_DASHES)


def check_fields(
    values: dict[str, str], names: tuple[str, ...], row: int | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate and normalise the ``names`` of ``values``; returns the clean values and every error."""
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []

    def fail(field: str, reason: str) -> None:
        errors.append(FieldError(field, reason, row))

    for name in names:
        spec = _SPECS[name]
        raw = values.get(name)
        text = "" if raw is None else (normalise(raw) if spec.normalise else raw.strip())
        if not text:
            if spec.required:
                fail(name, _("is required"))
            else:
                clean[name] = None
            continue
        problems = check_text(name, text, max_length=spec.max_length)
        if problems:
            errors += [FieldError(p.field, p.reason, row) for p in problems]
            continue
        checker = _CHECKERS.get(name)
        if checker is None:
            clean[name] = text
            continue
        result = checker(text)
        if isinstance(result, str) and result.startswith("!"):
            fail(name, result[1:])
        else:
            clean[name] = result
    return clean, errors


def _kind(text: str) -> str:
    lowered = text.lower()
    aliases = {"exporter": "exporter", "申請者": "exporter", "agent": "agent", "代行業者": "agent"}
    return aliases.get(lowered) or "!" + _("must be exporter (申請者) or agent (代行業者)")


def _corporate_number(text: str) -> str:
    from stdnum.jp import cn

    digits = text.replace("-", "").replace(" ", "")
    if not digits.isdigit() or len(digits) != 13:
        return "!" + _("must be the 13-digit corporate number (法人番号)")
    if not cn.is_valid(digits):
        return "!" + _("is not a valid corporate number (its check digit is wrong)")
    return digits


def _postal_code(text: str) -> str:
    digits = _digits_and_hyphens(text).replace("-", "").replace("〒", "").strip()
    if not digits.isdigit() or len(digits) != 7:
        return "!" + _("must be 7 digits, e.g. 100-0001")
    return f"{digits[:3]}-{digits[3:]}"


def _phone(text: str) -> str:
    compact = _digits_and_hyphens(text).replace(" ", "").replace("(", "").replace(")", "")
    if not _PHONE.fullmatch(compact):
        return "!" + _("is not a phone number (digits and hyphens, e.g. 03-1234-5678)")
    return compact


def _email(text: str) -> str:
    return "!" + _("is not an email address") if check_email("email", text) else text


def _member(text: str) -> bool | str:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return "!" + _("must be yes or no (会員 or 非会員)")


_CHECKERS: dict[str, Any] = {
    "kind": _kind,
    "corporate_number": _corporate_number,
    "postal_code": _postal_code,
    "phone": _phone,
    "email": _email,
    "member": _member,
}
