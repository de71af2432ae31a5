"""The tables. One ``accounts`` table serves all four roles: they share login, lockout and sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _instant(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(DateTime(timezone=True), nullable=nullable, index=index),
    )


class Chamber(SQLModel, table=True):
    __tablename__ = "chambers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=4, unique=True, index=True)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    time_zone: str = Field(default="Asia/Tokyo", max_length=64)
    session_idle_minutes: int = 60
    session_absolute_minutes: int = 720
    # where the QR code on certificates points (the public verification page)
    verification_url: str | None = Field(default=None, max_length=300)
    # on receipts (the qualified invoice's issuer) and, the place, in the certification of certificates
    address: str | None = Field(default=None, max_length=300)
    address_en: str | None = Field(default=None, max_length=300)
    place: str | None = Field(default=None, max_length=100)
    invoice_registration_number: str | None = Field(default=None, max_length=14)
    # an RFC 3161 timestamp authority for issued documents' signatures, and the root its tokens chain to
    tsa_url: str | None = Field(default=None, max_length=300)
    tsa_root_pem: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # the card payment provider's hosted checkout page, and the secret shared with it (sealed)
    payment_checkout_url: str | None = Field(default=None, max_length=300)
    payment_secret_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = _instant()


class ChamberSeal(SQLModel, table=True):
    """One version of the chamber's seal (印影). Never changed or deleted: a certificate prints the version in
    force when it was issued, and a receipt the one in force when it was paid."""

    __tablename__ = "chamber_seals"

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    image_png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    set_at: datetime = _instant()
    set_by_account_id: int = Field(foreign_key="accounts.id")


class ChamberOfficer(SQLModel, table=True):
    """One version of the authorized officer who certifies for the chamber (name, title, signature); kept
    like the seal's versions."""

    __tablename__ = "chamber_officers"

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    name: str = Field(max_length=200)
    title: str = Field(max_length=200)
    signature_png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    set_at: datetime = _instant()
    set_by_account_id: int = Field(foreign_key="accounts.id")


class ChamberKey(SQLModel, table=True):
    """One version of the key the chamber signs issued documents with, and its certificate chain. Never
    changed or deleted: the newest signs; every version's root stays in the verification kit, so documents
    signed before a rotation stay valid. Private keys are sealed with the store's secret key."""

    __tablename__ = "chamber_keys"
    __table_args__ = (UniqueConstraint("chamber_id", "version", name="uq_chamber_keys_version"),)

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    version: int
    source: str = Field(max_length=16)  # own (the chamber's own CA) or imported (PKCS#12)
    certificate_der: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # the issuers' certificates, nearest first, the root last (PEM)
    chain_pem: str = Field(sa_column=Column(Text, nullable=False))
    key_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # the own CA's root key, to issue the next signing certificate under the same root
    root_key_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = _instant()
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")


class Account(SQLModel, table=True):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("chamber_id", "login_id", name="uq_accounts_chamber_login"),)

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    login_id: str = Field(max_length=32)
    role: str = Field(max_length=16)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=254)
    # the company (trade registration) the ID belongs to; staff have none
    registration_id: int | None = Field(default=None, index=True)
    # a sub ID's signer (user ID); None for the other roles
    parent_account_id: int | None = Field(default=None, foreign_key="accounts.id", index=True)
    password_hash: str = Field(max_length=255)
    must_change_password: bool = True
    password_changed_at: datetime = _instant()
    failed_logins: int = 0
    locked_until: datetime | None = _instant(nullable=True)
    status: str = Field(default="active", max_length=16)
    created_at: datetime = _instant()
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")


