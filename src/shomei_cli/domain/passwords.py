"""The password policy and the generator of initial passwords.

Policy (after NIST SP 800-63B): 12 to 128 characters, no composition rules, not a common password, and not
containing the ID, the chamber code or the company name. Generated passwords avoid look-alike characters.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache

from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.i18n import N_, _

MIN_LENGTH = 12
MAX_LENGTH = 128
GENERATED_LENGTH = 16
# No 0/O/o, 1/l/I/i, nor 2/Z, 5/S: what is printed on a card must be typed back without doubt.
GENERATED_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRTUVWXY346789"


def generate_password(length: int = GENERATED_LENGTH) -> str:
    """A random initial password of ``length`` characters from the unambiguous alphabet."""
    return "".join(secrets.choice(GENERATED_ALPHABET) for _unused in range(length))


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list), lower-cased. Loaded on first use only."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def check_password(
    password: str,
    *,
    login_id: str,
    chamber_code: str,
    names: tuple[str | None, ...] = (),
    field: str = "password",
) -> None:
    """Raise InvalidInput naming every rule ``password`` breaks; return quietly when it is acceptable.

    ``names`` are the company's and the chamber's names, in every language they are registered in.
    """
    reasons: list[str] = []
    length = len(password)
    if length < MIN_LENGTH:
        reasons.append(
            _("must be at least {minimum} characters (it has {length})").format(
                minimum=MIN_LENGTH, length=length
            )
        )
    if length > MAX_LENGTH:
        reasons.append(
            _("must be at most {maximum} characters (it has {length})").format(
                maximum=MAX_LENGTH, length=length
            )
        )
    if any(unicodedata.category(c) == "Cc" for c in password):
        reasons.append(_("must not contain control characters"))
    folded = _fold(password)
    if folded in common_passwords():
        reasons.append(_("is one of the most common passwords"))
    for reason, value in (
        (N_("must not contain the ID"), login_id),
        (N_("must not contain the chamber code"), chamber_code),
    ):
        if value and _fold(value) in folded:
            reasons.append(_(reason))
    if any(name and _fold(name) in folded for name in names):
        reasons.append(_("must not contain the company or chamber name"))
    if reasons:
        raise InvalidInput.of([FieldError(field, reason) for reason in reasons])
