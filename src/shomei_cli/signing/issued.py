"""Signing what the chamber issues: where each kind of document carries its visible signature, and one call
that signs a batch under the key in force."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from shomei_cli.documents import issued as issued_data
from shomei_cli.services.core import Core
from shomei_cli.signing import keystore, pades
from shomei_cli.store.tables import Chamber

REASONS = {
    "certificate": "Certificate issued by the chamber",
    "receipt": "Receipt issued by the chamber",
}


@dataclass(frozen=True)
class Issued:
    kind: str  # co, signature, invoice, receipt
    pdf: bytes
    data: dict[str, Any]  # without the chamber part: sign_issued adds it with the root's fingerprint
    copies: int = 0


def placement(kind: str, pdf: bytes, copies: int) -> tuple[int, tuple[float, float, float, float]] | None:
    """The visible signature's page and rectangle: box 10 of a certificate of origin's first sheet (and the
    certification box of a signature certification, at the same place); on a certified invoice, the
    certification laid on the ORIGINAL's last page; a receipt is signed invisibly (it carries the seal)."""
    from shomei_cli.documents.certificates import signature_field

    if kind == "receipt":
        return None
    if kind != "invoice":
        return 0, signature_field(kind)
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    last = len(pages) // (copies + 1) - 1
    box = pages[last].mediabox
    return last, signature_field(kind, float(box.width), float(box.height))


def root_fingerprint(session: Session, core: Core, chamber: Chamber, now: datetime) -> str:
    """The fingerprint printed on the paper: of the root the key in force chains to."""
    return keystore.root_fingerprint(keystore.ensure(session, core, chamber, now))


def sign_issued(
    session: Session, core: Core, chamber: Chamber, documents: Sequence[Issued], now: datetime
) -> list[bytes]:
    """Every document signed with the key in force, its data embedded; timestamped when the chamber set a
    timestamp authority. Unavailable if that authority does not answer."""
    row = keystore.ensure(session, core, chamber, now)
    identity = keystore.signing_identity(core, row)
    chamber_part = issued_data.chamber_part(
        chamber.code, chamber.name, chamber.name_en, keystore.root_fingerprint(row)
    )
    to_sign = []
    for document in documents:
        data = {"schema": issued_data.SCHEMA_ID, **document.data, "chamber": chamber_part}
        what = "receipt" if document.kind == "receipt" else "certificate"
        to_sign.append(
            pades.ToSign(
                pdf=document.pdf,
                data=issued_data.dumps(data),
                description=f"The {what}'s data, signed with it ({issued_data.SCHEMA_ID})",
                placement=placement(document.kind, document.pdf, document.copies),
                reason=REASONS[what],
                location=chamber.place or None,
                signed_at=now,
            )
        )
    return pades.sign_documents(identity, to_sign, chamber.tsa_url)
