"""The versions of the chamber's signing key in the store (table ``chamber_keys``).

Version 1 is the chamber's own CA, made by ``chamber init`` (or, for a chamber made before signing existed,
when it first signs). ``rotate`` issues a new signing certificate under the same own root; ``import_identity``
takes a public CA's key and chain. The newest version signs; the kit lists every version's root.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import Session, col, select

from shomei_cli.domain.clock import as_utc
from shomei_cli.domain.errors import Conflict
from shomei_cli.domain.records import KitCertificate, SigningKeyVersion, VerificationKit
from shomei_cli.i18n import _
from shomei_cli.services.core import Core
from shomei_cli.signing import pki
from shomei_cli.store.tables import Chamber, ChamberKey

KIT_SCHEMA = "urn:shomei:verification-kit:v1"


def current(session: Session, chamber_id: int) -> ChamberKey | None:
    return session.exec(
        select(ChamberKey).where(ChamberKey.chamber_id == chamber_id).order_by(col(ChamberKey.version).desc())
    ).first()


def versions(session: Session, chamber_id: int) -> list[ChamberKey]:
    return list(
        session.exec(
            select(ChamberKey).where(ChamberKey.chamber_id == chamber_id).order_by(col(ChamberKey.version))
        )
    )


def _organization(chamber: Chamber) -> str:
    return chamber.name_en or chamber.name


def _store(
    session: Session,
    core: Core,
    chamber: Chamber,
    identity: pki.Identity,
    source: str,
    root_key: ec.EllipticCurvePrivateKey | None,
    now: datetime,
    account_id: int | None,
) -> ChamberKey:
    latest = current(session, chamber.id or 0)
    row = ChamberKey(
        chamber_id=chamber.id or 0,
        version=(latest.version + 1) if latest else 1,
        source=source,
        certificate_der=pki.der(identity.certificate),
        chain_pem="".join(pki.pem(c) for c in identity.chain),
        key_sealed=core.secrets.seal(pki.key_pem(identity.key)),
        root_key_sealed=core.secrets.seal(pki.key_pem(root_key)) if root_key is not None else None,
        created_at=now,
        created_by_account_id=account_id,
    )
    session.add(row)
    session.flush()
    return row


def create_own(
    session: Session, core: Core, chamber: Chamber, now: datetime, account_id: int | None = None
) -> ChamberKey:
    """A new own CA (root and signing certificate) as the next version."""
    root_key, root = pki.create_root(_organization(chamber), chamber.code, now)
    latest = current(session, chamber.id or 0)
    identity = pki.issue_signing(
        root_key, root, _organization(chamber), (latest.version + 1) if latest else 1, now
    )
    return _store(session, core, chamber, identity, "own", root_key, now, account_id)


def ensure(session: Session, core: Core, chamber: Chamber, now: datetime) -> ChamberKey:
    """The key in force, made first (under the chamber's row lock: once) for a chamber that has none."""
    found = current(session, chamber.id or 0)
    if found is not None:
        return found
    session.exec(select(Chamber).where(Chamber.id == chamber.id).with_for_update()).one()
    return current(session, chamber.id or 0) or create_own(session, core, chamber, now)


def rotate(session: Session, core: Core, chamber: Chamber, now: datetime, account_id: int) -> ChamberKey:
    """A new signing key: under the same own root while there is one, else (after an import) a new own CA."""
    latest = ensure(session, core, chamber, now)
    if latest.source == "own" and latest.root_key_sealed is not None:
        root_key = pki.load_key(_unsealed(core, latest.root_key_sealed))
        assert isinstance(root_key, ec.EllipticCurvePrivateKey)
        root = _chain(latest)[-1]
        if as_utc(root.not_valid_after_utc) > now:
            identity = pki.issue_signing(root_key, root, _organization(chamber), latest.version + 1, now)
            return _store(session, core, chamber, identity, "own", root_key, now, account_id)
    return create_own(session, core, chamber, now, account_id)


def import_identity(
    session: Session, core: Core, chamber: Chamber, identity: pki.Identity, now: datetime, account_id: int
) -> ChamberKey:
    return _store(session, core, chamber, identity, "imported", None, now, account_id)


def _chain(row: ChamberKey) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(row.chain_pem.encode("ascii"))


def _unsealed(core: Core, sealed: bytes) -> str:
    try:
        return core.secrets.open(sealed)
    except Conflict:
        raise Conflict(
            _(
                "The chamber's signing key cannot be decrypted with this key (the store was moved, or "
                "SHOMEI_SECRET_KEY differs): use the store's key, or import a signing key "
                "(`shomei chamber keys import`)."
            )
        ) from None


def signing_identity(core: Core, row: ChamberKey) -> pki.Identity:
    return pki.Identity(
        pki.load_key(_unsealed(core, row.key_sealed)),
        x509.load_der_x509_certificate(row.certificate_der),
        tuple(_chain(row)),
    )


def describe(row: ChamberKey, in_force: bool) -> SigningKeyVersion:
    certificate = x509.load_der_x509_certificate(row.certificate_der)
    return SigningKeyVersion(
        version=row.version,
        source=row.source,
        subject=pki.subject_name(certificate),
        issuer=certificate.issuer.rfc4514_string(),
        sha256=pki.fingerprint(certificate),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        root_sha256=pki.fingerprint(_chain(row)[-1]),
        created_at=as_utc(row.created_at),
        in_force=in_force,
    )


def root_fingerprint(row: ChamberKey) -> str:
    return pki.fingerprint(_chain(row)[-1])


def kit_certificate(certificate: x509.Certificate) -> KitCertificate:
    return KitCertificate(
        subject=pki.subject_name(certificate),
        sha256=pki.fingerprint(certificate),
        not_after=certificate.not_valid_after_utc,
        pem=pki.pem(certificate),
    )


def kit(session: Session, chamber: Chamber) -> VerificationKit:
    """The chamber's verification kit: every version's root (once each) and the timestamp authority's."""
    roots: dict[str, KitCertificate] = {}
    for row in versions(session, chamber.id or 0):
        entry = kit_certificate(_chain(row)[-1])
        roots.setdefault(entry.sha256, entry)
    timestamp_roots = (
        [kit_certificate(c) for c in x509.load_pem_x509_certificates(chamber.tsa_root_pem.encode("ascii"))]
        if chamber.tsa_root_pem
        else []
    )
    return VerificationKit(
        schema=KIT_SCHEMA,
        chamber_code=chamber.code,
        chamber_name=chamber.name_en or chamber.name,
        roots=list(roots.values()),
        timestamp_roots=timestamp_roots,
    )
