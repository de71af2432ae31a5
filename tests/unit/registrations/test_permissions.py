"""Who may do what with registrations, from both sides: staff reach the whole chamber, an administrator only
its own company; another company's record looks exactly like one that does not exist, and every refusal is
audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import col, select

from shomei_cli.domain.errors import FieldError, InvalidInput, NotFound, PermissionDenied, ShomeiError
from shomei_cli.domain.records import IssuedRegistration, RegistrationQuery, RegistrationSummary
from shomei_cli.services import api, registrations, review
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Account, CredentialCard
from tests.helpers import TEST_PASSWORD
from tests.unit.registrations.conftest import counts, denied_events, print_card


def card_state(core: Core, login_id: str) -> tuple[int, bool]:
    """(prints, printed at all) of the live card of ``login_id``."""
    with core.read() as session:
        card = session.exec(
            select(CredentialCard)
            .join(Account, col(Account.id) == col(CredentialCard.account_id))
            .where(Account.login_id == login_id, col(CredentialCard.superseded).is_(False))
        ).one()
        return card.print_count, card.first_printed_at is not None


def admin_token(core: Core) -> str:
    return api.login(core, "1301", "A1301000001", TEST_PASSWORD).token


# -- staff -----------------------------------------------------------------------------------------


def test_staff_may_list_show_print_reset_and_suspend_any_registration(
    core: Core, staff: Actor, issued: list[IssuedRegistration]
) -> None:
    listed = registrations.list_registrations(core, staff, RegistrationQuery())
    assert listed == [
        RegistrationSummary(
            registration_number="1301000001",
            kind="exporter",
            company_name="日商テスト商事株式会社",
            company_name_en="Nissho Test Co., Ltd.",
            corporate_number="2010401000001",
            member=True,
            status="active",
            valid_until=date(2028, 11, 26),
            days_left=730,
            admin_id="A1301000001",
        ),
        RegistrationSummary(
            registration_number="1301000002",
            kind="agent",
            company_name="丸の内フォワーディング株式会社",
            company_name_en="Marunouchi Forwarding K.K.",
            corporate_number="3011001000002",
            member=False,
            status="active",
            valid_until=date(2028, 11, 26),
            days_left=730,
            admin_id="A1301000002",
        ),
    ]
    assert (
        registrations.show_registration(core, staff, " 1301000002 ").company_name
        == "丸の内フォワーディング株式会社"
    )
    printed = registrations.print_cards(core, staff, ["1301000001", "1301000002"])
    assert [(p.login_id, p.password is not None) for p in printed] == [
        ("A1301000001", True),
        ("A1301000002", True),
    ]
    assert registrations.reset_admin_password(core, staff, "1301000002").admin_must_change_password is True
    assert registrations.set_suspended(core, staff, "1301000002", True, "会費未納").status == "suspended"
    assert registrations.set_suspended(core, staff, "1301000002", False, None).status == "active"


def test_staff_must_name_the_registration(core: Core, staff: Actor, issued: list[IssuedRegistration]) -> None:
    with pytest.raises(InvalidInput) as caught:
        registrations.show_registration(core, staff, None)
    assert caught.value.errors == [FieldError("registration", "is required (a registration number)")]
    with pytest.raises(NotFound, match=r"^No registration 1301999999 that you can see\.$"):
        registrations.show_registration(core, staff, "1301999999")


@pytest.mark.parametrize(
    ("action", "call"),
    [
        (
            "registration.change_request",
            lambda c, a: registrations.request_change(c, a, {"address": "大阪府"}),
        ),
        ("registration.renewal_request", lambda c, a: registrations.request_renewal(c, a)),
        (
            "registration.contact_change",
            lambda c, a: registrations.change_contact(c, a, {"phone": "03-1111-2222"}),
        ),
    ],
    ids=["change", "renewal", "contact"],
)
def test_staff_may_not_make_the_administrators_requests(
    core: Core,
    staff: Actor,
    issued: list[IssuedRegistration],
    action: str,
    call: Callable[[Core, Actor], object],
) -> None:
    before = registrations.show_registration(core, staff, "1301000001")
    with pytest.raises(PermissionDenied) as caught:
        call(core, staff)
    assert (
        str(caught.value) == f"Permission denied: a staff ID may not do {action} (allowed: administrator ID)."
    )
    assert denied_events(core, action) == [("S00001", "staff", None, {})]
    assert registrations.show_registration(core, staff, "1301000001") == before


# -- the administrator -----------------------------------------------------------------------------


def test_an_administrator_sees_and_prints_its_own_registration(
    core: Core, staff: Actor, admin: Actor
) -> None:
    own = registrations.show_registration(core, admin, None)
    assert own == registrations.show_registration(core, admin, "1301000001")
    assert own == registrations.show_registration(core, staff, "1301000001")
    (printed,) = registrations.print_cards(core, admin, [None])
    assert (printed.login_id, printed.registration_number, printed.print_count) == (
        "A1301000001",
        "1301000001",
        2,
    )
    assert print_card(core, admin, "1301000001").print_count == 3


SHOW = "registration.view"
PRINT = "registration_card.print"


@pytest.mark.parametrize("action", [SHOW, PRINT])
def test_another_companys_registration_is_not_found_exactly_like_a_missing_one_and_audited(
    core: Core, staff: Actor, admin: Actor, action: str
) -> None:
    token = admin_token(core)

    def attempt(number: str) -> ShomeiError:
        operation = (
            (lambda: api.show_registration(core, token, number))
            if action == SHOW
            else (lambda: api.print_registration_cards(core, token, [number]))
        )
        with pytest.raises(NotFound) as caught:
            operation()
        return caught.value

    others = attempt("1301000002")
    missing = attempt("1301999999")
    assert type(others) is type(missing)
    assert (others.code, others.details(), str(others)) == (
        "not_found",
        {},
        "No registration 1301000002 that you can see.",
    )
    assert (missing.code, missing.details(), str(missing)) == (
        "not_found",
        {},
        "No registration 1301999999 that you can see.",
    )
    assert denied_events(core, action) == [
        ("A1301000001", "admin", "1301000002", {"reason": "not_visible"}),
        ("A1301000001", "admin", "1301999999", {"reason": "not_visible"}),
    ]
    assert card_state(core, "A1301000002") == (0, False)  # the other company's card was not touched


def test_a_batch_with_another_companys_card_prints_nothing(core: Core, staff: Actor, admin: Actor) -> None:
    before = card_state(core, "A1301000001")
    with pytest.raises(NotFound):
        api.print_registration_cards(core, admin_token(core), [None, "1301000002"])
    assert card_state(core, "A1301000001") == before
    assert card_state(core, "A1301000002") == (0, False)


@pytest.mark.parametrize(
    ("action", "target", "call"),
    [
        ("registration.create", None, lambda c, a, csv: registrations.issue_from_csv(c, a, csv)),
        ("registration.create", None, lambda c, a, csv: registrations.issue_one(c, a, {})),
        (
            "registration.list",
            None,
            lambda c, a, csv: registrations.list_registrations(c, a, RegistrationQuery()),
        ),
        (
            "admin.password_reset",
            "1301000002",
            lambda c, a, csv: registrations.reset_admin_password(c, a, "1301000002"),
        ),
        (
            "admin.password_reset",
            "1301000001",
            lambda c, a, csv: registrations.reset_admin_password(c, a, "1301000001"),
        ),
        (
            "registration.suspend",
            "1301000001",
            lambda c, a, csv: registrations.set_suspended(c, a, "1301000001", True, "自分で停止"),
        ),
        ("review.decide", None, lambda c, a, csv: review.list_items(c, a, None, None)),
        ("review.decide", "RQ000001", lambda c, a, csv: review.decide(c, a, "RQ000001", "approve", None)),
    ],
    ids=["issue-csv", "issue-one", "list", "reset-other", "reset-own", "suspend-own", "queue", "decide"],
)
def test_an_administrator_may_not_do_the_chambers_work(
    core: Core,
    staff: Actor,
    admin: Actor,
    example_csv: bytes,
    action: str,
    target: str | None,
    call: Callable[[Core, Actor, bytes], object],
) -> None:
    before = counts(core)
    with pytest.raises(PermissionDenied) as caught:
        call(core, admin, example_csv)
    assert (
        str(caught.value)
        == f"Permission denied: an administrator ID may not do {action} (allowed: staff ID)."
    )
    assert denied_events(core, action) == [("A1301000001", "admin", target, {})]
    after = counts(core)
    assert after == {**before, "audit_events": before["audit_events"] + 1}
    view = registrations.show_registration(core, staff, "1301000001")
    assert (view.status, view.admin_must_change_password) == ("active", False)
