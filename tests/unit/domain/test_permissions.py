"""The permission table of DOMAIN.md, checked cell by cell against a copy written out by hand."""

from __future__ import annotations

import pytest

from shomei_cli.domain.errors import PermissionDenied
from shomei_cli.domain.permissions import PUBLIC_ACTIONS, Action, Role, Scope, authorize, roles_allowed

# Written from DOMAIN.md ("The four roles and what each may do") and CLI.md, not from PERMISSIONS.
# action value -> {role value: scope value}; a role missing from a row is refused.
EXPECTED: dict[str, dict[str, str]] = {
    # trade registrations and administrator IDs
    "registration.create": {"staff": "chamber"},
    "registration.list": {"staff": "chamber"},
    "registration.view": {"staff": "chamber", "admin": "registration", "signer": "registration"},
    "registration.suspend": {"staff": "chamber"},
    "registration_card.print": {"staff": "chamber", "admin": "registration"},
    "admin.password_reset": {"staff": "chamber"},
    "admin.unlock": {"staff": "chamber"},
    "registration.change_request": {"admin": "registration"},
    "registration.renewal_request": {"admin": "registration"},
    "registration.contact_change": {"admin": "registration"},
    # signers and their user IDs
    "signer.view": {"staff": "chamber", "admin": "registration", "signer": "registration"},
    "signer.manage": {"admin": "registration"},
    "signer_card.print": {"admin": "registration"},
    "signer.password_reset": {"admin": "registration"},
    "signer.unlock": {"admin": "registration"},
    # sub IDs
    "subid.manage": {"signer": "signer"},
    "subid.password_reset": {"signer": "signer"},
    "subid.unlock": {"signer": "signer"},
    # applications and certificates: the admin column is empty on purpose
    "application.edit": {"signer": "signer", "sub": "own"},
    "application.view": {"staff": "chamber", "signer": "registration", "sub": "own"},
    "application.pay": {"signer": "registration", "sub": "own"},
    "certificate.print": {"signer": "registration", "sub": "own"},
    "certificate.verify": {"staff": "public", "admin": "public", "signer": "public", "sub": "public"},
    "certificate.cancel": {"staff": "chamber"},
    "payment.confirm": {"staff": "chamber"},
    "payment.provider": {"staff": "chamber"},
    # the chamber's own work
    "review.decide": {"staff": "chamber"},
    "fees.manage": {"staff": "chamber"},
    "chamber.identity": {"staff": "chamber"},
    "balance.topup": {"staff": "chamber"},
    "staff.create": {"staff": "chamber"},
    "staff.list": {"staff": "chamber"},
    "staff.unlock": {"staff": "chamber"},
    "staff.password_reset": {"staff": "chamber"},
    "staff.disable": {"staff": "chamber"},
    "audit.view": {"staff": "chamber", "admin": "registration"},
    # everyone
    "password.change_own": {"staff": "self", "admin": "self", "signer": "self", "sub": "self"},
}

ALL_PAIRS = [(role, action) for action in Action for role in Role]


def test_expected_table_covers_every_action_and_nothing_else() -> None:
    assert set(EXPECTED) == {action.value for action in Action}


@pytest.mark.parametrize(("role", "action"), ALL_PAIRS, ids=[f"{r.value}-{a.value}" for r, a in ALL_PAIRS])
def test_authorize_follows_the_permission_table(role: Role, action: Action) -> None:
    expected = EXPECTED[action.value].get(role.value)
    if expected is None:
        with pytest.raises(PermissionDenied):
            authorize(role, action)
    else:
        assert authorize(role, action) is Scope(expected)


def test_admin_can_never_apply() -> None:
    with pytest.raises(PermissionDenied) as caught:
        authorize(Role.ADMIN, Action.APPLICATION_EDIT)
    message = str(caught.value)
    assert message == (
        "An administrator ID can never apply for certificates: this is a rule of the system. "
        "Log in with a signer's user ID or a sub ID to apply."
    )
    assert "can never apply" in message
    assert "user ID" in message
    assert "sub ID" in message
    assert caught.value.code == "permission_denied"


def test_staff_refused_an_application_is_told_which_roles_may() -> None:
    with pytest.raises(PermissionDenied) as caught:
        authorize(Role.STAFF, Action.APPLICATION_EDIT)
    assert str(caught.value) == (
        "Permission denied: a staff ID may not do application.edit (allowed: user ID, sub ID)."
    )


def test_sub_id_refused_signer_management_is_told_only_the_admin_may() -> None:
    with pytest.raises(PermissionDenied) as caught:
        authorize(Role.SUB, Action.SIGNER_MANAGE)
    assert (
        str(caught.value)
        == "Permission denied: a sub ID may not do signer.manage (allowed: administrator ID)."
    )


def test_admin_refused_anything_but_applying_is_told_which_roles_may() -> None:
    with pytest.raises(PermissionDenied) as caught:
        authorize(Role.ADMIN, Action.REVIEW_DECIDE)
    message = str(caught.value)
    assert message.startswith("Permission denied: ")
    assert message.endswith(" may not do review.decide (allowed: staff ID).")
    assert "never apply" not in message


def test_refusal_of_an_admin_reads_an_administrator_id() -> None:
    with pytest.raises(PermissionDenied) as caught:
        authorize(Role.ADMIN, Action.REVIEW_DECIDE)
    assert str(caught.value) == (
        "Permission denied: an administrator ID may not do review.decide (allowed: staff ID)."
    )


def test_roles_allowed_follow_the_order_of_the_table_columns() -> None:
    assert roles_allowed(Action.APPLICATION_VIEW) == [Role.STAFF, Role.SIGNER, Role.SUB]
    assert roles_allowed(Action.CERTIFICATE_VERIFY) == [Role.STAFF, Role.ADMIN, Role.SIGNER, Role.SUB]
    assert roles_allowed(Action.SUBID_MANAGE) == [Role.SIGNER]


def test_only_certificate_verification_needs_no_login() -> None:
    assert frozenset({Action.CERTIFICATE_VERIFY}) == PUBLIC_ACTIONS
