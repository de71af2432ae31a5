"""Plain records that cross the Backend boundary: what services return and the CLI renders.

Stdlib dataclasses, so the CLI in remote mode needs neither the store nor pydantic to read them;
``to_dict`` and
``from_dict`` give the stable JSON form that both ``--json`` and the HTTP API use.
"""

from __future__ import annotations

import base64
import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any, TypeVar

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who a session belongs to (``shomei whoami``)."""

    chamber_code: str
    chamber_name: str
    login_id: str
    role: str
    name: str
    registration_number: str | None
    must_change_password: bool
    session_started_at: datetime
    session_expires_at: datetime


@dataclasses.dataclass(frozen=True)
class LoginResult:
    token: str
    identity: Identity
    # marks the client as one that logged in to this ID before: kept beside the session token and sent
    # with the next login, so that failures from elsewhere do not slow or lock this client out
    device_token: str | None = None


@dataclasses.dataclass(frozen=True)
class NewAccount:
    """An ID just created; ``initial_password`` is shown once and never again."""

    chamber_code: str
    login_id: str
    role: str
    name: str
    initial_password: str


@dataclasses.dataclass(frozen=True)
class NewChamber:
    code: str
    name: str
    name_en: str | None
    time_zone: str
    staff: NewAccount


@dataclasses.dataclass(frozen=True)
class AccountSummary:
    login_id: str
    role: str
    name: str
    email: str | None
    status: str
    locked: bool
    must_change_password: bool
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class AuditQuery:
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    limit: int = 100


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    actor_role: str | None
    action: str
    target: str | None
    outcome: str
    details: dict[str, Any]


def to_dict(record: Any) -> dict[str, Any]:
    """The JSON-ready form of a record: datetimes and dates as ISO 8601 strings, bytes as base64."""
    return {f.name: _encode(getattr(record, f.name)) for f in dataclasses.fields(record)}


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record of ``cls`` from its ``to_dict`` form."""
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: _decode(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.name in data
    }
    return cls(**kwargs)


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        (item,) = typing.get_args(hint)
        return [_decode(item, v) for v in value]
    if hint is bytes:
        return base64.b64decode(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_dict(hint, value)
    return value


@dataclasses.dataclass(frozen=True)
class RegistrationQuery:
    status: str | None = None  # active, suspended, expired
    expiring_within: int | None = None  # days
    limit: int = 1000


@dataclasses.dataclass(frozen=True)
class RegistrationSummary:
    registration_number: str
    kind: str
    company_name: str
    company_name_en: str
    corporate_number: str
    member: bool
    status: str
    valid_until: date
    days_left: int
    admin_id: str


@dataclasses.dataclass(frozen=True)
class RegistrationView:
    """登録内容確認: the registration's particulars, contact details, validity and administrator."""

    registration_number: str
    kind: str
    corporate_number: str
    company_name: str
    company_name_en: str
    representative_name: str
    representative_name_en: str
    representative_title: str
    representative_title_en: str
    postal_code: str
    address: str
    address_en: str
    contact_person: str
    department: str | None
    phone: str
    email: str
    member: bool
    status: str
    status_reason: str | None
    valid_from: date
    valid_until: date
    days_left: int
    renewal_open: bool
    admin_id: str
    admin_locked: bool
    admin_must_change_password: bool
    pending_requests: list[str]
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class IssuedRegistration:
    """One row of a batch: created now, or already registered (same corporate number)."""

    row: int | None
    outcome: str  # created, exists
    registration_number: str
    corporate_number: str
    company_name: str
    admin_id: str
    # an existing registration whose card was never printed: the batch prints it (resumable batches)
    card_pending: bool


@dataclasses.dataclass(frozen=True)
class CardPrint:
    """A printed card (貿易登録証 or 署名登録証). ``password`` is set only when the first-day rule allows."""

    login_id: str
    registration_number: str
    password: str | None
    password_notice: str | None  # why there is no password, when there is none
    first_printed_at: datetime
    print_count: int
    pdf: bytes = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class ReviewEntry:
    reference: str
    kind: str
    status: str
    registration_number: str
    company_name: str
    summary: str
    payload: dict[str, Any]
    reason: str | None
    submitted_at: datetime
    submitted_by: str | None
    decided_at: datetime | None
    decided_by: str | None
    # how long it has waited for a decision (pending), or waited until it was decided, in whole seconds
    waited_seconds: int = 0


@dataclasses.dataclass(frozen=True)
class SignerView:
    """A signer (署名者) as the company and the chamber see it; the signature image is not included."""

    reference: str
    registration_number: str
    status: str
    status_reason: str | None
    name: str
    name_en: str
    title: str
    title_en: str
    birth_date: date | None
    address: str | None
    address_en: str | None
    user_id: str | None
    user_locked: bool
    sub_ids: int
    created_at: datetime
    approved_at: datetime | None


@dataclasses.dataclass(frozen=True)
class SignerImport:
    """One row of `signer import`: created now, or already registered (same names) before."""

    row: int
    outcome: str  # created, exists
    reference: str
    name: str
    name_en: str
    status: str


@dataclasses.dataclass(frozen=True)
class SubIdView:
    login_id: str
    name: str
    email: str | None
    status: str
    locked: bool
    must_change_password: bool
    signer_user_id: str
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class ApplicationQuery:
    status: str | None = None
    type: str | None = None
    since: date | None = None
    until: date | None = None
    limit: int = 100
    # keyset pagination: only applications created before this reference's (newest first)
    before: str | None = None


@dataclasses.dataclass(frozen=True)
class ApplicationSummary:
    reference: str
    reception_number: str | None
    type: str
    status: str
    registration_number: str
    destination_country: str
    copies: int
    signer: str
    applicant: str
    fee: int | None
    certificate_number: str | None
    created_at: datetime
    submitted_at: datetime | None
    issued_at: datetime | None


@dataclasses.dataclass(frozen=True)
class ApplicationView:
    summary: ApplicationSummary
    content: dict[str, Any]
    reason: str | None
    has_attachment: bool
    access_code: str | None
    print_count: int
    printable_until: datetime | None


@dataclasses.dataclass(frozen=True)
class PaymentView:
    reference: str
    reception_number: str
    receipt_number: str
    method: str
    payment_reference: str | None
    amount: int
    paid_at: datetime
    certificate_number: str
    access_code: str
    balance_after: int | None


@dataclasses.dataclass(frozen=True)
class DocumentFile:
    """A rendered PDF with what identifies it (a certificate, a receipt)."""

    name: str
    print_count: int
    pdf: bytes = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Verification:
    """What anyone holding the paper may learn: genuine or not, and the key particulars. Nothing else."""

    status: str  # genuine, cancelled (revoked by the chamber after issuance), not_found
    certificate_number: str
    type: str | None = None
    chamber: str | None = None
    issued_on: date | None = None
    cancelled_on: date | None = None
    exporter: str | None = None
    consignee: str | None = None
    destination_country: str | None = None
    goods: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class FeeRow:
    type: str
    member: bool
    per_application: int
    per_copy: int
    tax_rate: int = 10  # per cent; 0 = not taxable


@dataclasses.dataclass(frozen=True)
class SealVersion:
    """A version of the chamber's seal (印影): when and by whom it was set, and its image's fingerprint."""

    version: int
    set_at: datetime
    set_by: str
    sha256: str


@dataclasses.dataclass(frozen=True)
class OfficerVersion:
    """A version of the authorized officer who certifies for the chamber."""

    version: int
    name: str
    title: str
    set_at: datetime
    set_by: str
    signature_sha256: str


@dataclasses.dataclass(frozen=True)
class ChamberProfile:
    """The chamber's identity on paper: names, address, place of issue, qualified-invoice registration
    number, and the seal and officer in force (None until staff set them)."""

    code: str
    name: str
    name_en: str | None
    address: str | None
    address_en: str | None
    place: str | None
    invoice_registration_number: str | None
    seal: SealVersion | None
    officer: OfficerVersion | None


@dataclasses.dataclass(frozen=True)
class KitCertificate:
    """A certificate a verifier trusts: its PEM, its SHA-256 fingerprint, subject and validity."""

    subject: str
    sha256: str
    not_after: datetime
    pem: str


@dataclasses.dataclass(frozen=True)
class VerificationKit:
    """What anyone needs to check the chamber's signed documents without its server: the roots its signing
    certificates chain to (every version, so documents signed before a rotation stay valid) and the roots of
    its timestamp authority. Published by the server, exported by ``shomei chamber kit``."""

    schema: str
    chamber_code: str
    chamber_name: str
    roots: list[KitCertificate]
    timestamp_roots: list[KitCertificate] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class SigningKeyVersion:
    """A version of the chamber's signing key (``shomei chamber keys show``); the newest signs."""

    version: int
    source: str  # own (the chamber's own CA) or imported (PKCS#12 from a public CA)
    subject: str
    issuer: str
    sha256: str
    not_before: datetime
    not_after: datetime
    root_sha256: str
    created_at: datetime
    in_force: bool


@dataclasses.dataclass(frozen=True)
class DocumentVerification:
    """The check of a signed PDF: the verdict from the file alone (genuine, modified, unknown_issuer,
    unsigned), what the signature says, the data it covers, and, when the chamber's server (or store) was
    asked, the certificate's status there (genuine, cancelled, not_found; None: not asked)."""

    verdict: str
    reason: str
    signer: str | None = None
    signed_at: datetime | None = None
    timestamp: datetime | None = None
    timestamp_authority: str | None = None
    root_sha256: str | None = None
    document: str | None = None  # certificate, receipt
    data: dict[str, typing.Any] | None = None
    online_status: str | None = None
    cancelled_on: date | None = None


@dataclasses.dataclass(frozen=True)
class TimestampAuthority:
    """The RFC 3161 timestamp authority the chamber's signatures are timestamped by (None: none), and the
    fingerprints of the roots its tokens chain to (in the verification kit)."""

    url: str | None
    root_sha256: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class DossierFile:
    """A file a review decision rests on, byte for byte as stored (or, for a preview, as drawn)."""

    name: str
    media_type: str
    size: int
    sha256: str
    description: str
    content: bytes = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class FieldChange:
    """One field that differs from what the reviewer returned (None: absent on that side)."""

    field: str
    before: typing.Any
    after: typing.Any


@dataclasses.dataclass(frozen=True)
class ReviewDossier:
    """Everything a review decision rests on (``shomei chamber review show``): the item, its particulars as
    submitted, its files, and after a return, the return's reason and what changed since."""

    entry: ReviewEntry
    particulars: dict[str, typing.Any]
    files: list[DossierFile]
    returned_reason: str | None = None
    returned_at: datetime | None = None
    changes: list[FieldChange] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class PaymentProviderSettings:
    """The card payment provider's hosted checkout page (None: card payments are refused) and whether the
    secret shared with it is set. The secret itself is never shown."""

    checkout_url: str | None
    secret_set: bool
    notify_path: str = "/api/v1/payments/notify"


@dataclasses.dataclass(frozen=True)
class CardCheckoutView:
    """A card payment started: pay at ``checkout_url``; the certificate is issued when the provider's signed
    notification arrives (the application waits as awaiting_payment)."""

    reference: str
    reception_number: str
    session: str
    checkout_url: str
    amount: int
    currency: str


@dataclasses.dataclass(frozen=True)
class NotificationResult:
    """What a provider's notification did: issued the certificate, or nothing because it was already paid."""

    outcome: str  # issued, already_paid
    reception_number: str
    receipt_number: str | None
