"""The chamber's identity on paper: address, place of issue and qualified-invoice registration number, and the
versions of its seal (印影) and of its authorized officer.

Seal and officer are kept as versions that are never changed or deleted; a document prints the version in
force at its moment (a certificate: its issue; a receipt: its payment), so certificates issued before a change
keep the seal they were issued with, however often they are printed again.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from shomei_cli.domain import qualified_invoices
from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.errors import FieldError, InvalidInput
from shomei_cli.domain.permissions import Action
from shomei_cli.domain.records import ChamberProfile, OfficerVersion, SealVersion
from shomei_cli.domain.signatures import normalise_signature
from shomei_cli.domain.validation import check_text
from shomei_cli.services.audit import Actor, record, require
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Account, Chamber, ChamberOfficer, ChamberSeal


@dataclass(frozen=True)
class InForce:
    """The seal and officer a document prints, and the place of issue."""

    seal: ChamberSeal | None
    officer: ChamberOfficer | None
    place: str | None


def in_force(session: Session, chamber: Chamber, moment: datetime) -> InForce:
    """The latest seal and officer set at or before ``moment``."""
    seal = session.exec(
        select(ChamberSeal)
        .where(ChamberSeal.chamber_id == chamber.id, col(ChamberSeal.set_at) <= moment)
        .order_by(col(ChamberSeal.set_at).desc(), col(ChamberSeal.id).desc())
    ).first()
    officer = session.exec(
        select(ChamberOfficer)
        .where(ChamberOfficer.chamber_id == chamber.id, col(ChamberOfficer.set_at) <= moment)
        .order_by(col(ChamberOfficer.set_at).desc(), col(ChamberOfficer.id).desc())
    ).first()
    return InForce(seal, officer, chamber.place)


def profile(core: Core, actor: Actor) -> ChamberProfile:
    """The chamber's identity as staff see it (staff)."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    with core.read() as session:
        return _profile(session, session.get_one(Chamber, actor.chamber_id), core.clock.now())


def set_profile(
    core: Core,
    actor: Actor,
    *,
    address: str | None = None,
    address_en: str | None = None,
    place: str | None = None,
    invoice_registration_number: str | None = None,
) -> ChamberProfile:
    """Change the address, place of issue or registration number (None: unchanged; "": cleared) (staff)."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    changes: dict[str, str | None] = {}
    errors: list[FieldError] = []
    for name, value, length in (
        ("address", address, 300),
        ("address_en", address_en, 300),
        ("place", place, 100),
    ):
        if value is None:
            continue
        errors += check_text(name, value, max_length=length, required=False)
        changes[name] = unicodedata.normalize("NFC", value.strip()) or None
    if invoice_registration_number is not None:
        try:
            changes["invoice_registration_number"] = (
                qualified_invoices.registration_number(invoice_registration_number)
                if invoice_registration_number.strip()
                else None
            )
        except InvalidInput as refused:
            errors += refused.errors
    if errors:
        raise InvalidInput.of(errors)
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        for name, value in changes.items():
            setattr(chamber, name, value)
        session.add(chamber)
        if changes:
            record(session, core, action="chamber.profile", actor=actor, details=dict(changes))
        return _profile(session, chamber, core.clock.now())


def set_seal(core: Core, actor: Actor, image: bytes) -> ChamberProfile:
    """A new version of the seal (staff); the image is checked and normalised as a signature is."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    png = normalise_signature(image, "seal")
    now = core.clock.now()
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        seal = ChamberSeal(
            chamber_id=actor.chamber_id, image_png=png, set_at=now, set_by_account_id=actor.account_id
        )
        session.add(seal)
        session.flush()
        record(
            session,
            core,
            action="chamber.seal",
            actor=actor,
            details={"sha256": hashlib.sha256(png).hexdigest()},
        )
        return _profile(session, chamber, now)


def set_officer(core: Core, actor: Actor, name: str, title: str, signature: bytes) -> ChamberProfile:
    """A new version of the authorized officer: name, title and signature image (staff)."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    errors = check_text("name", name, max_length=200) + check_text("title", title, max_length=200)
    try:
        png = normalise_signature(signature, "signature")
    except InvalidInput as refused:
        errors += refused.errors
    if errors:
        raise InvalidInput.of(errors)
    now = core.clock.now()
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        officer = ChamberOfficer(
            chamber_id=actor.chamber_id,
            name=unicodedata.normalize("NFC", name.strip()),
            title=unicodedata.normalize("NFC", title.strip()),
            signature_png=png,
            set_at=now,
            set_by_account_id=actor.account_id,
        )
        session.add(officer)
        session.flush()
        record(
            session,
            core,
            action="chamber.officer",
            actor=actor,
            details={"name": officer.name, "title": officer.title},
        )
        return _profile(session, chamber, now)


def _profile(session: Session, chamber: Chamber, now: datetime) -> ChamberProfile:
    current = in_force(session, chamber, now)
    seal = officer = None
    if current.seal is not None:
        seal = SealVersion(
            version=_version(session, ChamberSeal, chamber, current.seal.id),
            set_at=as_utc(current.seal.set_at),
            set_by=_login_id(session, current.seal.set_by_account_id),
            sha256=hashlib.sha256(current.seal.image_png).hexdigest(),
        )
    if current.officer is not None:
        officer = OfficerVersion(
            version=_version(session, ChamberOfficer, chamber, current.officer.id),
            name=current.officer.name,
            title=current.officer.title,
            set_at=as_utc(current.officer.set_at),
            set_by=_login_id(session, current.officer.set_by_account_id),
            signature_sha256=hashlib.sha256(current.officer.signature_png).hexdigest(),
        )
    return ChamberProfile(
        code=chamber.code,
        name=chamber.name,
        name_en=chamber.name_en,
        address=chamber.address,
        address_en=chamber.address_en,
        place=chamber.place,
        invoice_registration_number=chamber.invoice_registration_number,
        seal=seal,
        officer=officer,
    )


def _version(
    session: Session, table: type[ChamberSeal] | type[ChamberOfficer], chamber: Chamber, row: int | None
) -> int:
    """Versions count from 1 in the order they were set."""
    ids = session.exec(select(table.id).where(table.chamber_id == chamber.id)).all()
    return sum(1 for i in ids if i is not None and row is not None and i <= row)


def _login_id(session: Session, account_id: int) -> str:
    return session.get_one(Account, account_id).login_id
