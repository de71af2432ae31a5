"""The chamber's own certification authority: a root and a signing certificate under it.

ECDSA P-256 throughout (small signatures, fast to make: a visible signature costs ~40 ms). The root is valid
for 10 years and may sign only end-entity certificates (path length 0); a signing certificate for 2 years,
for digital signatures and non-repudiation. The chamber's own CA publishes no CRL or OCSP: a verifier trusts
the root it holds in its verification kit, and the chamber's online status tells of cancelled certificates.
A chamber may instead import a key and certificate chain from a public CA (``from_pkcs12``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shomei_cli.domain.errors import InvalidInput
from shomei_cli.i18n import _

ROOT_YEARS = 10
SIGNING_YEARS = 2
SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Identity:
    """A key and its certificate, with the issuers' certificates up to (and including) the root."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def root(self) -> x509.Certificate:
        return self.chain[-1] if self.chain else self.certificate


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, as hex pairs (AB:CD:…): what is printed and compared."""
    digest = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def key_pem(key: SigningKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def load_key(text: str) -> SigningKey:
    key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return key


def subject_name(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def create_root(
    organization: str, code: str, now: datetime
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new root: the chamber's trust anchor, printed by fingerprint on every certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"{organization} Root CA {code}", organization)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def issue_signing(
    root_key: ec.EllipticCurvePrivateKey,
    root: x509.Certificate,
    organization: str,
    version: int,
    now: datetime,
) -> Identity:
    """A new signing key and certificate under ``root`` (the chamber's own CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = min(now + timedelta(days=365 * SIGNING_YEARS), root.not_valid_after_utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{organization} Document Signing {version}", organization))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    return Identity(key, certificate, (root,))


def from_pkcs12(data: bytes, password: bytes | None, now: datetime) -> Identity:
    """A key and certificate chain from a PKCS#12 file (a public CA's): checked, never stored in the clear."""
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise InvalidInput.single(
            "pkcs12", _("is not a PKCS#12 file, or the password does not open it")
        ) from None
    if key is None or certificate is None:
        raise InvalidInput.single("pkcs12", _("holds no private key with its certificate"))
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey) or not isinstance(
        key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    ):
        raise InvalidInput.single("pkcs12", _("the key must be RSA or ECDSA"))
    if key.public_key().public_numbers() != certificate.public_key().public_numbers():  # type: ignore[union-attr]
        raise InvalidInput.single("pkcs12", _("the certificate is not the key's"))
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise InvalidInput.single(
            "pkcs12",
            _("the certificate is valid from {start} to {end} only").format(
                start=certificate.not_valid_before_utc.date(), end=certificate.not_valid_after_utc.date()
            ),
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        raise InvalidInput.single("pkcs12", _("the certificate is not for signing (key usage)"))
    chain = _ordered_chain(certificate, list(others))
    if not chain or chain[-1].issuer != chain[-1].subject:
        raise InvalidInput.single(
            "pkcs12", _("must hold the whole chain up to the root (self-signed) certificate")
        )
    return Identity(key, certificate, tuple(chain))


def _ordered_chain(leaf: x509.Certificate, pool: list[x509.Certificate]) -> list[x509.Certificate]:
    """The issuers of ``leaf`` from ``pool``, nearest first, as far as they go."""
    chain: list[x509.Certificate] = []
    current = leaf
    while current.issuer != current.subject:
        issuer = next((c for c in pool if c.subject == current.issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain
