"""Issuing registrations: idempotent batches, sequential numbers, administrator IDs, the validity period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.records import IssuedRegistration
from shomei_cli.services import registrations
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Account, AuditEvent, Registration
from tests.unit.registrations.conftest import corporate_number, counts, csv_bytes, print_card, valid_row


def test_the_same_file_twice_creates_nothing_the_second_time(
    core: Core, staff: Actor, example_csv: bytes, issued: list[IssuedRegistration]
) -> None:
    before = counts(core)
    again = registrations.issue_from_csv(core, staff, example_csv)
    assert again == [
        IssuedRegistration(
            2, "exists", "1301000001", "2010401000001", "日商テスト商事株式会社", "A1301000001", True
        ),
        IssuedRegistration(
            3, "exists", "1301000002", "3011001000002", "丸の内フォワーディング株式会社", "A1301000002", True
        ),
    ]
    assert counts(core) == before
    with core.read() as session:
        created = session.exec(
            select(AuditEvent.target, AuditEvent.details).where(AuditEvent.action == "registration.create")
        ).all()
    assert sorted((t, d) for t, d in created) == [
        ("1301000001", {"admin_id": "A1301000001"}),
        ("1301000002", {"admin_id": "A1301000002"}),
    ]


def test_a_rerun_reports_which_cards_were_never_printed(
    core: Core, staff: Actor, example_csv: bytes, issued: list[IssuedRegistration]
) -> None:
    print_card(core, staff, "1301000001")
    again = registrations.issue_from_csv(core, staff, example_csv)
    assert [(r.registration_number, r.outcome, r.card_pending) for r in again] == [
        ("1301000001", "exists", False),
        ("1301000002", "exists", True),
    ]


def test_numbers_are_sequential_across_batches_and_admin_ids_are_a_plus_the_number(
    core: Core, staff: Actor, issued: list[IssuedRegistration]
) -> None:
    second = registrations.issue_from_csv(
        core,
        staff,
        csv_bytes([valid_row(1), valid_row(2, corporate_number="2010401000001"), valid_row(3)]),
    )
    assert [(r.row, r.outcome, r.registration_number, r.admin_id) for r in second] == [
        (2, "created", "1301000003", "A1301000003"),
        (3, "exists", "1301000001", "A1301000001"),
        (4, "created", "1301000004", "A1301000004"),
    ]
    one = registrations.issue_one(core, staff, valid_row(9))
    assert one == IssuedRegistration(
        None, "created", "1301000005", corporate_number(9), "テスト貿易9株式会社", "A1301000005", True
    )
    with core.read() as session:
        admins = session.exec(
            select(Account, Registration)
            .join(Registration, Registration.id == Account.registration_id)  # type: ignore[arg-type]
            .where(Account.role == "admin")
            .order_by(Account.login_id)  # type: ignore[arg-type]
        ).all()
    assert [
        (a.login_id, r.registration_number, a.name, a.email, a.must_change_password, a.status)
        for a, r in admins
    ] == [
        ("A1301000001", "1301000001", "鈴木 花子", "boueki@nissho-test.example.jp", True, "active"),
        ("A1301000002", "1301000002", "佐藤 健", "export@marunouchi-fw.example.jp", True, "active"),
        ("A1301000003", "1301000003", "鈴木 花子", "trade1@example.jp", True, "active"),
        ("A1301000004", "1301000004", "鈴木 花子", "trade3@example.jp", True, "active"),
        ("A1301000005", "1301000005", "鈴木 花子", "trade9@example.jp", True, "active"),
    ]


def test_issue_one_reports_every_bad_field_without_a_row(core: Core, staff: Actor) -> None:
    before = counts(core)
    with pytest.raises(InvalidInput) as caught:
        registrations.issue_one(core, staff, valid_row(1, email="x", postal_code="1", member=""))
    assert caught.value.errors == [
        FieldError("postal_code", "must be 7 digits, e.g. 100-0001"),
        FieldError("email", "is not an email address"),
        FieldError("member", "is required"),
    ]
    assert counts(core) == before


def test_validity_is_two_years_from_the_day_of_registration_inclusive(
    core: Core, staff: Actor, issued: list[IssuedRegistration]
) -> None:
    view = registrations.show_registration(core, staff, "1301000001")
    assert (view.valid_from, view.valid_until, view.days_left, view.status, view.renewal_open) == (
        date(2026, 11, 27),
        date(2028, 11, 26),
        730,
        "active",
        False,
    )
    assert view.created_at == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "valid_from", "valid_until"),
    [
        # 00:30 on 1 December in Tokyo is still 30 November in UTC
        (datetime(2026, 11, 30, 15, 30, tzinfo=UTC), date(2026, 12, 1), date(2028, 11, 30)),
        # 23:59 on 30 November in Tokyo
        (datetime(2026, 11, 30, 14, 59, tzinfo=UTC), date(2026, 11, 30), date(2028, 11, 29)),
    ],
)
def test_valid_from_is_today_in_tokyo(
    core: Core, staff: Actor, clock: FixedClock, instant: datetime, valid_from: date, valid_until: date
) -> None:
    clock.set(instant)
    registrations.issue_from_csv(core, staff, csv_bytes([valid_row(1)]))
    view = registrations.show_registration(core, staff, "1301000001")
    assert (view.valid_from, view.valid_until) == (valid_from, valid_until)
