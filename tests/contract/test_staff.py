"""add_staff and list_staff: the same IDs, records and refusals on every way in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import FieldError, InvalidInput, PermissionDenied
from shomei_cli.domain.passwords import GENERATED_ALPHABET, GENERATED_LENGTH
from shomei_cli.domain.records import AccountSummary, AuditQuery, NewAccount, NewChamber
from shomei_cli.services.core import Core
from tests.contract.conftest import CHAMBER_CODE, FIRST_STAFF, NOW, MakeBackend, insert_admin
from tests.helpers import TEST_PASSWORD


def first_staff_summary() -> AccountSummary:
    return AccountSummary(
        login_id="S00001",
        role="staff",
        name=FIRST_STAFF,
        email=None,
        status="active",
        locked=False,
        must_change_password=False,
        created_at=NOW,
    )


def test_add_staff_numbers_ids_in_sequence_and_shows_the_initial_password_once(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    clock.advance(timedelta(minutes=5))
    hanako = staff.add_staff("Suzuki Hanako", " hanako@example.jp ")
    taro = staff.add_staff("  Tanaka Taro  ", None)
    for created in (hanako, taro):
        assert len(created.initial_password) == GENERATED_LENGTH
        assert set(created.initial_password) <= set(GENERATED_ALPHABET)
    assert hanako.initial_password != taro.initial_password
    assert hanako == NewAccount(CHAMBER_CODE, "S00002", "staff", "Suzuki Hanako", hanako.initial_password)
    assert taro == NewAccount(CHAMBER_CODE, "S00003", "staff", "Tanaka Taro", taro.initial_password)

    newcomer = make_backend().login(CHAMBER_CODE, "S00002", hanako.initial_password).identity
    assert (newcomer.login_id, newcomer.name, newcomer.must_change_password) == (
        "S00002",
        "Suzuki Hanako",
        True,
    )
    trail = staff.audit(AuditQuery(action="staff.create"))
    assert [(e.actor, e.actor_role, e.target, e.outcome, e.details, e.at) for e in trail] == [
        ("S00001", "staff", "S00003", "ok", {}, NOW + timedelta(minutes=5)),
        ("S00001", "staff", "S00002", "ok", {}, NOW + timedelta(minutes=5)),
    ]
    assert all("initial_password" not in str(e.details) for e in trail)


def test_list_staff_returns_every_staff_id_in_order_with_utc_datetimes(
    staff: Backend, clock: FixedClock
) -> None:
    assert staff.list_staff() == [first_staff_summary()]
    clock.advance(timedelta(minutes=5))
    staff.add_staff("Suzuki Hanako", "hanako@example.jp")
    listed = staff.list_staff()
    assert listed == [
        first_staff_summary(),
        AccountSummary(
            login_id="S00002",
            role="staff",
            name="Suzuki Hanako",
            email="hanako@example.jp",
            status="active",
            locked=False,
            must_change_password=True,
            created_at=NOW + timedelta(minutes=5),
        ),
    ]
    assert all(s.created_at.utcoffset() == timedelta(0) for s in listed)


BAD_STAFF = [
    ("", None, [FieldError("name", "is required")]),
    (
        "   ",
        "not-an-email",
        [FieldError("name", "is required"), FieldError("email", "is not an email address")],
    ),
    ("x" * 201, None, [FieldError("name", "must be at most 200 characters (it has 201)")]),
    ("Suzuki\tHanako", None, [FieldError("name", "must not contain control characters")]),
    ("Suzuki", "a@b", [FieldError("email", "is not an email address")]),
    ("Suzuki", "", [FieldError("email", "is not an email address")]),
]


def test_add_staff_names_every_bad_field_and_creates_nothing(staff: Backend) -> None:
    for name, email, errors in BAD_STAFF:
        with pytest.raises(InvalidInput) as caught:
            staff.add_staff(name, email)
        assert type(caught.value) is InvalidInput
        assert caught.value.code == "invalid_input"
        assert caught.value.message == "Invalid input: " + "; ".join(str(e) for e in errors)
        assert caught.value.errors == errors
    assert staff.list_staff() == [first_staff_summary()]
    # no number was used up by the refusals
    assert staff.add_staff("Suzuki", None).login_id == "S00002"


def test_an_administrator_may_neither_add_nor_list_staff(
    make_backend: MakeBackend, core: Core, chamber: NewChamber
) -> None:
    """PermissionDenied through the backends. No service creates a role other than staff yet, so the
    administrator ID is written straight into the store (see ``insert_admin``)."""
    admin_id = insert_admin(core)
    admin = make_backend()
    who = admin.login(CHAMBER_CODE, admin_id, TEST_PASSWORD).identity
    assert (who.login_id, who.role, who.name, who.must_change_password) == (
        admin_id,
        "admin",
        "Admin Taro",
        False,
    )
    for call, action in (
        (lambda: admin.add_staff("Suzuki", None), "staff.create"),
        (admin.list_staff, "staff.list"),
    ):
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert type(caught.value) is PermissionDenied
        assert caught.value.code == "permission_denied"
        assert caught.value.message == (
            f"Permission denied: an administrator ID may not do {action} (allowed: staff ID)."
        )

    staff = make_backend()
    staff.login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    assert staff.list_staff() == [first_staff_summary()]
    refusals = staff.audit(AuditQuery(actor=admin_id))
    assert [(e.action, e.actor_role, e.outcome) for e in refusals] == [
        ("staff.list", "admin", "denied"),
        ("staff.create", "admin", "denied"),
        ("auth.login", "admin", "ok"),
    ]
