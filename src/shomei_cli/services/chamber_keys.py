"""The chamber's signing keys, its timestamp authority and its verification kit.

Staff see, rotate and import keys (``Action.CHAMBER_IDENTITY``, as the seal); anyone may fetch the kit: it
holds only certificates.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cryptography import x509
from sqlmodel import select

from shomei_cli.domain.errors import InvalidInput, NotFound
from shomei_cli.domain.permissions import Action
from shomei_cli.domain.records import SigningKeyVersion, TimestampAuthority, VerificationKit
from shomei_cli.i18n import _
from shomei_cli.services.audit import Actor, record, require
from shomei_cli.services.core import Core
from shomei_cli.signing import keystore, pki
from shomei_cli.store.tables import Chamber

MAX_PKCS12_BYTES = 64 * 1024


def signing_keys(core: Core, actor: Actor) -> list[SigningKeyVersion]:
    """Every version of the signing key, oldest first; the last is in force (staff)."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        keystore.ensure(session, core, chamber, core.clock.now())
        rows = keystore.versions(session, actor.chamber_id)
        return [keystore.describe(row, row is rows[-1]) for row in rows]


def rotate(core: Core, actor: Actor) -> list[SigningKeyVersion]:
    """A new signing key and certificate (staff); documents signed before stay valid."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    now = core.clock.now()
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        row = keystore.rotate(session, core, chamber, now, actor.account_id)
        record(
            session,
            core,
            action="chamber.keys.rotate",
            actor=actor,
            details={"version": row.version, "sha256": keystore.describe(row, True).sha256},
        )
    return signing_keys(core, actor)


def import_pkcs12(core: Core, actor: Actor, data: bytes, password: str | None) -> list[SigningKeyVersion]:
    """Sign from now on with a key and chain from a PKCS#12 file, e.g. from a public CA (staff). The password
    opens the file here and is never stored or recorded."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    if len(data) > MAX_PKCS12_BYTES:
        raise InvalidInput.single(
            "pkcs12", _("is larger than {limit} KiB").format(limit=MAX_PKCS12_BYTES // 1024)
        )
    now = core.clock.now()
    identity = pki.from_pkcs12(data, password.encode() if password else None, now)
    with core.write() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        row = keystore.import_identity(session, core, chamber, identity, now, actor.account_id)
        record(
            session,
            core,
            action="chamber.keys.import",
            actor=actor,
            details={
                "version": row.version,
                "subject": pki.subject_name(identity.certificate),
                "sha256": pki.fingerprint(identity.certificate),
                "root_sha256": pki.fingerprint(identity.root),
            },
        )
    return signing_keys(core, actor)


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise InvalidInput.single("tsa_url", _("must be an http:// or https:// address without credentials"))
    if len(url) > 300:
        raise InvalidInput.single("tsa_url", _("at most 300 characters"))
    return url


def _check_roots(pem: str) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise InvalidInput.single("tsa_root", _("is not a PEM certificate")) from None
    for certificate in certificates:
        if certificate.issuer != certificate.subject:
            raise InvalidInput.single(
                "tsa_root",
                _("must be the authority's root (self-signed) certificate, not {subject}").format(
                    subject=pki.subject_name(certificate)
                ),
            )
    return certificates


def timestamp_authority(
    core: Core, actor: Actor, url: str | None = None, root_pem: str | None = None, clear: bool = False
) -> TimestampAuthority:
    """Read, set (``url`` with ``root_pem``: the root its tokens chain to) or clear the chamber's timestamp
    authority (staff). Documents are then timestamped when printed; a print fails while it does not answer."""
    require(core, actor, Action.CHAMBER_IDENTITY)
    changing = clear or url is not None
    if url is not None and not clear:
        url = _check_url(url)
        if not root_pem:
            raise InvalidInput.single(
                "tsa_root", _("name the root certificate the authority's tokens chain to")
            )
        roots = _check_roots(root_pem)
        root_pem = "".join(pki.pem(c) for c in roots)
    with core.write() if changing else core.read() as session:
        chamber = session.get_one(Chamber, actor.chamber_id)
        if changing:
            chamber.tsa_url = None if clear else url
            chamber.tsa_root_pem = None if clear else root_pem
            session.add(chamber)
            record(
                session,
                core,
                action="chamber.timestamp_authority",
                actor=actor,
                details={"url": chamber.tsa_url},
            )
        roots = (
            x509.load_pem_x509_certificates(chamber.tsa_root_pem.encode("ascii"))
            if chamber.tsa_root_pem
            else []
        )
        return TimestampAuthority(chamber.tsa_url, [pki.fingerprint(c) for c in roots])


def verification_kit(core: Core, chamber_code: str | None) -> VerificationKit:
    """The roots anyone needs to check the chamber's signed documents offline (no session needed)."""
    with core.write() as session:
        if chamber_code:
            chamber = session.exec(select(Chamber).where(Chamber.code == chamber_code.strip())).first()
            if chamber is None:
                raise NotFound(_("No chamber {code} here.").format(code=chamber_code.strip()[:8]))
        else:
            chambers = list(session.exec(select(Chamber).limit(2)))
            if not chambers:
                raise NotFound(_("No chamber in this store yet."))
            if len(chambers) > 1:
                raise InvalidInput.single("chamber", _("this store holds several chambers: name one"))
            chamber = chambers[0]
        keystore.ensure(session, core, chamber, core.clock.now())
        return keystore.kit(session, chamber)
