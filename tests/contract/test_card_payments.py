"""Card payments through the provider's hosted checkout, the same on every way in: staff set the provider;
the applicant starts a payment and gets the provider's page; the application waits as awaiting_payment; only
a notification signed with the shared secret, made within 5 minutes, never seen before and for the fee in JPY
issues the certificate, once. Forged, late, replayed and mismatched ones change nothing and are audited."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain import payments
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import FieldError
from shomei_cli.domain.records import AuditQuery, NotificationResult, PaymentProviderSettings
from tests.contract.companies import (
    denied,
    example_json_form,
    invalid,
    invalid_one,
    not_found,
    outcome,
    second_company_signer,
    the_signer,
    with_signer,
)
from tests.contract.conftest import MakeBackend

CHECKOUT = "https://pay.example-psp.jp/checkout"
SECRET = "whsec_6b1f0f4e3c2a49d8a7e5c3b1f9d2e4a6"  # shared with the provider
CO_FEE = 1360  # shipment: a member, one extra copy
NOT_SET_UP = (
    "card payments need the chamber's payment provider, and none is set up: pay from the prepaid balance "
    "(--method prepaid), or by bank transfer or at the counter, which the chamber records "
    "(shomei chamber payment confirm)"
)


def notification(session: str, event: str = "evt_0001", amount: int = CO_FEE, **changes: object) -> bytes:
    body = {
        "id": event,
        "type": "payment.succeeded",
        "merchant": "1301",
        "session": session,
        "amount": amount,
        "currency": "JPY",
        "payment_id": "pi_3QwErTy",
        **changes,
    }
    return json.dumps(body).encode()


def signed(body: bytes, clock: FixedClock, secret: str = SECRET, age: int = 0) -> str:
    return payments.sign_notification(secret, int(clock.now().timestamp()) - age, body)


@pytest.fixture
def provider(staff: Backend) -> PaymentProviderSettings:
    return staff.set_payment_provider(CHECKOUT, SECRET)


def awaiting(make_backend: MakeBackend, staff: Backend) -> tuple[Backend, str, str]:
    """An approved application of U000001 with a card payment started: the signer, its reference, session."""
    signer = the_signer(with_signer(make_backend, staff))
    view = signer.apply("co", example_json_form("shipment"), None, False)
    staff.decide_review(view.summary.reception_number or "", "approve", None)
    started = signer.start_card_payment(view.summary.reference)
    return signer, view.summary.reference, started.session


def test_without_a_provider_card_payments_are_refused_naming_the_other_ways(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    view = signer.apply("co", example_json_form("shipment"), None, False)
    staff.decide_review(view.summary.reception_number or "", "approve", None)
    assert outcome(lambda: signer.start_card_payment(view.summary.reference)) == invalid_one(
        "method", NOT_SET_UP
    )
    assert outcome(lambda: signer.pay_application(view.summary.reference, "card", "x")) == invalid_one(
        "method", NOT_SET_UP
    )
    assert signer.show_application(view.summary.reference).summary.status == "approved"
    assert staff.payment_provider() == PaymentProviderSettings(None, False)


def test_staff_set_and_clear_the_provider_and_never_see_the_secret_again(
    make_backend: MakeBackend, staff: Backend
) -> None:
    assert staff.set_payment_provider(CHECKOUT, SECRET) == PaymentProviderSettings(CHECKOUT, True)
    assert staff.payment_provider() == PaymentProviderSettings(CHECKOUT, True)
    trail = staff.audit(AuditQuery(action="payment.provider"))
    assert [e.details for e in trail] == [{"checkout_url": CHECKOUT, "secret_set": True}]
    assert SECRET not in repr(trail)
    assert outcome(lambda: staff.set_payment_provider("http://pay.example/", "short")) == invalid(
        FieldError("checkout_url", "must be an https:// address of at most 300 characters"),
        FieldError("secret", "must be at least 32 characters"),
    )
    companies = with_signer(make_backend, staff)
    assert outcome(lambda: companies.admin.set_payment_provider(CHECKOUT, SECRET)) == denied(
        "admin", "payment.provider", "staff ID"
    )
    assert outcome(lambda: the_signer(companies).payment_provider()) == denied(
        "signer", "payment.provider", "staff ID"
    )
    assert staff.set_payment_provider(None, None) == PaymentProviderSettings(None, False)


def test_the_checkout_page_is_signed_and_the_application_waits(
    make_backend: MakeBackend, staff: Backend, provider: PaymentProviderSettings
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    view = signer.apply("co", example_json_form("shipment"), None, False)
    assert outcome(lambda: signer.start_card_payment(view.summary.reference))[0].__name__ == "WrongState"
    staff.decide_review(view.summary.reception_number or "", "approve", None)
    started = signer.start_card_payment(view.summary.reference)
    assert (started.reference, started.amount, started.currency) == (view.summary.reference, CO_FEE, "JPY")
    url = urlsplit(started.checkout_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == CHECKOUT
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (query["merchant"], query["session"], query["amount"], query["currency"]) == (
        "1301",
        started.session,
        str(CO_FEE),
        "JPY",
    )
    assert len(query["signature"]) == 64
    assert signer.show_application(view.summary.reference).summary.status == "awaiting_payment"
    again = signer.start_card_payment(view.summary.reference)  # the page was lost: a new session
    assert again.session != started.session


def card_counts() -> tuple[float, float]:
    """The server's /metrics counts of card payments and issued certificates."""
    from prometheus_client import REGISTRY

    return (
        REGISTRY.get_sample_value("shomei_payments_total", {"method": "card"}) or 0.0,
        REGISTRY.get_sample_value("shomei_certificates_issued_total", {}) or 0.0,
    )


