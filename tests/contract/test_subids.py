"""Sub IDs (サブID) of a signer: the same records and the same refusals on every way in.

add_sub, list_subs, show_sub, update_sub, remove_sub and reset_sub_password. The signers and their user
IDs are made through the backends (tests/contract/companies.py).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.accounts import SESSION_END_MESSAGES
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import FieldError, SessionEnded
from shomei_cli.domain.passwords import GENERATED_ALPHABET, GENERATED_LENGTH
from shomei_cli.domain.records import SubIdView
from tests.contract.companies import (
    HANAKO,
    HANAKO_EMAIL,
    HANAKO_NAME,
    OSAKA_ACTIVE,
    OSAKA_FIELDS,
    SIGNER_REF,
    SUB_ID,
    TANAKA_FIELDS,
    TANAKA_PNG,
    USER_ID,
    Outcome,
    activate,
    denied,
    invalid,
    invalid_one,
    new_account,
    not_found,
    outcome,
    outcomes,
    registered,
    the_signer,
    with_signer,
    wrong_state,
)
from tests.contract.conftest import CHAMBER_CODE, NOW, MakeBackend

BY_SIGNER = "user ID"
JIRO = "佐藤 次郎"
OTHER_USER = "U000002"


def not_yours(login_id: str) -> Outcome:
    """Another signer's sub ID, any other ID and one that does not exist: the very same answer."""
    return not_found(f"No sub ID {login_id} of yours.")


def ended(reason: str) -> Outcome:
    return SessionEnded, "session_ended", SESSION_END_MESSAGES[reason], []


