"""The Backend protocol: every operation the CLI can ask of shomei, local or remote alike.

A backend carries the caller's session token (if any). Implementations: ``LocalBackend`` runs the services
in-process on a database URL; ``RemoteBackend`` sends the same calls to a ``shomei serve`` server.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from shomei_cli.domain.records import (
    AccountSummary,
    ApplicationQuery,
    ApplicationSummary,
    ApplicationView,
    AuditEntry,
    AuditQuery,
    CardCheckoutView,
    CardPrint,
    ChamberProfile,
    DocumentFile,
    DocumentVerification,
    FeeRow,
    Identity,
    IssuedRegistration,
    LoginResult,
    NewAccount,
    NotificationResult,
    PaymentProviderSettings,
    PaymentView,
    RegistrationQuery,
    RegistrationSummary,
    RegistrationView,
    ReviewDossier,
    ReviewEntry,
    SignerImport,
    SignerView,
    SigningKeyVersion,
    SubIdView,
    TimestampAuthority,
    Verification,
    VerificationKit,
)


class Backend(Protocol):
    def login(
        self, chamber_code: str, login_id: str, password: str, device_token: str | None = None
    ) -> LoginResult:
        """Start a session; the result carries the token and a device token, which the caller keeps (the
        device token, sent with later logins of the ID, keeps failures from elsewhere from locking it out)."""
        ...

    def logout(self) -> None:
        """End the current session."""
        ...

    def whoami(self) -> Identity:
        """Who the current session belongs to (works while the password is still temporary)."""
        ...

    def change_password(self, current: str, new: str) -> None:
        """Change the current ID's own password."""
        ...

    def add_staff(self, name: str, email: str | None) -> NewAccount:
        """Create a staff ID in the caller's chamber (staff only)."""
        ...

    def list_staff(self) -> list[AccountSummary]:
        """The staff IDs of the caller's chamber (staff only)."""
        ...

    def reset_staff_password(self, login_id: str, password: str | None) -> NewAccount:
        """A temporary password for another staff ID: the one given, or (None) a random one shown once in the
        result; its sessions end (staff only)."""
        ...

    def set_staff_enabled(self, login_id: str, enabled: bool) -> AccountSummary:
        """Disable a staff ID, ending its sessions (never the chamber's last enabled one), or enable it."""
        ...

    def unlock(self, role: str, ref: str) -> AccountSummary:
        """Lift the lock on an ID of ``role`` (staff, admin, signer, sub): staff unlock staff and
        administrator IDs (an administrator ID also by its registration number), administrators their user
        IDs, signers their sub IDs."""
        ...

    def audit(self, query: AuditQuery) -> list[AuditEntry]:
        """The audit trail within the caller's reach, newest first."""
        ...

    def list_reviews(
        self,
        kind: str | None,
        status: str | None,
        company: str | None = None,
        older_than_hours: int | None = None,
    ) -> list[ReviewEntry]:
        """The chamber's review queue (staff): by kind, status, company, and age."""
        ...

    def show_review(self, reference: str) -> ReviewDossier:
        """Everything one decision rests on: particulars, files, changes since a return (staff)."""
        ...

    def decide_review(self, reference: str, decision: str, reason: str | None) -> ReviewEntry:
        """Approve, return or reject one review item (staff)."""
        ...

    def issue_registrations(self, csv: bytes) -> list[IssuedRegistration]:
        """Create registrations and administrator IDs from a CSV file: all rows or none (staff)."""
        ...

    def issue_registration(self, fields: dict[str, str]) -> IssuedRegistration:
        """Create one registration and its administrator ID (staff)."""
        ...

    def list_registrations(self, query: RegistrationQuery) -> list[RegistrationSummary]:
        """The chamber's registrations (staff)."""
        ...

    def show_registration(self, number: str | None) -> RegistrationView:
        """A registration (staff: any in the chamber; others: their own, with None)."""
        ...

    def print_registration_cards(
        self, numbers: Sequence[str | None], pending: bool = False
    ) -> list[CardPrint]:
        """Print 貿易登録証 cards under the first-day rule (staff; administrators their own). ``pending``:
        the print counts as the first only once ``confirm_card_prints`` says its file was written."""
        ...

    def reset_admin_password(self, number: str) -> RegistrationView:
        """A new initial password for the administrator ID (staff)."""
        ...

    def set_registration_suspended(
        self, number: str, suspended: bool, reason: str | None
    ) -> RegistrationView:
        """Suspend or reinstate a registration (staff)."""
        ...

    def change_contact(self, fields: dict[str, str]) -> RegistrationView:
        """Change the company's contact details at once (administrator)."""
        ...

    def request_change(self, fields: dict[str, str]) -> ReviewEntry:
        """Request a change of the registered particulars (administrator)."""
        ...

    def request_renewal(self) -> ReviewEntry:
        """Request a renewal of the registration (administrator)."""
        ...

    def add_signer(self, fields: dict[str, str | None], signature: bytes, reason: str | None) -> SignerView:
        """Register a signer, pending the chamber's review (administrator)."""
        ...

    def import_signers(self, csv: bytes, signatures: dict[str, bytes]) -> list[SignerImport]:
        """Register many signers: every row or none (administrator)."""
        ...

    def list_signers(self, registration: str | None) -> list[SignerView]:
        """The company's signers (staff name the registration)."""
        ...

    def show_signer(self, ref: str) -> SignerView:
        """One signer, by reference (SG…) or user ID (U…)."""
        ...

    def update_signer(self, ref: str, fields: dict[str, str | None], signature: bytes | None) -> SignerView:
        """Change a signer's particulars (at once) or signature (reviewed again) (administrator)."""
        ...

    def suspend_signer(self, ref: str, reason: str | None) -> SignerView:
        """Suspend a signer: its user ID and sub IDs stop working until resumed (administrator)."""
        ...

    def resume_signer(self, ref: str) -> SignerView:
        """Resume a suspended signer: the IDs stopped with it work again (administrator)."""
        ...

    def remove_signer(self, ref: str) -> SignerView:
        """Remove a signer; its user ID and sub IDs are disabled (administrator)."""
        ...

    def print_signer_cards(self, refs: Sequence[str], pending: bool = False) -> list[CardPrint]:
        """Print 署名登録証 cards; the first print issues the user ID (administrator). ``pending`` as for
        ``print_registration_cards``."""
        ...

    def confirm_card_prints(self, kind: str, refs: Sequence[str]) -> None:
        """The files of pending prints are durably written, so they count as printed: ``kind``
        registration_card (registration numbers) or signer_card (signer references or user IDs)."""
        ...

    def reset_signer_password(self, user_id: str, password: str | None) -> SignerView:
        """A temporary password: the given one, or (None) a generated one shown by the next card."""
        ...

    def add_sub(self, name: str, email: str | None) -> NewAccount:
        """A sub ID for one of the signer's staff (signer)."""
        ...

    def list_subs(self) -> list[SubIdView]:
        """The signer's own sub IDs."""
        ...

    def show_sub(self, login_id: str) -> SubIdView:
        """One of the signer's sub IDs."""
        ...

    def update_sub(self, login_id: str, name: str | None, email: str | None) -> SubIdView:
        """Change a sub ID's name or email."""
        ...

    def remove_sub(self, login_id: str) -> SubIdView:
        """Disable a sub ID."""
        ...

    def reset_sub_password(self, login_id: str) -> NewAccount:
        """A new temporary password for a sub ID, shown once."""
        ...

    def apply(
        self, kind: str, content: dict[str, Any], attachment: bytes | None, draft: bool
    ) -> ApplicationView:
        """Create (and unless ``draft``, submit) an application."""
        ...

    def application_content(self, ref: str) -> tuple[str, dict[str, Any]]:
        """The type and content of a past application (to start from)."""
        ...

    def amend_application(
        self, ref: str, content: dict[str, Any], attachment: bytes | None
    ) -> ApplicationView:
        """Replace a draft's or returned application's content."""
        ...

    def submit_application(self, ref: str) -> ApplicationView:
        """Submit (or resubmit) to the chamber's review."""
        ...

    def cancel_application(self, ref: str) -> ApplicationView:
        """Withdraw before approval."""
        ...

    def cancel_certificate(self, ref: str, reason: str) -> ApplicationView:
        """Staff: revoke an issued certificate; verification answers "cancelled" from then on."""
        ...

    def list_applications(self, query: ApplicationQuery) -> list[ApplicationSummary]:
        """History within the caller's reach, newest first: one page of at most ``query.limit``."""
        ...

    def stream_applications(self, query: ApplicationQuery) -> Iterator[ApplicationSummary]:
        """The same history as it is read, however long (``query.limit`` 0: all), in bounded memory."""
        ...

    def stream_application_rows(self, query: ApplicationQuery) -> Iterator[list[dict[str, Any]]]:
        """The same history in batches of rows in the JSON form of ApplicationSummary (records.to_dict),
        with no record made per row: for --json and --csv."""
        ...

    def show_application(self, ref: str) -> ApplicationView:
        """One application."""
        ...

    def pay_application(self, ref: str, method: str, reference: str | None) -> PaymentView:
        """Pay an approved application; paying issues the certificate."""
        ...

    def confirm_payment(self, ref: str, method: str, reference: str) -> PaymentView:
        """Staff: record a payment received outside (transfer or counter); issues the certificate."""
        ...

    def print_certificate(self, ref: str) -> DocumentFile:
        """The certificate PDF (ORIGINAL and COPY pages), within 14 days of issuance."""
        ...

    def print_certificates(self, refs: Sequence[str]) -> list[DocumentFile]:
        """Several certificate PDFs at once (at most 100), in order; all or nothing."""
        ...

    def receipt(self, ref: str) -> DocumentFile:
        """The receipt PDF of a payment."""
        ...

    def receipts(self, refs: Sequence[str]) -> list[DocumentFile]:
        """Several receipt PDFs at once (at most 100), in order."""
        ...

    def verify(self, number: str, code: str) -> Verification:
        """Is a certificate genuine? (no session needed)"""
        ...

    def fees(self) -> list[FeeRow]:
        """The chamber's fee table (staff)."""
        ...

    def set_fee(
        self, kind: str, member: bool, per_application: int, per_copy: int, tax_rate: int | None = None
    ) -> list[FeeRow]:
        """Change one row of the fee table (staff); ``tax_rate`` per cent, 0 not taxable, None as it was."""
        ...

    def topup(self, registration: str, amount: int) -> int:
        """Credit a company's prepaid balance (staff); returns the new balance."""
        ...

    def balance(self) -> int:
        """The caller's company's prepaid balance."""
        ...

    def chamber_settings(self, verification_url: str | None) -> str | None:
        """Read (None) or set the verification URL printed as a QR code (staff)."""
        ...

    def chamber_profile(self) -> ChamberProfile:
        """The chamber's identity on paper: address, place, registration number, seal, officer (staff)."""
        ...

    def set_chamber_profile(
        self,
        address: str | None,
        address_en: str | None,
        place: str | None,
        invoice_registration_number: str | None,
    ) -> ChamberProfile:
        """Change the address, place of issue or registration number: None unchanged, "" cleared (staff)."""
        ...

    def set_chamber_seal(self, image: bytes) -> ChamberProfile:
        """A new version of the chamber's seal (印影), a PNG or JPEG image (staff)."""
        ...

    def set_chamber_officer(self, name: str, title: str, signature: bytes) -> ChamberProfile:
        """A new version of the authorized officer: name, title, signature image (staff)."""
        ...

    def verify_document(self, pdf: bytes) -> DocumentVerification:
        """A signed PDF checked against the chamber's kit, with the certificate's status (no session)."""
        ...

    def verification_kit(self, chamber: str | None = None) -> VerificationKit:
        """The roots to check the chamber's signed documents offline (no session needed)."""
        ...

    def signing_keys(self) -> list[SigningKeyVersion]:
        """The versions of the chamber's signing key, the last in force (staff)."""
        ...

    def rotate_signing_key(self) -> list[SigningKeyVersion]:
        """A new signing key and certificate; documents signed before stay valid (staff)."""
        ...

    def import_signing_key(self, pkcs12: bytes, password: str | None) -> list[SigningKeyVersion]:
        """Sign from now on with a PKCS#12 key and chain, e.g. from a public CA (staff)."""
        ...

    def timestamp_authority(
        self, url: str | None = None, root_pem: str | None = None, clear: bool = False
    ) -> TimestampAuthority:
        """Read, set (with the root its tokens chain to) or clear the timestamp authority (staff)."""
        ...

    def payment_provider(self) -> PaymentProviderSettings:
        """The card payment provider's checkout page, and whether its secret is set (staff)."""
        ...

    def set_payment_provider(self, checkout_url: str | None, secret: str | None) -> PaymentProviderSettings:
        """Set both, or clear both: card payments off (staff)."""
        ...

    def start_card_payment(self, ref: str) -> CardCheckoutView:
        """A payment session at the provider's page for an approved application (signers, sub IDs)."""
        ...

    def payment_notification(self, body: bytes, signature: str | None) -> NotificationResult:
        """The provider's notification, its raw body and its signature header (no session)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
