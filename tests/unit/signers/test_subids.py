"""Sub IDs (サブID): a signer adds one per staff member (SB…, a 16-character initial password that must be
changed), lists, shows and updates them, removes them (disabled, session ended) and resets their passwords."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shomei_cli.domain.errors import AuthenticationFailed, FieldError, InvalidInput, SessionEnded, WrongState
from shomei_cli.domain.passwords import GENERATED_ALPHABET
from shomei_cli.domain.records import NewAccount, SubIdView
from shomei_cli.services import auth, signers, subids
from shomei_cli.services.core import Core
from tests.helpers import TEST_PASSWORD
from tests.unit.signers.conftest import Login, account, audit_events, snapshot

TEN_AM = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
EMAIL = "suzuki@nissho-test.example.jp"


def view(**changes: object) -> SubIdView:
    values: dict[str, object] = {
        "login_id": "SB000001",
        "name": "鈴木 花子",
        "email": EMAIL,
        "status": "active",
        "locked": False,
        "must_change_password": False,
        "signer_user_id": "U000001",
        "created_at": TEN_AM,
    }
    values.update(changes)
    return SubIdView(**values)  # type: ignore[arg-type]


def test_a_signer_adds_a_sub_id_whose_initial_password_must_be_changed(
    core: Core, admin: Login, signer: Login
) -> None:
    created = subids.add_sub(core, signer.actor, " 鈴木　花子 ", EMAIL)

    assert created == NewAccount("1301", "SB000001", "sub", "鈴木 花子", created.initial_password)
    assert len(created.initial_password) == 16 and set(created.initial_password) <= set(GENERATED_ALPHABET)
    assert subids.list_subs(core, signer.actor) == [view(must_change_password=True)]
    assert signers.show_signer(core, admin.actor, "SG000001").sub_ids == 1
    stored = account(core, "SB000001")
    assert (stored.role, stored.registration_id, stored.must_change_password) == ("sub", 1, True)
    assert [e for e in audit_events(core) if e[1] == "subid.create"] == [
        ("U000001", "subid.create", "SB000001", "ok", {})
    ]

    login = auth.login(core, "1301", "SB000001", created.initial_password)

    assert (login.identity.role, login.identity.must_change_password) == ("sub", True)
    assert login.identity.registration_number == "1301000001"


def test_a_second_sub_id_gets_the_next_number(core: Core, signer: Login, sub: Login) -> None:
    second = subids.add_sub(core, signer.actor, "佐藤 健", None)

    assert (second.login_id, second.name) == ("SB000002", "佐藤 健")
    assert [s.login_id for s in subids.list_subs(core, signer.actor)] == ["SB000001", "SB000002"]


def test_the_name_is_required_and_the_email_must_be_one(core: Core, signer: Login) -> None:
    with pytest.raises(InvalidInput) as refused:
        subids.add_sub(core, signer.actor, " ", "not-an-email")

    assert refused.value.errors == [
        FieldError("name", "is required"),
        FieldError("email", "is not an email address"),
    ]
    assert subids.list_subs(core, signer.actor) == []


def test_show_and_update_name_and_email(core: Core, signer: Login, sub: Login) -> None:
    assert subids.show_sub(core, signer.actor, "SB000001") == view()

    renamed = subids.update_sub(core, signer.actor, "SB000001", "鈴木 花", None)
    assert renamed == view(name="鈴木 花")
    moved = subids.update_sub(core, signer.actor, "SB000001", None, "hana.suzuki@nissho-test.example.jp")
    assert moved == view(name="鈴木 花", email="hana.suzuki@nissho-test.example.jp")
    cleared = subids.update_sub(core, signer.actor, "SB000001", None, "")
    assert cleared == view(name="鈴木 花", email=None)
    assert subids.show_sub(core, signer.actor, "SB000001") == cleared
    assert [e[4] for e in audit_events(core) if e[1] == "subid.update"] == [
        {"fields": ["name"]},
        {"fields": ["email"]},
        {"fields": ["email"]},
    ]


BAD_UPDATES: list[tuple[str | None, str | None, list[FieldError]]] = [
    (None, "suzuki@", [FieldError("email", "is not an email address")]),
    (None, "suzuki hanako@nissho.jp", [FieldError("email", "is not an email address")]),
    ("", None, [FieldError("name", "is required")]),
    (
        "x" * 101,
        "@",
        [
            FieldError("name", "must be at most 100 characters (it has 101)"),
            FieldError("email", "is not an email address"),
        ],
    ),
    (None, None, [FieldError("subid", "give --name or --email")]),
]


def test_a_bad_update_changes_nothing(core: Core, signer: Login, sub: Login) -> None:
    before = snapshot(core)

    for name, email, errors in BAD_UPDATES:
        with pytest.raises(InvalidInput) as refused:
            subids.update_sub(core, signer.actor, "SB000001", name, email)
        assert refused.value.errors == errors

    assert snapshot(core) == before


def test_removal_disables_the_sub_id_and_ends_its_session(
    core: Core, admin: Login, signer: Login, sub: Login
) -> None:
    removed = subids.remove_sub(core, signer.actor, "SB000001")

    assert removed == view(status="disabled")
    with pytest.raises(AuthenticationFailed):
        auth.login(core, "1301", "SB000001", TEST_PASSWORD)
    with pytest.raises(SessionEnded) as ended:
        auth.authenticate(core, sub.token)
    assert ended.value.reason == "disabled"
    assert subids.list_subs(core, signer.actor) == [removed]  # its history stays
    assert signers.show_signer(core, admin.actor, "SG000001").sub_ids == 0
    with pytest.raises(WrongState) as again:
        subids.remove_sub(core, signer.actor, "SB000001")
    assert again.value.message == "Sub ID SB000001 is already removed."
    with pytest.raises(WrongState) as reset:
        subids.reset_sub_password(core, signer.actor, "SB000001")
    assert reset.value.message == "Sub ID SB000001 is removed."


def test_a_password_reset_gives_a_new_temporary_password_and_ends_the_session(
    core: Core, signer: Login, sub: Login
) -> None:
    reset = subids.reset_sub_password(core, signer.actor, "SB000001")

    assert reset == NewAccount("1301", "SB000001", "sub", "鈴木 花子", reset.initial_password)
    assert len(reset.initial_password) == 16 and reset.initial_password != TEST_PASSWORD
    with pytest.raises(SessionEnded) as ended:
        auth.authenticate(core, sub.token)
    assert ended.value.reason == "password_reset"
    with pytest.raises(AuthenticationFailed):
        auth.login(core, "1301", "SB000001", TEST_PASSWORD)
    login = auth.login(core, "1301", "SB000001", reset.initial_password)
    assert login.identity.must_change_password is True
    assert subids.show_sub(core, signer.actor, "SB000001") == view(must_change_password=True)
    assert [e[:4] for e in audit_events(core) if e[1] == "subid.password_reset"] == [
        ("U000001", "subid.password_reset", "SB000001", "ok")
    ]
