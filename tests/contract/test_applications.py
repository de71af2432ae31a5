"""Applications for certificates (発給申請), their review, payment, printing and verification: the same
records and the same refusals on every way in.

apply, application_content, amend_application, submit_application, cancel_application, list_applications,
show_application, pay_application, print_certificate, receipt, verify, fees, set_fee, topup, balance and
chamber_settings, with list_reviews and decide_review on application items. The companies, signers and sub IDs
are made through the backends (tests/contract/companies.py); the forms are docs/examples/*.toml, read as a
.json file of the same form would be (dates as ISO strings), and once as the TOML file itself gives them
(dates as dates), which the remote backend sends as ISO strings too.

Certificates and receipts are drawn for real, and read back, only in the first test (a drawing costs about
0.3 s); elsewhere ``stub_documents`` draws them as stubs, which must come back byte for byte.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.applications import ACCESS_CODE_ALPHABET, ACCESS_CODE_LENGTH, TRANSITIONS, Status
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import Conflict, Expired, FieldError, PermissionDenied
from shomei_cli.domain.records import (
    ApplicationQuery,
    ApplicationSummary,
    ApplicationView,
    AuditQuery,
    DocumentFile,
    FeeRow,
    PaymentView,
    ReviewEntry,
    Verification,
)
from shomei_cli.services import chambers, review
from shomei_cli.services.core import Core
from tests import hostile_pdfs
from tests.contract.companies import (
    FIRST,
    FIRST_VIEW,
    HANAKO_NAME,
    INVOICE_PDF,
    OSAKA_PNG,
    OTHER_USER_ID,
    SECOND,
    SECOND_VIEW,
    SUB_ID,
    USER_ID,
    Outcome,
    add_active_subs,
    denied,
    example_form,
    example_json_form,
    invalid,
    invalid_one,
    log_in,
    not_found,
    outcome,
    outcomes,
    pdf_pages,
    second_company_signer,
    stub_document,
    stub_documents,
    the_signer,
    with_signer,
    wrong_state,
)
from tests.contract.conftest import CHAMBER_NAME_EN, NOW, MakeBackend
from tests.helpers import TEST_PASSWORD
from tests.helpers import activate as activate_in_store

JST = ZoneInfo("Asia/Tokyo")
VERIFY_URL = "https://shomei.example-cci.or.jp/verify"
OSAKA = "大阪 正人"  # the signer of 1301000001: every application of that company carries its signature
TANAKA = "田中 ゆかり"  # the signer of 1301000002 (second_company_signer)
OTHER_SUB = "SB000002"
JIRO = "佐藤 次郎"
CERT = "1301-2026-0000001"  # the first certificate of 2026 in chamber 1301
TRANSFER_REF = "MIZUHO-1127-0042"  # a bank transfer that chamber staff saw arrive
CARD_REFUSED = (
    "card payments need the chamber's payment provider, and none is set up: pay from the prepaid balance "
    "(--method prepaid), or by bank transfer or at the counter, which the chamber records "
    "(shomei chamber payment confirm)"
)
NOBODY = "1301999999"

# -- the forms, as stored (validated, dates and quantities as JSON strings, no absent optional keys) --------

SHIPMENT = {
    "copies": 1,
    "destination_country": "US",
    "commodity_category": "machinery",
    "consignee": {
        "name": "ACME Pumps Inc.",
        "address": "100 Harbor Blvd, Long Beach, CA 90802",
        "country": "US",
    },
    "invoice": {"number": "NT-2026-1120", "date": "2026-11-20"},
    "transport": {
        "from": "Yokohama, Japan",
        "to": "Long Beach, USA",
        "by": "vessel",
        "vessel_or_flight": "ONE HARMONY V.012E",
        "on_or_about": "2026-12-01",
    },
    "remarks": "L/C No. 12345",
    "goods": [
        {
            "marks": "ACME / LONG BEACH / NO.1-10",
            "packages": "10 cartons",
            "description": "Centrifugal pumps",
            "hs_code": "8413.70",
            "quantity": "120",
            "unit": "pcs",
            "origin_country": "JP",
        },
        {
            "marks": "ACME / LONG BEACH / NO.11-12",
            "packages": "2 pallets",
            "description": "Parts of pumps",
            "hs_code": "8413.91",
            "quantity": "350.5",
            "unit": "kg",
            "origin_country": "JP",
        },
    ],
}
SIGNATURE = {
    "copies": 0,
    "destination_country": "VN",
    "document_title": "Power of Attorney",
    "document_number": "POA-2026-031",
    "document_date": "2026-11-20",
    "addressee": {
        "name": "Saigon Trading JSC",
        "address": "12 Nguyen Hue, District 1, Ho Chi Minh City",
        "country": "VN",
    },
}
INVOICE = {
    "copies": 1,
    "destination_country": "AE",
    "consignee": {"name": "Gulf Machinery LLC", "address": "Jebel Ali Free Zone, Dubai", "country": "AE"},
    "invoice": {"number": "NT-2026-1121", "date": "2026-11-21"},
}

# Fees in yen (the default table of domain/applications.py, as docs/certificates.md states it): a member
# (1301000001) pays ¥1,260 per application and ¥100 per extra copy, a non-member (1301000002) ¥3,460 and ¥200.
MEMBER_ONE_COPY = 1260 + 100
MEMBER_NO_COPY = 1260
NON_MEMBER_ONE_COPY = 3460 + 200
DEFAULT_FEES = [
    FeeRow("co", True, 1260, 100),
    FeeRow("co", False, 3460, 200),
    FeeRow("invoice", True, 1260, 100),
    FeeRow("invoice", False, 3460, 200),
    FeeRow("signature", True, 1260, 100),
    FeeRow("signature", False, 3460, 200),
]

# -- the records ------------------------------------------------------------------------------------------

CO_BY_SUB = ApplicationView(
    summary=ApplicationSummary(
        reference="AP0000001",
        reception_number="1301-00000001",
        type="co",
        status="submitted",
        registration_number=FIRST,
        destination_country="US",
        copies=1,
        signer=OSAKA,
        applicant=SUB_ID,
        fee=None,
        certificate_number=None,
        created_at=NOW,
        submitted_at=NOW,
        issued_at=None,
    ),
    content=SHIPMENT,
    reason=None,
    has_attachment=False,
    access_code=None,
    print_count=0,
    printable_until=None,
)
VIEW_FIELDS = {f.name for f in dataclasses.fields(ApplicationView)}


def updated(view: ApplicationView, **changes: Any) -> ApplicationView:
    """``view`` with some fields changed, of the view itself or of its summary (no name is in both)."""
    own = {k: v for k, v in changes.items() if k in VIEW_FIELDS}
    summary = dataclasses.replace(view.summary, **{k: v for k, v in changes.items() if k not in VIEW_FIELDS})
    return dataclasses.replace(view, summary=summary, **own)


def application(
    reference: str,
    kind: str,
    content: dict[str, Any],
    applicant: str = USER_ID,
    *,
    reception_number: str | None = None,
    status: str = "submitted",
    attachment: bool = False,
) -> ApplicationView:
    """An application of 1301000001 made at NOW, signed by 大阪 正人 (submitted at NOW if it has a number)."""
    return updated(
        CO_BY_SUB,
        reference=reference,
        reception_number=reception_number,
        type=kind,
        status=status,
        destination_country=content["destination_country"],
        copies=content["copies"],
        applicant=applicant,
        submitted_at=NOW if reception_number else None,
        content=content,
        has_attachment=attachment,
    )


def issued(view: ApplicationView, fee: int, paid: PaymentView, print_count: int = 0) -> ApplicationView:
    """``view`` approved with ``fee`` and issued by ``paid``."""
    return updated(
        view,
        status="issued",
        fee=fee,
        certificate_number=paid.certificate_number,
        issued_at=paid.paid_at,
        access_code=paid.access_code,
        print_count=print_count,
        printable_until=paid.paid_at + timedelta(days=14),
    )


def item(
    reception_number: str,
    reference: str,
    submitted_by: str,
    status: str = "pending",
    *,
    company: str = FIRST_VIEW.company_name,
    registration: str = FIRST,
    submitted_at: datetime = NOW,
) -> ReviewEntry:
    """The review item of an application, named by its reception number."""
    return ReviewEntry(
        reference=reception_number,
        kind="application",
        status=status,
        registration_number=registration,
        company_name=company,
        summary=f"application {reference}",
        payload={"application": reference},
        reason=None,
        submitted_at=submitted_at,
        submitted_by=submitted_by,
        decided_at=None,
        decided_by=None,
    )


def decided(entry: ReviewEntry, status: str, at: datetime = NOW, reason: str | None = None) -> ReviewEntry:
    """``entry`` decided at ``at``, having waited from its submission until then."""
    waited = int((at - entry.submitted_at).total_seconds())
    return dataclasses.replace(
        entry, status=status, reason=reason, decided_at=at, decided_by="S00001", waited_seconds=waited
    )


def payment(
    reference: str,
    reception_number: str,
    receipt_number: str,
    amount: int,
    certificate_number: str,
    access_code: str,
    *,
    balance_after: int | None,
    transfer: str | None = None,
    paid_at: datetime = NOW,
) -> PaymentView:
    return PaymentView(
        reference=reference,
        reception_number=reception_number,
        receipt_number=receipt_number,
        method="transfer" if transfer else "prepaid",
        payment_reference=transfer,
        amount=amount,
        paid_at=paid_at,
        certificate_number=certificate_number,
        access_code=access_code,
        balance_after=balance_after,
    )


def is_access_code(code: object) -> bool:
    return (
        isinstance(code, str) and len(code) == ACCESS_CODE_LENGTH and set(code) <= set(ACCESS_CODE_ALPHABET)
    )


def history(backend: Backend, **query: Any) -> list[tuple[str, str]]:
    """(reference, status) of the applications ``backend`` sees, newest first."""
    return [(a.reference, a.status) for a in backend.list_applications(ApplicationQuery(**query))]


def not_yours(ref: str) -> Outcome:
    """Another sub ID's, another company's and a missing application: the very same answer."""
    return not_found(f"No application {ref} that you can see.")


# What an issued application allows, as the lifecycle table says: derived, not written out, because the
# chamber's revocation of an issued certificate (cancel_certificate) is being added to the table meanwhile.
ISSUED_ALLOWS = ", ".join(sorted(step.value for (s, step) in TRANSITIONS if s is Status.ISSUED)) or (
    "nothing more"
)


def refused_step(reference: str, status: str, step: str, allowed: str) -> Outcome:
    return wrong_state(f"Application {reference} is {status}: it cannot {step} (it allows: {allowed}).")


ADMIN_NEVER_APPLIES = (
    PermissionDenied,
    "permission_denied",
    "An administrator ID can never apply for certificates: this is a rule of the system. Log in with a "
    "signer's user ID or a sub ID to apply.",
    [],
)
APPLICANTS = "user ID, sub ID"
VIEWERS = "staff ID, user ID, sub ID"
STAFF_ONLY = "staff ID"


def insufficient(balance: int, fee: int) -> Outcome:
    return (
        Conflict,
        "conflict",
        f"The prepaid balance (¥{balance:,}) is less than the fee (¥{fee:,}): ask the chamber to top it "
        "up, or pay by bank transfer or at the counter, which the chamber records",
        [],
    )


# -- the allowed path ---------------------------------------------------------------------------------------


def test_a_certificate_of_origin_from_application_to_verification(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    (sub,) = add_active_subs(make_backend, signer, HANAKO_NAME)
    assert staff.chamber_settings(None) is None
    assert staff.chamber_settings(f" {VERIFY_URL} ") == VERIFY_URL

    # the sub ID applies with docs/examples/shipment.toml: submitted at once, the chamber's first number
    assert sub.apply("co", example_json_form("shipment"), None, False) == CO_BY_SUB
    assert sub.application_content("AP0000001") == ("co", SHIPMENT)
    assert signer.application_content(" 1301-00000001 ") == ("co", SHIPMENT)
    pending = item("1301-00000001", "AP0000001", SUB_ID)
    assert staff.list_reviews("application", None) == [pending]
    assert staff.list_reviews(None, None) == [pending]  # (the signer's addition was decided before)

    # staff approve: the fee is fixed, a member's ¥1,260 plus ¥100 for the one extra copy
    assert staff.decide_review("1301-00000001", "approve", None) == decided(pending, "approved")
    approved = updated(CO_BY_SUB, status="approved", fee=MEMBER_ONE_COPY)
    assert sub.show_application("AP0000001") == approved
    assert signer.show_application("1301-00000001") == approved
    assert staff.show_application(" AP0000001 ") == approved
    assert staff.list_reviews("application", None) == []

    # paid from the prepaid balance, which staff top up first; paying issues the certificate
    assert outcome(lambda: sub.pay_application("AP0000001", "prepaid", None)) == insufficient(0, 1360)
    assert staff.topup(FIRST, 5000) == 5000
    assert (signer.balance(), sub.balance()) == (5000, 5000)
    paid = sub.pay_application("AP0000001", " Prepaid ", None)
    assert is_access_code(paid.access_code)
    assert paid == payment(
        "AP0000001", "1301-00000001", "RC1301-0000001", 1360, CERT, paid.access_code, balance_after=3640
    )
    assert outcome(lambda: signer.pay_application("1301-00000001", "prepaid", None)) == refused_step(
        "AP0000001", "issued", "pay", ISSUED_ALLOWS
    )
    assert (signer.balance(), sub.balance()) == (3640, 3640)  # never charged twice
    assert sub.show_application("AP0000001") == issued(approved, MEMBER_ONE_COPY, paid)

    # the certificate: the ORIGINAL and one COPY page, each with its number, access code and verification URL
    printed = sub.print_certificate("AP0000001")
    assert (printed.name, printed.print_count) == (CERT, 1)
    pages = pdf_pages(printed.pdf)
    assert [page.split("\n", 1)[0] for page in pages] == ["ORIGINAL", "COPY"]
    for page in pages:
        for expected in (
            f"Certificate No. {CERT}",
            f"Access code {paid.access_code}",
            "ACME Pumps Inc.\n100 Harbor Blvd, Long Beach, CA 90802\nUnited States (US)",
            "Osaka Masahito, President",
            f"Verify: {VERIFY_URL}?n={CERT}&c={paid.access_code}",
        ):
            assert expected in page, (expected, page)
    assert signer.show_application("AP0000001").print_count == 1

    # the receipt (領収書), which is no print of the certificate
    receipt = signer.receipt(" 1301-00000001 ")
    assert (receipt.name, receipt.print_count) == ("RC1301-0000001", 1)
    (text,) = pdf_pages(receipt.pdf)
    for expected in ("No. RC1301-0000001", "日商テスト商事株式会社 様", "¥1,360-", "1301-00000001", CERT):
        assert expected in text, (expected, text)
    assert sub.show_application("AP0000001") == issued(approved, MEMBER_ONE_COPY, paid, print_count=1)
    # ...but it is recorded, as every print is
    assert [
        (e.actor, e.target, e.outcome, e.details) for e in staff.audit(AuditQuery(action="receipt.print"))
    ] == [("U000001", "RC1301-0000001", "ok", {"reference": "AP0000001"})]

    # anyone, without logging in: genuine, with the key particulars; the code as a person types it
    anyone = make_backend()
    genuine = Verification(
        status="genuine",
        certificate_number=CERT,
        type="co",
        chamber=CHAMBER_NAME_EN,
        issued_on=date(2026, 11, 27),
        exporter="Nissho Test Co., Ltd.",
        consignee="ACME Pumps Inc.",
        destination_country="US",
        goods=["Centrifugal pumps (120 pcs)", "Parts of pumps (350.5 kg)"],
    )
    assert anyone.verify(CERT, paid.access_code) == genuine
    assert anyone.verify(f" {CERT} ", f" {paid.access_code.lower()} ") == genuine

    # the history: staff the chamber's, the signer the company's, the sub ID its own
    summary = issued(approved, MEMBER_ONE_COPY, paid).summary
    query = ApplicationQuery()
    assert staff.list_applications(query) == [summary]
    assert signer.list_applications(query) == [summary]
    assert sub.list_applications(query) == [summary]


def test_a_draft_amended_submitted_returned_and_resubmitted_keeps_its_reception_number(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    draft = application("AP0000001", "signature", SIGNATURE, status="draft")
    assert signer.apply("signature", example_json_form("signature"), None, True) == draft
    assert staff.list_reviews("application", "all") == []  # a draft is nobody's business but the company's

    clock.advance(timedelta(minutes=5))
    revised = {**SIGNATURE, "document_title": "Power of Attorney (revised)"}
    form = example_json_form("signature", document_title=" Power of Attorney (revised) ")
    amended = updated(draft, content=revised)
    assert signer.amend_application("AP0000001", form, None) == amended
    assert signer.show_application("AP0000001") == amended

    clock.advance(timedelta(minutes=5))
    first_submission = NOW + timedelta(minutes=10)
    submitted = updated(
        amended, reception_number="1301-00000001", status="submitted", submitted_at=first_submission
    )
    assert signer.submit_application("AP0000001") == submitted
    pending = item("1301-00000001", "AP0000001", USER_ID, submitted_at=first_submission)
    assert staff.list_reviews("application", None) == [pending]

    # returned with the reviewer's reason, which the company sees
    clock.advance(timedelta(minutes=5))
    returned_at = NOW + timedelta(minutes=15)
    reason = "文書番号が一致しません"
    assert staff.decide_review("1301-00000001", "return", f" {reason} ") == decided(
        pending, "returned", returned_at, reason
    )
    returned = updated(submitted, status="returned", reason=reason)
    assert signer.show_application("1301-00000001") == returned
    assert staff.list_reviews("application", None) == []

    # amended while returned (the reason stays until it is resubmitted), then resubmitted: the same number
    corrected = {**revised, "document_number": "POA-2026-032"}
    form = example_json_form(
        "signature", document_title=revised["document_title"], document_number="POA-2026-032"
    )
    assert signer.amend_application("1301-00000001", form, None) == updated(returned, content=corrected)
    clock.advance(timedelta(minutes=5))
    resubmitted_at = NOW + timedelta(minutes=20)
    resubmitted = updated(
        returned, content=corrected, status="submitted", reason=None, submitted_at=resubmitted_at
    )
    assert signer.submit_application("1301-00000001") == resubmitted
    again = item("1301-00000001", "AP0000001", USER_ID, submitted_at=resubmitted_at)
    assert staff.list_reviews("application", None) == [again]
    assert staff.list_reviews("application", "returned") == []

    # approved: a member's signature certification without copies is ¥1,260
    assert staff.decide_review("1301-00000001", "approve", None) == decided(again, "approved", resubmitted_at)
    assert signer.show_application("AP0000001") == updated(resubmitted, status="approved", fee=MEMBER_NO_COPY)
    assert signer.application_content("AP0000001") == ("signature", corrected)


def test_every_other_step_is_refused_with_wrong_state_and_changes_nothing(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    invoice = signer.apply("invoice", example_json_form("invoice"), INVOICE_PDF, False)
    assert invoice == application(
        "AP0000001", "invoice", INVOICE, reception_number="1301-00000001", attachment=True
    )
    signer.apply("co", example_json_form("shipment"), None, True)  # AP0000002, a draft
    signer.apply("co", example_json_form("shipment"), None, False)  # AP0000003, 1301-00000002
    signer.apply("signature", example_json_form("signature"), None, False)  # AP0000004, 1301-00000003
    signer.apply("co", example_json_form("shipment"), None, False)  # AP0000005, 1301-00000004

    assert staff.decide_review("1301-00000001", "approve", None).status == "approved"
    rejected = staff.decide_review("1301-00000002", "reject", "原産地が確認できません")
    assert (rejected.status, rejected.reason) == ("rejected", "原産地が確認できません")
    cancelled = signer.cancel_application("AP0000004")
    assert cancelled == updated(
        application("AP0000004", "signature", SIGNATURE, reception_number="1301-00000003"), status="cancelled"
    )
    assert signer.cancel_application("AP0000002").summary.status == "cancelled"

    before = {
        "AP0000001": ("approved", MEMBER_ONE_COPY, None),
        "AP0000002": ("cancelled", None, None),
        "AP0000003": ("rejected", None, "原産地が確認できません"),
        "AP0000004": ("cancelled", None, None),
        "AP0000005": ("submitted", None, None),
    }

    def states() -> dict[str, tuple[str, int | None, str | None]]:
        views = {ref: signer.show_application(ref) for ref in before}
        return {ref: (v.summary.status, v.summary.fee, v.reason) for ref, v in views.items()}

    assert states() == before
    shipment = example_json_form("shipment")
    submitted_allows = "approve, cancel, reject, return"
    with stub_documents():
        assert outcomes(
            {
                "pay:submitted": lambda: signer.pay_application("AP0000005", "prepaid", None),
                "amend:submitted": lambda: signer.amend_application("AP0000005", shipment, None),
                "submit:submitted": lambda: signer.submit_application("AP0000005"),
                "print:submitted": lambda: signer.print_certificate("AP0000005"),
                "receipt:submitted": lambda: signer.receipt("AP0000005"),
                "amend:approved": lambda: signer.amend_application(
                    "AP0000001", example_json_form("invoice"), None
                ),
                "submit:approved": lambda: signer.submit_application("1301-00000001"),
                "cancel:approved": lambda: signer.cancel_application("AP0000001"),
                "print:approved": lambda: signer.print_certificate("AP0000001"),
                "receipt:approved": lambda: signer.receipt("AP0000001"),
                "pay:rejected": lambda: signer.pay_application("AP0000003", "prepaid", None),
                "confirm:rejected": lambda: staff.confirm_payment("AP0000003", "transfer", TRANSFER_REF),
                "amend:rejected": lambda: signer.amend_application("AP0000003", shipment, None),
                "submit:rejected": lambda: signer.submit_application("AP0000003"),
                "cancel:rejected": lambda: signer.cancel_application("AP0000003"),
                "pay:draft-cancelled": lambda: signer.pay_application("AP0000002", "prepaid", None),
                "submit:draft-cancelled": lambda: signer.submit_application("AP0000002"),
                "cancel:cancelled": lambda: signer.cancel_application("AP0000004"),
                "amend:cancelled": lambda: signer.amend_application(
                    "AP0000004", example_json_form("signature"), None
                ),
                "decide:rejected": lambda: staff.decide_review("1301-00000002", "approve", None),
                "decide:withdrawn": lambda: staff.decide_review("1301-00000003", "approve", None),
                "decide:draft": lambda: staff.decide_review("AP0000002", "approve", None),
            }
        ) == {
            "pay:submitted": refused_step("AP0000005", "submitted", "pay", submitted_allows),
            "amend:submitted": refused_step("AP0000005", "submitted", "amend", submitted_allows),
            "submit:submitted": refused_step("AP0000005", "submitted", "submit", submitted_allows),
            "print:submitted": wrong_state(
                "Application AP0000005 is submitted: only an issued certificate can be printed."
            ),
            "receipt:submitted": wrong_state("Application AP0000005 is submitted: it has no payment."),
            "amend:approved": refused_step("AP0000001", "approved", "amend", "checkout, pay"),
            "submit:approved": refused_step("AP0000001", "approved", "submit", "checkout, pay"),
            "cancel:approved": refused_step("AP0000001", "approved", "cancel", "checkout, pay"),
            "print:approved": wrong_state(
                "Application AP0000001 is approved: only an issued certificate can be printed."
            ),
            "receipt:approved": wrong_state("Application AP0000001 is approved: it has no payment."),
            "pay:rejected": refused_step("AP0000003", "rejected", "pay", "nothing more"),
            "confirm:rejected": refused_step("AP0000003", "rejected", "pay", "nothing more"),
            "amend:rejected": refused_step("AP0000003", "rejected", "amend", "nothing more"),
            "submit:rejected": refused_step("AP0000003", "rejected", "submit", "nothing more"),
            "cancel:rejected": refused_step("AP0000003", "rejected", "cancel", "nothing more"),
            "pay:draft-cancelled": refused_step("AP0000002", "cancelled", "pay", "nothing more"),
            "submit:draft-cancelled": refused_step("AP0000002", "cancelled", "submit", "nothing more"),
            "cancel:cancelled": refused_step("AP0000004", "cancelled", "cancel", "nothing more"),
            "amend:cancelled": refused_step("AP0000004", "cancelled", "amend", "nothing more"),
            "decide:rejected": wrong_state(
                "1301-00000002 is already rejected; only pending items can be decided."
            ),
            "decide:withdrawn": wrong_state(
                "1301-00000003 is already withdrawn; only pending items can be decided."
            ),
            "decide:draft": not_found("No review item AP0000002 in this chamber."),
        }
    assert states() == before
    assert signer.balance() == 0  # the refused payment took nothing
    # each refused step is on the chamber's audit trail, oldest first: the review desk's...
    assert [
        (e.action, e.target, e.details)
        for e in reversed(staff.audit(AuditQuery(actor="S00001")))
        if e.outcome == "refused"
    ] == [
        ("payment.confirm", "AP0000003", {"reason": "wrong_state", "status": "rejected"}),
        ("review.approve", "1301-00000002", {"reason": "wrong_state", "status": "rejected"}),
        ("review.approve", "1301-00000003", {"reason": "wrong_state", "status": "withdrawn"}),
    ]
    # ...and the applicant's
    refusals = [
        (e.action, e.actor, e.target, e.details)
        for e in reversed(staff.audit(AuditQuery(actor="U000001")))
        if e.outcome == "refused"
    ]
    assert refusals == [
        ("application.pay", "U000001", "AP0000005", {"reason": "wrong_state", "status": "submitted"}),
        ("application.edit", "U000001", "AP0000005", {"reason": "wrong_state", "status": "submitted"}),
        ("application.edit", "U000001", "AP0000005", {"reason": "wrong_state", "status": "submitted"}),
        ("certificate.print", "U000001", "AP0000005", {"reason": "wrong_state", "status": "submitted"}),
        ("receipt.print", "U000001", "AP0000005", {"reason": "wrong_state", "status": "submitted"}),
        ("application.edit", "U000001", "AP0000001", {"reason": "wrong_state", "status": "approved"}),
        ("application.edit", "U000001", "AP0000001", {"reason": "wrong_state", "status": "approved"}),
        ("application.edit", "U000001", "AP0000001", {"reason": "wrong_state", "status": "approved"}),
        ("certificate.print", "U000001", "AP0000001", {"reason": "wrong_state", "status": "approved"}),
        ("receipt.print", "U000001", "AP0000001", {"reason": "wrong_state", "status": "approved"}),
        ("application.pay", "U000001", "AP0000003", {"reason": "wrong_state", "status": "rejected"}),
        ("application.edit", "U000001", "AP0000003", {"reason": "wrong_state", "status": "rejected"}),
        ("application.edit", "U000001", "AP0000003", {"reason": "wrong_state", "status": "rejected"}),
        ("application.edit", "U000001", "AP0000003", {"reason": "wrong_state", "status": "rejected"}),
        ("application.pay", "U000001", "AP0000002", {"reason": "wrong_state", "status": "cancelled"}),
        ("application.edit", "U000001", "AP0000002", {"reason": "wrong_state", "status": "cancelled"}),
        ("application.edit", "U000001", "AP0000004", {"reason": "wrong_state", "status": "cancelled"}),
        ("application.edit", "U000001", "AP0000004", {"reason": "wrong_state", "status": "cancelled"}),
    ]

    # a bank transfer that staff record: the balance is left alone; then an issued certificate is never
    # edited, nor paid again
    paid = staff.confirm_payment("AP0000001", " Transfer ", f" {TRANSFER_REF} ")
    assert paid == payment(
        "AP0000001",
        "1301-00000001",
        "RC1301-0000001",
        MEMBER_ONE_COPY,
        CERT,
        paid.access_code,
        balance_after=None,
        transfer=TRANSFER_REF,
    )
    assert outcomes(
        {
            "amend:issued": lambda: signer.amend_application("AP0000001", example_json_form("invoice"), None),
            "cancel:issued": lambda: signer.cancel_application("AP0000001"),
            "pay:issued": lambda: signer.pay_application("AP0000001", "prepaid", None),
            "confirm:issued": lambda: staff.confirm_payment("AP0000001", "counter", "TILL-7"),
        }
    ) == {
        "amend:issued": refused_step("AP0000001", "issued", "amend", ISSUED_ALLOWS),
        "cancel:issued": refused_step("AP0000001", "issued", "cancel", ISSUED_ALLOWS),
        "pay:issued": refused_step("AP0000001", "issued", "pay", ISSUED_ALLOWS),
        "confirm:issued": refused_step("AP0000001", "issued", "pay", ISSUED_ALLOWS),
    }
    assert signer.show_application("AP0000001") == issued(invoice, MEMBER_ONE_COPY, paid)
    assert signer.balance() == 0

    # the queue keeps every decision; a withdrawn item is only in "all"
    assert [(e.reference, e.status, e.reason) for e in staff.list_reviews("application", "all")] == [
        ("1301-00000001", "approved", None),
        ("1301-00000002", "rejected", "原産地が確認できません"),
        ("1301-00000003", "withdrawn", None),
        ("1301-00000004", "pending", None),
    ]
    assert [e.reference for e in staff.list_reviews("application", "rejected")] == ["1301-00000002"]

    # the history, newest first, by status, type, day, page
    everything = [
        ("AP0000005", "submitted"),
        ("AP0000004", "cancelled"),
        ("AP0000003", "rejected"),
        ("AP0000002", "cancelled"),
        ("AP0000001", "issued"),
    ]
    assert {
        "all": history(signer),
        "issued": history(signer, status="issued"),
        "cancelled": history(signer, status="cancelled"),
        "invoice": history(signer, type=" Invoice "),
        "limit": history(signer, limit=2),
        "before": history(signer, before="AP0000003"),
        "today": history(signer, since=date(2026, 11, 27), until=date(2026, 11, 27)),
        "tomorrow": history(signer, since=date(2026, 11, 28)),
        "yesterday": history(signer, until=date(2026, 11, 26)),
        "staff-all": history(staff),
    } == {
        "all": everything,
        "issued": [("AP0000001", "issued")],
        "cancelled": [("AP0000004", "cancelled"), ("AP0000002", "cancelled")],
        "invoice": [("AP0000001", "issued")],
        "limit": everything[:2],
        "before": everything[3:],
        "today": everything,
        "tomorrow": [],
        "yesterday": [],
        # the chamber sees what was submitted to it: not AP0000002, a draft cancelled before submission
        "staff-all": [e for e in everything if e[0] != "AP0000002"],
    }


# -- who may do what ----------------------------------------------------------------------------------------


def test_each_id_reaches_only_its_own_applications_and_admins_never_apply(
    make_backend: MakeBackend, staff: Backend, core: Core
) -> None:
    companies = with_signer(make_backend, staff)
    signer, admin = the_signer(companies), companies.admin
    sub, other_sub = add_active_subs(make_backend, signer, HANAKO_NAME, JIRO)
    other = second_company_signer(companies)  # U000002 of 1301000002, not a member

    shipment = example_json_form("shipment")
    assert sub.apply("co", shipment, None, False).summary.reference == "AP0000001"
    assert other_sub.apply("co", shipment, None, False).summary.reference == "AP0000002"
    assert (
        signer.apply("signature", example_json_form("signature"), None, False).summary.reference
        == "AP0000003"
    )
    theirs = other.apply("co", shipment, None, False)
    assert theirs == updated(
        application("AP0000004", "co", SHIPMENT, OTHER_USER_ID, reception_number="1301-00000004"),
        registration_number=SECOND,
        signer=TANAKA,
    )
    assert staff.list_reviews("application", None) == [
        item("1301-00000001", "AP0000001", SUB_ID),
        item("1301-00000002", "AP0000002", OTHER_SUB),
        item("1301-00000003", "AP0000003", USER_ID),
        item(
            "1301-00000004",
            "AP0000004",
            OTHER_USER_ID,
            company=SECOND_VIEW.company_name,
            registration=SECOND,
        ),
    ]
    # a page cursor naming another's application answers as one naming nothing (no oracle of references)
    assert outcomes(
        {
            "other company's": lambda: other.list_applications(ApplicationQuery(before="AP0000001")),
            "other sub ID's": lambda: sub.list_applications(ApplicationQuery(before="AP0000002")),
            "nobody's": lambda: sub.list_applications(ApplicationQuery(before="AP0009999")),
        }
    ) == {
        "other company's": invalid_one("before", "no application AP0000001"),
        "other sub ID's": invalid_one("before", "no application AP0000002"),
        "nobody's": invalid_one("before", "no application AP0009999"),
    }
    assert [a.reference for a in signer.list_applications(ApplicationQuery(before="AP0000003"))] == [
        "AP0000002",
        "AP0000001",
    ]
    for number in ("1301-00000001", "1301-00000002", "1301-00000003", "1301-00000004"):
        staff.decide_review(number, "approve", None)
    assert other.show_application("AP0000004").summary.fee == NON_MEMBER_ONE_COPY  # ¥3,460 + ¥200
    assert staff.topup(FIRST, 10_000) == 10_000
    assert staff.topup(SECOND, 10_000) == 10_000

    # a sub ID pays its own; the signer pays any of the company's; each prints what it may
    with stub_documents():
        assert sub.pay_application("AP0000001", "prepaid", None).balance_after == 10_000 - 1360
        assert signer.pay_application("AP0000002", "prepaid", None).balance_after == 10_000 - 2 * 1360
        assert other.pay_application("AP0000004", "prepaid", None).balance_after == 10_000 - 3660
        assert other_sub.print_certificate("AP0000002") == DocumentFile(
            "1301-2026-0000002", 1, stub_document("1301-2026-0000002")
        )
        assert signer.print_certificate("AP0000001") == DocumentFile(CERT, 1, stub_document(CERT))

    assert {
        "staff": history(staff),
        "signer": history(signer),
        "sub": history(sub),
        "other-sub": history(other_sub),
        "other-company": history(other),
    } == {
        "staff": [
            ("AP0000004", "issued"),
            ("AP0000003", "approved"),
            ("AP0000002", "issued"),
            ("AP0000001", "issued"),
        ],
        "signer": [("AP0000003", "approved"), ("AP0000002", "issued"), ("AP0000001", "issued")],
        "sub": [("AP0000001", "issued")],
        "other-sub": [("AP0000002", "issued")],
        "other-company": [("AP0000004", "issued")],
    }

    signature = example_json_form("signature")
    with stub_documents():
        assert outcomes(
            {
                # a sub ID: only its own applications, whatever it names them by
                "sub:show-sibling": lambda: sub.show_application("AP0000002"),
                "sub:show-sibling-by-number": lambda: sub.show_application("1301-00000002"),
                "sub:content-sibling": lambda: sub.application_content("AP0000002"),
                "sub:print-sibling": lambda: sub.print_certificate("AP0000002"),
                "sub:receipt-sibling": lambda: sub.receipt("AP0000002"),
                "sub:pay-sibling": lambda: sub.pay_application("AP0000002", "prepaid", None),
                "other-sub:show-sibling": lambda: other_sub.show_application("AP0000001"),
                "other-sub:print-sibling": lambda: other_sub.print_certificate("1301-00000001"),
                "sub:show-signers": lambda: sub.show_application("AP0000003"),
                "sub:pay-signers": lambda: sub.pay_application("AP0000003", "prepaid", None),
                "sub:amend-signers": lambda: sub.amend_application("AP0000003", signature, None),
                "sub:cancel-signers": lambda: sub.cancel_application("AP0000003"),
                "sub:nothing": lambda: sub.show_application("AP9999999"),
                # another company: nothing of the first one, and the first one nothing of it
                "other:show": lambda: other.show_application("AP0000001"),
                "other:show-by-number": lambda: other.show_application("1301-00000003"),
                "other:content": lambda: other.application_content("AP0000003"),
                "other:pay": lambda: other.pay_application("AP0000003", "prepaid", None),
                "other:print": lambda: other.print_certificate("AP0000001"),
                "other:receipt": lambda: other.receipt("AP0000001"),
                "other:amend": lambda: other.amend_application("AP0000003", signature, None),
                "other:submit": lambda: other.submit_application("AP0000003"),
                "other:cancel": lambda: other.cancel_application("AP0000003"),
                "signer:show-other-company": lambda: signer.show_application("AP0000004"),
                "signer:print-other-company": lambda: signer.print_certificate("AP0000004"),
                # staff see everything, and pay and print nothing
                "staff:apply": lambda: staff.apply("co", shipment, None, False),
                "staff:cancel": lambda: staff.cancel_application("AP0000003"),
                "staff:pay": lambda: staff.pay_application("AP0000003", "prepaid", None),
                "signer:confirm-payment": lambda: signer.confirm_payment(
                    "AP0000003", "transfer", TRANSFER_REF
                ),
                "sub:confirm-payment": lambda: sub.confirm_payment("AP0000001", "counter", TRANSFER_REF),
                "admin:confirm-payment": lambda: admin.confirm_payment("AP0000001", "transfer", TRANSFER_REF),
                "staff:print": lambda: staff.print_certificate("AP0000001"),
                "staff:receipt": lambda: staff.receipt("AP0000001"),
                "staff:balance": staff.balance,
                # an administrator ID: never an applicant, and no part in applications at all
                "admin:apply": lambda: admin.apply("co", shipment, None, False),
                "admin:apply-draft": lambda: admin.apply("co", shipment, None, True),
                "admin:amend": lambda: admin.amend_application("AP0000003", signature, None),
                "admin:submit": lambda: admin.submit_application("AP0000003"),
                "admin:cancel": lambda: admin.cancel_application("AP0000003"),
                "admin:show": lambda: admin.show_application("AP0000001"),
                "admin:content": lambda: admin.application_content("AP0000001"),
                "admin:list": lambda: admin.list_applications(ApplicationQuery()),
                "admin:pay": lambda: admin.pay_application("AP0000003", "prepaid", None),
                "admin:print": lambda: admin.print_certificate("AP0000001"),
                "admin:receipt": lambda: admin.receipt("AP0000001"),
                "admin:balance": admin.balance,
                "admin:topup": lambda: admin.topup(FIRST, 1000),
                # the chamber's own work
                "signer:fees": signer.fees,
                "sub:set-fee": lambda: sub.set_fee("co", True, 0, 0),
                "signer:topup": lambda: signer.topup(FIRST, 1000),
                "sub:topup": lambda: sub.topup(FIRST, 1000),
                "signer:settings": lambda: signer.chamber_settings(None),
                "admin:settings": lambda: admin.chamber_settings(VERIFY_URL),
                "signer:reviews": lambda: signer.list_reviews("application", None),
                "sub:approve": lambda: sub.decide_review("1301-00000003", "approve", None),
            }
        ) == {
            "sub:show-sibling": not_yours("AP0000002"),
            "sub:show-sibling-by-number": not_yours("1301-00000002"),
            "sub:content-sibling": not_yours("AP0000002"),
            "sub:print-sibling": not_yours("AP0000002"),
            "sub:receipt-sibling": not_yours("AP0000002"),
            "sub:pay-sibling": not_yours("AP0000002"),
            "other-sub:show-sibling": not_yours("AP0000001"),
            "other-sub:print-sibling": not_yours("1301-00000001"),
            "sub:show-signers": not_yours("AP0000003"),
            "sub:pay-signers": not_yours("AP0000003"),
            "sub:amend-signers": not_yours("AP0000003"),
            "sub:cancel-signers": not_yours("AP0000003"),
            "sub:nothing": not_yours("AP9999999"),
            "other:show": not_yours("AP0000001"),
            "other:show-by-number": not_yours("1301-00000003"),
            "other:content": not_yours("AP0000003"),
            "other:pay": not_yours("AP0000003"),
            "other:print": not_yours("AP0000001"),
            "other:receipt": not_yours("AP0000001"),
            "other:amend": not_yours("AP0000003"),
            "other:submit": not_yours("AP0000003"),
            "other:cancel": not_yours("AP0000003"),
            "signer:show-other-company": not_yours("AP0000004"),
            "signer:print-other-company": not_yours("AP0000004"),
            "staff:apply": denied("staff", "application.edit", APPLICANTS),
            "staff:cancel": denied("staff", "application.edit", APPLICANTS),
            "staff:pay": denied("staff", "application.pay", APPLICANTS),
            "signer:confirm-payment": denied("signer", "payment.confirm", STAFF_ONLY),
            "sub:confirm-payment": denied("sub", "payment.confirm", STAFF_ONLY),
            "admin:confirm-payment": denied("admin", "payment.confirm", STAFF_ONLY),
            "staff:print": denied("staff", "certificate.print", APPLICANTS),
            "staff:receipt": denied("staff", "application.pay", APPLICANTS),
            "staff:balance": denied("staff", "application.pay", APPLICANTS),
            "admin:apply": ADMIN_NEVER_APPLIES,
            "admin:apply-draft": ADMIN_NEVER_APPLIES,
            "admin:amend": ADMIN_NEVER_APPLIES,
            "admin:submit": ADMIN_NEVER_APPLIES,
            "admin:cancel": ADMIN_NEVER_APPLIES,
            "admin:show": denied("admin", "application.view", VIEWERS),
            "admin:content": denied("admin", "application.view", VIEWERS),
            "admin:list": denied("admin", "application.view", VIEWERS),
            "admin:pay": denied("admin", "application.pay", APPLICANTS),
            "admin:print": denied("admin", "certificate.print", APPLICANTS),
            "admin:receipt": denied("admin", "application.pay", APPLICANTS),
            "admin:balance": denied("admin", "application.pay", APPLICANTS),
            "admin:topup": denied("admin", "balance.topup", STAFF_ONLY),
            "signer:fees": denied("signer", "fees.manage", STAFF_ONLY),
            "sub:set-fee": denied("sub", "fees.manage", STAFF_ONLY),
            "signer:topup": denied("signer", "balance.topup", STAFF_ONLY),
            "sub:topup": denied("sub", "balance.topup", STAFF_ONLY),
            "signer:settings": denied("signer", "fees.manage", STAFF_ONLY),
            "admin:settings": denied("admin", "fees.manage", STAFF_ONLY),
            "signer:reviews": denied("signer", "review.decide", STAFF_ONLY),
            "sub:approve": denied("sub", "review.decide", STAFF_ONLY),
        }

    # nothing moved: no money, no state, no print, no application made
    assert (signer.balance(), sub.balance(), other.balance()) == (10_000 - 2720, 10_000 - 2720, 10_000 - 3660)
    assert staff.show_application("AP0000003").summary.status == "approved"
    assert [staff.show_application(ref).print_count for ref in ("AP0000001", "AP0000002")] == [1, 1]
    assert len(staff.list_applications(ApplicationQuery())) == 4
    assert staff.fees() == DEFAULT_FEES
    assert staff.chamber_settings(None) is None

    # the staff of another chamber see nothing of this one
    osaka = chambers.init_chamber(core, "2701", "大阪商工会議所", "Osaka CCI")
    activate_in_store(core, "2701", "S00001", osaka.staff.initial_password)
    elsewhere = make_backend()
    elsewhere.login("2701", "S00001", TEST_PASSWORD)
    assert elsewhere.list_applications(ApplicationQuery()) == []
    assert elsewhere.list_reviews("application", "all") == []
    assert outcomes(
        {
            "show": lambda: elsewhere.show_application("AP0000001"),
            "by-number": lambda: elsewhere.show_application("1301-00000001"),
            "approve": lambda: elsewhere.decide_review("1301-00000003", "approve", None),
            "topup": lambda: elsewhere.topup(FIRST, 1000),
        }
    ) == {
        "show": not_yours("AP0000001"),
        "by-number": not_yours("1301-00000001"),
        "approve": not_found("No review item 1301-00000003 in this chamber."),
        "topup": not_found(f"No registration {FIRST} that you can see."),
    }


# -- bad input --------------------------------------------------------------------------------------------


def test_bad_input_names_every_bad_field_and_stores_nothing(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    draft = signer.apply("co", example_json_form("shipment"), None, True)

    shipment = example_json_form("shipment", destination_country="Atlantis", colour="red")
    shipment["invoice"]["date"] = "2026-11-28"  # the day after the application
    shipment["goods"][0]["unit"] = "lot"
    shipment["goods"][1]["hs_code"] = "84139"
    mixed = example_json_form("shipment")
    mixed["goods"][1]["origin_country"] = "CN"
    negative_copies = example_json_form("signature", copies=-1)
    not_a_pdf = OSAKA_PNG
    with_nul = {**example_json_form("shipment"), "remarks": "a\x00b"}
    bad_shipment = invalid(
        FieldError("destination_country", "is not a country (ISO 3166): 'Atlantis'"),
        FieldError("invoice.date", "must not be after the application date (2026-11-27)"),
        FieldError(
            "goods.1.unit", "must be a concrete unit of quantity (kg, pcs, m, L …), not a lot or a package"
        ),
        FieldError("goods.2.hs_code", "must be a 6-digit HS code, e.g. 8413.70 or 841370"),
        FieldError("colour", "Extra inputs are not permitted"),
    )
    kinds = ", ".join(sorted(review.HANDLERS))
    statuses = "draft, submitted, returned, approved, awaiting_payment, rejected, paid, issued, cancelled"
    assert outcomes(
        {
            "apply:co": lambda: signer.apply("co", shipment, None, False),
            "apply:co-draft": lambda: signer.apply("co", shipment, None, True),
            "apply:mixed-origin": lambda: signer.apply("co", mixed, None, False),
            "apply:empty": lambda: signer.apply("signature", {}, None, False),
            "apply:copies": lambda: signer.apply("signature", negative_copies, None, False),
            "apply:type": lambda: signer.apply("euro1", example_json_form("shipment"), None, False),
            "apply:co-attachment": lambda: signer.apply(
                "co", example_json_form("shipment"), INVOICE_PDF, False
            ),
            "apply:invoice-without-pdf": lambda: signer.apply(
                "invoice", example_json_form("invoice"), None, False
            ),
            "apply:invoice-not-a-pdf": lambda: signer.apply(
                "invoice", example_json_form("invoice"), not_a_pdf, False
            ),
            "apply:nul": lambda: signer.apply("co", with_nul, None, False),
            "show:nul": lambda: signer.show_application("AP\x000000001"),
            "show:long": lambda: signer.show_application("A" * 201),
            "list:before-nul": lambda: signer.list_applications(ApplicationQuery(before="AP\x00")),
            "amend:draft": lambda: signer.amend_application("AP0000001", shipment, None),
            "pay:method": lambda: signer.pay_application("AP0000001", "cash", None),
            "pay:card": lambda: signer.pay_application("AP0000001", "card", "CARD-2026-000123"),
            "pay:card-without-reference": lambda: signer.pay_application("AP0000001", " Card ", None),
            "confirm:method": lambda: staff.confirm_payment("1301-00000001", "card", TRANSFER_REF),
            "confirm:blank-reference": lambda: staff.confirm_payment("1301-00000001", "transfer", "  "),
            "confirm:long-reference": lambda: staff.confirm_payment("1301-00000001", "counter", "C" * 101),
            "list:limit": lambda: signer.list_applications(ApplicationQuery(limit=0)),
            "list:too-many": lambda: signer.list_applications(ApplicationQuery(limit=10_001)),
            "list:status": lambda: signer.list_applications(ApplicationQuery(status="done")),
            "list:type": lambda: signer.list_applications(ApplicationQuery(type="euro1")),
            "list:before": lambda: signer.list_applications(ApplicationQuery(before="AP9999999")),
            "reviews:kind": lambda: staff.list_reviews("applications", None),
            "return-without-reason": lambda: staff.decide_review("1301-00000001", "return", None),
            "topup:zero": lambda: staff.topup(FIRST, 0),
            "topup:too-much": lambda: staff.topup(FIRST, 100_000_001),
            "topup:nobody": lambda: staff.topup(NOBODY, 1000),
            "set-fee:range": lambda: staff.set_fee("co", True, -1, 1_000_001),
            "set-fee:type": lambda: staff.set_fee("euro1", True, 1000, 100),
            "settings:url": lambda: staff.chamber_settings("ftp://shomei.example-cci.or.jp/verify"),
            "settings:long-url": lambda: staff.chamber_settings("https://example.jp/" + "v" * 282),
        }
    ) == {
        "apply:co": bad_shipment,
        "apply:co-draft": bad_shipment,
        "apply:mixed-origin": invalid_one(
            "form", "goods of Japanese origin and of foreign origin are not mixed on one certificate"
        ),
        "apply:empty": invalid(
            FieldError("destination_country", "Field required"),
            FieldError("document_title", "Field required"),
            FieldError("document_date", "Field required"),
        ),
        "apply:copies": invalid_one("copies", "Input should be greater than or equal to 0"),
        "apply:type": invalid_one("type", "must be co, invoice or signature"),
        "apply:co-attachment": invalid_one(
            "attachment", "only invoice certifications take an attachment, not co"
        ),
        "apply:invoice-without-pdf": invalid_one(
            "attachment", "an invoice certification needs the invoice as a PDF"
        ),
        "apply:invoice-not-a-pdf": invalid_one("attachment", "is not a PDF file"),
        "apply:nul": invalid_one("content.remarks", "must not contain NUL or unpaired surrogate characters"),
        "show:nul": invalid_one("ref", "must not contain NUL or unpaired surrogate characters"),
        "show:long": invalid_one("ref", "must be at most 64 characters (it has 201)"),
        "list:before-nul": invalid_one("before", "must not contain NUL or unpaired surrogate characters"),
        "amend:draft": bad_shipment,
        "pay:method": invalid_one("method", "must be prepaid or card"),
        "pay:card": invalid_one("method", CARD_REFUSED),
        "pay:card-without-reference": invalid_one("method", CARD_REFUSED),
        "confirm:method": invalid_one("method", "must be transfer or counter"),
        "confirm:blank-reference": invalid_one("reference", "is required"),
        "confirm:long-reference": invalid_one("reference", "must be at most 100 characters (it has 101)"),
        "list:limit": invalid_one("limit", "must be between 1 and 10000"),
        "list:too-many": invalid_one("limit", "must be between 1 and 10000"),
        "list:status": invalid_one("status", f"must be one of {statuses}"),
        "list:type": invalid_one("type", "must be co, invoice or signature"),
        "list:before": invalid_one("before", "no application AP9999999"),
        "reviews:kind": invalid_one("kind", f"must be one of {kinds}"),
        "return-without-reason": invalid_one("reason", "is required"),
        "topup:zero": invalid_one("amount", "must be from 1 to 100,000,000 yen"),
        "topup:too-much": invalid_one("amount", "must be from 1 to 100,000,000 yen"),
        "topup:nobody": not_found(f"No registration {NOBODY} that you can see."),
        "set-fee:range": invalid(
            FieldError("per_application", "must be from 0 to 1,000,000 yen"),
            FieldError("per_copy", "must be from 0 to 1,000,000 yen"),
        ),
        "set-fee:type": invalid_one("type", "must be co, invoice or signature"),
        "settings:url": invalid_one("verification_url", "must be an http(s) URL of at most 300 characters"),
        "settings:long-url": invalid_one(
            "verification_url", "must be an http(s) URL of at most 300 characters"
        ),
    }
    # nothing was stored, nothing changed
    assert signer.list_applications(ApplicationQuery()) == [draft.summary]
    assert signer.show_application("AP0000001") == draft
    assert staff.list_reviews("application", "all") == []
    assert (signer.balance(), staff.fees(), staff.chamber_settings(None)) == (0, DEFAULT_FEES, None)


def test_an_invoice_pdf_that_is_not_inert_is_refused_and_nothing_is_stored(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    invoice = example_json_form("invoice")
    actions = "has actions that run by themselves or leave the document; attach a plain PDF"
    assert outcomes(
        {
            "encrypted": lambda: signer.apply("invoice", invoice, hostile_pdfs.encrypted(), False),
            "javascript": lambda: signer.apply("invoice", invoice, hostile_pdfs.with_javascript(), True),
            "launch": lambda: signer.apply("invoice", invoice, hostile_pdfs.with_launch(), False),
            "embedded": lambda: signer.apply("invoice", invoice, hostile_pdfs.with_embedded_file(), False),
            "form": lambda: signer.apply("invoice", invoice, hostile_pdfs.with_form(), False),
            "bomb": lambda: signer.apply("invoice", invoice, hostile_pdfs.bomb(300), False),
        }
    ) == {
        "encrypted": invalid_one(
            "attachment", "is encrypted; attach the invoice without a password or restrictions"
        ),
        "javascript": invalid_one("attachment", "contains JavaScript; attach the invoice as a plain PDF"),
        "launch": invalid_one("attachment", actions),
        "embedded": invalid_one("attachment", "has embedded files; attach the invoice alone"),
        "form": invalid_one("attachment", "has a form; attach the invoice as a plain (flattened) PDF"),
        "bomb": invalid_one(
            "attachment", "decompresses to more than 64 MB; attach the invoice as a plain PDF"
        ),
    }
    # nothing was stored; a draft is refused the same way when its attachment is replaced
    assert signer.list_applications(ApplicationQuery()) == []
    draft = signer.apply("invoice", invoice, INVOICE_PDF, True)
    assert outcome(
        lambda: signer.amend_application(draft.summary.reference, invoice, hostile_pdfs.with_page_action())
    ) == invalid_one("attachment", actions)
    assert signer.show_application(draft.summary.reference) == draft


# -- the chamber: fees, balances, the verification URL --------------------------------------------------


def test_staff_set_the_fee_table_and_top_up_balances_and_the_fee_is_fixed_at_approval(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    assert staff.fees() == DEFAULT_FEES

    co_member = FeeRow("co", True, 1500, 150)
    changed = [co_member, *DEFAULT_FEES[1:]]
    assert staff.set_fee(" CO ", True, 1500, 150) == changed
    assert staff.fees() == changed
    free = FeeRow("signature", False, 0, 0)
    assert staff.set_fee("signature", False, 0, 0) == [*changed[:5], free]

    signer.apply("co", example_json_form("shipment"), None, False)  # AP0000001, one extra copy
    signer.apply("invoice", example_json_form("invoice"), INVOICE_PDF, False)  # AP0000002, one extra copy
    signer.apply("co", example_json_form("shipment", copies=3), None, False)  # AP0000003, three
    for number in ("1301-00000001", "1301-00000002"):
        staff.decide_review(number, "approve", None)
    # the fee is fixed when approved: a later change of the table does not touch it
    assert staff.set_fee("co", True, 1260, 100) == [DEFAULT_FEES[0], *changed[1:5], free]
    staff.decide_review("1301-00000003", "approve", None)
    fees = {ref: signer.show_application(ref).summary.fee for ref in ("AP0000001", "AP0000002", "AP0000003")}
    assert fees == {"AP0000001": 1500 + 150, "AP0000002": 1260 + 100, "AP0000003": 1260 + 3 * 100}

    # top-ups add up, per company; a payment takes the fee, and never more than there is
    assert staff.topup(FIRST, 1000) == 1000
    assert staff.topup(f" {FIRST} ", 650) == 1650
    assert staff.topup(SECOND, 500) == 500
    assert signer.balance() == 1650
    with stub_documents():
        first = signer.pay_application("AP0000001", "prepaid", None)
        assert (first.amount, first.balance_after, first.receipt_number) == (1650, 0, "RC1301-0000001")
        assert outcome(lambda: signer.pay_application("AP0000002", "prepaid", None)) == insufficient(0, 1360)
        # a refused payment burns no receipt or certificate number
        second = staff.confirm_payment("AP0000002", "transfer", TRANSFER_REF)
        assert second == payment(
            "AP0000002",
            "1301-00000002",
            "RC1301-0000002",
            1360,
            "1301-2026-0000002",
            second.access_code,
            balance_after=None,
            transfer=TRANSFER_REF,
        )
        assert signer.receipt("AP0000002") == DocumentFile(
            "RC1301-0000002", 1, stub_document("RC1301-0000002")
        )
    assert staff.topup(FIRST, 1560) == 1560
    assert signer.pay_application("AP0000003", "prepaid", None).balance_after == 0
    assert signer.balance() == 0

    # the verification URL printed (as a QR code) on the certificates
    assert staff.chamber_settings(None) is None
    assert staff.chamber_settings(" http://shomei.example-cci.or.jp/verify?lang=ja ") == (
        "http://shomei.example-cci.or.jp/verify?lang=ja"
    )
    assert staff.chamber_settings(VERIFY_URL) == VERIFY_URL
    assert staff.chamber_settings(None) == VERIFY_URL


# -- time: the print window, an expired registration -----------------------------------------------------


def test_a_certificate_prints_for_fourteen_days_and_an_expired_registration_submits_nothing(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    shipment = example_json_form("shipment")
    for _ in range(2):  # AP0000001 and AP0000002
        signer.apply("co", shipment, None, False)
    staff.decide_review("1301-00000001", "approve", None)
    staff.decide_review("1301-00000002", "approve", None)
    staff.topup(FIRST, 2 * 1360)
    paid = signer.pay_application("AP0000001", "prepaid", None)
    until = NOW + timedelta(days=14)
    assert signer.show_application("AP0000001").printable_until == until

    with stub_documents():
        assert signer.print_certificate("AP0000001") == DocumentFile(CERT, 1, stub_document(CERT))
        clock.set(until)  # the last instant of the window: printable still
        signer = log_in(make_backend, USER_ID)  # (the session timed out meanwhile)
        assert signer.print_certificate("AP0000001") == DocumentFile(CERT, 2, stub_document(CERT))
        clock.advance(timedelta(seconds=1))
        expired = (
            Expired,
            "expired",
            f"The certificate {CERT} could be printed until 2026-12-11T10:00+09:00; apply again for a new "
            "one.",
            [],
        )
        assert outcome(lambda: signer.print_certificate("1301-00000001")) == expired
        # the receipt has no window; the refused print is not counted
        assert signer.receipt("AP0000001") == DocumentFile(
            "RC1301-0000001", 1, stub_document("RC1301-0000001")
        )
        assert signer.show_application("AP0000001").print_count == 2

        # the registration is valid until 2028-11-26: afterwards nothing is submitted, but what was approved
        # is paid and printed (its certificate numbered afresh in the year of issue)
        clock.set(datetime(2028, 11, 27, 10, 0, tzinfo=JST))
        expired_at = clock.now()
        signer = log_in(make_backend, USER_ID)
        no_submission = (
            Expired,
            "expired",
            f"The trade registration {FIRST} expired on 2028-11-26: no application can be submitted until it "
            "is renewed.",
            [],
        )
        assert outcome(lambda: signer.apply("co", shipment, None, False)) == no_submission
        draft = signer.apply("co", shipment, None, True)
        assert (draft.summary.reference, draft.summary.status, draft.summary.created_at) == (
            "AP0000003",
            "draft",
            expired_at,
        )
        assert outcome(lambda: signer.submit_application("AP0000003")) == no_submission
        late = signer.pay_application("AP0000002", "prepaid", None)
        assert (late.certificate_number, late.receipt_number, late.paid_at, late.balance_after) == (
            "1301-2028-0000001",
            "RC1301-0000002",
            expired_at,
            0,
        )
        assert signer.print_certificate("AP0000002") == DocumentFile(
            "1301-2028-0000001", 1, stub_document("1301-2028-0000001")
        )
    assert history(signer) == [("AP0000003", "draft"), ("AP0000002", "issued"), ("AP0000001", "issued")]
    assert paid.certificate_number == CERT


# -- verification, by anyone ------------------------------------------------------------------------------


def test_anyone_verifies_and_a_wrong_access_code_answers_exactly_as_an_unknown_number(
    make_backend: MakeBackend, staff: Backend
) -> None:
    companies = with_signer(make_backend, staff)
    signer = the_signer(companies)
    signer.apply("signature", example_json_form("signature"), None, False)
    signer.apply("invoice", example_json_form("invoice"), INVOICE_PDF, False)
    staff.decide_review("1301-00000001", "approve", None)
    staff.decide_review("1301-00000002", "approve", None)
    staff.topup(FIRST, 1360)
    signature = staff.confirm_payment("AP0000001", "counter", "TILL-7")
    invoice = signer.pay_application("AP0000002", "prepaid", None)
    assert (signature.certificate_number, invoice.certificate_number) == (CERT, "1301-2026-0000002")
    assert signature.access_code != invoice.access_code

    anyone = make_backend()  # never logged in
    particulars = Verification(
        status="genuine",
        certificate_number=CERT,
        type="signature",
        chamber=CHAMBER_NAME_EN,
        issued_on=date(2026, 11, 27),
        exporter="Nissho Test Co., Ltd.",
        consignee="Saigon Trading JSC",  # the addressee of the signed document
        destination_country="VN",
        goods=["Power of Attorney"],
    )
    assert anyone.verify(CERT, signature.access_code) == particulars
    assert anyone.verify("1301-2026-0000002", invoice.access_code) == Verification(
        status="genuine",
        certificate_number="1301-2026-0000002",
        type="invoice",
        chamber=CHAMBER_NAME_EN,
        issued_on=date(2026, 11, 27),
        exporter="Nissho Test Co., Ltd.",
        consignee="Gulf Machinery LLC",
        destination_country="AE",
        goods=[],
    )
    # a logged-in ID of another company gets the same answer as anyone
    other = second_company_signer(companies)
    assert other.verify(CERT, signature.access_code) == particulars

    wrong = "A" * ACCESS_CODE_LENGTH if signature.access_code != "A" * ACCESS_CODE_LENGTH else "B" * 10
    unknown = "1301-2026-0009999"
    answers = {
        "unknown-number": anyone.verify(unknown, signature.access_code),
        "wrong-code": anyone.verify(CERT, wrong),
        "another-certificates-code": anyone.verify(CERT, invoice.access_code),
        "no-code": anyone.verify(CERT, ""),
        "code-with-a-letter-more": anyone.verify(CERT, signature.access_code + "A"),
        "reception-number": anyone.verify("1301-00000001", signature.access_code),
        "other-company": other.verify(CERT, wrong),
    }
    assert answers == {
        "unknown-number": Verification(status="not_found", certificate_number=unknown),
        "wrong-code": Verification(status="not_found", certificate_number=CERT),
        "another-certificates-code": Verification(status="not_found", certificate_number=CERT),
        "no-code": Verification(status="not_found", certificate_number=CERT),
        "code-with-a-letter-more": Verification(status="not_found", certificate_number=CERT),
        "reception-number": Verification(status="not_found", certificate_number="1301-00000001"),
        "other-company": Verification(status="not_found", certificate_number=CERT),
    }
    # exactly the same answer: only the number asked about differs
    assert dataclasses.replace(answers["unknown-number"], certificate_number=CERT) == answers["wrong-code"]


# -- where local and remote part ways -----------------------------------------------------------------------


def stored(call: Callable[[], ApplicationView]) -> object:
    """The content an application call stored, or (as an Outcome) how it failed."""
    views: list[ApplicationView] = []
    failed = outcome(lambda: views.append(call()))
    return views[0].content if views else failed


def test_a_form_as_read_from_its_toml_file_is_accepted(
    request: pytest.FixtureRequest, way: str, make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    draft = application("AP0000001", "co", SHIPMENT, status="draft")
    assert {
        "apply:co": stored(lambda: signer.apply("co", example_form("shipment"), None, True)),
        "amend:co": stored(lambda: signer.amend_application("AP0000001", example_form("shipment"), None)),
        "apply:signature": stored(lambda: signer.apply("signature", example_form("signature"), None, False)),
        "apply:invoice": stored(lambda: signer.apply("invoice", example_form("invoice"), INVOICE_PDF, False)),
    } == {"apply:co": SHIPMENT, "amend:co": SHIPMENT, "apply:signature": SIGNATURE, "apply:invoice": INVOICE}
    assert signer.show_application("AP0000001") == draft


def padded_pdf(size: int) -> bytes:
    """A valid one-page PDF of about ``size`` bytes (a scanned invoice is easily this big)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Producer": "scanner " + "x" * size})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_invoice_of_two_megabytes_is_accepted_as_the_documented_ten_megabytes_allow(
    request: pytest.FixtureRequest, way: str, make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    invoice = padded_pdf(2_000_000)
    assert 2_000_000 < len(invoice) < 10 * 1024 * 1024
    form = example_json_form("invoice")
    assert {
        "apply": outcome(lambda: signer.apply("invoice", form, invoice, True).has_attachment),
        "amend": outcome(lambda: signer.amend_application("AP0000001", form, invoice).has_attachment),
    } == {"apply": outcome(lambda: True), "amend": outcome(lambda: True)}


