"""Every issued document is signed by the chamber with its data embedded (signing/, services/verification.py):
each kind checks genuine offline and on the store, the data is valid against the published schema, the
visible signature sits in box 10, the root's fingerprint is on the paper; cancellation shows online; keys
rotate and import; a timestamp authority timestamps, and one that does not answer prints nothing."""

from __future__ import annotations

import io
from typing import Any

import jsonschema
import pytest
from pypdf import PdfReader

from shomei_cli.documents import verify
from shomei_cli.documents.certificates import signature_field
from shomei_cli.documents.issued import SCHEMA
from shomei_cli.domain.errors import InvalidInput, PermissionDenied, Unavailable
from shomei_cli.services import api
from shomei_cli.signing import pki
from tests.signing_pki import TimestampAuthority, append_after_signing, public_ca_pkcs12
from tests.unit.applications.conftest import SQLITE_ONLY, World

pytestmark = pytest.mark.usefixtures("real_pdf")


def printed(world: World, ref: str, who: str | None = None) -> bytes:
    return api.print_certificate(world.core, world.token(who or world.sub_a1), ref).pdf


def kit(world: World) -> verify.TrustKit:
    return verify.kit_from_record(api.verification_kit(world.core, "1301"))


def signature_widget(pdf: bytes) -> tuple[int, list[float]]:
    """The page and rectangle of the signature field's widget."""
    reader = PdfReader(io.BytesIO(pdf))
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/FT") == "/Sig" or widget.get("/Parent", {}).get("/FT") == "/Sig":
                return index, [round(float(v), 2) for v in widget["/Rect"]]
    raise AssertionError("no signature widget")


@pytest.mark.parametrize("kind", ["co", "signature", "invoice"])
def test_every_certificate_is_signed_with_its_data_and_checks_genuine(world: World, kind: str) -> None:
    issued = world.issued(world.sub_a1, kind)
    pdf = printed(world, issued.summary.reference)
    offline = verify.check_document(pdf, kit(world))
    assert offline.verdict == "genuine"
    assert offline.signer == "Tokyo Chamber of Commerce and Industry Document Signing 1"
    data = offline.data
    assert data is not None
    jsonschema.validate(data, SCHEMA)
    assert data["document"] == "certificate"
    assert data["type"] == kind
    assert data["certificate_number"] == issued.summary.certificate_number
    assert data["registration_number"] == "1301000001"
    assert data["chamber"]["code"] == "1301"
    assert data["chamber"]["root_sha256"] == offline.root_sha256
    assert data["form"] == issued.content
    online = api.verify_document(world.core, pdf)
    assert (online.verdict, online.online_status, online.cancelled_on) == ("genuine", "genuine", None)


# signing does not depend on the database: the tests marked SQLITE_ONLY run once
@SQLITE_ONLY
def test_box_10_carries_the_visible_signature_and_the_paper_the_roots_fingerprint(world: World) -> None:
    issued = world.issued(world.sub_a1)
    pdf = printed(world, issued.summary.reference)
    page, rect = signature_widget(pdf)
    assert page == 0
    assert rect == [round(v, 2) for v in signature_field("co")]
    root = api.verification_kit(world.core).roots[0].sha256
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "chamber root SHA-256" in text
    assert root.replace(":", "") in text.replace(":", "").replace("\n", "").replace(" ", "")


@SQLITE_ONLY
def test_a_certified_invoice_is_signed_on_the_originals_last_page(world: World) -> None:
    issued = world.issued(world.sub_a1, "invoice")
    pdf = printed(world, issued.summary.reference)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    copies = issued.content["copies"]
    page, rect = signature_widget(pdf)
    assert page == pages // (copies + 1) - 1
    box = PdfReader(io.BytesIO(pdf)).pages[page].mediabox
    assert rect == [round(v, 2) for v in signature_field("invoice", float(box.width), float(box.height))]
    root = api.verification_kit(world.core).roots[0].sha256
    text = PdfReader(io.BytesIO(pdf)).pages[page].extract_text().replace("\n", " ")
    assert f"chamber root SHA-256 {root}" in text


