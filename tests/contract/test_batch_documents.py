"""Certificates and receipts in batches (print_certificates, receipts): one PDF each, in the order named,
all or nothing, on every way in. Drawn for real once (the split documents read back page by page); as stubs
elsewhere."""

from __future__ import annotations

from shomei_cli.backends.base import Backend
from shomei_cli.domain.records import DocumentFile
from shomei_cli.services.core import Core
from tests.contract.companies import (
    FIRST,
    HANAKO_NAME,
    add_active_subs,
    example_json_form,
    invalid_one,
    not_found,
    outcomes,
    pdf_pages,
    stub_document,
    stub_documents,
    the_signer,
    with_signer,
    wrong_state,
)
from tests.contract.conftest import MakeBackend

CERTS = ["1301-2026-0000001", "1301-2026-0000002", "1301-2026-0000003"]
RECEIPTS = ["RC1301-0000001", "RC1301-0000002", "RC1301-0000003"]


def issue_three(make_backend: MakeBackend, staff: Backend) -> tuple[Backend, Backend]:
    """AP0000001…3 issued (the second with two extra copies), AP0000004 approved, not paid."""
    signer = the_signer(with_signer(make_backend, staff))
    (sub,) = add_active_subs(make_backend, signer, HANAKO_NAME)
    shipment = example_json_form("shipment")
    for copies in (1, 3, 1, 1):
        signer.apply("co", {**shipment, "copies": copies}, None, False)
    for number in ("1301-00000001", "1301-00000002", "1301-00000003", "1301-00000004"):
        staff.decide_review(number, "approve", None)
    staff.topup(FIRST, 100_000)
    for ref in ("AP0000001", "AP0000002", "AP0000003"):
        signer.pay_application(ref, "prepaid", None)
    return signer, sub


def test_a_batch_is_one_pdf_per_certificate_in_the_order_named(
    make_backend: MakeBackend, staff: Backend
) -> None:
    signer, _sub = issue_three(make_backend, staff)

    # named by reference, reception and certificate number; the first named twice is printed once
    printed = signer.print_certificates(["AP0000003", "1301-00000001", CERTS[1], "AP0000003"])
    assert [(d.name, d.print_count) for d in printed] == [(CERTS[2], 1), (CERTS[0], 1), (CERTS[1], 1)]
    marks = [[page.split("\n", 1)[0] for page in pdf_pages(d.pdf)] for d in printed]
    assert marks == [["ORIGINAL", "COPY"], ["ORIGINAL", "COPY"], ["ORIGINAL", "COPY", "COPY", "COPY"]]
    for document in printed:
        for page in pdf_pages(document.pdf):
            assert f"Certificate No. {document.name}" in page, page
    assert [signer.show_application(ref).print_count for ref in ("AP0000001", "AP0000002", "AP0000003")] == [
        1,
        1,
        1,
    ]

    receipts = signer.receipts(["AP0000002", "AP0000001"])
    assert [(d.name, d.print_count) for d in receipts] == [(RECEIPTS[1], 1), (RECEIPTS[0], 1)]
    texts = [pdf_pages(d.pdf) for d in receipts]
    assert [len(pages) for pages in texts] == [1, 1]
    assert f"No. {RECEIPTS[1]}" in texts[0][0] and CERTS[1] in texts[0][0]
    assert f"No. {RECEIPTS[0]}" in texts[1][0] and CERTS[0] in texts[1][0]


def test_a_batch_with_one_that_cannot_be_printed_prints_none(
    make_backend: MakeBackend, staff: Backend, core: Core
) -> None:
    signer, sub = issue_three(make_backend, staff)
    with stub_documents():
        assert outcomes(
            {
                "not-issued": lambda: signer.print_certificates(["AP0000001", "AP0000004"]),
                "not-paid": lambda: signer.receipts(["AP0000001", "AP0000004"]),
                "unknown": lambda: signer.print_certificates(["AP0000002", "AP9999999"]),
                "not-yours": lambda: sub.print_certificates(["AP0000001"]),
                "none": lambda: signer.print_certificates([]),
                "no-receipts": lambda: signer.receipts([]),
                "too-many": lambda: signer.print_certificates(["AP0000001"] * 101),
            }
        ) == {
            "not-issued": wrong_state(
                "Application AP0000004 is approved: only an issued certificate can be printed."
            ),
            "not-paid": wrong_state("Application AP0000004 is approved: it has no payment."),
            "unknown": not_found("No application AP9999999 that you can see."),
            "not-yours": not_found("No application AP0000001 that you can see."),
            "none": invalid_one("refs", "name at least one application"),
            "no-receipts": invalid_one("refs", "name at least one application"),
            "too-many": invalid_one("refs", "at most 100 in one call"),
        }
        # nothing printed, nothing recorded
        assert [signer.show_application(r).print_count for r in ("AP0000001", "AP0000002")] == [0, 0]

        # exactly 100 is allowed; each counted once
        assert signer.print_certificates(["AP0000001"] * 100) == [
            DocumentFile(CERTS[0], 1, stub_document(CERTS[0]))
        ]
        assert signer.receipts(["AP0000003", "AP0000001"]) == [
            DocumentFile(RECEIPTS[2], 1, stub_document(RECEIPTS[2])),
            DocumentFile(RECEIPTS[0], 1, stub_document(RECEIPTS[0])),
        ]
