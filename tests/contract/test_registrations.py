"""Trade registrations, administrator IDs, the 貿易登録証 and the review queue: the same records and the same
refusals on every way in.

issue_registrations, issue_registration, list_registrations, show_registration, print_registration_cards,
reset_admin_password, set_registration_suspended, change_contact, request_change, request_renewal,
list_reviews and decide_review. The companies are made through the backends (tests/contract/companies.py).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import AuthenticationFailed, Conflict, FieldError, NotFound, SessionEnded
from shomei_cli.domain.passwords import GENERATED_ALPHABET, GENERATED_LENGTH
from shomei_cli.domain.records import AuditQuery, IssuedRegistration, RegistrationQuery, ReviewEntry
from shomei_cli.services import chambers, review
from shomei_cli.services.cards import NOTICE_AFTER_FIRST_DAY, REGISTRATION_CARD
from shomei_cli.services.core import Core
from tests.contract.companies import (
    ADMIN,
    FIRST,
    FIRST_ACTIVE,
    FIRST_VIEW,
    ISSUED,
    OTHER_ADMIN,
    REGISTRATIONS_CSV,
    SECOND,
    SECOND_VIEW,
    activate,
    card,
    denied,
    differs_on,
    invalid,
    invalid_one,
    is_pdf,
    log_in,
    not_found,
    outcome,
    outcomes,
    registered,
    stub_cards,
    stubbed,
    summary_of,
    without_pdf,
    wrong_state,
)
from tests.contract.conftest import CHAMBER_CODE, NOW, MakeBackend
from tests.helpers import TEST_PASSWORD
from tests.helpers import activate as activate_in_store

JST = ZoneInfo("Asia/Tokyo")
NOTICE = NOTICE_AFTER_FIRST_DAY[REGISTRATION_CARD]
NOBODY = "1301999999"
REQUIRED = "is required (a registration number)"

THIRD = "1301000003"
THIRD_FIELDS = {
    "kind": "代行業者",
    "corporate_number": "5-8356-7825-6246",
    "company_name": "有楽町通関株式会社",
    "company_name_en": "Yurakucho Customs Co., Ltd.",
    "representative_name": "山本 次郎",
    "representative_name_en": "Yamamoto Jiro",
    "representative_title": "代表取締役",
    "representative_title_en": "Representative Director",
    "postal_code": "〒100-0006",
    "address": "東京都千代田区有楽町一丁目1番1号",
    "address_en": "1-1-1 Yurakucho, Chiyoda-ku, Tokyo",
    "contact_person": "小林 三郎",
    "phone": "03-5555-6666",
    "email": "info@yurakucho.example.jp",
    "member": "yes",
}
THIRD_VIEW = dataclasses.replace(
    FIRST_VIEW,
    registration_number=THIRD,
    kind="agent",
    corporate_number="5835678256246",
    company_name="有楽町通関株式会社",
    company_name_en="Yurakucho Customs Co., Ltd.",
    representative_name="山本 次郎",
    representative_name_en="Yamamoto Jiro",
    representative_title="代表取締役",
    representative_title_en="Representative Director",
    postal_code="100-0006",
    address="東京都千代田区有楽町一丁目1番1号",
    address_en="1-1-1 Yurakucho, Chiyoda-ku, Tokyo",
    contact_person="小林 三郎",
    department=None,
    phone="03-5555-6666",
    email="info@yurakucho.example.jp",
    member=True,
    admin_id="A1301000003",
)


def not_visible(number: str) -> tuple[type, str | None, str, list[FieldError]]:
    """Another company's registration and one that does not exist: the very same answer."""
    return not_found(f"No registration {number} that you can see.")


def example_lines() -> list[str]:
    return REGISTRATIONS_CSV.decode("utf-8").splitlines()


# -- issuing ----------------------------------------------------------------------------------------------


