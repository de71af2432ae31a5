"""The application rules as data and pure functions (domain/applications.py): the lifecycle table, the fee,
the numbers, the access code and the print window. No store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shomei_cli.domain import applications as rules
from shomei_cli.domain.applications import Status, Step
from shomei_cli.domain.errors import WrongState

ALLOWED = {
    (Status.DRAFT, Step.AMEND): Status.DRAFT,
    (Status.RETURNED, Step.AMEND): Status.RETURNED,
    (Status.DRAFT, Step.SUBMIT): Status.SUBMITTED,
    (Status.RETURNED, Step.SUBMIT): Status.SUBMITTED,
    (Status.DRAFT, Step.CANCEL): Status.CANCELLED,
    (Status.SUBMITTED, Step.CANCEL): Status.CANCELLED,
    (Status.RETURNED, Step.CANCEL): Status.CANCELLED,
    (Status.SUBMITTED, Step.APPROVE): Status.APPROVED,
    (Status.SUBMITTED, Step.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Step.REJECT): Status.REJECTED,
    (Status.APPROVED, Step.PAY): Status.PAID,
    # a card payment started at the provider's page waits for its notification (or another way to pay)
    (Status.APPROVED, Step.CHECKOUT): Status.AWAITING_PAYMENT,
    (Status.AWAITING_PAYMENT, Step.CHECKOUT): Status.AWAITING_PAYMENT,
    (Status.AWAITING_PAYMENT, Step.PAY): Status.PAID,
    (Status.PAID, Step.ISSUE): Status.ISSUED,
    # the chamber cancels an issued certificate (issued in error, or on fraud); it is never edited
    (Status.ISSUED, Step.REVOKE): Status.CANCELLED,
}
# what each state still allows, as the refusal says it
ALLOWS = {
    Status.DRAFT: "amend, cancel, submit",
    Status.SUBMITTED: "approve, cancel, reject, return",
    Status.RETURNED: "amend, cancel, submit",
    Status.APPROVED: "checkout, pay",
    Status.AWAITING_PAYMENT: "checkout, pay",
    Status.REJECTED: "nothing more",
    Status.PAID: "issue",
    Status.ISSUED: "revoke",
    Status.CANCELLED: "nothing more",
}
FORBIDDEN = [(status, step) for status in Status for step in Step if (status, step) not in rules.TRANSITIONS]


def test_the_lifecycle_is_exactly_the_one_domain_md_describes() -> None:
    assert rules.TRANSITIONS == ALLOWED
    assert len(FORBIDDEN) == len(Status) * len(Step) - len(ALLOWED) == 74


@pytest.mark.parametrize(("status", "step"), list(ALLOWED), ids=lambda v: str(v))
def test_an_allowed_step_leads_where_the_table_says(status: Status, step: Step) -> None:
    assert rules.advance(status.value, step, "AP0000007") is ALLOWED[(status, step)]


@pytest.mark.parametrize(("status", "step"), FORBIDDEN, ids=lambda v: str(v))
def test_every_other_step_is_wrong_state_saying_what_the_application_allows(
    status: Status, step: Step
) -> None:
    with pytest.raises(WrongState) as refused:
        rules.advance(status.value, step, "AP0000007")
    assert refused.value.message == (
        f"Application AP0000007 is {status.value}: it cannot {step.value} (it allows: {ALLOWS[status]})."
    )
    assert refused.value.code == "wrong_state"


def test_final_states_allow_nothing_and_an_issued_certificate_is_never_edited() -> None:
    for final in (Status.REJECTED, Status.CANCELLED):
        assert [s for (f, s) in rules.TRANSITIONS if f is final] == []
    assert [s for (f, s) in rules.TRANSITIONS if f is Status.ISSUED] == [Step.REVOKE]


def test_the_default_fee_table_and_the_fee_per_extra_copy() -> None:
    assert rules.DEFAULT_FEES == {
        ("co", True): (1260, 100),
        ("co", False): (3460, 200),
        ("invoice", True): (1260, 100),
        ("invoice", False): (3460, 200),
        ("signature", True): (1260, 100),
        ("signature", False): (3460, 200),
    }
    assert rules.fee(1260, 100, 0) == 1260
    assert rules.fee(1260, 100, 1) == 1360
    assert rules.fee(1260, 100, 20) == 3260
    assert rules.fee(3460, 200, 0) == 3460
    assert rules.fee(3460, 200, 3) == 4060


def test_reception_and_certificate_numbers() -> None:
    assert rules.reception_number("1301", 1) == "1301-00000001"
    assert rules.reception_number("1301", 12345678) == "1301-12345678"
    assert rules.certificate_number("1301", 2026, 1) == "1301-2026-0000001"
    assert rules.certificate_number("2701", 2027, 9999999) == "2701-2027-9999999"


def test_access_codes_are_ten_characters_without_look_alikes() -> None:
    assert rules.ACCESS_CODE_LENGTH == 10
    assert rules.ACCESS_CODE_ALPHABET == "ABCDEFGHJKLMNPQRTUVWXY346789"
    assert not set("0O1I5S2Z") & set(rules.ACCESS_CODE_ALPHABET)
    codes = [rules.new_access_code() for _ in range(300)]
    assert all(len(code) == 10 and set(code) <= set(rules.ACCESS_CODE_ALPHABET) for code in codes)
    assert len(set(codes)) == 300
    # every character of the alphabet turns up (3,000 draws of 28 characters)
    assert set("".join(codes)) == set(rules.ACCESS_CODE_ALPHABET)


def test_the_print_window_is_fourteen_days_to_the_second() -> None:
    issued = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert rules.PRINT_DAYS == 14
    assert rules.print_window_open(issued, issued)
    assert rules.print_window_open(issued, issued + timedelta(days=14))
    assert not rules.print_window_open(issued, issued + timedelta(days=14, seconds=1))
    # SQLite gives the stored instant back naive; it was written in UTC
    naive = issued.replace(tzinfo=None)
    assert rules.print_window_open(naive, issued + timedelta(days=14))
    assert not rules.print_window_open(naive, issued + timedelta(days=14, seconds=1))
