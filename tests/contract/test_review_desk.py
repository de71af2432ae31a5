"""The review desk (`chamber review show`, `review list` by company and age): what a reviewer sees before
deciding, the same on every way in. A signer's signature exactly as it will be printed (and, for a change,
the one in force beside it); an application's form as sent, its invoice byte for byte, and a SPECIMEN preview
drawn by the certificate's own code with nothing that could verify; after a return, its reason and what
changed since, field by field. Only staff; another chamber's item or an unknown reference is not found."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from pypdf import PdfReader

from shomei_cli.backends.base import Backend
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import FieldError
from shomei_cli.domain.records import FieldChange
from shomei_cli.domain.signatures import normalise_signature
from shomei_cli.services import chambers
from shomei_cli.services.core import Core
from tests.contract.companies import (
    FIRST,
    INVOICE_PDF,
    OSAKA_FIELDS,
    OSAKA_PNG,
    SIGNER_REF,
    TANAKA_PNG,
    denied,
    example_json_form,
    invalid,
    log_in,
    not_found,
    outcome,
    registered,
    the_signer,
    with_signer,
)
from tests.contract.conftest import MakeBackend
from tests.helpers import TEST_PASSWORD
from tests.helpers import activate as activate_in_store

SIGNER_PARTICULARS = {
    "name": "大阪 正人",
    "name_en": "Osaka Masahito",
    "title": "代表取締役",
    "title_en": "President",
    "birth_date": "1980-01-01",
    "address": OSAKA_FIELDS["address"],
    "address_en": OSAKA_FIELDS["address_en"],
    "signature.sha256": hashlib.sha256(normalise_signature(OSAKA_PNG)).hexdigest(),
}
STAFF_ONLY = denied("admin", "review.decide", "staff ID")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_signer_addition_shows_the_signature_as_it_will_be_printed(
    make_backend: MakeBackend, staff: Backend
) -> None:
    companies = registered(make_backend, staff)
    reference = companies.admin.add_signer(OSAKA_FIELDS, OSAKA_PNG, None).reference
    dossier = staff.show_review(reference)
    assert (dossier.entry.reference, dossier.entry.kind, dossier.entry.status) == (
        reference,
        "signer_addition",
        "pending",
    )
    assert dossier.particulars == SIGNER_PARTICULARS
    printed = normalise_signature(OSAKA_PNG)
    assert [(f.name, f.media_type, f.size, f.sha256, f.content) for f in dossier.files] == [
        ("signature.png", "image/png", len(printed), sha(printed), printed)
    ]
    assert (dossier.returned_reason, dossier.changes) == (None, [])
    assert outcome(lambda: companies.admin.show_review(reference)) == STAFF_ONLY
    assert outcome(lambda: staff.show_review("SG999999")) == not_found(
        "No review item SG999999 in this chamber."
    )


def test_a_signature_change_shows_the_new_signature_beside_the_one_in_force(
    make_backend: MakeBackend, staff: Backend
) -> None:
    companies = with_signer(make_backend, staff)
    companies.admin.update_signer(SIGNER_REF, {}, TANAKA_PNG)
    (item,) = staff.list_reviews("signature_change", None)
    dossier = staff.show_review(item.reference)
    new, current = normalise_signature(TANAKA_PNG), normalise_signature(OSAKA_PNG)
    assert [(f.name, f.content) for f in dossier.files] == [
        ("signature-new.png", new),
        ("signature-current.png", current),
    ]
    assert dossier.particulars["signature.sha256"] == sha(new)
    assert "_previous_signature_png" not in item.payload  # the queue keeps its own keys to itself


def test_an_application_shows_its_form_its_invoice_and_a_specimen_that_cannot_verify(
    make_backend: MakeBackend, staff: Backend
) -> None:
    companies = with_signer(make_backend, staff)
    form = example_json_form("invoice")
    view = the_signer(companies).apply("invoice", form, INVOICE_PDF, False)
    number = view.summary.reception_number or ""
    dossier = staff.show_review(number)
    assert dossier.entry.kind == "application"
    names = [f.name for f in dossier.files]
    assert names == ["form.json", "form.toml", "invoice.pdf", "preview.pdf"]
    files = {f.name: f for f in dossier.files}
    assert files["invoice.pdf"].content == INVOICE_PDF
    assert files["invoice.pdf"].sha256 == sha(INVOICE_PDF)
    assert dossier.particulars["attachment.sha256"] == sha(INVOICE_PDF)
    assert dossier.particulars["type"] == "invoice"
    assert dossier.particulars["form.invoice.number"] == view.content["invoice"]["number"]
    import json
    import tomllib

    assert json.loads(files["form.json"].content) == view.content
    assert tomllib.loads(files["form.toml"].content.decode())["invoice"] == view.content["invoice"]
    preview = PdfReader(io.BytesIO(files["preview.pdf"].content))
    text = " ".join(page.extract_text() for page in preview.pages)
    assert "SPECIMEN" in text
    assert "見本 SPECIMEN: for the chamber's review only" in text
    assert "Certificate No." not in text
    assert "Access code" not in text
    assert "Verify:" not in text
    assert "/Sig" not in str(preview.trailer["/Root"])  # not signed either


def test_after_a_return_the_resubmission_shows_the_reason_and_what_changed(
    make_backend: MakeBackend, staff: Backend
) -> None:
    companies = with_signer(make_backend, staff)
    signer = the_signer(companies)
    form = example_json_form("shipment")
    view = signer.apply("co", form, None, False)
    number = view.summary.reception_number or ""
    staff.decide_review(number, "return", "The invoice number does not match the invoice.")
    before = staff.show_review(number)
    assert (before.entry.status, before.returned_reason, before.changes) == (
        "returned",
        "The invoice number does not match the invoice.",
        [],
    )
    changed = example_json_form("shipment")
    changed["invoice"]["number"] = "NT-2026-1121"
    changed["goods"][0]["quantity"] = "130"
    signer.amend_application(view.summary.reference, changed, None)
    signer.submit_application(view.summary.reference)
    after = staff.show_review(number)
    assert after.entry.status == "pending"
    assert after.returned_reason == "The invoice number does not match the invoice."
    assert after.changes == [
        FieldChange("form.goods.1.quantity", "120", "130"),
        FieldChange("form.invoice.number", "NT-2026-1120", "NT-2026-1121"),
    ]


def test_the_list_shows_how_long_each_item_waited_and_filters_by_company_and_age(
    make_backend: MakeBackend, staff: Backend, clock: FixedClock
) -> None:
    companies = with_signer(make_backend, staff)
    signer = the_signer(companies)
    first = signer.apply("co", example_json_form("shipment"), None, False).summary.reception_number
    clock.advance(timedelta(hours=30))
    staff_again = log_in(make_backend, "S00001")  # the earlier sessions ended while the item waited
    pending = staff_again.list_reviews("application", None)
    assert [(i.reference, i.waited_seconds) for i in pending] == [(first, 30 * 3600)]
    assert [i.reference for i in staff_again.list_reviews(None, None, FIRST, 24)] == [first]
    assert staff_again.list_reviews(None, None, FIRST, 31) == []
    assert staff_again.list_reviews(None, None, "1301000002", None) == []
    assert outcome(lambda: staff_again.list_reviews(None, None, None, -1)) == invalid(
        FieldError("older_than_hours", "must be between 0 and 8784")
    )


def test_only_staff_see_a_dossier(make_backend: MakeBackend, staff: Backend) -> None:
    companies = with_signer(make_backend, staff)
    signer = the_signer(companies)
    number = signer.apply("co", example_json_form("shipment"), None, False).summary.reception_number or ""
    assert outcome(lambda: companies.admin.show_review(number)) == denied(
        "admin", "review.decide", "staff ID"
    )
    assert outcome(lambda: signer.show_review(number)) == denied("signer", "review.decide", "staff ID")


def test_another_chambers_staff_see_nothing_of_the_queue(
    make_backend: MakeBackend, staff: Backend, core: Core
) -> None:
    companies = with_signer(make_backend, staff)
    number = (
        the_signer(companies).apply("co", example_json_form("shipment"), None, False).summary.reception_number
    )
    osaka = chambers.init_chamber(core, "2701", "大阪商工会議所", "Osaka CCI")
    activate_in_store(core, "2701", "S00001", osaka.staff.initial_password)
    elsewhere = make_backend()
    elsewhere.login("2701", "S00001", TEST_PASSWORD)
    assert elsewhere.list_reviews(None, "all") == []
    assert outcome(lambda: elsewhere.show_review(number or "")) == not_found(
        f"No review item {number} in this chamber."
    )
    assert outcome(lambda: elsewhere.list_reviews(None, None, FIRST, None)) == not_found(
        f"No registration {FIRST} in this chamber."
    )
