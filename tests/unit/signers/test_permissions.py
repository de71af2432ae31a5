"""Who may do what to signers and sub IDs (DOMAIN.md's table), through the api as the CLI and the server
call it: every forbidden path fails with the right error, changes nothing and leaves a "denied" audit event;
another company's records answer NotFound, exactly as records that do not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shomei_cli.domain.errors import FieldError, InvalidInput, NotFound, PermissionDenied, ShomeiError
from shomei_cli.services import api, subids
from shomei_cli.services.core import Core
from tests.unit.signers.conftest import (
    OSAKA,
    Login,
    activated,
    add,
    audit_events,
    decide,
    particulars,
    png_signature,
    print_card,
    snapshot,
)

NOT_VISIBLE = {"reason": "not_visible"}


def refuse(
    core: Core, error: type[ShomeiError], call: Callable[[], Any]
) -> tuple[str, list[tuple[Any, ...]]]:
    """Run a call that must fail: its message, and the denied events it left; nothing else may change."""
    before = snapshot(core)
    denied_before = len(audit_events(core, "denied"))
    with pytest.raises(error) as caught:
        call()
    assert snapshot(core) == before
    return caught.value.message, audit_events(core, "denied")[denied_before:]


@pytest.fixture
def both_companies(core: Core, admin: Login, admin_b: Login, staff: Login) -> None:
    """SG000001 of company A (日商テスト商事) and SG000002 of company B (丸の内フォワーディング), both
    approved."""
    add(core, admin)
    add(core, admin_b, particulars(2))
    decide(core, staff, "SG000001")
    decide(core, staff, "SG000002")


# -- an administrator and another company ----------------------------------------------------------------

OTHER_COMPANY: list[Any] = [
    ("show", lambda c, t, ref: api.show_signer(c, t, ref), "signer.view"),
    ("update", lambda c, t, ref: api.update_signer(c, t, ref, {"title": "顧問"}, None), "signer.manage"),
    ("remove", lambda c, t, ref: api.remove_signer(c, t, ref), "signer.manage"),
    ("print-card", lambda c, t, ref: api.print_signer_cards(c, t, [ref]), "signer_card.print"),
    ("reset-password", lambda c, t, ref: api.reset_signer_password(c, t, ref, None), "signer.password_reset"),
]


def test_an_administrator_cannot_reach_another_companys_signer_which_looks_nonexistent(
    core: Core, admin: Login, both_companies: None
) -> None:
    for case, call, action in OTHER_COMPANY:
        other, other_denied = refuse(core, NotFound, lambda: call(core, admin.token, "SG000002"))  # noqa: B023
        missing, missing_denied = refuse(core, NotFound, lambda: call(core, admin.token, "SG999999"))  # noqa: B023

        assert other == "No signer SG000002 that you can see.", case
        assert missing == "No signer SG999999 that you can see.", case
        assert other_denied == [("A1301000001", action, "SG000002", "denied", NOT_VISIBLE)], case
        assert missing_denied == [("A1301000001", action, "SG999999", "denied", NOT_VISIBLE)], case


def test_an_administrator_cannot_list_another_companys_signers(
    core: Core, admin: Login, both_companies: None
) -> None:
    message, denied = refuse(core, NotFound, lambda: api.list_signers(core, admin.token, "1301000002"))

    assert message == "No registration 1301000002 that you can see."
    assert denied == [("A1301000001", "signer.view", "1301000002", "denied", NOT_VISIBLE)]
    assert [v.reference for v in api.list_signers(core, admin.token, None)] == ["SG000001"]
    assert [v.reference for v in api.list_signers(core, admin.token, "1301000001")] == ["SG000001"]


def test_another_companys_user_id_is_not_found_either(
    core: Core, admin: Login, admin_b: Login, both_companies: None
) -> None:
    assert print_card(core, admin_b, "SG000002").login_id == "U000001"  # company B's signer

    for call, action in (
        (lambda: api.show_signer(core, admin.token, "U000001"), "signer.view"),
        (lambda: api.reset_signer_password(core, admin.token, "U000001", None), "signer.password_reset"),
    ):
        message, denied = refuse(core, NotFound, call)
        assert message == "No signer U000001 that you can see."
        assert denied == [("A1301000001", action, "U000001", "denied", NOT_VISIBLE)]


# -- a signer's user ID ------------------------------------------------------------------------------------


def denial(role: str, action: str, allowed: str) -> str:
    article = "an" if role == "administrator ID" else "a"
    return f"Permission denied: {article} {role} may not do {action} (allowed: {allowed})."


SIGNER_FORBIDDEN: list[Any] = [
    ("add", lambda c, t: api.add_signer(c, t, dict(OSAKA), png_signature(), None), "signer.manage", None),
    (
        "update",
        lambda c, t: api.update_signer(c, t, "SG000001", {"title": "顧問"}, None),
        "signer.manage",
        "SG000001",
    ),
    ("remove", lambda c, t: api.remove_signer(c, t, "SG000001"), "signer.manage", "SG000001"),
    ("print-card", lambda c, t: api.print_signer_cards(c, t, ["SG000001"]), "signer_card.print", None),
    (
        "reset",
        lambda c, t: api.reset_signer_password(c, t, "U000001", None),
        "signer.password_reset",
        "U000001",
    ),
]


def test_a_signer_cannot_manage_signers(core: Core, signer: Login) -> None:
    for case, call, action, target in SIGNER_FORBIDDEN:
        message, denied = refuse(core, PermissionDenied, lambda: call(core, signer.token))  # noqa: B023

        assert message == denial("user ID", action, "administrator ID"), case
        assert denied == [("U000001", action, target, "denied", {})], case


def test_a_signer_can_list_and_show_its_own_companys_signers_only(
    core: Core, admin: Login, admin_b: Login, staff: Login, signer: Login
) -> None:
    add(core, admin, particulars(2))  # SG000002, company A, pending
    add(core, admin_b, particulars(3))  # SG000003, company B

    listed = api.list_signers(core, signer.token, None)

    assert [(v.reference, v.status, v.user_id) for v in listed] == [
        ("SG000001", "active", "U000001"),
        ("SG000002", "pending", None),
    ]
    assert api.show_signer(core, signer.token, "SG000002") == listed[1]
    assert api.show_signer(core, signer.token, "U000001") == listed[0]
    message, denied = refuse(core, NotFound, lambda: api.show_signer(core, signer.token, "SG000003"))
    assert message == "No signer SG000003 that you can see."
    assert denied == [("U000001", "signer.view", "SG000003", "denied", NOT_VISIBLE)]


@pytest.fixture
def two_signers(core: Core, admin: Login, staff: Login, signer: Login) -> Login:
    """U000002 (SG000002 of company A), activated, with its own sub ID SB000001; returns U000002's login."""
    add(core, admin, particulars(2))
    decide(core, staff, "SG000002")
    printed = print_card(core, admin, "SG000002")
    assert printed.login_id == "U000002" and printed.password is not None
    second = activated(core, "U000002", printed.password)
    assert subids.add_sub(core, second.actor, "佐藤 健", None).login_id == "SB000001"
    return second


