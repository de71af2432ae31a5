"""Applications for certificates: the lifecycle, fees, numbers and the print window (DOMAIN.md)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.errors import WrongState
from shomei_cli.i18n import _, pgettext

PRINT_DAYS = 14
ACCESS_CODE_LENGTH = 10
# capitals and digits without look-alikes: read off paper and typed by an importer or a customs officer
ACCESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXY346789"


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    AWAITING_PAYMENT = "awaiting_payment"  # a card payment started at the provider's checkout
    REJECTED = "rejected"
    PAID = "paid"
    ISSUED = "issued"
    CANCELLED = "cancelled"


class Step(StrEnum):
    AMEND = "amend"
    SUBMIT = "submit"
    CANCEL = "cancel"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    CHECKOUT = "checkout"  # start (or start again) a card payment at the provider's page
    PAY = "pay"
    ISSUE = "issue"
    REVOKE = "revoke"  # the chamber cancels an issued certificate


# How states and steps are named in messages: in English the values themselves (scripts match on them),
# in Japanese words (発給済み, 支払い).
STATUS_LABELS: dict[Status, Callable[[], str]] = {
    Status.DRAFT: lambda: pgettext("application status", "draft"),
    Status.SUBMITTED: lambda: pgettext("application status", "submitted"),
    Status.RETURNED: lambda: pgettext("application status", "returned"),
    Status.APPROVED: lambda: pgettext("application status", "approved"),
    Status.AWAITING_PAYMENT: lambda: pgettext("application status", "awaiting_payment"),
    Status.REJECTED: lambda: pgettext("application status", "rejected"),
    Status.PAID: lambda: pgettext("application status", "paid"),
    Status.ISSUED: lambda: pgettext("application status", "issued"),
    Status.CANCELLED: lambda: pgettext("application status", "cancelled"),
}
STEP_LABELS: dict[Step, Callable[[], str]] = {
    Step.AMEND: lambda: pgettext("application step", "amend"),
    Step.SUBMIT: lambda: pgettext("application step", "submit"),
    Step.CANCEL: lambda: pgettext("application step", "cancel"),
    Step.APPROVE: lambda: pgettext("application step", "approve"),
    Step.RETURN: lambda: pgettext("application step", "return"),
    Step.REJECT: lambda: pgettext("application step", "reject"),
    Step.CHECKOUT: lambda: pgettext("application step", "checkout"),
    Step.PAY: lambda: pgettext("application step", "pay"),
    Step.ISSUE: lambda: pgettext("application step", "issue"),
    Step.REVOKE: lambda: pgettext("application step", "revoke"),
}

# (from, step) -> to. Anything not here is refused.
TRANSITIONS: dict[tuple[Status, Step], Status] = {
    (Status.DRAFT, Step.AMEND): Status.DRAFT,
    (Status.RETURNED, Step.AMEND): Status.RETURNED,
    (Status.DRAFT, Step.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Step.SUBMIT): Status.SUBMITTED,
    (Status.DRAFT, Step.CANCEL): Status.CANCELLED,
    (Status.SUBMITTED, Step.CANCEL): Status.CANCELLED,
    (Status.RETURNED, Step.CANCEL): Status.CANCELLED,
    (Status.SUBMITTED, Step.APPROVE): Status.APPROVED,
    (Status.SUBMITTED, Step.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Step.REJECT): Status.REJECTED,
    (Status.APPROVED, Step.PAY): Status.PAID,
    (Status.APPROVED, Step.CHECKOUT): Status.AWAITING_PAYMENT,
    (Status.AWAITING_PAYMENT, Step.CHECKOUT): Status.AWAITING_PAYMENT,
    # the provider's notification, or (the card payment abandoned) the balance, a transfer, the counter
    (Status.AWAITING_PAYMENT, Step.PAY): Status.PAID,
    (Status.PAID, Step.ISSUE): Status.ISSUED,
    (Status.ISSUED, Step.REVOKE): Status.CANCELLED,
}


def advance(current: str, step: Step, reference: str) -> Status:
    """The state after ``step``, or WrongState saying what the application is and what it allows."""
    status = Status(current)
    after = TRANSITIONS.get((status, step))
    if after is None:
        allowed = sorted((s for (f, s) in TRANSITIONS if f is status), key=lambda s: s.value)
        allowed_text = ", ".join(STEP_LABELS[s]() for s in allowed) if allowed else _("nothing more")
        raise WrongState(
            _("Application {reference} is {status}: it cannot {step} (it allows: {allowed}).").format(
                reference=reference,
                status=STATUS_LABELS[status](),
                step=STEP_LABELS[step](),
                allowed=allowed_text,
            )
        )
    return after


def fee(per_application: int, per_copy: int, copies: int) -> int:
    """The fee in yen: per application, plus per extra copy."""
    return per_application + per_copy * copies


def reception_number(chamber_code: str, sequence: int) -> str:
    return f"{chamber_code}-{sequence:08d}"


def certificate_number(chamber_code: str, year: int, sequence: int) -> str:
    return f"{chamber_code}-{year}-{sequence:07d}"


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _unused in range(ACCESS_CODE_LENGTH))


def certificate_state(status: str, certificate_number: str | None) -> str | None:
    """What verification says of a certificate: issued, cancelled (issued, then revoked by the chamber), or
    None when the application never became a certificate."""
    if certificate_number is None:
        return None
    if status == Status.ISSUED:
        return "issued"
    if status == Status.CANCELLED:
        return "cancelled"
    return None


def print_window_open(issued_at: datetime, now: datetime) -> bool:
    """Printing is possible for 14 days after issuance."""
    return now - as_utc(issued_at) <= timedelta(days=PRINT_DAYS)


# Default fee table (yen): one chamber's published online fee for certificates of origin.
DEFAULT_FEES: dict[tuple[str, bool], tuple[int, int]] = {
    ("co", True): (1260, 100),
    ("co", False): (3460, 200),
    ("invoice", True): (1260, 100),
    ("invoice", False): (3460, 200),
    ("signature", True): (1260, 100),
    ("signature", False): (3460, 200),
}