@SQLITE_ONLY
def test_the_receipt_is_signed_invisibly_with_its_data(world: World) -> None:
    issued = world.issued(world.sub_a1)
    pdf = api.receipt(world.core, world.token(world.sub_a1), issued.summary.reference).pdf
    result = api.verify_document(world.core, pdf)
    assert (result.verdict, result.online_status, result.document) == ("genuine", "genuine", "receipt")
    assert result.data is not None
    jsonschema.validate(result.data, SCHEMA)
    assert result.data["amount"] == issued.summary.fee
    assert result.data["currency"] == "JPY"
    assert result.data["certificate_number"] == issued.summary.certificate_number


def test_a_cancelled_certificate_stays_signed_but_shows_cancelled_online(world: World) -> None:
    issued = world.issued(world.sub_a1)
    pdf = printed(world, issued.summary.reference)
    api.cancel_certificate(world.core, world.token(world.staff), issued.summary.reference, "issued in error")
    assert verify.check_document(pdf, kit(world)).verdict == "genuine"  # the file cannot know
    online = api.verify_document(world.core, pdf)
    assert (online.verdict, online.online_status) == ("genuine", "cancelled")
    assert online.cancelled_on is not None


@SQLITE_ONLY
def test_a_document_changed_after_printing_is_modified_on_the_store_too(world: World) -> None:
    pdf = printed(world, world.issued(world.sub_a1).summary.reference)
    result = api.verify_document(world.core, append_after_signing(pdf))
    assert (result.verdict, result.online_status, result.data) == ("modified", None, None)


@SQLITE_ONLY
def test_a_look_alike_chamber_is_an_unknown_issuer(world: World) -> None:
    """Another store's chamber 1301 with the same names signs with its own root: not this chamber's."""
    from shomei_cli.services import chambers
    from shomei_cli.services.core import Core

    other = Core.open("sqlite://")
    chambers.init_chamber(other, "1301", "東京商工会議所", "Tokyo Chamber of Commerce and Industry")
    foreign = api.verification_kit(other, "1301")
    pdf = printed(world, world.issued(world.sub_a1).summary.reference)
    assert verify.check_document(pdf, verify.kit_from_record(foreign)).verdict == "unknown_issuer"
    assert api.verify_document(other, pdf).verdict == "unknown_issuer"


@SQLITE_ONLY
def test_after_a_rotation_old_documents_stay_genuine_and_new_ones_use_the_new_key(world: World) -> None:
    before = printed(world, world.issued(world.sub_a1).summary.reference)
    versions = api.rotate_signing_key(world.core, world.token(world.staff))
    assert [(v.version, v.in_force, v.source) for v in versions] == [(1, False, "own"), (2, True, "own")]
    assert versions[0].root_sha256 == versions[1].root_sha256  # the same root: the kit is unchanged
    after = printed(world, world.issued(world.sub_a1).summary.reference)
    assert (
        verify.check_document(before, kit(world)).signer
        == "Tokyo Chamber of Commerce and Industry Document Signing 1"
    )
    assert (
        verify.check_document(after, kit(world)).signer
        == "Tokyo Chamber of Commerce and Industry Document Signing 2"
    )
    assert api.verify_document(world.core, before).verdict == "genuine"
    assert api.verify_document(world.core, after).verdict == "genuine"


@SQLITE_ONLY
def test_a_public_cas_key_signs_after_import_and_both_roots_are_in_the_kit(world: World) -> None:
    before = printed(world, world.issued(world.sub_a1).summary.reference)
    p12, public_root = public_ca_pkcs12(now=world.clock.now())
    versions = api.import_signing_key(world.core, world.token(world.staff), p12, "p12-secret")
    assert [(v.version, v.source, v.in_force) for v in versions] == [(1, "own", False), (2, "imported", True)]
    assert versions[1].root_sha256 == pki.fingerprint(public_root)
    roots = [r.sha256 for r in api.verification_kit(world.core).roots]
    assert roots == [versions[0].root_sha256, pki.fingerprint(public_root)]
    after = printed(world, world.issued(world.sub_a1).summary.reference)
    checked = verify.check_document(after, kit(world))
    assert (checked.verdict, checked.signer, checked.root_sha256) == (
        "genuine",
        "Tokyo Chamber (public CA)",
        pki.fingerprint(public_root),
    )
    assert api.verify_document(world.core, before).verdict == "genuine"
    # the import's password is in no audit record
    trail = api.list_audit(world.core, world.token(world.staff), api_query())
    assert [e.action for e in trail] == ["chamber.keys.import"]
    assert all("p12-secret" not in str(entry) for entry in trail)