def test_a_signer_adds_changes_resets_and_removes_its_own_sub_ids_only(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    companies = registered(make_backend, staff)
    admin = companies.admin
    assert companies.add_approved_signer(OSAKA_FIELDS) == SIGNER_REF
    other_ref = companies.add_approved_signer(TANAKA_FIELDS, TANAKA_PNG)
    passwords = companies.issue_user_ids([SIGNER_REF, other_ref])  # both cards in one print
    signer = activate(make_backend, USER_ID, passwords[USER_ID])
    other = activate(make_backend, OTHER_USER, passwords[OTHER_USER])

    clock.advance(timedelta(minutes=5))
    later = NOW + timedelta(minutes=5)
    hanako = signer.add_sub(f" {HANAKO_NAME} ", f" {HANAKO_EMAIL} ")
    jiro = signer.add_sub(JIRO, None)
    theirs = other.add_sub("田中 三郎", "")
    for created in (hanako, jiro, theirs):
        assert len(created.initial_password) == GENERATED_LENGTH
        assert set(created.initial_password) <= set(GENERATED_ALPHABET)
    assert (hanako, jiro, theirs) == (
        new_account(SUB_ID, "sub", HANAKO_NAME, hanako.initial_password),
        new_account("SB000002", "sub", JIRO, jiro.initial_password),
        new_account("SB000003", "sub", "田中 三郎", theirs.initial_password),
    )
    hanako_view = dataclasses.replace(HANAKO, created_at=later)
    jiro_view = dataclasses.replace(HANAKO, login_id="SB000002", name=JIRO, email=None, created_at=later)
    assert signer.list_subs() == [hanako_view, jiro_view]
    assert other.list_subs() == [
        SubIdView("SB000003", "田中 三郎", None, "active", False, True, OTHER_USER, later)
    ]
    assert signer.show_sub(f" {SUB_ID} ") == hanako_view
    assert admin.show_signer(USER_ID) == dataclasses.replace(OSAKA_ACTIVE, user_id=USER_ID, sub_ids=2)

    sub = make_backend()
    who = sub.login(CHAMBER_CODE, SUB_ID, hanako.initial_password).identity
    assert (who.login_id, who.role, who.name, who.registration_number, who.must_change_password) == (
        SUB_ID,
        "sub",
        HANAKO_NAME,
        "1301000001",
        True,
    )

    renamed = dataclasses.replace(hanako_view, name="鈴木 華子")
    assert signer.update_sub(SUB_ID, " 鈴木 華子 ", None) == renamed
    assert signer.update_sub(SUB_ID, None, "") == dataclasses.replace(renamed, email=None)
    renamed = dataclasses.replace(renamed, email="hanako@nissho.example.jp")
    assert signer.update_sub(f" {SUB_ID} ", None, " hanako@nissho.example.jp ") == renamed

    clock.advance(timedelta(minutes=5))
    reset = signer.reset_sub_password(f" {SUB_ID} ")
    assert reset == new_account(SUB_ID, "sub", "鈴木 華子", reset.initial_password)
    assert reset.initial_password != hanako.initial_password
    assert outcome(sub.whoami) == ended("password_reset")
    sub = activate(make_backend, SUB_ID, reset.initial_password)
    assert signer.show_sub(SUB_ID) == dataclasses.replace(renamed, must_change_password=False)

    assert outcomes(
        {
            "add:blank-name": lambda: signer.add_sub("  ", None),
            "add:bad": lambda: signer.add_sub("名" * 101, "hanako@"),
            "add:control": lambda: signer.add_sub("鈴木\x1b花子", None),
            "update:nothing": lambda: signer.update_sub(SUB_ID, None, None),
            "update:bad": lambda: signer.update_sub(SUB_ID, "", "hanako at nissho"),
            "show:other-signers": lambda: signer.show_sub("SB000003"),
            "update:other-signers": lambda: signer.update_sub("SB000003", "乗っ取り", None),
            "remove:other-signers": lambda: signer.remove_sub("SB000003"),
            "reset:other-signers": lambda: signer.reset_sub_password("SB000003"),
            "remove:ours-from-other": lambda: other.remove_sub(SUB_ID),
            "show:nobody": lambda: signer.show_sub("SB999999"),
            "reset:nobody": lambda: signer.reset_sub_password("SB999999"),
            "show:the-signer-itself": lambda: signer.show_sub(USER_ID),
            "staff:add": lambda: staff.add_sub(JIRO, None),
            "staff:update": lambda: staff.update_sub(SUB_ID, "鈴木", None),
            "admin:add": lambda: admin.add_sub(JIRO, None),
            "admin:list": admin.list_subs,
            "admin:remove": lambda: admin.remove_sub(SUB_ID),
            "admin:reset": lambda: admin.reset_sub_password(SUB_ID),
            "sub:add": lambda: sub.add_sub(JIRO, None),
            "sub:list": sub.list_subs,
            "sub:show-itself": lambda: sub.show_sub(SUB_ID),
            "sub:reset-itself": lambda: sub.reset_sub_password(SUB_ID),
        }
    ) == {
        "add:blank-name": invalid_one("name", "is required"),
        "add:bad": invalid(
            FieldError("name", "must be at most 100 characters (it has 101)"),
            FieldError("email", "is not an email address"),
        ),
        "add:control": invalid_one("name", "must not contain control characters"),
        "update:nothing": invalid_one("subid", "give --name or --email"),
        "update:bad": invalid(
            FieldError("name", "is required"), FieldError("email", "is not an email address")
        ),
        "show:other-signers": not_yours("SB000003"),
        "update:other-signers": not_yours("SB000003"),
        "remove:other-signers": not_yours("SB000003"),
        "reset:other-signers": not_yours("SB000003"),
        "remove:ours-from-other": not_yours(SUB_ID),
        "show:nobody": not_yours("SB999999"),
        "reset:nobody": not_yours("SB999999"),
        "show:the-signer-itself": not_yours(USER_ID),
        "staff:add": denied("staff", "subid.manage", BY_SIGNER),
        "staff:update": denied("staff", "subid.manage", BY_SIGNER),
        "admin:add": denied("admin", "subid.manage", BY_SIGNER),
        "admin:list": denied("admin", "subid.manage", BY_SIGNER),
        "admin:remove": denied("admin", "subid.manage", BY_SIGNER),
        "admin:reset": denied("admin", "subid.password_reset", BY_SIGNER),
        "sub:add": denied("sub", "subid.manage", BY_SIGNER),
        "sub:list": denied("sub", "subid.manage", BY_SIGNER),
        "sub:show-itself": denied("sub", "subid.manage", BY_SIGNER),
        "sub:reset-itself": denied("sub", "subid.password_reset", BY_SIGNER),
    }
    assert [s.name for s in other.list_subs()] == ["田中 三郎"]

    removed = dataclasses.replace(renamed, status="disabled", must_change_password=False)
    assert signer.remove_sub(SUB_ID) == removed
    assert outcome(sub.whoami) == ended("disabled")
    assert signer.list_subs() == [removed, jiro_view]  # a removed sub ID stays listed
    assert admin.show_signer(USER_ID).sub_ids == 1
    assert outcomes(
        {
            "remove-again": lambda: signer.remove_sub(SUB_ID),
            "reset-removed": lambda: signer.reset_sub_password(SUB_ID),
        }
    ) == {
        "remove-again": wrong_state(f"Sub ID {SUB_ID} is already removed."),
        "reset-removed": wrong_state(f"Sub ID {SUB_ID} is removed."),
    }


# -- where local and remote part ways -----------------------------------------------------------------------


def test_a_signer_or_sub_id_is_looked_up_as_given_not_as_a_url_path(
    request: pytest.FixtureRequest, way: str, make_backend: MakeBackend, staff: Backend
) -> None:
    companies = with_signer(make_backend, staff)
    signer = the_signer(companies)
    signer.add_sub(HANAKO_NAME, None)
    assert outcomes(
        {
            "show-signer:slash": lambda: companies.admin.show_signer(f"{SIGNER_REF}/password-reset"),
            "show-signer:empty": lambda: companies.admin.show_signer(""),
            "show-sub:slash": lambda: signer.show_sub(f"{SUB_ID}/password-reset"),
            "show-sub:empty": lambda: signer.show_sub(""),
            "update-sub:blank": lambda: signer.update_sub(" ", "鈴木", None),
        }
    ) == {
        "show-signer:slash": not_found(f"No signer {SIGNER_REF}/password-reset that you can see."),
        "show-signer:empty": not_found("No signer  that you can see."),
        "show-sub:slash": not_yours(f"{SUB_ID}/password-reset"),
        "show-sub:empty": not_yours(""),
        "update-sub:blank": not_yours(""),
    }
