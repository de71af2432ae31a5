"""Checking a signed document with nothing but the file and a verification kit: no server, no store, no login.

The verdict is one of:

- ``genuine``: the signature is intact, nothing was changed after signing, and the signing certificate chains
  to a root in the kit (at the time the document says it was signed);
- ``modified``: the signed bytes were altered, or something was added after signing;
- ``unknown_issuer``: signed intact, but not by a certificate that chains to a root in the kit;
- ``unsigned``: no signature at all.

The embedded data (``certificate.json``) is read from the signed revision only and returned for a genuine
document alone. pyHanko does the cryptography and the analysis of what changed after signing.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from shomei_cli.documents.issued import SCHEMA_ID
from shomei_cli.domain.errors import InvalidInput
from shomei_cli.domain.records import DocumentVerification, VerificationKit, from_dict
from shomei_cli.i18n import _

EXIT_CODES = {"genuine": 0, "modified": 10, "unknown_issuer": 11, "unsigned": 12}
KIT_FILE = "kit.json"
DATA_FILE_NAME = "certificate.json"


@dataclass(frozen=True)
class TrustKit:
    """The roots a verifier trusts: the chamber's (signing) and its timestamp authority's."""

    roots: tuple[x509.Certificate, ...]
    timestamp_roots: tuple[x509.Certificate, ...] = ()
    chambers: tuple[str, ...] = field(default=())


def _fingerprint(certificate: x509.Certificate) -> str:
    from shomei_cli.signing.pki import fingerprint

    return fingerprint(certificate)


def kit_from_record(kit: VerificationKit) -> TrustKit:
    """The kit's roots, each checked against the fingerprint written beside it."""
    certificates: list[list[x509.Certificate]] = [[], []]
    for index, entries in enumerate((kit.roots, kit.timestamp_roots)):
        for entry in entries:
            try:
                certificate = x509.load_pem_x509_certificate(entry.pem.encode("ascii"))
            except ValueError:
                raise InvalidInput.single(
                    "trust", _("the kit holds a certificate that cannot be read")
                ) from None
            if _fingerprint(certificate) != entry.sha256.upper():
                raise InvalidInput.single(
                    "trust", _("a certificate in the kit does not match its SHA-256 fingerprint")
                )
            certificates[index].append(certificate)
    if not certificates[0]:
        raise InvalidInput.single("trust", _("the kit holds no root certificate"))
    return TrustKit(tuple(certificates[0]), tuple(certificates[1]), (kit.chamber_code,))


def kit_from_json(data: Any) -> TrustKit:
    from shomei_cli.signing.keystore import KIT_SCHEMA

    if not isinstance(data, dict) or data.get("schema") != KIT_SCHEMA:
        raise InvalidInput.single(
            "trust", _("is not a shomei verification kit ({schema})").format(schema=KIT_SCHEMA)
        )
    try:
        return kit_from_record(from_dict(VerificationKit, data))
    except (KeyError, TypeError, AttributeError, ValueError):
        raise InvalidInput.single("trust", _("the kit's kit.json is incomplete")) from None


def load_kit(path: Path) -> TrustKit:
    """A kit exported by ``shomei chamber kit`` (its directory or its kit.json), or one root certificate
    (PEM or DER) to trust."""
    target = path / KIT_FILE if path.is_dir() else path
    try:
        raw = target.read_bytes()
    except OSError as failure:
        raise InvalidInput.single(
            "trust", _("cannot read {path}: {reason}").format(path=target, reason=failure.strerror)
        ) from None
    if raw.lstrip().startswith(b"{"):
        try:
            return kit_from_json(json.loads(raw))
        except json.JSONDecodeError:
            raise InvalidInput.single("trust", _("{path} is not valid JSON").format(path=target)) from None
    try:
        certificates = (
            x509.load_pem_x509_certificates(raw)
            if b"-----BEGIN" in raw
            else [x509.load_der_x509_certificate(raw)]
        )
    except ValueError:
        raise InvalidInput.single(
            "trust", _("{path} is neither a verification kit nor a certificate").format(path=target)
        ) from None
    return TrustKit(tuple(certificates))


def combined(kits: Sequence[TrustKit]) -> TrustKit:
    return TrustKit(
        tuple(c for k in kits for c in k.roots),
        tuple(c for k in kits for c in k.timestamp_roots),
        tuple(code for k in kits for code in k.chambers),
    )


