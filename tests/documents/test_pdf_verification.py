"""The offline check of signed PDFs (documents/verify.py) on PDFs signed by signing/pades.py: each verdict,
the kit forms it reads, the timestamp through a local authority, and poppler's pdfsig as a second opinion."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF

from shomei_cli.documents import verify
from shomei_cli.documents.issued import SCHEMA_ID, dumps
from shomei_cli.domain.errors import InvalidInput, Unavailable
from shomei_cli.domain.records import VerificationKit
from shomei_cli.signing import keystore, pades, pki
from tests.signing_pki import (
    NOW,
    TimestampAuthority,
    append_after_signing,
    flip_signed_byte,
    own_ca,
    root_only_kit,
    write_kit,
)

DATA = {"schema": SCHEMA_ID, "document": "certificate", "certificate_number": "1301-2026-0000042"}
BOX = (300.0, 100.0, 560.0, 144.0)


def page() -> bytes:
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="CERTIFICATE OF ORIGIN 1301-2026-0000042")
    return bytes(pdf.output())


def signed(identity: pki.Identity, *, visible: bool = True, tsa_url: str | None = None) -> bytes:
    document = pades.ToSign(
        pdf=page(),
        data=dumps(DATA),
        description="data",
        placement=(0, BOX) if visible else None,
        reason="Certificate issued by the chamber",
        location="Tokyo",
        signed_at=NOW,
    )
    (pdf,) = pades.sign_documents(identity, [document], tsa_url)
    return pdf


def kit_of(*identities: pki.Identity) -> verify.TrustKit:
    return verify.TrustKit(tuple(i.root for i in identities))


@pytest.fixture(scope="module")
def chamber() -> pki.Identity:
    return own_ca("Tokyo Chamber of Commerce and Industry")


@pytest.fixture(scope="module")
def document(chamber: pki.Identity) -> bytes:
    return signed(chamber)


def test_an_untouched_document_is_genuine_and_gives_its_signed_data(
    chamber: pki.Identity, document: bytes
) -> None:
    result = verify.check_document(document, kit_of(chamber))
    assert result.verdict == "genuine"
    assert result.signer == "Tokyo Chamber of Commerce and Industry Document Signing 1"
    assert result.root_sha256 == pki.fingerprint(chamber.root)
    assert result.data == DATA
    assert result.document == "certificate"
    assert result.timestamp is None
    assert result.online_status is None
    assert verify.EXIT_CODES[result.verdict] == 0


def test_a_changed_byte_in_the_signed_range_is_modified(chamber: pki.Identity, document: bytes) -> None:
    result = verify.check_document(flip_signed_byte(document), kit_of(chamber))
    assert (result.verdict, result.data) == ("modified", None)
    assert verify.EXIT_CODES["modified"] == 10


def test_a_drawing_added_after_signing_is_modified(chamber: pki.Identity, document: bytes) -> None:
    result = verify.check_document(append_after_signing(document), kit_of(chamber))
    assert result.verdict == "modified"
    assert result.reason == "Something was added to the document after it was signed."
    assert result.data is None


def test_another_root_is_an_unknown_issuer(document: bytes) -> None:
    stranger = own_ca("Some Other Chamber")
    result = verify.check_document(document, kit_of(stranger))
    assert (result.verdict, result.data, result.root_sha256) == ("unknown_issuer", None, None)
    assert verify.EXIT_CODES["unknown_issuer"] == 11


def test_a_document_signed_by_a_look_alike_ca_is_an_unknown_issuer(chamber: pki.Identity) -> None:
    """Same names as the chamber's CA, other keys: the names prove nothing."""
    forged = own_ca("Tokyo Chamber of Commerce and Industry")
    result = verify.check_document(signed(forged), kit_of(chamber))
    assert result.verdict == "unknown_issuer"


def test_a_pdf_without_a_signature_is_unsigned(chamber: pki.Identity) -> None:
    result = verify.check_document(page(), kit_of(chamber))
    assert (result.verdict, result.signer) == ("unsigned", None)
    assert verify.EXIT_CODES["unsigned"] == 12


def test_an_invisible_signature_checks_the_same(chamber: pki.Identity) -> None:
    assert verify.check_document(signed(chamber, visible=False), kit_of(chamber)).verdict == "genuine"


