"""LocalBackend: the services in-process, on a database URL (an embedded SQLite file by default)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any

from shomei_cli.domain.clock import DEFAULT_TIME_ZONE, Clock
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
    NewChamber,
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
from shomei_cli.services import api, chambers
from shomei_cli.services.cards import purge_spent
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import PasswordHashing
from shomei_cli.services.throttle import LOCAL_ADDRESS, LoginClient
from shomei_cli.store.engine import make_engine
from shomei_cli.store.schema import upgrade


class LocalBackend:
    """Runs every call through the services on the store at ``database_url``."""

    def __init__(
        self,
        database_url: str,
        token: str | None = None,
        *,
        clock: Clock | None = None,
        hashing: PasswordHashing | None = None,
        secret_key: bytes | None = None,
        core: Core | None = None,
    ) -> None:
        self.database_url = database_url
        self.token = token
        self._clock = clock
        self._hashing = hashing
        self._secret_key = secret_key
        self._owns_core = core is None
        if core is not None:
            self.__dict__["core"] = core

    @cached_property
    def core(self) -> Core:
        core = Core.open(
            self.database_url, clock=self._clock, hashing=self._hashing, secret_key=self._secret_key
        )
        purge_spent(core)  # secrets whose day is over go now, whatever the command
        return core

    # -- session ---------------------------------------------------------------------------------

    def login(
        self, chamber_code: str, login_id: str, password: str, device_token: str | None = None
    ) -> LoginResult:
        client = LoginClient(LOCAL_ADDRESS, device_token)
        result = api.login(self.core, chamber_code, login_id, password, client)
        self.token = result.token
        return result

    def logout(self) -> None:
        api.logout(self.core, self.token)

    def whoami(self) -> Identity:
        return api.whoami(self.core, self.token)

    def change_password(self, current: str, new: str) -> None:
        api.change_password(self.core, self.token, current, new)

    # -- the chamber -------------------------------------------------------------------------------

    def add_staff(self, name: str, email: str | None) -> NewAccount:
        return api.add_staff(self.core, self.token, name, email)

    def list_staff(self) -> list[AccountSummary]:
        return api.list_staff(self.core, self.token)

    def reset_staff_password(self, login_id: str, password: str | None) -> NewAccount:
        return api.reset_staff_password(self.core, self.token, login_id, password)

    def set_staff_enabled(self, login_id: str, enabled: bool) -> AccountSummary:
        return api.set_staff_enabled(self.core, self.token, login_id, enabled)

    def unlock(self, role: str, ref: str) -> AccountSummary:
        return api.unlock(self.core, self.token, role, ref)

    def audit(self, query: AuditQuery) -> list[AuditEntry]:
        return api.list_audit(self.core, self.token, query)

    def list_reviews(
        self,
        kind: str | None,
        status: str | None,
        company: str | None = None,
        older_than_hours: int | None = None,
    ) -> list[ReviewEntry]:
        return api.list_reviews(self.core, self.token, kind, status, company, older_than_hours)

    def show_review(self, reference: str) -> ReviewDossier:
        return api.show_review(self.core, self.token, reference)

    def decide_review(self, reference: str, decision: str, reason: str | None) -> ReviewEntry:
        return api.decide_review(self.core, self.token, reference, decision, reason)

    # -- registrations ---------------------------------------------------------------------------------

    def issue_registrations(self, csv: bytes) -> list[IssuedRegistration]:
        return api.issue_registrations(self.core, self.token, csv)

    def issue_registration(self, fields: dict[str, str]) -> IssuedRegistration:
        return api.issue_registration(self.core, self.token, fields)

    def list_registrations(self, query: RegistrationQuery) -> list[RegistrationSummary]:
        return api.list_registrations(self.core, self.token, query)

    def show_registration(self, number: str | None) -> RegistrationView:
        return api.show_registration(self.core, self.token, number)

    def print_registration_cards(
        self, numbers: Sequence[str | None], pending: bool = False
    ) -> list[CardPrint]:
        return api.print_registration_cards(self.core, self.token, numbers, pending)

    def reset_admin_password(self, number: str) -> RegistrationView:
        return api.reset_admin_password(self.core, self.token, number)

    def set_registration_suspended(
        self, number: str, suspended: bool, reason: str | None
    ) -> RegistrationView:
        return api.set_registration_suspended(self.core, self.token, number, suspended, reason)

    def change_contact(self, fields: dict[str, str]) -> RegistrationView:
        return api.change_contact(self.core, self.token, fields)

    def request_change(self, fields: dict[str, str]) -> ReviewEntry:
        return api.request_change(self.core, self.token, fields)

    def request_renewal(self) -> ReviewEntry:
        return api.request_renewal(self.core, self.token)

    # -- signers and sub IDs -----------------------------------------------------------------------------

    def add_signer(self, fields: dict[str, str | None], signature: bytes, reason: str | None) -> SignerView:
        return api.add_signer(self.core, self.token, fields, signature, reason)

    def import_signers(self, csv: bytes, signatures: dict[str, bytes]) -> list[SignerImport]:
        return api.import_signers(self.core, self.token, csv, signatures)

    def list_signers(self, registration: str | None) -> list[SignerView]:
        return api.list_signers(self.core, self.token, registration)

    def show_signer(self, ref: str) -> SignerView:
        return api.show_signer(self.core, self.token, ref)

    def update_signer(self, ref: str, fields: dict[str, str | None], signature: bytes | None) -> SignerView:
        return api.update_signer(self.core, self.token, ref, fields, signature)

    def suspend_signer(self, ref: str, reason: str | None) -> SignerView:
        return api.suspend_signer(self.core, self.token, ref, reason)

    def resume_signer(self, ref: str) -> SignerView:
        return api.resume_signer(self.core, self.token, ref)

    def remove_signer(self, ref: str) -> SignerView:
        return api.remove_signer(self.core, self.token, ref)

    def print_signer_cards(self, refs: Sequence[str], pending: bool = False) -> list[CardPrint]:
        return api.print_signer_cards(self.core, self.token, refs, pending)

    def confirm_card_prints(self, kind: str, refs: Sequence[str]) -> None:
        api.confirm_card_prints(self.core, self.token, kind, refs)

    def reset_signer_password(self, user_id: str, password: str | None) -> SignerView:
        return api.reset_signer_password(self.core, self.token, user_id, password)

    def add_sub(self, name: str, email: str | None) -> NewAccount:
        return api.add_sub(self.core, self.token, name, email)

    def list_subs(self) -> list[SubIdView]:
        return api.list_subs(self.core, self.token)

    def show_sub(self, login_id: str) -> SubIdView:
        return api.show_sub(self.core, self.token, login_id)

    def update_sub(self, login_id: str, name: str | None, email: str | None) -> SubIdView:
        return api.update_sub(self.core, self.token, login_id, name, email)

    def remove_sub(self, login_id: str) -> SubIdView:
        return api.remove_sub(self.core, self.token, login_id)

    def reset_sub_password(self, login_id: str) -> NewAccount:
        return api.reset_sub_password(self.core, self.token, login_id)

    # -- applications and certificates ---------------------------------------------------------------

    def apply(
        self, kind: str, content: dict[str, Any], attachment: bytes | None, draft: bool
    ) -> ApplicationView:
        return api.apply(self.core, self.token, kind, content, attachment, draft)

    def application_content(self, ref: str) -> tuple[str, dict[str, Any]]:
        return api.application_content(self.core, self.token, ref)

    def amend_application(
        self, ref: str, content: dict[str, Any], attachment: bytes | None
    ) -> ApplicationView:
        return api.amend_application(self.core, self.token, ref, content, attachment)

    def submit_application(self, ref: str) -> ApplicationView:
        return api.submit_application(self.core, self.token, ref)

    def cancel_application(self, ref: str) -> ApplicationView:
        return api.cancel_application(self.core, self.token, ref)

    def cancel_certificate(self, ref: str, reason: str) -> ApplicationView:
        return api.cancel_certificate(self.core, self.token, ref, reason)

    def list_applications(self, query: ApplicationQuery) -> list[ApplicationSummary]:
        return api.list_applications(self.core, self.token, query)

    def stream_applications(self, query: ApplicationQuery) -> Iterator[ApplicationSummary]:
        return api.stream_applications(self.core, self.token, query)

    def stream_application_rows(self, query: ApplicationQuery) -> Iterator[list[dict[str, Any]]]:
        return api.stream_application_rows(self.core, self.token, query)

    def show_application(self, ref: str) -> ApplicationView:
        return api.show_application(self.core, self.token, ref)

    def pay_application(self, ref: str, method: str, reference: str | None) -> PaymentView:
        return api.pay_application(self.core, self.token, ref, method, reference)

    def confirm_payment(self, ref: str, method: str, reference: str) -> PaymentView:
        return api.confirm_payment(self.core, self.token, ref, method, reference)

    def print_certificate(self, ref: str) -> DocumentFile:
        return api.print_certificate(self.core, self.token, ref)

    def print_certificates(self, refs: Sequence[str]) -> list[DocumentFile]:
        return api.print_certificates(self.core, self.token, refs)

    def receipt(self, ref: str) -> DocumentFile:
        return api.receipt(self.core, self.token, ref)

    def receipts(self, refs: Sequence[str]) -> list[DocumentFile]:
        return api.receipts(self.core, self.token, refs)

    def verify(self, number: str, code: str) -> Verification:
        return api.verify(self.core, number, code)

    def fees(self) -> list[FeeRow]:
        return api.fees(self.core, self.token)

    def set_fee(
        self, kind: str, member: bool, per_application: int, per_copy: int, tax_rate: int | None = None
    ) -> list[FeeRow]:
        return api.set_fee(self.core, self.token, kind, member, per_application, per_copy, tax_rate)

    def topup(self, registration: str, amount: int) -> int:
        return api.topup(self.core, self.token, registration, amount)

    def balance(self) -> int:
        return api.balance(self.core, self.token)

    def chamber_settings(self, verification_url: str | None) -> str | None:
        return api.chamber_settings(self.core, self.token, verification_url)

    def chamber_profile(self) -> ChamberProfile:
        return api.chamber_profile(self.core, self.token)

    def set_chamber_profile(
        self,
        address: str | None,
        address_en: str | None,
        place: str | None,
        invoice_registration_number: str | None,
    ) -> ChamberProfile:
        return api.set_chamber_profile(
            self.core, self.token, address, address_en, place, invoice_registration_number
        )

    def set_chamber_seal(self, image: bytes) -> ChamberProfile:
        return api.set_chamber_seal(self.core, self.token, image)

    def set_chamber_officer(self, name: str, title: str, signature: bytes) -> ChamberProfile:
        return api.set_chamber_officer(self.core, self.token, name, title, signature)

    def verify_document(self, pdf: bytes) -> DocumentVerification:
        return api.verify_document(self.core, pdf)

    def verification_kit(self, chamber: str | None = None) -> VerificationKit:
        return api.verification_kit(self.core, chamber)

    def signing_keys(self) -> list[SigningKeyVersion]:
        return api.signing_keys(self.core, self.token)

    def rotate_signing_key(self) -> list[SigningKeyVersion]:
        return api.rotate_signing_key(self.core, self.token)

    def import_signing_key(self, pkcs12: bytes, password: str | None) -> list[SigningKeyVersion]:
        return api.import_signing_key(self.core, self.token, pkcs12, password)

    def timestamp_authority(
        self, url: str | None = None, root_pem: str | None = None, clear: bool = False
    ) -> TimestampAuthority:
        return api.timestamp_authority(self.core, self.token, url, root_pem, clear)

    def payment_provider(self) -> PaymentProviderSettings:
        return api.payment_provider(self.core, self.token)

    def set_payment_provider(self, checkout_url: str | None, secret: str | None) -> PaymentProviderSettings:
        return api.set_payment_provider(self.core, self.token, checkout_url, secret)

    def start_card_payment(self, ref: str) -> CardCheckoutView:
        return api.start_card_payment(self.core, self.token, ref)

    def payment_notification(self, body: bytes, signature: str | None) -> NotificationResult:
        return api.payment_notification(self.core, body, signature)

    # -- the store's own host only -------------------------------------------------------------------

    def init_chamber(
        self,
        code: str,
        name: str,
        name_en: str | None,
        time_zone: str = DEFAULT_TIME_ZONE,
        staff_name: str = "First staff",
    ) -> NewChamber:
        """Create a chamber and its first staff ID; needs direct access to the store, not a session."""
        return chambers.init_chamber(self.core, code, name, name_en, time_zone, staff_name)

    def close(self) -> None:
        if self._owns_core and "core" in self.__dict__:
            self.core.close()


def upgrade_store(database_url: str) -> tuple[str | None, str]:
    """``shomei db upgrade``: bring the store at ``database_url`` to the current schema."""
    engine = make_engine(database_url)
    try:
        return upgrade(engine)
    finally:
        engine.dispose()
