"""The permission table of DOMAIN.md, as data, and the one check every service uses.

A row says which roles may take an action and how far their reach goes (the scope). Services call
``authorize`` and then filter by the scope it returns; nothing else decides who may do what.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from shomei_cli.domain.errors import PermissionDenied
from shomei_cli.i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Mapping


class Role(StrEnum):
    STAFF = "staff"
    ADMIN = "admin"
    SIGNER = "signer"
    SUB = "sub"


# How each role's ID is called in messages (the glossary's words); translated where shown: role_label().
ROLE_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.STAFF: N_("staff ID"),
        Role.ADMIN: N_("administrator ID"),
        Role.SIGNER: N_("user ID"),
        Role.SUB: N_("sub ID"),
    }
)


def role_label(role: Role) -> str:
    """How ``role``'s ID is called, in the language in force."""
    return _(ROLE_LABELS[role])


class Scope(StrEnum):
    """How far an allowed action reaches."""

    CHAMBER = "chamber"  # everything in the caller's chamber (staff)
    REGISTRATION = "registration"  # the caller's own company (trade registration)
    SIGNER = "signer"  # what belongs to the calling signer: its sub IDs, its signature
    OWN = "own"  # only what the caller itself created (a sub ID's own applications)
    SELF = "self"  # the caller's own account
    PUBLIC = "public"  # anyone, without logging in


class Action(StrEnum):
    # trade registrations and administrator IDs
    REGISTRATION_CREATE = "registration.create"
    REGISTRATION_LIST = "registration.list"
    REGISTRATION_VIEW = "registration.view"
    REGISTRATION_SUSPEND = "registration.suspend"
    REGISTRATION_CARD_PRINT = "registration_card.print"
    ADMIN_PASSWORD_RESET = "admin.password_reset"
    ADMIN_UNLOCK = "admin.unlock"
    REGISTRATION_CHANGE_REQUEST = "registration.change_request"
    REGISTRATION_RENEWAL_REQUEST = "registration.renewal_request"
    REGISTRATION_CONTACT_CHANGE = "registration.contact_change"
    # signers and their user IDs
    SIGNER_VIEW = "signer.view"
    SIGNER_MANAGE = "signer.manage"
    SIGNER_CARD_PRINT = "signer_card.print"
    SIGNER_PASSWORD_RESET = "signer.password_reset"
    SIGNER_UNLOCK = "signer.unlock"
    # sub IDs
    SUBID_MANAGE = "subid.manage"
    SUBID_PASSWORD_RESET = "subid.password_reset"
    SUBID_UNLOCK = "subid.unlock"
    # applications and certificates
    APPLICATION_EDIT = "application.edit"
    APPLICATION_VIEW = "application.view"
    APPLICATION_PAY = "application.pay"
    CERTIFICATE_PRINT = "certificate.print"
    CERTIFICATE_VERIFY = "certificate.verify"
    CERTIFICATE_CANCEL = "certificate.cancel"
    PAYMENT_CONFIRM = "payment.confirm"
    PAYMENT_PROVIDER = "payment.provider"  # the card payment provider's checkout page and shared secret
    # the chamber's own work
    REVIEW_DECIDE = "review.decide"
    FEES_MANAGE = "fees.manage"
    CHAMBER_IDENTITY = "chamber.identity"
    BALANCE_TOPUP = "balance.topup"
    STAFF_CREATE = "staff.create"
    STAFF_LIST = "staff.list"
    STAFF_UNLOCK = "staff.unlock"
    STAFF_PASSWORD_RESET = "staff.password_reset"
    STAFF_DISABLE = "staff.disable"  # and enable again
    AUDIT_VIEW = "audit.view"
    # everyone
    PASSWORD_CHANGE_OWN = "password.change_own"


_S, _A, _U, _B = Role.STAFF, Role.ADMIN, Role.SIGNER, Role.SUB