@pytest.mark.parametrize("content", [b"", b"hello", b"GIF89a", b"%PDF-1.7\n%%EOF garbage"])
def test_what_is_not_a_pdf_is_refused_naming_the_field(chamber: pki.Identity, content: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        verify.check_document(content, kit_of(chamber))
    assert [e.field for e in refused.value.errors] == ["pdf"]


def kit_record(identity: pki.Identity) -> VerificationKit:
    return VerificationKit(
        schema=keystore.KIT_SCHEMA,
        chamber_code="1301",
        chamber_name="Tokyo Chamber of Commerce and Industry",
        roots=[keystore.kit_certificate(identity.root)],
    )


def test_a_kit_is_read_from_its_directory_its_json_or_a_root_certificate(
    chamber: pki.Identity, document: bytes, tmp_path: Path
) -> None:
    directory = write_kit(tmp_path / "kit", kit_record(chamber))
    der = tmp_path / "root.der"
    der.write_bytes(pki.der(chamber.root))
    for path in (directory, directory / "kit.json", root_only_kit(chamber, tmp_path / "root.pem"), der):
        kit = verify.load_kit(path)
        assert [pki.fingerprint(c) for c in kit.roots] == [pki.fingerprint(chamber.root)]
        assert verify.check_document(document, kit).verdict == "genuine"


def test_a_kit_whose_certificate_does_not_match_its_fingerprint_is_refused(
    chamber: pki.Identity, tmp_path: Path
) -> None:
    record = kit_record(chamber)
    swapped = replace(record, roots=[replace(record.roots[0], pem=pki.pem(own_ca("Swap").root))])
    with pytest.raises(InvalidInput) as refused:
        verify.load_kit(write_kit(tmp_path / "kit", swapped))
    assert [e.field for e in refused.value.errors] == ["trust"]
    assert refused.value.errors[0].reason == "a certificate in the kit does not match its SHA-256 fingerprint"


@pytest.mark.parametrize(
    "content",
    [
        b"{}",
        b'{"schema": "urn:other"}',
        b"not a certificate",
        b'{"schema": "urn:shomei:verification-kit:v1"}',
    ],
)
def test_what_is_not_a_kit_is_refused_naming_the_field(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "kit.json"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as refused:
        verify.load_kit(path)
    assert [e.field for e in refused.value.errors] == ["trust"]


def test_a_missing_kit_is_refused_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        verify.load_kit(tmp_path / "nowhere")
    assert [e.field for e in refused.value.errors] == ["trust"]


def test_a_timestamp_from_the_local_authority_is_checked_against_the_kit(chamber: pki.Identity) -> None:
    authority = TimestampAuthority()
    with authority.serving():
        pdf = signed(chamber, tsa_url=authority.url)
    assert authority.requests == 2  # pyHanko asks once to size the signature, once to sign
    trusted = verify.TrustKit((chamber.root,), (authority.root,))
    result = verify.check_document(pdf, trusted)
    assert (result.verdict, result.timestamp_authority) == ("genuine", "Test Timestamp Unit")
    assert result.timestamp is not None
    assert abs((result.timestamp - datetime.now(UTC)).total_seconds()) < 120
    # without the authority's root the signature still holds, but its time is not vouched for
    untrusted = verify.check_document(pdf, kit_of(chamber))
    assert (untrusted.verdict, untrusted.timestamp, untrusted.timestamp_authority) == ("genuine", None, None)


def test_an_authority_that_does_not_answer_signs_nothing(chamber: pki.Identity) -> None:
    authority = TimestampAuthority()
    with authority.serving():
        url = authority.url
    # the server is shut: nothing listens there any more
    with pytest.raises(Unavailable) as refused:
        signed(chamber, tsa_url=url)
    assert url in refused.value.message


def test_the_signed_data_is_the_one_of_the_signed_revision(chamber: pki.Identity, document: bytes) -> None:
    """An update that swaps certificate.json after signing is found modified and its data is not read."""
    import io

    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(document))
    embed.embed_file(
        writer,
        embed.FileSpec(
            file_spec_string="certificate.json",
            file_name="certificate.json",
            embedded_data=embed.EmbeddedFileObject.from_file_data(
                writer, json.dumps({**DATA, "certificate_number": "FORGED"}).encode()
            ),
        ),
    )
    out = io.BytesIO()
    writer.write(out)
    result = verify.check_document(out.getvalue(), kit_of(chamber))
    assert (result.verdict, result.data) == ("modified", None)


PDFSIG = shutil.which("pdfsig")


@pytest.mark.skipif(PDFSIG is None, reason="poppler's pdfsig is not installed (apt install poppler-utils)")
def test_poppler_agrees_valid_untouched_and_invalid_changed(document: bytes, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(document)
    bad.write_bytes(flip_signed_byte(document))
    report = subprocess.run(
        [PDFSIG or "pdfsig", str(good)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    changed = subprocess.run(
        [PDFSIG or "pdfsig", str(bad)], capture_output=True, text=True, check=False
    ).stdout
    assert "Signature Validation: Signature is Valid." not in changed
    assert "Digest Mismatch" in changed or "Signature is Invalid" in changed