def api_query() -> Any:
    from shomei_cli.domain.records import AuditQuery

    return AuditQuery(action="chamber.keys.import")


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("p12", "password", "reason"),
    [
        (b"not pkcs12", None, "is not a PKCS#12 file, or the password does not open it"),
        (None, "wrong", "is not a PKCS#12 file, or the password does not open it"),
    ],
)
def test_a_bad_pkcs12_is_refused_naming_the_field(
    world: World, p12: bytes | None, password: str | None, reason: str
) -> None:
    data = p12 if p12 is not None else public_ca_pkcs12()[0]
    with pytest.raises(InvalidInput) as refused:
        api.import_signing_key(world.core, world.token(world.staff), data, password)
    assert [(e.field, e.reason) for e in refused.value.errors] == [("pkcs12", reason)]
    assert [v.version for v in api.signing_keys(world.core, world.token(world.staff))] == [1]


@SQLITE_ONLY
@pytest.mark.parametrize("who", ["admin_a", "signer_a", "sub_a1"])
def test_only_staff_see_rotate_or_import_keys_or_set_the_timestamp_authority(
    world: World, database_url: str, who: str
) -> None:
    token = world.token(getattr(world, who))
    for attempt in (
        lambda: api.signing_keys(world.core, token),
        lambda: api.rotate_signing_key(world.core, token),
        lambda: api.import_signing_key(world.core, token, public_ca_pkcs12()[0], "p12-secret"),
        lambda: api.timestamp_authority(world.core, token, "http://127.0.0.1:9/tsa", "x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert [v.version for v in api.signing_keys(world.core, world.token(world.staff))] == [1]


@SQLITE_ONLY
def test_with_a_timestamp_authority_every_print_is_timestamped(world: World) -> None:
    authority = TimestampAuthority()
    staff = world.token(world.staff)
    with authority.serving():
        configured = api.timestamp_authority(world.core, staff, authority.url, authority.root_pem)
        assert configured.url == authority.url
        assert configured.root_sha256 == [pki.fingerprint(authority.root)]
        pdf = printed(world, world.issued(world.sub_a1).summary.reference)
    the_kit = api.verification_kit(world.core)
    assert [r.sha256 for r in the_kit.timestamp_roots] == [pki.fingerprint(authority.root)]
    result = api.verify_document(world.core, pdf)
    assert (result.verdict, result.timestamp_authority) == ("genuine", "Test Timestamp Unit")
    assert result.timestamp is not None


@SQLITE_ONLY
def test_while_the_timestamp_authority_does_not_answer_nothing_is_printed(world: World) -> None:
    authority = TimestampAuthority()
    with authority.serving():
        url = authority.url
    api.timestamp_authority(world.core, world.token(world.staff), url, authority.root_pem)
    issued = world.issued(world.sub_a1)
    with pytest.raises(Unavailable):
        printed(world, issued.summary.reference)
    assert world.show(world.sub_a1, issued.summary.reference).print_count == 0
    api.timestamp_authority(world.core, world.token(world.staff), clear=True)
    assert verify.check_document(printed(world, issued.summary.reference), kit(world)).verdict == "genuine"


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("url", "root", "field"),
    [
        ("ftp://tsa.example/", "PEM", "tsa_url"),
        ("http://user:pw@tsa.example/", "PEM", "tsa_url"),
        ("http://tsa.example/", "not a certificate", "tsa_root"),
        ("http://tsa.example/", "", "tsa_root"),
    ],
)
def test_a_bad_timestamp_authority_is_refused_naming_the_field(
    world: World, url: str, root: str, field: str
) -> None:
    pem = TimestampAuthority().root_pem if root == "PEM" else root
    with pytest.raises(InvalidInput) as refused:
        api.timestamp_authority(world.core, world.token(world.staff), url, pem)
    assert [e.field for e in refused.value.errors] == [field]
    assert api.timestamp_authority(world.core, world.token(world.staff)).url is None
