"""PAdES signatures (ETSI EN 319 142, baseline B-B, or B-T with a timestamp) made with pyHanko.

Each document gets its data as an embedded JSON file (an associated file, /AFRelationship /Data) and, in the
same incremental update, the chamber's signature: so the signature covers the data as well as every page.
fpdf2's own signing is not used: neither pyHanko nor poppler could validate its output.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shomei_cli.domain.errors import Unavailable
from shomei_cli.i18n import _
from shomei_cli.signing import pki

DATA_FILE_NAME = "certificate.json"
FIELD_NAME = "ChamberSignature"


@dataclass(frozen=True)
class ToSign:
    pdf: bytes
    data: bytes  # the JSON the signature covers, embedded as DATA_FILE_NAME
    description: str
    # (page index, (x1, y1, x2, y2) in points from the bottom left) for a visible signature; None: invisible
    placement: tuple[int, tuple[float, float, float, float]] | None
    reason: str
    location: str | None
    signed_at: datetime


def _signer(identity: pki.Identity) -> object:
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return signers.SimpleSigner(
        signing_cert=x509.Certificate.load(pki.der(identity.certificate)),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [x509.Certificate.load(pki.der(c)) for c in identity.chain]
        ),
    )


def _stamp_name(identity: pki.Identity) -> str:
    """Who the visible stamp names: the certificate's common name when its letters are plain ASCII (the
    stamp's font has no others), else its organization."""
    from cryptography.x509.oid import NameOID

    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        for attribute in identity.certificate.subject.get_attributes_for_oid(oid):
            value = str(attribute.value)
            if value.isascii() and value.isprintable():
                return value
    return "the chamber"


def sign_documents(identity: pki.Identity, documents: Sequence[ToSign], tsa_url: str | None) -> list[bytes]:
    """Each document with its data embedded and signed. With ``tsa_url``, each signature carries an RFC 3161
    timestamp from that authority; if it does not answer, Unavailable (nothing is half-signed)."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper

    signer = _signer(identity)
    timestamper = HTTPTimeStamper(tsa_url, timeout=10) if tsa_url else None
    style = stamp.TextStampStyle(
        stamp_text="Digitally signed by %(who)s\n%(ts)s",
        timestamp_format="%Y-%m-%d %H:%M:%S UTC",
        border_width=1,
    )
    who = _stamp_name(identity)
    signed: list[bytes] = []
    for document in documents:
        writer = IncrementalPdfFileWriter(io.BytesIO(document.pdf), strict=False)
        embedded = embed.EmbeddedFileObject.from_file_data(
            writer,
            data=document.data,
            mime_type="application/json",
            params=embed.EmbeddedFileParams(
                creation_date=document.signed_at, modification_date=document.signed_at
            ),
        )
        embed.embed_file(
            writer,
            embed.FileSpec(
                file_spec_string=DATA_FILE_NAME,
                file_name=DATA_FILE_NAME,
                embedded_data=embedded,
                description=document.description,
                af_relationship=generic.NameObject("/Data"),
            ),
        )
        if document.placement is None:
            field = fields.SigFieldSpec(FIELD_NAME)
        else:
            page, box = document.placement
            # pyHanko takes points as floats too; its annotation says int
            field = fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box)  # type: ignore[arg-type]
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name=FIELD_NAME,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                reason=document.reason,
                location=document.location,
            ),
            signer,  # type: ignore[arg-type]
            timestamper=timestamper,
            stamp_style=style if document.placement is not None else None,
            new_field_spec=field,
        )
        try:
            output = pdf_signer.sign_pdf(writer, appearance_text_params={"who": who})
        except Exception as failure:
            if timestamper is None:
                raise
            logging.getLogger(__name__).warning("timestamp authority failed: %s", type(failure).__name__)
            raise Unavailable(
                _(
                    "The timestamp authority at {url} did not answer ({error}): nothing was printed; try "
                    "again, or ask staff to check the chamber's timestamp authority."
                ).format(url=tsa_url, error=type(failure).__name__)
            ) from None
        signed.append(output.getvalue())
    return signed