def test_issue_checks_every_row_first_creates_each_once_and_is_staff_work(
    make_backend: MakeBackend, staff: Backend
) -> None:
    header, row2, row3 = example_lines()
    csv_cases = {
        "bad-rows": "\n".join(
            [
                header,
                row2.replace("100-0005", "100-00"),
                row3.replace("export@marunouchi-fw.example.jp", "export-at-marunouchi"),
                row2,
            ]
        ).encode(),
        "short-row": f"{header}\n{row2}\nexporter,2010401000001\n".encode(),
        "unknown-column": "\n".join([header.replace("会員", "FAX"), row2]).encode(),
        "header-only": f"{header}\n".encode(),
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "neither-utf8-nor-sjis": f"{header}\n".encode() + b"exporter,\x81 \n",
    }
    field_cases = {
        "bad-values": {
            **THIRD_FIELDS,
            "kind": "importer",
            "corporate_number": "2835678256246",
            "email": "info-at-yurakucho",
            "member": "maybe",
        },
        "too-long": {**THIRD_FIELDS, "company_name": "株" * 201, "phone": "03\t5555"},
        "nothing": {},
    }
    found = outcomes(
        {
            **{f"csv:{case}": partial(staff.issue_registrations, data) for case, data in csv_cases.items()},
            **{f"one:{case}": partial(staff.issue_registration, f) for case, f in field_cases.items()},
        }
    )
    required = [
        FieldError(name, "is required")
        for name in [
            "kind",
            "corporate_number",
            "company_name",
            "company_name_en",
            "representative_name",
            "representative_name_en",
            "representative_title",
            "representative_title_en",
            "postal_code",
            "address",
            "address_en",
            "contact_person",
            "phone",
            "email",
            "member",
        ]
    ]
    assert found == {
        "csv:bad-rows": invalid(
            FieldError("postal_code", "must be 7 digits, e.g. 100-0001", 2),
            FieldError("email", "is not an email address", 3),
            FieldError("corporate_number", "repeats row 2", 4),
        ),
        "csv:short-row": invalid_one("row", "has 2 cells; the header has 16", 3),
        "csv:unknown-column": invalid(
            FieldError("FAX", "is not a known column", 1), FieldError("member", "column is missing", 1)
        ),
        "csv:header-only": invalid_one("file", "has a header but no rows"),
        "csv:binary": invalid_one("file", "is not a CSV text file (it contains binary data)"),
        "csv:neither-utf8-nor-sjis": invalid_one(
            "file",
            "is neither UTF-8 nor Shift_JIS (CP932): undecodable bytes at offset "
            f"{len(header.encode()) + 10} (line 2); "
            "save it from Excel as 'CSV UTF-8' or 'CSV (comma delimited)'",
        ),
        "one:bad-values": invalid(
            FieldError("kind", "must be exporter (申請者) or agent (代行業者)"),
            FieldError("corporate_number", "is not a valid corporate number (its check digit is wrong)"),
            FieldError("email", "is not an email address"),
            FieldError("member", "must be yes or no (会員 or 非会員)"),
        ),
        "one:too-long": invalid(
            FieldError("company_name", "must be at most 200 characters (it has 201)"),
            FieldError("phone", "must not contain control characters"),
        ),
        "one:nothing": invalid(*required),
    }
    assert staff.list_registrations(RegistrationQuery()) == []

    # every row at once; numbers from 1, none used up by the refusals
    assert staff.issue_registrations(REGISTRATIONS_CSV) == ISSUED
    exists = [dataclasses.replace(i, outcome="exists") for i in ISSUED]
    assert staff.issue_registrations(REGISTRATIONS_CSV) == exists  # no card printed yet: both pending
    with stub_cards():
        (printed,) = staff.print_registration_cards([FIRST])
    # the same rows saved by Excel as Shift_JIS: the same registrations, and only SECOND's card pending
    assert staff.issue_registrations(REGISTRATIONS_CSV.decode("utf-8").encode("cp932")) == [
        dataclasses.replace(exists[0], card_pending=False),
        exists[1],
    ]

    issued = staff.issue_registration(THIRD_FIELDS)
    assert issued == IssuedRegistration(
        None, "created", THIRD, "5835678256246", "有楽町通関株式会社", "A1301000003", True
    )
    assert staff.issue_registration(THIRD_FIELDS) == dataclasses.replace(issued, outcome="exists")
    first_again = {**THIRD_FIELDS, "corporate_number": "2010401000001"}
    assert staff.issue_registration(first_again) == IssuedRegistration(
        None, "exists", FIRST, "2010401000001", FIRST_VIEW.company_name, ADMIN, False
    )
    assert staff.show_registration(THIRD) == THIRD_VIEW
    assert staff.list_registrations(RegistrationQuery()) == [
        summary_of(FIRST_VIEW),
        summary_of(SECOND_VIEW),
        summary_of(THIRD_VIEW),
    ]
    trail = staff.audit(AuditQuery(action="registration.create"))
    assert [(e.actor, e.target, e.details, e.at) for e in trail] == [
        ("S00001", THIRD, {"admin_id": "A1301000003"}, NOW),
        ("S00001", SECOND, {"admin_id": OTHER_ADMIN}, NOW),
        ("S00001", FIRST, {"admin_id": ADMIN}, NOW),
    ]

    admin = activate(make_backend, ADMIN, printed.password or "")
    assert outcomes(
        {
            "batch": lambda: admin.issue_registrations(REGISTRATIONS_CSV),
            "one": lambda: admin.issue_registration(THIRD_FIELDS),
        }
    ) == dict.fromkeys(["batch", "one"], denied("admin", "registration.create", "staff ID"))


# -- the 貿易登録証 ------------------------------------------------------------------------------------------