SUB_CALLS: list[Any] = [
    ("show", lambda c, t: api.show_sub(c, t, "SB000001"), "subid.manage"),
    ("update", lambda c, t: api.update_sub(c, t, "SB000001", "佐藤 健二", None), "subid.manage"),
    ("remove", lambda c, t: api.remove_sub(c, t, "SB000001"), "subid.manage"),
    ("reset", lambda c, t: api.reset_sub_password(c, t, "SB000001"), "subid.password_reset"),
]


def test_a_signer_cannot_reach_another_signers_sub_ids(core: Core, signer: Login, two_signers: Login) -> None:
    for case, call, action in SUB_CALLS:
        message, denied = refuse(core, NotFound, lambda: call(core, signer.token))  # noqa: B023

        assert message == "No sub ID SB000001 of yours.", case
        assert denied == [("U000001", action, "SB000001", "denied", NOT_VISIBLE)], case
    assert api.list_subs(core, signer.token) == []
    assert [s.login_id for s in api.list_subs(core, two_signers.token)] == ["SB000001"]


# -- a sub ID, an administrator and staff ------------------------------------------------------------------

SUB_FORBIDDEN: list[Any] = [
    ("add", lambda c, t: api.add_sub(c, t, "高橋 一", None), "subid.manage", None),
    ("list", lambda c, t: api.list_subs(c, t), "subid.manage", None),
    ("show-itself", lambda c, t: api.show_sub(c, t, "SB000001"), "subid.manage", "SB000001"),
    ("update", lambda c, t: api.update_sub(c, t, "SB000001", None, "a@b.jp"), "subid.manage", "SB000001"),
    ("remove", lambda c, t: api.remove_sub(c, t, "SB000001"), "subid.manage", "SB000001"),
    ("reset", lambda c, t: api.reset_sub_password(c, t, "SB000001"), "subid.password_reset", "SB000001"),
]