def _asn1(certificates: Sequence[x509.Certificate]) -> list[Any]:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certificates]


def _common_name(certificate: Any) -> str:
    """A certificate's (asn1crypto) common name, else its whole subject."""
    name = certificate.subject.native
    return str(name.get("common_name") or certificate.subject.human_friendly)


def _data(signed_revision: bytes) -> dict[str, Any] | None:
    """The embedded certificate.json of the signed revision, if it is shomei's."""
    from pypdf import PdfReader

    try:
        files = PdfReader(io.BytesIO(signed_revision)).attachments.get(DATA_FILE_NAME)
        data = json.loads(files[0]) if files else None
    except Exception:
        return None
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA_ID else None


def check_document(pdf: bytes, kit: TrustKit) -> DocumentVerification:
    """The verdict on ``pdf`` against ``kit``'s roots (see the module's documentation)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise InvalidInput.single("pdf", _("is not a PDF file"))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as failure:
        raise InvalidInput.single(
            "pdf", _("cannot be read as a PDF ({error})").format(error=type(failure).__name__)
        ) from None
    if not signatures:
        return DocumentVerification(verdict="unsigned", reason=_("The file carries no digital signature."))
    signature = next((s for s in signatures if s.field_name == "ChamberSignature"), signatures[0])
    moment = signature.self_reported_timestamp or datetime.now().astimezone()
    try:
        status = validate_pdf_signature(
            signature,
            signer_validation_context=ValidationContext(
                trust_roots=_asn1(kit.roots), moment=moment, allow_fetching=False, revocation_mode="soft-fail"
            ),
            ts_validation_context=ValidationContext(
                trust_roots=_asn1(kit.timestamp_roots), allow_fetching=False, revocation_mode="soft-fail"
            ),
            # a document signing certificate asserts non-repudiation, digital signature, or both
            key_usage_settings=KeyUsageConstraints(
                key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
            ),
        )
    except (SignatureValidationError, PdfReadError, ValueError, KeyError, TypeError) as failure:
        return DocumentVerification(
            verdict="modified",
            reason=_("The signature cannot be checked: it is damaged ({error}).").format(
                error=type(failure).__name__
            ),
        )
    signer = _common_name(status.signing_cert)
    if not (status.intact and status.valid):
        return DocumentVerification(
            verdict="modified",
            reason=_("The signed bytes were changed: the signature no longer matches the document."),
            signer=signer,
        )
    timestamp = status.timestamp_validity
    if timestamp is not None and not (timestamp.intact and timestamp.valid):
        return DocumentVerification(
            verdict="modified", reason=_("The signature's timestamp was changed."), signer=signer
        )
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        # a SuspiciousModification (no level) or a level beyond new timestamps and validation data
        level = getattr(status.diff_result, "modification_level", None)
        if not isinstance(level, ModificationLevel) or level not in (
            ModificationLevel.NONE,
            ModificationLevel.LTA_UPDATES,
        ):
            return DocumentVerification(
                verdict="modified",
                reason=_("Something was added to the document after it was signed."),
                signer=signer,
                signed_at=status.signer_reported_dt,
            )
    if not status.trusted or status.validation_path is None:
        return DocumentVerification(
            verdict="unknown_issuer",
            reason=_(
                "Signed intact, but not by a certificate that chains to a root in the verification kit."
            ),
            signer=signer,
            signed_at=status.signer_reported_dt,
        )
    anchor = getattr(status.validation_path.trust_anchor, "certificate", None)
    root_sha256 = ":".join(f"{b:02X}" for b in anchor.sha256) if anchor is not None else None
    byte_range = signature.byte_range
    data = _data(pdf[: byte_range[2] + byte_range[3]])
    trusted_time = timestamp is not None and timestamp.trusted
    return DocumentVerification(
        verdict="genuine",
        reason=_("Signed by the chamber and unchanged since."),
        signer=signer,
        signed_at=status.signer_reported_dt,
        timestamp=timestamp.timestamp if trusted_time and timestamp is not None else None,
        timestamp_authority=_common_name(timestamp.signing_cert)
        if trusted_time and timestamp is not None
        else None,
        root_sha256=root_sha256,
        document=str(data.get("document")) if data else None,
        data=data,
    )