def test_an_application_is_looked_up_as_given_not_as_a_url_path(
    request: pytest.FixtureRequest, way: str, make_backend: MakeBackend, staff: Backend
) -> None:
    signer = the_signer(with_signer(make_backend, staff))
    signer.apply("co", example_json_form("shipment"), None, False)
    assert outcomes(
        {
            "show:empty": lambda: signer.show_application(""),
            "show:dot": lambda: signer.show_application("."),
            "show:slash": lambda: signer.show_application("AP0000001/content"),
            "pay:slash": lambda: signer.pay_application("AP0000001/x", "prepaid", None),
            "print:blank": lambda: signer.print_certificate(" "),
            "receipt:slash": lambda: signer.receipt("AP0000001/receipt"),
            "cancel:dots": lambda: signer.cancel_application(".."),
            "topup:empty": lambda: staff.topup("", 100),
        }
    ) == {
        "show:empty": not_yours(""),
        "show:dot": not_yours("."),
        "show:slash": not_yours("AP0000001/content"),
        "pay:slash": not_yours("AP0000001/x"),
        "print:blank": not_yours(""),
        "receipt:slash": not_yours("AP0000001/receipt"),
        "cancel:dots": not_yours(".."),
        "topup:empty": invalid_one("registration", "is required (a registration number)"),
    }