def test_cards_show_the_password_on_the_day_of_the_first_print_only(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    staff.issue_registrations(REGISTRATIONS_CSV)
    day_one = staff.print_registration_cards([FIRST, SECOND])
    assert all(is_pdf(c.pdf) for c in day_one)
    first_password, second_password = (c.password or "" for c in day_one)
    for password in (first_password, second_password):
        assert len(password) == GENERATED_LENGTH
        assert set(password) <= set(GENERATED_ALPHABET)
    assert first_password != second_password
    assert without_pdf(day_one) == [
        card(ADMIN, FIRST, first_password, None, 1),
        card(OTHER_ADMIN, SECOND, second_password, None, 1),
    ]
    assert all(c.first_printed_at.utcoffset() == timedelta(0) for c in day_one)

    clock.advance(timedelta(hours=13, minutes=59))  # 23:59 in Tokyo, the same day
    staff = log_in(make_backend, "S00001")  # (the session timed out meanwhile)
    with stub_cards():
        late = staff.print_registration_cards([SECOND, FIRST])
    assert late == [
        stubbed(card(OTHER_ADMIN, SECOND, second_password, None, 2)),
        stubbed(card(ADMIN, FIRST, first_password, None, 2)),
    ]
    # once the administrator has changed it, the initial password is on no card, even that day
    admin = activate(make_backend, ADMIN, first_password)
    with stub_cards():
        assert admin.print_registration_cards([None]) == [stubbed(card(ADMIN, FIRST, None, NOTICE, 3))]

    clock.advance(timedelta(minutes=1))  # the next day in Tokyo: never again, on any print
    with stub_cards():
        next_day = staff.print_registration_cards([FIRST, SECOND])
    assert next_day == [
        stubbed(card(ADMIN, FIRST, None, NOTICE, 4)),
        stubbed(card(OTHER_ADMIN, SECOND, None, NOTICE, 3)),
    ]

    assert outcomes(
        {
            "admin:other-company": lambda: admin.print_registration_cards([SECOND]),
            "admin:nobody": lambda: admin.print_registration_cards([NOBODY]),
            "admin:own-then-other": lambda: admin.print_registration_cards([None, SECOND]),
            "admin:none": lambda: admin.print_registration_cards([]),
            "staff:unnamed": lambda: staff.print_registration_cards([None]),
            "staff:nobody-after-one": lambda: staff.print_registration_cards([FIRST, NOBODY]),
            "staff:501": lambda: staff.print_registration_cards([FIRST] * 501),
        }
    ) == {
        "admin:other-company": not_visible(SECOND),
        "admin:nobody": not_visible(NOBODY),
        "admin:own-then-other": not_visible(SECOND),
        "admin:none": invalid_one("registration", "name at least one registration"),
        "staff:unnamed": invalid_one("registration", REQUIRED),
        "staff:nobody-after-one": not_visible(NOBODY),
        "staff:501": invalid_one("registration", "at most 500 cards in one call"),
    }
    # a refused batch prints nothing: the next print of FIRST is its fifth
    with stub_cards():
        assert staff.print_registration_cards([FIRST]) == [stubbed(card(ADMIN, FIRST, None, NOTICE, 5))]
    refusals = staff.audit(AuditQuery(action="registration_card.print", actor=ADMIN))
    assert [(e.target, e.outcome, e.details) for e in refusals] == [
        (SECOND, "denied", {"reason": "not_visible"}),
        (NOBODY, "denied", {"reason": "not_visible"}),
        (SECOND, "denied", {"reason": "not_visible"}),
        (FIRST, "ok", {"password_shown": False, "print": 3}),
    ]


def test_a_pending_print_counts_as_the_first_only_once_its_file_is_confirmed_written(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    staff.issue_registrations(REGISTRATIONS_CSV)
    with stub_cards():
        (lost,) = staff.print_registration_cards([FIRST], pending=True)
    password = lost.password or ""
    assert lost == stubbed(card(ADMIN, FIRST, password, None, 1))
    assert len(password) == GENERATED_LENGTH

    # the file never reached the disk (a crash): the next day, the card is still a card never printed
    clock.advance(timedelta(days=1))
    staff = log_in(make_backend, "S00001")
    with stub_cards():
        (again,) = staff.print_registration_cards([FIRST], pending=True)
    assert again == stubbed(card(ADMIN, FIRST, password, None, 2, NOW + timedelta(days=1)))
    staff.confirm_card_prints(REGISTRATION_CARD, [FIRST])
    staff.confirm_card_prints(REGISTRATION_CARD, [FIRST])  # (a second confirmation changes nothing)

    # confirmed: the first day is that day, and the next day shows no password
    clock.advance(timedelta(hours=13))  # 23:00 in Tokyo, the same day
    staff = log_in(make_backend, "S00001")
    with stub_cards():
        assert staff.print_registration_cards([FIRST]) == [
            stubbed(card(ADMIN, FIRST, password, None, 3, NOW + timedelta(days=1)))
        ]
    clock.advance(timedelta(hours=1))  # the next day in Tokyo
    staff = log_in(make_backend, "S00001")
    with stub_cards():
        assert staff.print_registration_cards([FIRST], pending=True) == [
            stubbed(card(ADMIN, FIRST, None, NOTICE, 4, NOW + timedelta(days=1)))
        ]
    written = staff.audit(AuditQuery(action="registration_card.written"))
    assert [(e.actor, e.target, e.outcome, e.details) for e in written] == [("S00001", FIRST, "ok", {})]

    admin = activate(make_backend, ADMIN, password)
    assert outcomes(
        {
            "admin:other-company": lambda: admin.confirm_card_prints(REGISTRATION_CARD, [SECOND]),
            "admin:nobody": lambda: admin.confirm_card_prints(REGISTRATION_CARD, [NOBODY]),
            "staff:none": lambda: staff.confirm_card_prints(REGISTRATION_CARD, []),
            "staff:501": lambda: staff.confirm_card_prints(REGISTRATION_CARD, [FIRST] * 501),
            "staff:kind": lambda: staff.confirm_card_prints("certificate", [FIRST]),
            "staff:signer-card": lambda: staff.confirm_card_prints("signer_card", ["U000001"]),
        }
    ) == {
        "admin:other-company": not_visible(SECOND),
        "admin:nobody": not_visible(NOBODY),
        "staff:none": invalid_one("registration", "name between 1 and 500 registrations"),
        "staff:501": invalid_one("registration", "name between 1 and 500 registrations"),
        "staff:kind": invalid_one("kind", "must be registration_card or signer_card"),
        "staff:signer-card": denied("staff", "signer_card.print", "administrator ID"),
    }


# -- reading -------------------------------------------------------------------------------------------------


def test_show_and_list_reach_the_chamber_for_staff_and_the_own_company_otherwise(
    make_backend: MakeBackend, core: Core, staff: Backend, clock: FixedClock
) -> None:
    companies = registered(make_backend, staff)
    admin = companies.admin
    assert staff.show_registration(FIRST) == FIRST_ACTIVE
    assert staff.show_registration(f" {SECOND} ") == SECOND_VIEW
    assert admin.show_registration(None) == FIRST_ACTIVE
    assert admin.show_registration(FIRST) == FIRST_ACTIVE
    both = [summary_of(FIRST_ACTIVE), summary_of(SECOND_VIEW)]
    queries = {
        "all": RegistrationQuery(),
        "active": RegistrationQuery(status="active"),
        "suspended": RegistrationQuery(status="suspended"),
        "expired": RegistrationQuery(status="expired"),
        "expiring-729": RegistrationQuery(expiring_within=729),
        "expiring-730": RegistrationQuery(expiring_within=730),
        "limit-1": RegistrationQuery(limit=1),
    }
    assert {case: staff.list_registrations(q) for case, q in queries.items()} == {
        "all": both,
        "active": both,
        "suspended": [],
        "expired": [],
        "expiring-729": [],
        "expiring-730": both,
        "limit-1": both[:1],
    }

    # staff of another chamber see nothing of this one, not even a review item
    assert admin.request_change({"address_en": "3-2-2 Marunouchi, Tokyo"}).reference == "RQ000001"
    osaka = chambers.init_chamber(core, "2701", "大阪商工会議所", "Osaka CCI")
    activate_in_store(core, "2701", "S00001", osaka.staff.initial_password)
    elsewhere = make_backend()
    elsewhere.login("2701", "S00001", TEST_PASSWORD)
    assert elsewhere.list_registrations(RegistrationQuery()) == []
    assert elsewhere.list_reviews(None, "all") == []
    assert outcomes(
        {
            "staff:unnamed": lambda: staff.show_registration(None),
            "staff:nobody": lambda: staff.show_registration(NOBODY),
            "admin:other-company": lambda: admin.show_registration(SECOND),
            "admin:nobody": lambda: admin.show_registration(NOBODY),
            "list:status": lambda: staff.list_registrations(RegistrationQuery(status="expiring")),
            "list:expiring-negative": lambda: staff.list_registrations(RegistrationQuery(expiring_within=-1)),
            "list:expiring-3651": lambda: staff.list_registrations(RegistrationQuery(expiring_within=3651)),
            "list:limit-0": lambda: staff.list_registrations(RegistrationQuery(limit=0)),
            "list:limit-10001": lambda: staff.list_registrations(RegistrationQuery(limit=10_001)),
            "list:admin": lambda: admin.list_registrations(RegistrationQuery()),
            "elsewhere:show": lambda: elsewhere.show_registration(FIRST),
            "elsewhere:card": lambda: elsewhere.print_registration_cards([FIRST]),
            "elsewhere:reset": lambda: elsewhere.reset_admin_password(FIRST),
            "elsewhere:suspend": lambda: elsewhere.set_registration_suspended(FIRST, True, "会費未納"),
            "elsewhere:reinstate": lambda: elsewhere.set_registration_suspended(FIRST, False, None),
            "elsewhere:signers": lambda: elsewhere.list_signers(FIRST),
            "elsewhere:decide": lambda: elsewhere.decide_review("RQ000001", "approve", None),
            "elsewhere:decide-nobody": lambda: elsewhere.decide_review("RQ999999", "approve", None),
        }
    ) == {
        "staff:unnamed": invalid_one("registration", REQUIRED),
        "staff:nobody": not_visible(NOBODY),
        "admin:other-company": not_visible(SECOND),
        "admin:nobody": not_visible(NOBODY),
        "list:status": invalid_one("status", "must be active, suspended or expired"),
        "list:expiring-negative": invalid_one("expiring_within", "must be a number of days from 0 to 3650"),
        "list:expiring-3651": invalid_one("expiring_within", "must be a number of days from 0 to 3650"),
        "list:limit-0": invalid_one("limit", "must be between 1 and 10000"),
        "list:limit-10001": invalid_one("limit", "must be between 1 and 10000"),
        "list:admin": denied("admin", "registration.list", "staff ID"),
        **dict.fromkeys(
            [f"elsewhere:{case}" for case in ("show", "card", "reset", "suspend", "reinstate", "signers")],
            not_visible(FIRST),
        ),
        "elsewhere:decide": not_found("No review item RQ000001 in this chamber."),
        "elsewhere:decide-nobody": not_found("No review item RQ999999 in this chamber."),
    }

    # the first day after validity, in Tokyo: expired, and renewable
    clock.set(datetime(2028, 11, 27, 0, 0, tzinfo=JST))
    staff, admin = log_in(make_backend, "S00001"), log_in(make_backend, ADMIN)
    expired = dataclasses.replace(
        FIRST_ACTIVE, status="expired", days_left=-1, renewal_open=True, pending_requests=["RQ000001"]
    )
    expired_second = dataclasses.replace(SECOND_VIEW, status="expired", days_left=-1, renewal_open=True)
    assert admin.show_registration(None) == expired
    assert staff.show_registration(SECOND) == expired_second
    assert staff.list_registrations(RegistrationQuery(status="expired")) == [
        summary_of(expired),
        summary_of(expired_second),
    ]
    assert staff.list_registrations(RegistrationQuery(status="active")) == []


# -- the staff's tools: suspension and the administrator's password ------------------------------------------


def test_staff_suspend_and_reinstate_and_reset_the_administrator_password(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    companies = registered(make_backend, staff)
    suspended = dataclasses.replace(FIRST_ACTIVE, status="suspended", status_reason="会費未納")
    assert staff.set_registration_suspended(FIRST, True, "  会費未納  ") == suspended
    assert companies.admin.show_registration(None) == suspended
    assert staff.list_registrations(RegistrationQuery(status="suspended")) == [summary_of(suspended)]
    assert staff.list_registrations(RegistrationQuery(status="active")) == [summary_of(SECOND_VIEW)]
    assert outcome(lambda: staff.set_registration_suspended(FIRST, True, "again")) == wrong_state(
        f"Registration {FIRST} is already suspended."
    )
    assert staff.set_registration_suspended(f" {FIRST} ", False, None) == FIRST_ACTIVE
    assert outcomes(
        {
            "reinstate-active": lambda: staff.set_registration_suspended(FIRST, False, None),
            "no-reason": lambda: staff.set_registration_suspended(SECOND, True, None),
            "blank-reason": lambda: staff.set_registration_suspended(SECOND, True, "   "),
            "long-reason": lambda: staff.set_registration_suspended(SECOND, True, "理" * 501),
            "control-reason": lambda: staff.set_registration_suspended(SECOND, True, "会費\x07未納"),
            "nul-reason": lambda: staff.set_registration_suspended(SECOND, True, "会費\x00未納"),
            "nobody": lambda: staff.set_registration_suspended(NOBODY, True, "会費未納"),
            "admin:suspend": lambda: companies.admin.set_registration_suspended(FIRST, True, "会費未納"),
            "admin:reinstate": lambda: companies.admin.set_registration_suspended(FIRST, False, None),
        }
    ) == {
        "reinstate-active": wrong_state(f"Registration {FIRST} is not suspended."),
        "no-reason": invalid_one("reason", "is required"),
        "blank-reason": invalid_one("reason", "is required"),
        "long-reason": invalid_one("reason", "must be at most 500 characters (it has 501)"),
        "control-reason": invalid_one("reason", "must not contain control characters"),
        "nul-reason": invalid_one("reason", "must not contain NUL or unpaired surrogate characters"),
        "nobody": not_visible(NOBODY),
        "admin:suspend": denied("admin", "registration.suspend", "staff ID"),
        "admin:reinstate": denied("admin", "registration.suspend", "staff ID"),
    }
    assert staff.show_registration(SECOND) == SECOND_VIEW

    clock.advance(timedelta(minutes=10))
    assert staff.reset_admin_password(f" {FIRST} ") == FIRST_VIEW  # to be changed again at the next login
    assert outcome(companies.admin.whoami) == (
        SessionEnded,
        "session_ended",
        "This session was ended because the password was reset. Log in again.",
        [],
    )
    with stub_cards():
        (printed,) = staff.print_registration_cards([FIRST])
    new_password = printed.password or ""
    assert new_password not in ("", companies.admin_passwords[ADMIN])
    assert printed == stubbed(card(ADMIN, FIRST, new_password, None, 1, NOW + timedelta(minutes=10)))
    assert outcome(lambda: log_in(make_backend, ADMIN)) == (
        AuthenticationFailed,
        "authentication_failed",
        AuthenticationFailed().message,
        [],
    )
    admin = make_backend()
    assert admin.login(CHAMBER_CODE, ADMIN, new_password).identity.must_change_password is True
    admin.change_password(new_password, TEST_PASSWORD)
    assert admin.show_registration(None) == FIRST_ACTIVE
    assert outcomes(
        {
            "nobody": lambda: staff.reset_admin_password(NOBODY),
            "admin": lambda: admin.reset_admin_password(FIRST),
            "admin:other-company": lambda: admin.reset_admin_password(SECOND),
        }
    ) == {
        "nobody": not_visible(NOBODY),
        "admin": denied("admin", "admin.password_reset", "staff ID"),
        "admin:other-company": denied("admin", "admin.password_reset", "staff ID"),
    }
    trail = staff.audit(AuditQuery(action="admin.password_reset"))
    assert [(e.actor, e.target, e.outcome, e.details, e.at) for e in trail] == [
        (ADMIN, SECOND, "denied", {}, NOW + timedelta(minutes=10)),
        (ADMIN, FIRST, "denied", {}, NOW + timedelta(minutes=10)),
        ("S00001", NOBODY, "denied", {"reason": "not_visible"}, NOW + timedelta(minutes=10)),
        ("S00001", ADMIN, "ok", {"ended_sessions": 1}, NOW + timedelta(minutes=10)),
    ]


# -- the administrator's own changes and the review queue -------------------------------------------------


def test_contact_changes_at_once_particulars_and_renewal_wait_for_review(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    admin = registered(make_backend, staff).admin
    contact = {
        "contact_person": "山田 太郎",
        "department": "",
        "phone": "０３-１１１１-２２２２",
        "email": " yamada@nissho-test.example.jp ",
    }
    changed = dataclasses.replace(
        FIRST_ACTIVE,
        contact_person="山田 太郎",
        department=None,
        phone="03-1111-2222",
        email="yamada@nissho-test.example.jp",
    )
    assert admin.change_contact(contact) == changed
    assert staff.show_registration(FIRST) == changed

    moved = {
        "address": "東京都千代田区丸の内二丁目1番1号",
        "address_en": "2-1-1 Marunouchi, Chiyoda-ku, Tokyo",
        "company_name": FIRST_VIEW.company_name,  # unchanged: not part of the request
    }
    renewal_closed = wrong_state("Renewal opens on 2028-10-27, 30 days before validity ends (2028-11-26).")
    assert outcomes(
        {
            "contact:nothing": lambda: admin.change_contact({}),
            "contact:particulars-only": lambda: admin.change_contact({"company_name": "別会社"}),
            "contact:bad": lambda: admin.change_contact(
                {"contact_person": " ", "phone": "12", "email": "x@y"}
            ),
            "contact:staff": lambda: staff.change_contact(contact),
            "change:nothing": lambda: admin.request_change({"phone": "03-1111-2222"}),
            "change:bad": lambda: admin.request_change({"postal_code": "1000", "address_en": "x" * 301}),
            "change:same": lambda: admin.request_change({"company_name": FIRST_VIEW.company_name}),
            "change:staff": lambda: staff.request_change(moved),
            "renewal:closed": admin.request_renewal,
            "renewal:staff": staff.request_renewal,
        }
    ) == {
        "contact:nothing": invalid_one("contact", "give at least one of person, department, phone, email"),
        "contact:particulars-only": invalid_one(
            "contact", "give at least one of person, department, phone, email"
        ),
        "contact:bad": invalid(
            FieldError("contact_person", "is required"),
            FieldError("phone", "is not a phone number (digits and hyphens, e.g. 03-1234-5678)"),
            FieldError("email", "is not an email address"),
        ),
        "contact:staff": denied("staff", "registration.contact_change", "administrator ID"),
        "change:nothing": invalid_one("change", "give at least one particular to change"),
        "change:bad": invalid(
            FieldError("postal_code", "must be 7 digits, e.g. 100-0001"),
            FieldError("address_en", "must be at most 300 characters (it has 301)"),
        ),
        "change:same": invalid_one("change", "every value given equals the registered one"),
        "change:staff": denied("staff", "registration.change_request", "administrator ID"),
        "renewal:closed": renewal_closed,
        "renewal:staff": denied("staff", "registration.renewal_request", "administrator ID"),
    }

    clock.advance(timedelta(minutes=5))
    changes = {"address": moved["address"], "address_en": moved["address_en"]}
    pending = ReviewEntry(
        reference="RQ000001",
        kind="change",
        status="pending",
        registration_number=FIRST,
        company_name=FIRST_VIEW.company_name,
        summary=f"change: address → {changes['address']}, address_en → {changes['address_en']}",
        payload={"changes": changes},
        reason=None,
        submitted_at=NOW + timedelta(minutes=5),
        submitted_by=ADMIN,
        decided_at=None,
        decided_by=None,
    )
    assert admin.request_change(moved) == pending
    assert admin.show_registration(None) == dataclasses.replace(changed, pending_requests=["RQ000001"])
    assert outcome(lambda: admin.request_change({"address_en": "elsewhere"})) == (
        Conflict,
        "conflict",
        "A change request is already pending review; wait for the chamber's decision.",
        [],
    )
    assert staff.list_reviews(None, None) == [pending]
    assert staff.list_reviews("change", "pending") == [pending]
    assert staff.list_reviews("renewal", "all") == []
    assert staff.list_reviews(None, "approved") == []

    clock.advance(timedelta(minutes=5))
    decided_at = NOW + timedelta(minutes=10)
    approved = dataclasses.replace(
        pending, status="approved", decided_at=decided_at, decided_by="S00001", waited_seconds=5 * 60
    )
    assert staff.decide_review(" RQ000001 ", "approve", None) == approved
    assert staff.list_reviews(None, None) == []
    assert staff.list_reviews(None, "approved") == [approved]
    moved_view = dataclasses.replace(changed, address=changes["address"], address_en=changes["address_en"])
    assert admin.show_registration(None) == moved_view

    # returned and rejected requests change nothing, and keep their reason
    returned = admin.request_change({"representative_name": "大阪 正"})
    assert staff.decide_review("RQ000002", "return", "  登記簿と一致しません  ") == dataclasses.replace(
        returned, status="returned", reason="登記簿と一致しません", decided_at=decided_at, decided_by="S00001"
    )
    rejected = admin.request_change({"representative_name": "大阪 正"})
    assert staff.decide_review("RQ000003", "reject", "不要") == dataclasses.replace(
        rejected, status="rejected", reason="不要", decided_at=decided_at, decided_by="S00001"
    )
    assert admin.show_registration(None) == moved_view
    assert [(e.reference, e.status) for e in staff.list_reviews(None, "all")] == [
        ("RQ000001", "approved"),
        ("RQ000002", "returned"),
        ("RQ000003", "rejected"),
    ]

    kinds = ", ".join(sorted(review.HANDLERS))
    assert outcomes(
        {
            "decided": lambda: staff.decide_review("RQ000001", "approve", None),
            "nobody": lambda: staff.decide_review("RQ999999", "approve", None),
            "decision": lambda: staff.decide_review("RQ000001", "maybe", None),
            "return-without-reason": lambda: staff.decide_review("RQ000001", "return", None),
            "reject-blank-reason": lambda: staff.decide_review("RQ000001", "reject", "  "),
            "reject-long-reason": lambda: staff.decide_review("RQ000001", "reject", "理" * 1001),
            "admin:decide": lambda: admin.decide_review("RQ000001", "approve", None),
            "list:kind": lambda: staff.list_reviews("invoice", None),
            "list:status": lambda: staff.list_reviews(None, "withdrawn"),
            "list:admin": lambda: admin.list_reviews(None, None),
        }
    ) == {
        "decided": wrong_state("RQ000001 is already approved; only pending items can be decided."),
        "nobody": not_found("No review item RQ999999 in this chamber."),
        "decision": invalid_one("decision", "must be approve, return or reject"),
        "return-without-reason": invalid_one("reason", "is required"),
        "reject-blank-reason": invalid_one("reason", "is required"),
        "reject-long-reason": invalid_one("reason", "must be at most 1000 characters (it has 1001)"),
        "admin:decide": denied("admin", "review.decide", "staff ID"),
        "list:kind": invalid_one("kind", f"must be one of {kinds}"),
        "list:status": invalid_one("status", "must be pending, approved, returned, rejected or all"),
        "list:admin": denied("admin", "review.decide", "staff ID"),
    }

    # renewal: from 30 days before validity ends, in Tokyo
    clock.set(datetime(2028, 10, 26, 23, 59, tzinfo=JST))
    admin = log_in(make_backend, ADMIN)
    assert outcome(admin.request_renewal) == renewal_closed
    clock.advance(timedelta(minutes=1))
    opened_at = clock.now()
    assert admin.show_registration(None) == dataclasses.replace(moved_view, days_left=30, renewal_open=True)
    renewal = ReviewEntry(
        reference="RQ000004",
        kind="renewal",
        status="pending",
        registration_number=FIRST,
        company_name=FIRST_VIEW.company_name,
        summary="renewal: valid until 2028-11-26 → 2030-11-26",
        payload={"valid_until": "2028-11-26", "new_valid_until": "2030-11-26"},
        reason=None,
        submitted_at=opened_at,
        submitted_by=ADMIN,
        decided_at=None,
        decided_by=None,
    )
    assert admin.request_renewal() == renewal
    assert outcome(admin.request_renewal) == (
        Conflict,
        "conflict",
        "A renewal request is already pending review.",
        [],
    )
    staff = log_in(make_backend, "S00001")
    assert staff.list_reviews("renewal", None) == [renewal]
    assert staff.decide_review("RQ000004", "approve", None) == dataclasses.replace(
        renewal, status="approved", decided_at=opened_at, decided_by="S00001"
    )
    assert admin.show_registration(None) == dataclasses.replace(
        moved_view, valid_until=date(2030, 11, 26), days_left=760, renewal_open=False
    )
    assert staff.list_registrations(RegistrationQuery(expiring_within=30)) == [
        summary_of(dataclasses.replace(SECOND_VIEW, days_left=30))
    ]


# -- where local and remote part ways -----------------------------------------------------------------------


def test_a_reference_is_looked_up_as_given_not_as_a_url_path(
    request: pytest.FixtureRequest, way: str, staff: Backend
) -> None:
    assert staff.issue_registrations(REGISTRATIONS_CSV) == ISSUED
    with stub_cards():
        found = outcomes(
            {
                "show:slash": lambda: staff.show_registration(f"{FIRST}/card"),
                "show:blank": lambda: staff.show_registration("  "),
                "reset:empty": lambda: staff.reset_admin_password(""),
                "suspend:empty": lambda: staff.set_registration_suspended("", True, "会費未納"),
                "decide:slash": lambda: staff.decide_review("SG000001/decision", "approve", None),
            }
        )
    prints = staff.audit(AuditQuery(action="registration_card.print"))
    assert (found, prints) == (
        {
            "show:slash": not_visible(f"{FIRST}/card"),
            "show:blank": invalid_one("registration", REQUIRED),  # a blank number is a missing one
            "reset:empty": invalid_one("registration", REQUIRED),
            "suspend:empty": invalid_one("registration", REQUIRED),
            "decide:slash": not_found("No review item SG000001/decision in this chamber."),
        },
        [],
    )


HTTP_LAYER_ANSWERS = (
    "the HTTP layer answers before the services: server/app.py:286-293 (BodySizeLimit) refuses a body "
    "over max_body_bytes (1 MiB) on every route but the uploads with 413 body_too_large (a plain "
    "ShomeiError), where the services name the over-long field (test_transport_parity.py pins their answer "
    "for shorter values); and an empty CSV body fails FastAPI's Body(bytes) as 'body: Field required' "
    "(app.py:371-377), where the services say 'file: is empty'"
)


def test_an_empty_or_over_long_input_gets_the_services_answer(
    request: pytest.FixtureRequest, way: str, staff: Backend
) -> None:
    differs_on(request, way, "remote", HTTP_LAYER_ANSWERS)
    huge = "x" * (1024 * 1024 + 1)
    assert outcomes(
        {
            "empty-csv": lambda: staff.issue_registrations(b""),
            "issue": lambda: staff.issue_registration({**THIRD_FIELDS, "company_name": huge}),
            "suspend": lambda: staff.set_registration_suspended(FIRST, True, huge),
            "decide": lambda: staff.decide_review("RQ000001", "reject", huge),
        }
    ) == {
        "empty-csv": invalid_one("file", "is empty"),
        "issue": invalid_one("company_name", f"must be at most 200 characters (it has {len(huge)})"),
        "suspend": invalid_one("reason", f"must be at most 500 characters (it has {len(huge)})"),
        "decide": invalid_one("reason", f"must be at most 1000 characters (it has {len(huge)})"),
    }


UNTRIMMED_REFERENCE = (
    "services/review.py:116-123: decide() looks the item up by reference.strip() but names it unstripped in "
    "NotFound and WrongState; RemoteBackend strips it before sending (remote.py _segment), so only local "
    "answers 'No review item  RQ999999  in this chamber.'"
)


def test_decide_review_names_the_reference_trimmed(
    request: pytest.FixtureRequest, way: str, staff: Backend
) -> None:
    assert outcome(lambda: staff.decide_review(" RQ999999 ", "approve", None)) == not_found(
        "No review item RQ999999 in this chamber."
    )


HIDDEN_RECORD = (
    "services/audit.py:74-81: locally a refused look at another tenant's record raises HiddenRecord, a "
    "NotFound subclass carrying the caller's Actor (for the audit); remotely it is NotFound itself, so "
    "type(error) differs (the other tests compare the domain class: companies.public_class)"
)


def test_a_hidden_record_is_raised_as_not_found_itself(
    request: pytest.FixtureRequest, way: str, staff: Backend
) -> None:
    with pytest.raises(NotFound) as caught:
        staff.show_registration(NOBODY)
    assert type(caught.value) is NotFound
