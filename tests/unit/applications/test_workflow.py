"""The whole life of an application, per certificate type, through the operations the CLI and the server
call (services/api.py): apply, review, top-up, payment, issuance, printing, the receipt and verification.

Certificates and receipts are drawn for real here and read back: their text with pypdf, the QR code with
zxing-cpp from the page rendered by pdftoppm.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
import zxingcpp
from PIL import Image
from sqlmodel import select

from shomei_cli.domain.applications import ACCESS_CODE_ALPHABET
from shomei_cli.domain.errors import InvalidInput, WrongState
from shomei_cli.domain.records import ApplicationQuery, PaymentView, Verification
from shomei_cli.services import api
from shomei_cli.store.tables import Payment
from tests.unit.applications.conftest import (
    COMPANY_A,
    COMPANY_B,
    SQLITE_ONLY,
    World,
    audit_events,
    balance_of,
    invoice_pdf,
    shipment,
    signature_form,
)

VERIFY_URL = "https://shomei.example.jp/verify"
TEN_AM = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
PRINTABLE_UNTIL = datetime(2026, 12, 11, 1, 0, tzinfo=UTC)
SHIPMENT_CONTENT = {
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


def pages_text(pdf: bytes) -> list[str]:
    """The text of every page (the Japanese font's glyphs come out with NULs between them)."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def qr_codes(pdf: bytes, where: Path) -> list[list[str]]:
    """The QR codes found on each page, rendered at 150 dpi."""
    where.mkdir()
    (where / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", str(where / "certificate.pdf"), str(where / "page")], check=True
    )
    return [
        [code.text for code in zxingcpp.read_barcodes(Image.open(png))]
        for png in sorted(where.glob("page*.png"))
    ]


def is_access_code(code: str | None) -> bool:
    return code is not None and len(code) == 10 and set(code) <= set(ACCESS_CODE_ALPHABET)


def test_a_certificate_of_origin_from_application_to_verification(
    world: World, real_pdf: None, tmp_path: Path
) -> None:
    core, sub = world.core, world.sub_a1
    assert api.chamber_settings(core, world.token(world.staff), VERIFY_URL) == VERIFY_URL
    assert api.chamber_settings(core, world.token(world.staff), None) == VERIFY_URL

    # apply: submitted at once, with the first reception number of the chamber
    applied = world.apply(sub, "co", shipment())
    summary = applied.summary
    assert (summary.reference, summary.reception_number, summary.type, summary.status) == (
        "AP0000001",
        "1301-00000001",
        "co",
        "submitted",
    )
    assert (summary.registration_number, summary.destination_country, summary.copies) == (COMPANY_A, "US", 1)
    assert (summary.signer, summary.applicant, summary.fee, summary.certificate_number) == (
        "大阪 正人",
        "SB000001",
        None,
        None,
    )
    assert (summary.created_at, summary.submitted_at, summary.issued_at) == (TEN_AM, TEN_AM, None)
    assert applied.content == SHIPMENT_CONTENT
    assert (applied.reason, applied.has_attachment, applied.access_code, applied.print_count) == (
        None,
        False,
        None,
        0,
    )
    assert applied.printable_until is None
    (item,) = api.list_reviews(core, world.token(world.staff), "application", None)
    assert (item.reference, item.status, item.summary, item.submitted_by) == (
        "1301-00000001",
        "pending",
        "application AP0000001",
        "SB000001",
    )

    # staff approve: the fee is fixed from the default table (a member: ¥1,260 + ¥100 for the one copy)
    decided = world.approve("1301-00000001")
    assert (decided.status, decided.decided_by) == ("approved", "S00001")
    approved = world.show(sub, "1301-00000001")
    assert (approved.summary.status, approved.summary.fee) == ("approved", 1360)

    # top-up, then payment from the prepaid balance, which issues the certificate
    assert world.topup(COMPANY_A, 5000) == 5000
    paid = world.pay(sub, "AP0000001")
    assert isinstance(paid, PaymentView)
    assert is_access_code(paid.access_code)
    assert paid == PaymentView(
        reference="AP0000001",
        reception_number="1301-00000001",
        receipt_number="RC1301-0000001",
        method="prepaid",
        payment_reference=None,
        amount=1360,
        paid_at=TEN_AM,
        certificate_number="1301-2026-0000001",
        access_code=paid.access_code,
        balance_after=3640,
    )
    assert balance_of(core, COMPANY_A) == 3640
    assert api.balance(core, world.token(sub)) == 3640
    issued = world.show(sub, "AP0000001")
    assert (issued.summary.status, issued.summary.certificate_number, issued.summary.issued_at) == (
        "issued",
        "1301-2026-0000001",
        TEN_AM,
    )
    assert (issued.access_code, issued.print_count, issued.printable_until) == (
        paid.access_code,
        0,
        PRINTABLE_UNTIL,
    )

    # print: the ORIGINAL and one COPY, each with the particulars, the number, the code and the QR code
    printed = api.print_certificate(core, world.token(sub), "AP0000001")
    assert (printed.name, printed.print_count) == ("1301-2026-0000001", 1)
    texts = pages_text(printed.pdf)
    assert len(texts) == 2
    assert texts[0].startswith("ORIGINAL\nSheet 1 of 1  (1枚中1枚目)\nCERTIFICATE OF ORIGIN")
    assert texts[1].startswith("COPY\nSheet 1 of 1  (1枚中1枚目)\nCERTIFICATE OF ORIGIN")
    assert "COPY" not in texts[0]
    for text in texts:
        for expected in (
            "Certificate No. 1301-2026-0000001",
            f"Access code {paid.access_code}",
            "Nissho Test Co., Ltd.\n3-2-2 Marunouchi, Chiyoda-ku, Tokyo\nJapan (JP)",
            "ACME Pumps Inc.\n100 Harbor Blvd, Long Beach, CA 90802\nUnited States (US)",
            "NT-2026-1120  2026-11-20",
            "ACME / LONG BEACH / NO.1-10 / 10 cartons / Centrifugal pumps (HS 8413.70)",
            "ACME / LONG BEACH / NO.11-12 / 2 pallets / Parts of pumps (HS 8413.91)",
            "120 pcs",
            "350.5 kg",
            "TOTAL: 12 packages (合計 12 個)",
            "Osaka Masahito, President",
            f"Verify: {VERIFY_URL}?n=1301-2026-0000001&c={paid.access_code}",
        ):
            assert expected in text
    url = f"{VERIFY_URL}?n=1301-2026-0000001&c={paid.access_code}"
    assert qr_codes(printed.pdf, tmp_path / "pages") == [[url], [url]]

    # the receipt
    receipt = api.receipt(core, world.token(sub), "AP0000001")
    assert (receipt.name, receipt.print_count) == ("RC1301-0000001", 1)
    (text,) = pages_text(receipt.pdf)
    for expected in (
        "No. RC1301-0000001",
        "日商テスト商事株式会社 様",
        "1301000001",
        "¥1,360-",
        "1301-00000001",
        "1301-2026-0000001",
        "前納金 Prepaid balance",
        "2026-11-27 10:00 JST",
    ):
        assert expected in text

    # verification, by anyone: genuine with the key particulars
    genuine = api.verify(core, "1301-2026-0000001", paid.access_code)
    assert genuine == Verification(
        status="genuine",
        certificate_number="1301-2026-0000001",
        type="co",
        chamber="Tokyo Chamber of Commerce and Industry",
        issued_on=date(2026, 11, 27),
        exporter="Nissho Test Co., Ltd.",
        consignee="ACME Pumps Inc.",
        destination_country="US",
        goods=["Centrifugal pumps (120 pcs)", "Parts of pumps (350.5 kg)"],
    )
    # the code as a person types it: lower case, with spaces around
    assert api.verify(core, " 1301-2026-0000001 ", f" {paid.access_code.lower()} ") == genuine

    # a wrong code answers exactly as a number that does not exist
    wrong = "A" * 10 if paid.access_code != "A" * 10 else "B" * 10
    unknown = api.verify(core, "1301-2026-0009999", paid.access_code)
    assert unknown == Verification(status="not_found", certificate_number="1301-2026-0009999")
    refused = api.verify(core, "1301-2026-0000001", wrong)
    assert refused == Verification(status="not_found", certificate_number="1301-2026-0000001")
    assert dataclasses.replace(unknown, certificate_number="1301-2026-0000001") == refused
    assert api.verify(core, "1301-2026-0000001", "") == refused

    # the audit trail of the application, in order
    trail = [
        (actor, action, target, details)
        for actor, action, target, outcome, details in audit_events(core)
        if outcome == "ok" and target in {"AP0000001", "1301-00000001", "1301-2026-0000001"}
    ]
    assert trail == [
        ("SB000001", "application.create", "AP0000001", {"type": "co"}),
        ("SB000001", "review.submit.application", "1301-00000001", {}),
        ("SB000001", "application.submit", "1301-00000001", {"first": True}),
        ("S00001", "review.approve", "1301-00000001", {"kind": "application"}),
        (
            "SB000001",
            "application.pay",
            "1301-00000001",
            {
                "method": "prepaid",
                "amount": 1360,
                "receipt": "RC1301-0000001",
                "certificate": "1301-2026-0000001",
            },
        ),
        ("SB000001", "certificate.print", "1301-2026-0000001", {"print": 1}),
    ]


def test_a_signature_certification_of_a_non_member(world: World, real_pdf: None) -> None:
    core, signer = world.core, world.signer_b
    applied = world.apply(signer, "signature", signature_form(copies=2))
    assert (applied.summary.reception_number, applied.summary.registration_number) == (
        "1301-00000001",
        COMPANY_B,
    )
    assert applied.content == signature_form(copies=2)
    world.approve("1301-00000001")
    # a non-member: ¥3,460 + ¥200 for each of the two copies
    assert world.show(signer, "AP0000001").summary.fee == 3860
    assert world.topup(COMPANY_B, 4000) == 4000
    paid = world.pay(signer, "1301-00000001")
    assert (paid.amount, paid.balance_after, paid.certificate_number, paid.receipt_number) == (
        3860,
        140,
        "1301-2026-0000001",
        "RC1301-0000001",
    )
    printed = api.print_certificate(core, world.token(signer), "AP0000001")
    texts = pages_text(printed.pdf)
    assert [t.split("\n", 1)[0] for t in texts] == ["ORIGINAL", "COPY", "COPY"]
    for text in texts:
        assert text.split("\n", 2)[1] == "CERTIFICATE OF SIGNATURE  サイン証明"
        assert "Document Power of attorney\nDocument No. POA-2026-07\nDated 2026-11-25" in text
        assert "is the signature of Tanaka" in text
        assert "登録署名 Registered signature" in text
        assert "Declaration by the exporter" not in text  # box 9 belongs to the certificate of origin
        assert "Certificate No. 1301-2026-0000001" in text
        assert f"Access code {paid.access_code}" in text
        # no verification URL set: the QR code and the footer carry the placeholder
        assert f"Verify: https://verify.invalid/verify?n=1301-2026-0000001&c={paid.access_code}" in text
    assert api.verify(core, "1301-2026-0000001", paid.access_code) == Verification(
        status="genuine",
        certificate_number="1301-2026-0000001",
        type="signature",
        chamber="Tokyo Chamber of Commerce and Industry",
        issued_on=date(2026, 11, 27),
        exporter="Marunouchi Forwarding K.K.",
        consignee="Riyadh Trading Est.",  # the addressee of the signed document
        destination_country="SA",
        goods=["Power of attorney"],
    )


@SQLITE_ONLY
def test_a_signature_certification_does_not_certify_the_origin_of_goods(world: World, real_pdf: None) -> None:
    view = world.issued(world.signer_a, "signature")
    (text,) = pages_text(
        api.print_certificate(world.core, world.token(world.signer_a), view.summary.reference).pdf
    )
    assert "originate in the country shown in box 4" not in text


def test_an_invoice_certification_paid_by_bank_transfer(world: World) -> None:
    core, signer = world.core, world.signer_a2
    # the invoice itself comes as a PDF, and only with this type
    with pytest.raises(InvalidInput) as refused:
        world.apply(signer, "invoice", attachment=None)
    assert [(e.field, e.reason) for e in refused.value.errors] == [
        ("attachment", "an invoice certification needs the invoice as a PDF")
    ]
    with pytest.raises(InvalidInput) as refused:
        world.apply(signer, "invoice", attachment=b"PK\x03\x04 a zip file")
    assert [(e.field, e.reason) for e in refused.value.errors] == [("attachment", "is not a PDF file")]
    with pytest.raises(InvalidInput) as refused:
        world.apply(signer, "invoice", attachment=invoice_pdf(21))
    assert [(e.field, e.reason) for e in refused.value.errors] == [
        ("attachment", "has 21 pages; an invoice has 1 to 20")
    ]
    with pytest.raises(InvalidInput) as refused:
        world.apply(signer, "co", attachment=invoice_pdf())
    assert [(e.field, e.reason) for e in refused.value.errors] == [
        ("attachment", "only invoice certifications take an attachment, not co")
    ]

    applied = world.apply(signer, "invoice", attachment=invoice_pdf(20))
    assert (applied.summary.reference, applied.summary.reception_number) == ("AP0000001", "1301-00000001")
    assert (applied.summary.signer, applied.summary.applicant, applied.has_attachment) == (
        "京都 花子",
        "U000003",
        True,
    )
    world.approve("1301-00000001")
    # a member, two copies: ¥1,260 + 2 × ¥100
    assert world.show(signer, "AP0000001").summary.fee == 1460
    assert world.topup(COMPANY_A, 2000) == 2000
    paid = api.confirm_payment(core, world.token(world.staff), "AP0000001", "transfer", " MIZUHO-1127-0042 ")
    assert (paid.method, paid.payment_reference, paid.amount, paid.balance_after) == (
        "transfer",
        "MIZUHO-1127-0042",
        1460,
        None,
    )
    assert balance_of(core, COMPANY_A) == 2000
    with core.read() as session:
        (payment,) = session.exec(select(Payment)).all()
    assert (payment.method, payment.reference, payment.amount, payment.receipt_number) == (
        "transfer",
        "MIZUHO-1127-0042",
        1460,
        "RC1301-0000001",
    )
    assert api.verify(core, "1301-2026-0000001", paid.access_code) == Verification(
        status="genuine",
        certificate_number="1301-2026-0000001",
        type="invoice",
        chamber="Tokyo Chamber of Commerce and Industry",
        issued_on=date(2026, 11, 27),
        exporter="Nissho Test Co., Ltd.",
        consignee="Saigon Machinery JSC",
        destination_country="VN",
        goods=[],
    )


@SQLITE_ONLY
def test_the_receipt_of_a_recorded_payment_names_how_and_its_reference(world: World, real_pdf: None) -> None:
    view = world.approved(world.signer_a, "co", content={**shipment(), "copies": 0})
    api.confirm_payment(world.core, world.token(world.staff), view.summary.reference, "counter", "TILL-7")
    receipt = api.receipt(world.core, world.token(world.signer_a), view.summary.reference)
    (text,) = pages_text(receipt.pdf)
    assert "窓口 At the counter (TILL-7)" in text
    assert "¥1,260-" in text
    assert "原産地証明書 Certificate of origin 発給手数料 fee" in text
    assert "上記正に領収いたしました。" in text and "Being" not in text


@SQLITE_ONLY
def test_an_issued_invoice_certification_prints_the_invoice_stamped_original_and_copies(
    world: World, real_pdf: None
) -> None:
    view = world.issued(world.signer_a, "invoice", content=None)
    printed = api.print_certificate(world.core, world.token(world.signer_a), view.summary.reference)
    texts = pages_text(printed.pdf)
    assert len(texts) == 3  # a one-page invoice, as ORIGINAL and two COPY
    for text, mark in zip(texts, ["ORIGINAL", "COPY", "COPY"], strict=True):
        assert "COMMERCIAL INVOICE NT-INV-0042 page 1" in text
        assert mark in text
        assert "Certificate No. 1301-2026-0000001" in text
        assert f"Access code {view.access_code}" in text


def test_returned_then_amended_and_resubmitted_keeps_its_reception_number(world: World) -> None:
    core, sub = world.core, world.sub_a1
    world.apply(sub)
    returned = world.decide("1301-00000001", "return", "Box 7: give the marks of every package")
    assert (returned.status, returned.reason) == ("returned", "Box 7: give the marks of every package")
    view = world.show(sub, "AP0000001")
    assert (view.summary.status, view.reason) == ("returned", "Box 7: give the marks of every package")

    # meanwhile another application takes the next number
    assert world.apply(world.sub_a2).summary.reception_number == "1301-00000002"

    amended_content: dict[str, Any] = {**shipment(), "remarks": "L/C No. 12346", "copies": 3}
    amended = api.amend_application(core, world.token(sub), "AP0000001", amended_content, None)
    assert (amended.summary.status, amended.summary.copies, amended.content["remarks"]) == (
        "returned",
        3,
        "L/C No. 12346",
    )
    resubmitted = api.submit_application(core, world.token(sub), "1301-00000001")
    assert (resubmitted.summary.status, resubmitted.summary.reception_number, resubmitted.reason) == (
        "submitted",
        "1301-00000001",
        None,
    )
    pending = api.list_reviews(core, world.token(world.staff), "application", None)
    assert [(i.reference, i.status, i.reason) for i in pending] == [
        ("1301-00000001", "pending", None),
        ("1301-00000002", "pending", None),
    ]
    world.approve("1301-00000001")
    # the fee follows the amended copies: ¥1,260 + 3 × ¥100
    assert world.show(sub, "AP0000001").summary.fee == 1560
    assert ("SB000001", "review.resubmit.application", "1301-00000001", "ok", {}) in audit_events(core)
    assert ("SB000001", "application.submit", "1301-00000001", "ok", {"first": False}) in audit_events(core)


def test_a_rejection_is_final_and_carries_its_reason(world: World) -> None:
    world.apply(world.signer_a)
    world.decide("1301-00000001", "reject", "Not an export of the registrant")
    view = world.show(world.signer_a, "AP0000001")
    assert (view.summary.status, view.reason, view.summary.fee) == (
        "rejected",
        "Not an export of the registrant",
        None,
    )
    with pytest.raises(WrongState):
        api.submit_application(world.core, world.token(world.signer_a), "AP0000001")


def test_cancelling_before_approval_withdraws_it_from_the_queue(world: World) -> None:
    core = world.core
    world.apply(world.sub_a1)
    world.apply(world.sub_a1, draft=True)
    cancelled = api.cancel_application(core, world.token(world.sub_a1), "1301-00000001")
    assert cancelled.summary.status == "cancelled"
    assert api.cancel_application(core, world.token(world.sub_a1), "AP0000002").summary.status == "cancelled"
    assert api.list_reviews(core, world.token(world.staff), "application", None) == []
    (item,) = api.list_reviews(core, world.token(world.staff), "application", "all")
    assert (item.reference, item.status) == ("1301-00000001", "withdrawn")


def test_a_draft_takes_its_reception_number_only_when_submitted(world: World) -> None:
    core, sub = world.core, world.sub_a1
    draft = world.apply(sub, draft=True)
    assert (draft.summary.reference, draft.summary.status, draft.summary.reception_number) == (
        "AP0000001",
        "draft",
        None,
    )
    assert draft.summary.submitted_at is None
    assert api.list_reviews(core, world.token(world.staff), "application", None) == []
    assert world.apply(world.signer_b).summary.reception_number == "1301-00000001"
    submitted = api.submit_application(core, world.token(sub), "AP0000001")
    assert (submitted.summary.status, submitted.summary.reception_number) == ("submitted", "1301-00000002")
    # history, newest first, by status and type
    history = api.list_applications(core, world.token(world.staff), ApplicationQuery())
    assert [(a.reference, a.reception_number, a.status) for a in history] == [
        ("AP0000002", "1301-00000001", "submitted"),
        ("AP0000001", "1301-00000002", "submitted"),
    ]