def test_a_signed_notification_issues_the_certificate_once(
    make_backend: MakeBackend, staff: Backend, provider: PaymentProviderSettings, clock: FixedClock, way: str
) -> None:
    signer, ref, session = awaiting(make_backend, staff)
    body = notification(session)
    anyone = make_backend()
    before = card_counts()
    result = anyone.payment_notification(body, signed(body, clock))
    assert result == NotificationResult("issued", "1301-00000001", "RC1301-0000001")
    shown = signer.show_application(ref)
    assert shown.summary.status == "issued"
    assert shown.summary.certificate_number == "1301-2026-0000001"
    # the same event again is a replay: refused, nothing changes
    replayed = outcome(lambda: anyone.payment_notification(body, signed(body, clock)))
    assert (replayed[0].__name__, replayed[1]) == ("Conflict", "conflict")
    # another event for the paid session: nothing more is issued
    other = notification(session, event="evt_0002")
    assert anyone.payment_notification(other, signed(other, clock)) == NotificationResult(
        "already_paid", "1301-00000001", None
    )
    served = 1.0 if way.startswith("remote-") else 0.0  # the embedded store has no /metrics
    after = card_counts()
    assert (after[0] - before[0], after[1] - before[1]) == (served, served)  # once, for all three
    trail = staff.audit(AuditQuery(action="payment.notify"))
    assert [(e.outcome, e.details.get("result"), e.details.get("reason")) for e in trail] == [
        ("ok", "already_paid", None),  # newest first
        ("refused", None, "conflict"),
        ("ok", "issued", None),
    ]


REFUSALS = [("forged", "signature"), ("late", "signature"), ("unsigned", "signature"), ("amount", "amount")]
REFUSALS += [("currency", "amount")]


def test_forged_late_and_mismatched_notifications_change_nothing_and_are_audited(
    make_backend: MakeBackend, staff: Backend, provider: PaymentProviderSettings, clock: FixedClock
) -> None:
    signer, ref, session = awaiting(make_backend, staff)
    for case, field in REFUSALS:
        body = {
            "amount": notification(session, amount=CO_FEE - 1),
            "currency": notification(session, currency="USD"),
        }.get(case, notification(session))
        header = {
            "forged": signed(body, clock, secret="whsec_" + "0" * 40),
            "late": signed(body, clock, age=301),
            "unsigned": None,
        }.get(case, signed(body, clock))
        refused = outcome(lambda body=body, header=header: make_backend().payment_notification(body, header))
        assert (refused[0].__name__, [e.field for e in refused[3]]) == ("InvalidInput", [field]), case
        assert signer.show_application(ref).summary.status == "awaiting_payment", case
    trail = staff.audit(AuditQuery(action="payment.notify"))
    assert [(e.outcome, e.details["reason"], e.details["event"]) for e in reversed(trail)] == [
        ("refused", field, "evt_0001") for _case, field in REFUSALS
    ]
    # the genuine notification still works afterwards (a refused event ID is not spent)
    genuine = notification(session)
    assert make_backend().payment_notification(genuine, signed(genuine, clock)).outcome == "issued"


def test_paying_from_the_balance_while_awaiting_closes_the_card_session(
    make_backend: MakeBackend, staff: Backend, provider: PaymentProviderSettings, clock: FixedClock
) -> None:
    signer, ref, session = awaiting(make_backend, staff)
    staff.topup("1301000001", CO_FEE)
    paid = signer.pay_application(ref, "prepaid", None)
    assert paid.certificate_number == "1301-2026-0000001"
    late = notification(session)
    clock.advance(timedelta(seconds=10))
    assert make_backend().payment_notification(late, signed(late, clock)) == NotificationResult(
        "already_paid", "1301-00000001", None
    )


def test_another_companys_signer_cannot_start_or_see_the_payment(
    make_backend: MakeBackend, staff: Backend, provider: PaymentProviderSettings
) -> None:
    companies = with_signer(make_backend, staff)
    signer = the_signer(companies)
    view = signer.apply("co", example_json_form("shipment"), None, False)
    staff.decide_review(view.summary.reception_number or "", "approve", None)
    stranger = second_company_signer(companies)
    assert outcome(lambda: stranger.start_card_payment(view.summary.reference)) == not_found(
        f"No application {view.summary.reference} that you can see."
    )
    assert outcome(lambda: staff.start_card_payment(view.summary.reference)) == denied(
        "staff", "application.pay", "user ID, sub ID"
    )
    assert signer.show_application(view.summary.reference).summary.status == "approved"
