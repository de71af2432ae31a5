"""Removing a signer: its user ID and its sub IDs are disabled and their sessions end; the signer, its
history and the audit trail stay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shomei_cli.domain.errors import AuthenticationFailed, SessionEnded, WrongState
from shomei_cli.services import auth, review, signers, subids
from shomei_cli.services.core import Core
from tests.helpers import TEST_PASSWORD
from tests.unit.signers.conftest import Login, account, add, audit_events, decide, particulars, print_card


def test_removal_disables_the_user_id_and_its_sub_ids_ends_their_sessions_and_keeps_the_history(
    core: Core, admin: Login, signer: Login, sub: Login
) -> None:
    assert signers.show_signer(core, admin.actor, "SG000001").sub_ids == 1

    removed = signers.remove_signer(core, admin.actor, "SG000001")

    assert (removed.reference, removed.status, removed.user_id, removed.sub_ids) == (
        "SG000001",
        "removed",
        "U000001",
        0,
    )
    for login_id, login in (("U000001", signer), ("SB000001", sub)):
        assert account(core, login_id).status == "disabled"
        with pytest.raises(AuthenticationFailed):
            auth.login(core, "1301", login_id, TEST_PASSWORD)
        with pytest.raises(SessionEnded) as ended:
            auth.authenticate(core, login.token)
        assert ended.value.reason == "disabled"
    assert signers.list_signers(core, admin.actor, None) == [removed]
    assert signers.show_signer(core, admin.actor, "U000001") == removed
    actions = [(actor, action, target) for actor, action, target, outcome, _ in audit_events(core)]
    for kept in (
        ("A1301000001", "signer.add", "SG000001"),
        ("A1301000001", "signer.user_id_issue", "U000001"),
        ("U000001", "subid.create", "SB000001"),
        ("SB000001", "auth.login", None),
    ):
        assert kept in actions, kept
    assert [e for e in audit_events(core) if e[1] == "signer.remove"] == [
        ("A1301000001", "signer.remove", "SG000001", "ok", {"disabled": ["U000001", "SB000001"]})
    ]


def test_a_removed_signer_cannot_be_removed_changed_printed_or_reset(
    core: Core, admin: Login, signer: Login
) -> None:
    signers.remove_signer(core, admin.actor, "SG000001")

    with pytest.raises(WrongState) as again:
        signers.remove_signer(core, admin.actor, "SG000001")
    assert again.value.message == "Signer SG000001 is already removed."
    with pytest.raises(WrongState) as update:
        signers.update_signer(core, admin.actor, "SG000001", {"title": "顧問"}, None)
    assert update.value.message == "Signer SG000001 is removed; register a new signer instead."
    with pytest.raises(WrongState) as card:
        print_card(core, admin, "SG000001")
    assert card.value.message == (
        "Signer SG000001 is removed: a card can be printed only for a signer the chamber has approved."
    )
    with pytest.raises(WrongState) as reset:
        signers.reset_signer_password(core, admin.actor, "U000001", None)
    assert reset.value.message == "User ID U000001 is disabled."


def test_a_removed_signers_sub_ids_can_no_longer_be_reset_by_anyone(
    core: Core, admin: Login, signer: Login, sub: Login
) -> None:
    signers.remove_signer(core, admin.actor, "SG000001")

    with pytest.raises(SessionEnded):
        auth.authenticate(core, signer.token)
    # the actor resolved before the removal is stale; the service itself refuses a disabled sub ID
    with pytest.raises(WrongState) as refused:
        subids.reset_sub_password(core, signer.actor, "SB000001")
    assert refused.value.message == "Sub ID SB000001 is removed."


def test_removing_a_pending_signer_withdraws_its_review_item(core: Core, admin: Login, staff: Login) -> None:
    add(core, admin)
    add(core, admin, particulars(2))

    removed = signers.remove_signer(core, admin.actor, "SG000001")

    assert (removed.status, removed.user_id) == ("removed", None)
    assert [i.reference for i in review.list_items(core, staff.actor, None, None)] == ["SG000002"]
    assert [(i.reference, i.status) for i in review.list_items(core, staff.actor, None, "all")] == [
        ("SG000001", "withdrawn"),
        ("SG000002", "pending"),
    ]
    with pytest.raises(WrongState) as refused:
        review.decide(core, staff.actor, "SG000001", "approve", None)
    assert refused.value.message == "SG000001 is already withdrawn; only pending items can be decided."
    assert audit_events(core)[-1] == ("A1301000001", "signer.remove", "SG000001", "ok", {"disabled": []})


def test_a_removed_signer_no_longer_counts_towards_the_fifteen(
    core: Core, admin: Login, staff: Login
) -> None:
    for number in range(1, 16):
        add(core, admin, particulars(number))
    decide(core, staff, "SG000001")
    signers.remove_signer(core, admin.actor, "SG000001")

    sixteenth = add(core, admin)

    assert (sixteenth.reference, sixteenth.status) == ("SG000016", "pending")
    listed = signers.list_signers(core, admin.actor, None)
    assert [v.reference for v in listed] == [f"SG{n:06d}" for n in (*range(2, 17), 1)]  # removed ones last
    assert (listed[-1].status, listed[-1].approved_at) == (
        "removed",
        datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
    )