class LoginSession(SQLModel, table=True):
    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    # SHA-256 of the bearer token; the token itself is never stored
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _instant()
    last_seen_at: datetime = _instant()
    ended_at: datetime | None = _instant(nullable=True)
    end_reason: str | None = Field(default=None, max_length=32)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int | None = Field(default=None, foreign_key="chambers.id", index=True)
    registration_id: int | None = Field(default=None, index=True)
    at: datetime = _instant(index=True)
    actor_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    actor_login_id: str | None = Field(default=None, max_length=64)
    actor_role: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=64, index=True)
    target: str | None = Field(default=None, max_length=200)
    outcome: str = Field(max_length=16)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Counter(SQLModel, table=True):
    """Per-chamber sequences (IDs, reception and certificate numbers), incremented inside the writing
    transaction, so concurrent writers never share a number and a rolled-back write burns none."""

    __tablename__ = "counters"

    chamber_id: int = Field(foreign_key="chambers.id", primary_key=True)
    name: str = Field(max_length=32, primary_key=True)
    value: int = 0


class Registration(SQLModel, table=True):
    """A trade registration (貿易登録): one company (or agent) registered with the chamber."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("chamber_id", "registration_number", name="uq_registrations_number"),
        UniqueConstraint("chamber_id", "corporate_number", name="uq_registrations_corporate_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    registration_number: str = Field(max_length=10)
    kind: str = Field(max_length=16)
    corporate_number: str = Field(max_length=13)
    company_name: str = Field(max_length=200)
    company_name_en: str = Field(max_length=200)
    representative_name: str = Field(max_length=100)
    representative_name_en: str = Field(max_length=100)
    representative_title: str = Field(max_length=100)
    representative_title_en: str = Field(max_length=100)
    postal_code: str = Field(max_length=8)
    address: str = Field(max_length=300)
    address_en: str = Field(max_length=300)
    contact_person: str = Field(max_length=100)
    department: str | None = Field(default=None, max_length=100)
    phone: str = Field(max_length=20)
    email: str = Field(max_length=254)
    member: bool = False
    valid_from: date
    valid_until: date = Field(index=True)
    status: str = Field(default="active", max_length=16)
    status_reason: str | None = Field(default=None, max_length=500)
    # the prepaid balance (yen), topped up by staff; never negative
    balance: int = 0
    created_at: datetime = _instant()
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")


class CredentialCard(SQLModel, table=True):
    """One printing cycle of a card that carries an initial password (貿易登録証, 署名登録証).

    The plaintext is kept encrypted, with a key that is not in the database, only while the first-day rule
    needs it; ``secret`` becomes NULL for good when that day is over (or after 30 days unprinted).
    """

    __tablename__ = "credential_cards"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    kind: str = Field(max_length=32)
    secret: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    issued_at: datetime = _instant()
    first_printed_at: datetime | None = _instant(nullable=True)
    last_printed_at: datetime | None = _instant(nullable=True)
    print_count: int = 0
    destroyed_at: datetime | None = _instant(nullable=True)
    # a newer cycle (a reset) replaces this one
    superseded: bool = False


class ReviewItem(SQLModel, table=True):
    """One item in the chamber's review queue: a change or renewal request today; signer additions and
    certificate applications join it with their own kinds."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("chamber_id", "reference", name="uq_review_items_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    registration_id: int = Field(foreign_key="registrations.id", index=True)
    reference: str = Field(max_length=32)
    kind: str = Field(max_length=32, index=True)
    status: str = Field(max_length=16, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str | None = Field(default=None, max_length=1000)
    submitted_at: datetime = _instant()
    submitted_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    decided_at: datetime | None = _instant(nullable=True)
    decided_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")


class Signer(SQLModel, table=True):
    """A signer (署名者) of a company: reviewed by the chamber; gets a user ID at the first card print."""

    __tablename__ = "signers"
    __table_args__ = (UniqueConstraint("chamber_id", "reference", name="uq_signers_reference"),)

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    registration_id: int = Field(foreign_key="registrations.id", index=True)
    reference: str = Field(max_length=16)
    name: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    title: str = Field(max_length=100)
    title_en: str = Field(max_length=100)
    birth_date: date | None = None
    address: str | None = Field(default=None, max_length=300)
    address_en: str | None = Field(default=None, max_length=300)
    signature_png: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(max_length=16, index=True)
    status_reason: str | None = Field(default=None, max_length=1000)
    # why the company needs more than fifteen signers, when it does
    excess_reason: str | None = Field(default=None, max_length=1000)
    account_id: int | None = Field(default=None, foreign_key="accounts.id")
    created_at: datetime = _instant()
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    approved_at: datetime | None = _instant(nullable=True)
    removed_at: datetime | None = _instant(nullable=True)


class Application(SQLModel, table=True):
    """An application for a certificate, and once issued, the certificate itself."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("chamber_id", "reference", name="uq_applications_reference"),
        UniqueConstraint("chamber_id", "reception_number", name="uq_applications_reception"),
        UniqueConstraint("chamber_id", "certificate_number", name="uq_applications_certificate"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    registration_id: int = Field(foreign_key="registrations.id", index=True)
    reference: str = Field(max_length=16)
    reception_number: str | None = Field(default=None, max_length=20)
    type: str = Field(max_length=16)
    status: str = Field(max_length=16, index=True)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    copies: int = 0
    destination_country: str = Field(max_length=2)
    signer_id: int = Field(foreign_key="signers.id", index=True)
    applicant_account_id: int = Field(foreign_key="accounts.id", index=True)
    reason: str | None = Field(default=None, max_length=1000)
    fee: int | None = None
    fee_tax_rate: int | None = None  # per cent, 0 = not taxable; fixed with the fee at approval
    created_at: datetime = _instant(index=True)
    submitted_at: datetime | None = _instant(nullable=True)
    decided_at: datetime | None = _instant(nullable=True)
    paid_at: datetime | None = _instant(nullable=True)
    issued_at: datetime | None = _instant(nullable=True)
    cancelled_at: datetime | None = _instant(nullable=True)
    certificate_number: str | None = Field(default=None, max_length=24, index=True)
    access_code: str | None = Field(default=None, max_length=16)
    print_count: int = 0
    last_printed_at: datetime | None = _instant(nullable=True)


class Payment(SQLModel, table=True):
    """One payment of one application: the unique application_id means it is never charged twice."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("chamber_id", "receipt_number", name="uq_payments_receipt"),)

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    application_id: int = Field(foreign_key="applications.id", unique=True)
    method: str = Field(max_length=16)
    reference: str | None = Field(default=None, max_length=100)
    amount: int
    receipt_number: str = Field(max_length=24)
    paid_at: datetime = _instant()
    paid_by_account_id: int = Field(foreign_key="accounts.id")


class Fee(SQLModel, table=True):
    """The chamber's fee table: per application and per extra copy, by type and membership."""

    __tablename__ = "fees"

    chamber_id: int = Field(foreign_key="chambers.id", primary_key=True)
    type: str = Field(max_length=16, primary_key=True)
    member: bool = Field(primary_key=True)
    per_application: int
    per_copy: int
    tax_rate: int = 10  # per cent, 0 = not taxable (domain.qualified_invoices)


class CardCheckout(SQLModel, table=True):
    """One payment session at the provider's hosted checkout, for one approved application's fee."""

    __tablename__ = "card_checkouts"

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    session_id: str = Field(max_length=64, unique=True, index=True)
    amount: int
    currency: str = Field(max_length=3)
    status: str = Field(max_length=16)  # open, paid, superseded (a newer session was started)
    created_at: datetime = _instant()
    created_by_account_id: int = Field(foreign_key="accounts.id")
    paid_at: datetime | None = _instant(nullable=True)


class PaymentNotification(SQLModel, table=True):
    """A notification the provider signed, kept by its event ID: the same event is never acted on twice."""

    __tablename__ = "payment_notifications"
    __table_args__ = (UniqueConstraint("chamber_id", "event_id", name="uq_payment_notifications_event"),)

    id: int | None = Field(default=None, primary_key=True)
    chamber_id: int = Field(foreign_key="chambers.id", index=True)
    event_id: str = Field(max_length=100)
    session_id: str = Field(max_length=100)
    outcome: str = Field(max_length=24)
    received_at: datetime = _instant()