def test_a_sub_id_cannot_manage_sub_ids(core: Core, sub: Login) -> None:
    for case, call, action, target in SUB_FORBIDDEN:
        message, denied = refuse(core, PermissionDenied, lambda: call(core, sub.token))  # noqa: B023

        assert message == denial("sub ID", action, "user ID"), case
        assert denied == [("SB000001", action, target, "denied", {})], case


def test_a_sub_id_cannot_see_the_signers(core: Core, sub: Login) -> None:
    message, denied = refuse(core, PermissionDenied, lambda: api.list_signers(core, sub.token, None))

    assert message == denial("sub ID", "signer.view", "staff ID, administrator ID, user ID")
    assert denied == [("SB000001", "signer.view", None, "denied", {})]


def test_an_administrator_cannot_manage_sub_ids(core: Core, admin: Login) -> None:
    message, denied = refuse(core, PermissionDenied, lambda: api.add_sub(core, admin.token, "高橋 一", None))

    assert message == denial("administrator ID", "subid.manage", "user ID")
    assert denied == [("A1301000001", "subid.manage", None, "denied", {})]


def test_staff_cannot_add_signers_nor_print_their_cards(
    core: Core, staff: Login, both_companies: None
) -> None:
    add_message, add_denied = refuse(
        core, PermissionDenied, lambda: api.add_signer(core, staff.token, dict(OSAKA), png_signature(), None)
    )
    card_message, card_denied = refuse(
        core, PermissionDenied, lambda: api.print_signer_cards(core, staff.token, ["SG000001"])
    )

    assert add_message == denial("staff ID", "signer.manage", "administrator ID")
    assert card_message == denial("staff ID", "signer_card.print", "administrator ID")
    assert add_denied + card_denied == [
        ("S00001", "signer.manage", None, "denied", {}),
        ("S00001", "signer_card.print", None, "denied", {}),
    ]


def test_staff_list_any_companys_signers_by_registration_number(
    core: Core, admin: Login, staff: Login, both_companies: None
) -> None:
    a = api.list_signers(core, staff.token, "1301000001")
    b = api.list_signers(core, staff.token, "1301000002")

    assert [(v.reference, v.registration_number, v.status) for v in a + b] == [
        ("SG000001", "1301000001", "active"),
        ("SG000002", "1301000002", "active"),
    ]
    assert a == api.list_signers(core, admin.token, None)
    assert api.show_signer(core, staff.token, "SG000002") == b[0]
    with pytest.raises(InvalidInput) as unnamed:
        api.list_signers(core, staff.token, None)
    assert unnamed.value.errors == [FieldError("registration", "is required (a registration number)")]
    message, denied = refuse(core, NotFound, lambda: api.list_signers(core, staff.token, "1301999999"))
    assert message == "No registration 1301999999 that you can see."
    assert denied == [("S00001", "signer.view", "1301999999", "denied", NOT_VISIBLE)]