# The table. An action missing from a role's row is denied to that role.
PERMISSIONS: Mapping[Action, Mapping[Role, Scope]] = MappingProxyType(
    {
        Action.REGISTRATION_CREATE: {_S: Scope.CHAMBER},
        Action.REGISTRATION_LIST: {_S: Scope.CHAMBER},
        Action.REGISTRATION_VIEW: {
            _S: Scope.CHAMBER,
            _A: Scope.REGISTRATION,
            _U: Scope.REGISTRATION,  # read-only: the view itself changes nothing
        },
        Action.REGISTRATION_SUSPEND: {_S: Scope.CHAMBER},
        Action.REGISTRATION_CARD_PRINT: {_S: Scope.CHAMBER, _A: Scope.REGISTRATION},
        Action.ADMIN_PASSWORD_RESET: {_S: Scope.CHAMBER},
        Action.ADMIN_UNLOCK: {_S: Scope.CHAMBER},
        Action.REGISTRATION_CHANGE_REQUEST: {_A: Scope.REGISTRATION},
        Action.REGISTRATION_RENEWAL_REQUEST: {_A: Scope.REGISTRATION},
        Action.REGISTRATION_CONTACT_CHANGE: {_A: Scope.REGISTRATION},
        Action.SIGNER_VIEW: {_S: Scope.CHAMBER, _A: Scope.REGISTRATION, _U: Scope.REGISTRATION},
        Action.SIGNER_MANAGE: {_A: Scope.REGISTRATION},
        Action.SIGNER_CARD_PRINT: {_A: Scope.REGISTRATION},
        Action.SIGNER_PASSWORD_RESET: {_A: Scope.REGISTRATION},
        Action.SIGNER_UNLOCK: {_A: Scope.REGISTRATION},
        Action.SUBID_MANAGE: {_U: Scope.SIGNER},
        Action.SUBID_PASSWORD_RESET: {_U: Scope.SIGNER},
        Action.SUBID_UNLOCK: {_U: Scope.SIGNER},
        Action.APPLICATION_EDIT: {_U: Scope.SIGNER, _B: Scope.OWN},
        Action.APPLICATION_VIEW: {_S: Scope.CHAMBER, _U: Scope.REGISTRATION, _B: Scope.OWN},
        Action.APPLICATION_PAY: {_U: Scope.REGISTRATION, _B: Scope.OWN},
        Action.CERTIFICATE_PRINT: {_U: Scope.REGISTRATION, _B: Scope.OWN},
        Action.CERTIFICATE_VERIFY: {
            _S: Scope.PUBLIC,
            _A: Scope.PUBLIC,
            _U: Scope.PUBLIC,
            _B: Scope.PUBLIC,
        },
        Action.CERTIFICATE_CANCEL: {_S: Scope.CHAMBER},
        Action.PAYMENT_CONFIRM: {_S: Scope.CHAMBER},
        Action.PAYMENT_PROVIDER: {_S: Scope.CHAMBER},
        Action.REVIEW_DECIDE: {_S: Scope.CHAMBER},
        Action.FEES_MANAGE: {_S: Scope.CHAMBER},
        Action.CHAMBER_IDENTITY: {_S: Scope.CHAMBER},
        Action.BALANCE_TOPUP: {_S: Scope.CHAMBER},
        Action.STAFF_CREATE: {_S: Scope.CHAMBER},
        Action.STAFF_LIST: {_S: Scope.CHAMBER},
        Action.STAFF_UNLOCK: {_S: Scope.CHAMBER},
        Action.STAFF_PASSWORD_RESET: {_S: Scope.CHAMBER},
        Action.STAFF_DISABLE: {_S: Scope.CHAMBER},
        Action.AUDIT_VIEW: {_S: Scope.CHAMBER, _A: Scope.REGISTRATION},
        Action.PASSWORD_CHANGE_OWN: {
            _S: Scope.SELF,
            _A: Scope.SELF,
            _U: Scope.SELF,
            _B: Scope.SELF,
        },
    }
)

# Actions that anyone may take without a session at all.
PUBLIC_ACTIONS: frozenset[Action] = frozenset({Action.CERTIFICATE_VERIFY})

# Refusals that deserve more than "permission denied": the rule itself, and who can.
_EXPLANATIONS: Mapping[Action, str] = MappingProxyType(
    {
        Action.APPLICATION_EDIT: N_(
            "An administrator ID can never apply for certificates: this is a rule of the system. "
            "Log in with a signer's user ID or a sub ID to apply."
        ),
    }
)


def roles_allowed(action: Action) -> list[Role]:
    """The roles that may take ``action``, in the order of the table's columns."""
    row = PERMISSIONS[action]
    return [role for role in Role if role in row]


def authorize(role: Role, action: Action) -> Scope:
    """Return the scope of ``action`` for ``role``, or raise PermissionDenied naming who may."""
    scope = PERMISSIONS[action].get(role)
    if scope is not None:
        return scope
    explanation = _EXPLANATIONS.get(action)
    if explanation is not None and role is Role.ADMIN:
        raise PermissionDenied(_(explanation))
    allowed = ", ".join(role_label(r) for r in roles_allowed(action)) or _("nobody")
    # two sentences, not an article in a placeholder: "an administrator ID", "a staff ID"
    if role is Role.ADMIN:
        template = _("Permission denied: an {label} may not do {action} (allowed: {allowed}).")
    else:
        template = _("Permission denied: a {label} may not do {action} (allowed: {allowed}).")
    raise PermissionDenied(template.format(label=role_label(role), action=action.value, allowed=allowed))
