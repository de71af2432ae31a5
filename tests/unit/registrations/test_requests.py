"""The administrator's own work and the staff's decisions: contact changes (at once), change and renewal
requests (through the review queue), suspension, and the staff's list with its filters as the days go by."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import Conflict, FieldError, InvalidInput, NotFound, WrongState
from shomei_cli.domain.records import IssuedRegistration, RegistrationQuery, ReviewEntry
from shomei_cli.services import registrations, review
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from tests.conftest import JST
from tests.unit.registrations.conftest import csv_bytes, valid_row

NEW_ADDRESS = {
    "postal_code": "１０５－００１１",
    "address": "東京都港区芝公園一丁目1番1号",
    "address_en": "1-1-1 Shibakoen, Minato-ku, Tokyo",
    "company_name": "日商テスト商事株式会社",  # as registered: not a change
}
CHANGES = {
    "postal_code": "105-0011",
    "address": "東京都港区芝公園一丁目1番1号",
    "address_en": "1-1-1 Shibakoen, Minato-ku, Tokyo",
}


def jst(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


# -- contact details -------------------------------------------------------------------------------


def test_a_contact_change_applies_at_once(core: Core, staff: Actor, admin: Actor) -> None:
    before = registrations.show_registration(core, admin, None)
    after = registrations.change_contact(
        core,
        admin,
        {
            "contact_person": "高橋 次郎",
            "department": "",
            "phone": "０３－５５５５－１２３４",
            "email": "t@nissho.example.jp",
        },
    )
    expected = dataclasses.replace(
        before, contact_person="高橋 次郎", department=None, phone="03-5555-1234", email="t@nissho.example.jp"
    )
    assert after == expected
    assert registrations.show_registration(core, staff, "1301000001") == expected
    assert registrations.show_registration(core, staff, "1301000002").contact_person == "佐藤 健"
    # one field alone changes only that field
    assert registrations.change_contact(core, admin, {"department": "営業部"}) == dataclasses.replace(
        expected, department="営業部"
    )


def test_a_bad_contact_change_names_every_field_and_changes_nothing(core: Core, admin: Actor) -> None:
    before = registrations.show_registration(core, admin, None)
    with pytest.raises(InvalidInput) as caught:
        registrations.change_contact(
            core, admin, {"contact_person": " ", "department": "x" * 101, "phone": "12", "email": "a@b"}
        )
    assert caught.value.errors == [
        FieldError("contact_person", "is required"),
        FieldError("department", "must be at most 100 characters (it has 101)"),
        FieldError("phone", "is not a phone number (digits and hyphens, e.g. 03-1234-5678)"),
        FieldError("email", "is not an email address"),
    ]
    with pytest.raises(InvalidInput) as nothing:
        registrations.change_contact(core, admin, {})
    assert nothing.value.errors == [
        FieldError("contact", "give at least one of person, department, phone, email")
    ]
    assert registrations.show_registration(core, admin, None) == before


# -- change requests -------------------------------------------------------------------------------


def test_a_change_request_waits_for_approval_and_approval_applies_it(
    core: Core, staff: Actor, admin: Actor, clock: FixedClock
) -> None:
    before = registrations.show_registration(core, staff, "1301000001")
    submitted_at = clock.now()
    entry = registrations.request_change(core, admin, NEW_ADDRESS)
    pending = ReviewEntry(
        reference="RQ000001",
        kind="change",
        status="pending",
        registration_number="1301000001",
        company_name="日商テスト商事株式会社",
        summary="change: postal_code → 105-0011, address → 東京都港区芝公園一丁目1番1号, "
        "address_en → 1-1-1 Shibakoen, Minato-ku, Tokyo",
        payload={"changes": CHANGES},
        reason=None,
        submitted_at=submitted_at,
        submitted_by="A1301000001",
        decided_at=None,
        decided_by=None,
    )
    assert entry == pending
    assert review.list_items(core, staff, None, None) == [pending]
    unchanged = registrations.show_registration(core, staff, "1301000001")
    assert unchanged == dataclasses.replace(before, pending_requests=["RQ000001"])

    with pytest.raises(
        Conflict, match=r"^A change request is already pending review; wait for the chamber's"
    ):
        registrations.request_change(core, admin, {"address_en": "somewhere else"})

    clock.advance(timedelta(hours=3))
    decided = review.decide(core, staff, "RQ000001", "approve", None)
    assert decided == dataclasses.replace(
        pending, status="approved", decided_at=clock.now(), decided_by="S00001", waited_seconds=3 * 3600
    )
    assert registrations.show_registration(core, staff, "1301000001") == dataclasses.replace(
        before, **CHANGES
    )
    assert review.list_items(core, staff, None, None) == []
    assert review.list_items(core, staff, "change", "all") == [decided]

    for decision in ("approve", "return", "reject"):
        with pytest.raises(WrongState) as caught:
            review.decide(core, staff, "RQ000001", decision, "理由")
        assert str(caught.value) == "RQ000001 is already approved; only pending items can be decided."


@pytest.mark.parametrize(("decision", "status"), [("return", "returned"), ("reject", "rejected")])
def test_return_and_reject_need_a_reason_and_change_nothing(
    core: Core, staff: Actor, admin: Actor, decision: str, status: str
) -> None:
    before = registrations.show_registration(core, staff, "1301000001")
    registrations.request_change(core, admin, NEW_ADDRESS)
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as caught:
            review.decide(core, staff, "RQ000001", decision, reason)
        assert caught.value.errors == [FieldError("reason", "is required")]
    assert [e.status for e in review.list_items(core, staff, None, None)] == ["pending"]

    decided = review.decide(core, staff, "RQ000001", decision, " 登記簿謄本の住所と一致しません ")
    assert (decided.status, decided.reason, decided.decided_by) == (
        status,
        "登記簿謄本の住所と一致しません",
        "S00001",
    )
    assert registrations.show_registration(core, staff, "1301000001") == before
    with pytest.raises(
        WrongState, match=rf"^RQ000001 is already {status}; only pending items can be decided\.$"
    ):
        review.decide(core, staff, "RQ000001", "approve", None)
    # decided, the request no longer blocks a new one
    assert registrations.request_change(core, admin, NEW_ADDRESS).reference == "RQ000002"


def test_deciding_an_unknown_item_or_with_an_unknown_decision(core: Core, staff: Actor, admin: Actor) -> None:
    with pytest.raises(NotFound) as caught:
        review.decide(core, staff, "RQ999999", "approve", None)
    assert str(caught.value) == "No review item RQ999999 in this chamber."
    registrations.request_change(core, admin, NEW_ADDRESS)
    with pytest.raises(InvalidInput) as bad:
        review.decide(core, staff, "RQ000001", "maybe", "why not")
    assert bad.value.errors == [FieldError("decision", "must be approve, return or reject")]


def test_a_change_request_is_validated_and_must_change_something(core: Core, admin: Actor) -> None:
    with pytest.raises(InvalidInput) as caught:
        registrations.request_change(
            core, admin, {"postal_code": "12", "company_name_en": "", "address": "\x1b[31m"}
        )
    assert caught.value.errors == [
        FieldError("company_name_en", "is required"),
        FieldError("postal_code", "must be 7 digits, e.g. 100-0001"),
        FieldError("address", "must not contain control characters"),
    ]
    with pytest.raises(InvalidInput) as same:
        registrations.request_change(core, admin, {"company_name": "日商テスト商事株式会社"})
    assert same.value.errors == [FieldError("change", "every value given equals the registered one")]
    with pytest.raises(InvalidInput) as none:
        registrations.request_change(core, admin, {"email": "x@example.jp"})
    assert none.value.errors == [FieldError("change", "give at least one particular to change")]


# -- renewal ---------------------------------------------------------------------------------------


def test_renewal_opens_30_days_before_the_end_of_validity(
    core: Core, staff: Actor, admin: Actor, clock: FixedClock
) -> None:
    clock.set(jst(2028, 10, 26, 23, 59))  # 31 days before 2028-11-26
    assert registrations.show_registration(core, admin, None).renewal_open is False
    with pytest.raises(WrongState) as caught:
        registrations.request_renewal(core, admin)
    assert str(caught.value) == "Renewal opens on 2028-10-27, 30 days before validity ends (2028-11-26)."
    assert review.list_items(core, staff, None, "all") == []

    clock.set(jst(2028, 10, 27, 0, 0))
    assert registrations.show_registration(core, admin, None).renewal_open is True
    entry = registrations.request_renewal(core, admin)
    assert (entry.reference, entry.kind, entry.status, entry.payload, entry.summary) == (
        "RQ000001",
        "renewal",
        "pending",
        {"valid_until": "2028-11-26", "new_valid_until": "2030-11-26"},
        "renewal: valid until 2028-11-26 → 2030-11-26",
    )
    with pytest.raises(Conflict, match=r"^A renewal request is already pending review\.$"):
        registrations.request_renewal(core, admin)
    assert registrations.show_registration(core, admin, None).valid_until == date(2028, 11, 26)

    clock.set(jst(2028, 11, 2))
    review.decide(core, staff, "RQ000001", "approve", None)
    view = registrations.show_registration(core, admin, None)
    assert (view.valid_from, view.valid_until, view.days_left, view.status, view.renewal_open) == (
        date(2026, 11, 27),
        date(2030, 11, 26),
        754,
        "active",
        False,
    )
    assert registrations.show_registration(core, staff, "1301000002").valid_until == date(2028, 11, 26)


def test_renewal_after_expiry_extends_from_the_previous_end(
    core: Core, staff: Actor, admin: Actor, clock: FixedClock
) -> None:
    clock.set(jst(2029, 3, 1))
    before = registrations.show_registration(core, admin, None)
    assert (before.status, before.days_left, before.renewal_open) == ("expired", -95, True)
    registrations.request_renewal(core, admin)
    review.decide(core, staff, "RQ000001", "return", "更新手数料が未納です")
    assert registrations.show_registration(core, admin, None).valid_until == date(2028, 11, 26)
    registrations.request_renewal(core, admin)
    clock.set(jst(2029, 3, 5))
    review.decide(core, staff, "RQ000002", "approve", None)
    view = registrations.show_registration(core, admin, None)
    assert (view.valid_until, view.status, view.days_left) == (date(2030, 11, 26), "active", 631)


# -- suspension ------------------------------------------------------------------------------------


def test_suspend_and_reinstate(core: Core, staff: Actor, issued: list[IssuedRegistration]) -> None:
    before = registrations.show_registration(core, staff, "1301000002")
    suspended = registrations.set_suspended(core, staff, "1301000002", True, "  会費未納  ")
    assert suspended == dataclasses.replace(before, status="suspended", status_reason="会費未納")
    with pytest.raises(WrongState, match=r"^Registration 1301000002 is already suspended\.$"):
        registrations.set_suspended(core, staff, "1301000002", True, "again")
    reinstated = registrations.set_suspended(core, staff, "1301000002", False, None)
    assert reinstated == before
    with pytest.raises(WrongState, match=r"^Registration 1301000002 is not suspended\.$"):
        registrations.set_suspended(core, staff, "1301000002", False, None)


def test_suspension_needs_a_reason(core: Core, staff: Actor, issued: list[IssuedRegistration]) -> None:
    for reason, error in (
        (None, FieldError("reason", "is required")),
        ("  ", FieldError("reason", "is required")),
        ("理" * 501, FieldError("reason", "must be at most 500 characters (it has 501)")),
    ):
        with pytest.raises(InvalidInput) as caught:
            registrations.set_suspended(core, staff, "1301000001", True, reason)
        assert caught.value.errors == [error]
    assert registrations.show_registration(core, staff, "1301000001").status == "active"
    with pytest.raises(NotFound):
        registrations.set_suspended(core, staff, "1301999999", True, "理由")


# -- the staff's list ------------------------------------------------------------------------------


def listed(core: Core, staff: Actor, **query: object) -> list[tuple[str, str, int]]:
    found = registrations.list_registrations(core, staff, RegistrationQuery(**query))  # type: ignore[arg-type]
    return [(s.registration_number, s.status, s.days_left) for s in found]


def test_list_filters_by_status_and_expiry_as_the_clock_moves(
    core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    clock.set(jst(2027, 6, 1))
    registrations.issue_from_csv(core, staff, csv_bytes([valid_row(3)]))  # valid until 2029-05-31
    registrations.set_suspended(core, staff, "1301000002", True, "会費未納")

    clock.set(jst(2028, 11, 10))
    assert listed(core, staff) == [
        ("1301000001", "active", 16),
        ("1301000002", "suspended", 16),
        ("1301000003", "active", 202),
    ]
    assert listed(core, staff, status="active") == [
        ("1301000001", "active", 16),
        ("1301000003", "active", 202),
    ]
    assert listed(core, staff, status="suspended") == [("1301000002", "suspended", 16)]
    assert listed(core, staff, status="expired") == []
    assert listed(core, staff, expiring_within=16) == [
        ("1301000001", "active", 16),
        ("1301000002", "suspended", 16),
    ]
    assert listed(core, staff, expiring_within=15) == []
    assert listed(core, staff, status="active", expiring_within=30) == [("1301000001", "active", 16)]
    assert listed(core, staff, limit=1) == [("1301000001", "active", 16)]

    clock.set(jst(2028, 11, 26, 23, 59))  # the last minute of validity
    assert listed(core, staff, status="active") == [
        ("1301000001", "active", 0),
        ("1301000003", "active", 186),
    ]
    assert listed(core, staff, expiring_within=0) == [
        ("1301000001", "active", 0),
        ("1301000002", "suspended", 0),
    ]

    clock.set(jst(2028, 11, 27, 0, 0))  # 15:00 UTC on the 26th, the first minute of expiry in Tokyo
    assert listed(core, staff) == [
        ("1301000001", "expired", -1),
        ("1301000002", "suspended", -1),
        ("1301000003", "active", 185),
    ]
    assert listed(core, staff, status="active") == [("1301000003", "active", 185)]
    assert listed(core, staff, status="suspended") == [("1301000002", "suspended", -1)]
    assert listed(core, staff, expiring_within=30) == []


def test_every_row_listed_under_a_status_has_that_status(
    core: Core, staff: Actor, clock: FixedClock, issued: list[IssuedRegistration]
) -> None:
    registrations.set_suspended(core, staff, "1301000002", True, "会費未納")
    clock.set(jst(2028, 12, 1))
    for status in ("active", "suspended", "expired"):
        assert {s for _, s, _ in listed(core, staff, status=status)} <= {status}
    assert listed(core, staff, status="expired") == [("1301000001", "expired", -5)]


def test_list_rejects_bad_filters(core: Core, staff: Actor) -> None:
    for query, error in (
        ({"status": "dormant"}, FieldError("status", "must be active, suspended or expired")),
        ({"expiring_within": -1}, FieldError("expiring_within", "must be a number of days from 0 to 3650")),
        ({"expiring_within": 3651}, FieldError("expiring_within", "must be a number of days from 0 to 3650")),
        ({"limit": 0}, FieldError("limit", "must be between 1 and 10000")),
    ):
        with pytest.raises(InvalidInput) as caught:
            registrations.list_registrations(core, staff, RegistrationQuery(**query))  # type: ignore[arg-type]
        assert caught.value.errors == [error]
