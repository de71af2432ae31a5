"""A test PKI for the signing tests: a chamber-like CA, a foreign one, a PKCS#12 from a "public CA", and a
local RFC 3161 timestamp authority (pyHanko's test timestamper behind a loopback HTTP endpoint), so that the
timestamped path runs without the internet."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shomei_cli.domain.records import to_dict
from shomei_cli.signing import keystore, pki

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def own_ca(name: str = "Test Chamber", now: datetime = NOW) -> pki.Identity:
    root_key, root = pki.create_root(name, "9999", now)
    return pki.issue_signing(root_key, root, name, 1, now)


def _certificate(
    subject: str,
    issuer: x509.Name | None,
    key: Any,
    signer: Any,
    ca: bool,
    now: datetime,
    eku: Any = None,
    signing: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if signing:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
    return builder.sign(signer, hashes.SHA256())


def public_ca_pkcs12(
    password: bytes | None = b"p12-secret", now: datetime = NOW
) -> tuple[bytes, x509.Certificate]:
    """A PKCS#12 with a key, its certificate, an intermediate and a root (as a public CA issues them)."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate("Example Public Root CA", None, root_key, root_key, True, now)
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = _certificate("Example Public Issuing CA", root.subject, inter_key, root_key, True, now)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate("Tokyo Chamber (public CA)", inter.subject, key, inter_key, False, now, signing=True)
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"chamber", key, leaf, [inter, root], encryption), root


class TimestampAuthority:
    """An RFC 3161 authority on 127.0.0.1: pyHanko's DummyTimeStamper answers each TimeStampReq."""

    def __init__(self, now: datetime | None = None) -> None:
        from asn1crypto import keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        moment = now or datetime.now(UTC)
        root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _certificate("Test TSA Root", None, root_key, root_key, True, moment)
        key = rsa.generate_private_key(
            public_exponent=65537, key_size=2048
        )  # the test timestamper is RSA-only
        self.certificate = _certificate(
            "Test Timestamp Unit",
            self.root.subject,
            key,
            root_key,
            False,
            moment,
            ExtendedKeyUsageOID.TIME_STAMPING,
        )
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER)),
            tsa_key=keys.PrivateKeyInfo.load(der),
        )
        self.requests = 0
        self.url = ""

    @property
    def root_pem(self) -> str:
        return pki.pem(self.root)

    @contextmanager
    def serving(self) -> Iterator[TimestampAuthority]:
        from asn1crypto import tsp

        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = tsp.TimeStampReq.load(body)
                reply = authority._stamper.request_tsa_response(request).dump()
                authority.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


def write_kit(directory: Path, kit: Any) -> Path:
    """A kit as `shomei chamber kit` writes it (kit.json only)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kit.json").write_text(json.dumps(to_dict(kit)), encoding="utf-8")
    return directory


def root_only_kit(identity: pki.Identity, path: Path) -> Path:
    path.write_bytes(pki.pem(identity.root).encode())
    return path


def append_after_signing(pdf: bytes) -> bytes:
    """An incremental update that draws on the first page after the signature (as an editor would)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 RG 10 10 200 50 re S Q"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flip_signed_byte(pdf: bytes) -> bytes:
    """One byte changed inside the first signed range (in the page content, not the signature)."""
    import re

    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    length = int(match.group(2))
    index = length // 3
    while pdf[index : index + 1] in (b"\n", b"\r", b" "):
        index += 1
    changed = bytearray(pdf)
    changed[index] = changed[index] ^ 0x01
    return bytes(changed)


__all__ = ["keystore"]
