"""The operations behind the ``Backend`` interface, each from a bearer token to a record.

``LocalBackend`` calls these in-process; the server's routes call the very same functions,
so the two ways in can only differ in transport. Which operations work while the password is still temporary
is decided here, once; so is the auditing of refused looks at other tenants' records.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Sequence
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from shomei_cli.domain.errors import InvalidInput, NotFound, WrongState
from shomei_cli.domain.permissions import Role
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
from shomei_cli.domain.validation import unstorable
from shomei_cli.i18n import _
from shomei_cli.services import (
    applications,
    audit,
    auth,
    cards,
    chamber_keys,
    chambers,
    identity,
    payments,
    registrations,
    review,
    signers,
    subids,
    verification,
)
from shomei_cli.services.audit import Actor, HiddenRecord, RefusedInState, record_refusal
from shomei_cli.services.core import Core
from shomei_cli.services.throttle import LoginClient

P = ParamSpec("P")
R = TypeVar("R")


def _audited(operation: Callable[P, R]) -> Callable[P, R]:
    @wraps(operation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return operation(*args, **kwargs)
        except HiddenRecord as refused:
            core = args[0]
            assert isinstance(core, Core)
            record_refusal(core, refused)
            # callers see a plain NotFound, exactly as over HTTP
            raise NotFound(refused.message) from None
        except RefusedInState as refused:
            core = args[0]
            assert isinstance(core, Core)
            record_refusal(core, refused)
            raise WrongState(refused.message) from None

    return wrapper


# parameters that name a record: a reference, an ID, a number (never free text)
# (not a login's ID or chamber code: an over-long one fails as any wrong credential does, no oracle)
_IDENTIFIERS = frozenset({"ref", "refs", "number", "numbers", "user_id", "registration", "code"})


def _storable_input(operation: Callable[P, R]) -> Callable[P, R]:
    """Refuse, as invalid input naming the parameter, text that no column can hold, before the operation
    looks anything up or audits anything: NUL bytes, unpaired surrogates, over-long references."""
    signature = inspect.signature(operation)

    @wraps(operation)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        given = signature.bind_partial(*args, **kwargs).arguments
        errors = [
            error
            for name, value in given.items()
            if name != "core"
            for error in unstorable(name, value, identifier=name in _IDENTIFIERS)
        ]
        if errors:
            raise InvalidInput.of(errors)
        return operation(*args, **kwargs)

    return wrapper


def _actor(core: Core, token: str | None) -> Actor:
    return auth.authenticate(core, token)


def _actor_with_temporary_password(core: Core, token: str | None) -> Actor:
    # only these three work before the first password change: see who you are, change it, or leave
    return auth.authenticate(core, token, allow_temporary_password=True)


# -- sessions ------------------------------------------------------------------------------------


def login(
    core: Core, chamber_code: str, login_id: str, password: str, client: LoginClient | None = None
) -> LoginResult:
    """Start a session; ends any other session of the same ID. ``client``: where from (limits)."""
    return auth.login(core, chamber_code, login_id, password, client)


def logout(core: Core, token: str | None) -> None:
    """End the session behind ``token``."""
    auth.logout(core, _actor_with_temporary_password(core, token))


def whoami(core: Core, token: str | None) -> Identity:
    """Who the session belongs to."""
    return auth.identity(core, _actor_with_temporary_password(core, token))


def change_password(core: Core, token: str | None, current: str, new: str) -> None:
    """Change the session's own password."""
    auth.change_password(core, _actor_with_temporary_password(core, token), current, new)


# -- the chamber -----------------------------------------------------------------------------------


def add_staff(core: Core, token: str | None, name: str, email: str | None) -> NewAccount:
    """Create a staff ID in the caller's chamber."""
    return chambers.add_staff(core, _actor(core, token), name, email)


def list_staff(core: Core, token: str | None) -> list[AccountSummary]:
    """The staff IDs of the caller's chamber."""
    return chambers.list_staff(core, _actor(core, token))


def reset_staff_password(core: Core, token: str | None, login_id: str, password: str | None) -> NewAccount:
    """A temporary password for another staff ID (None: a random one, in the result only)."""
    return chambers.reset_staff_password(core, _actor(core, token), login_id, password)


def set_staff_enabled(core: Core, token: str | None, login_id: str, enabled: bool) -> AccountSummary:
    """Disable (never the last enabled) or enable a staff ID."""
    return chambers.set_staff_enabled(core, _actor(core, token), login_id, enabled)


@_audited
def unlock(core: Core, token: str | None, role: str, ref: str) -> AccountSummary:
    """Lift the lock on an ID of ``role`` (staff, admin, signer, sub) within the caller's reach."""
    return auth.unlock(core, _actor(core, token), _role(role), ref)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput.single("role", _("must be one of staff, admin, signer, sub")) from None


def list_audit(core: Core, token: str | None, query: AuditQuery) -> list[AuditEntry]:
    """The audit trail within the caller's reach."""
    return audit.list_events(core, _actor(core, token), query)


def list_reviews(
    core: Core,
    token: str | None,
    kind: str | None,
    status: str | None,
    company: str | None = None,
    older_than_hours: int | None = None,
) -> list[ReviewEntry]:
    """The review queue (staff)."""
    return review.list_items(core, _actor(core, token), kind, status, company, older_than_hours)


def show_review(core: Core, token: str | None, reference: str) -> ReviewDossier:
    """Everything one review decision rests on, files included (staff)."""
    return review.show(core, _actor(core, token), reference)


@_audited
def decide_review(
    core: Core, token: str | None, reference: str, decision: str, reason: str | None
) -> ReviewEntry:
    """Approve, return or reject one review item (staff)."""
    return review.decide(core, _actor(core, token), reference, decision, reason)


# -- registrations ---------------------------------------------------------------------------------


def issue_registrations(core: Core, token: str | None, csv: bytes) -> list[IssuedRegistration]:
    """Create registrations and their administrator IDs from a CSV file (all or nothing)."""
    return registrations.issue_from_csv(core, _actor(core, token), csv)


def issue_registration(core: Core, token: str | None, fields: dict[str, str]) -> IssuedRegistration:
    """Create one registration from named fields."""
    return registrations.issue_one(core, _actor(core, token), fields)


def list_registrations(core: Core, token: str | None, query: RegistrationQuery) -> list[RegistrationSummary]:
    """The chamber's registrations (staff)."""
    return registrations.list_registrations(core, _actor(core, token), query)


@_audited
def show_registration(core: Core, token: str | None, number: str | None) -> RegistrationView:
    """A registration's particulars, validity and administrator."""
    return registrations.show_registration(core, _actor(core, token), number)


@_audited
def print_registration_cards(
    core: Core, token: str | None, numbers: Sequence[str | None], pending: bool = False
) -> list[CardPrint]:
    """Print 貿易登録証 cards under the first-day rule (``pending``: counted once confirmed written)."""
    return registrations.print_cards(core, _actor(core, token), numbers, pending=pending)


@_audited
def reset_admin_password(core: Core, token: str | None, number: str) -> RegistrationView:
    """A new initial password for a registration's administrator ID (staff)."""
    return registrations.reset_admin_password(core, _actor(core, token), number)


@_audited
def set_registration_suspended(
    core: Core, token: str | None, number: str, suspended: bool, reason: str | None
) -> RegistrationView:
    """Suspend or reinstate a registration (staff)."""
    return registrations.set_suspended(core, _actor(core, token), number, suspended, reason)


def change_contact(core: Core, token: str | None, fields: dict[str, str]) -> RegistrationView:
    """Change the company's contact details at once (administrator)."""
    return registrations.change_contact(core, _actor(core, token), fields)


def request_change(core: Core, token: str | None, fields: dict[str, str]) -> ReviewEntry:
    """Request a change of registered particulars (administrator; reviewed)."""
    return registrations.request_change(core, _actor(core, token), fields)


def request_renewal(core: Core, token: str | None) -> ReviewEntry:
    """Request a renewal (administrator; reviewed)."""
    return registrations.request_renewal(core, _actor(core, token))


# -- signers ---------------------------------------------------------------------------------------


def add_signer(
    core: Core, token: str | None, fields: dict[str, str | None], signature: bytes, reason: str | None
) -> SignerView:
    """Register a signer, pending review (administrator)."""
    return signers.add_signer(core, _actor(core, token), fields, signature, reason)


def import_signers(
    core: Core, token: str | None, csv: bytes, signatures: dict[str, bytes]
) -> list[SignerImport]:
    """Register many signers from a CSV file and their images (administrator)."""
    return signers.import_signers(core, _actor(core, token), csv, signatures)


@_audited
def list_signers(core: Core, token: str | None, registration: str | None) -> list[SignerView]:
    """The company's signers."""
    return signers.list_signers(core, _actor(core, token), registration)


@_audited
def show_signer(core: Core, token: str | None, ref: str) -> SignerView:
    """One signer, by reference or user ID."""
    return signers.show_signer(core, _actor(core, token), ref)


@_audited
def update_signer(
    core: Core, token: str | None, ref: str, fields: dict[str, str | None], signature: bytes | None
) -> SignerView:
    """Change a signer's particulars (at once) or signature (reviewed) (administrator)."""
    return signers.update_signer(core, _actor(core, token), ref, fields, signature)


@_audited
def suspend_signer(core: Core, token: str | None, ref: str, reason: str | None) -> SignerView:
    """Suspend a signer: its user ID and sub IDs stop working until resumed (administrator)."""
    return signers.set_signer_suspended(core, _actor(core, token), ref, True, reason)


@_audited
def resume_signer(core: Core, token: str | None, ref: str) -> SignerView:
    """Resume a suspended signer (administrator)."""
    return signers.set_signer_suspended(core, _actor(core, token), ref, False, None)


@_audited
def remove_signer(core: Core, token: str | None, ref: str) -> SignerView:
    """Remove a signer; its user ID and sub IDs are disabled (administrator)."""
    return signers.remove_signer(core, _actor(core, token), ref)


@_audited
def print_signer_cards(
    core: Core, token: str | None, refs: Sequence[str], pending: bool = False
) -> list[CardPrint]:
    """Print 署名登録証 cards; the first print issues the user ID (administrator)."""
    return signers.print_signer_cards(core, _actor(core, token), refs, pending=pending)


@_audited
def confirm_card_prints(core: Core, token: str | None, kind: str, refs: Sequence[str]) -> None:
    """The files of pending card prints are on disk: ``kind`` registration_card (registration numbers) or
    signer_card (signer references or user IDs)."""
    if kind == cards.REGISTRATION_CARD:
        registrations.confirm_cards(core, _actor(core, token), refs)
    elif kind == cards.SIGNER_CARD:
        signers.confirm_signer_cards(core, _actor(core, token), refs)
    else:
        raise InvalidInput.single("kind", _("must be registration_card or signer_card"))


@_audited
def reset_signer_password(core: Core, token: str | None, user_id: str, password: str | None) -> SignerView:
    """A temporary password for a signer's user ID: chosen, or generated with a new card (administrator)."""
    return signers.reset_signer_password(core, _actor(core, token), user_id, password)


# -- sub IDs ---------------------------------------------------------------------------------------


def add_sub(core: Core, token: str | None, name: str, email: str | None) -> NewAccount:
    """A sub ID for one of the signer's staff; its initial password is shown once (signer)."""
    return subids.add_sub(core, _actor(core, token), name, email)


def list_subs(core: Core, token: str | None) -> list[SubIdView]:
    """The signer's own sub IDs."""
    return subids.list_subs(core, _actor(core, token))


@_audited
def show_sub(core: Core, token: str | None, login_id: str) -> SubIdView:
    return subids.show_sub(core, _actor(core, token), login_id)


@_audited
def update_sub(
    core: Core, token: str | None, login_id: str, name: str | None, email: str | None
) -> SubIdView:
    return subids.update_sub(core, _actor(core, token), login_id, name, email)


@_audited
def remove_sub(core: Core, token: str | None, login_id: str) -> SubIdView:
    return subids.remove_sub(core, _actor(core, token), login_id)


@_audited
def reset_sub_password(core: Core, token: str | None, login_id: str) -> NewAccount:
    return subids.reset_sub_password(core, _actor(core, token), login_id)


# -- applications and certificates -------------------------------------------------------------------


def apply(
    core: Core, token: str | None, kind: str, content: dict[str, Any], attachment: bytes | None, draft: bool
) -> ApplicationView:
    """Create (and unless ``draft``, submit) an application (user IDs and sub IDs; never administrators)."""
    return applications.create(core, _actor(core, token), kind, content, attachment, draft)


@_audited
def application_content(core: Core, token: str | None, ref: str) -> tuple[str, dict[str, Any]]:
    """The type and content of a past application, to start a new one from (`cert apply --from`)."""
    return applications.copy_content(core, _actor(core, token), ref)


@_audited
def amend_application(
    core: Core, token: str | None, ref: str, content: dict[str, Any], attachment: bytes | None
) -> ApplicationView:
    return applications.amend(core, _actor(core, token), ref, content, attachment)


@_audited
def submit_application(core: Core, token: str | None, ref: str) -> ApplicationView:
    return applications.submit(core, _actor(core, token), ref)


@_audited
def cancel_application(core: Core, token: str | None, ref: str) -> ApplicationView:
    return applications.cancel(core, _actor(core, token), ref)


@_audited
def cancel_certificate(core: Core, token: str | None, ref: str, reason: str) -> ApplicationView:
    return applications.cancel_certificate(core, _actor(core, token), ref, reason)


def list_applications(core: Core, token: str | None, query: ApplicationQuery) -> list[ApplicationSummary]:
    return applications.list_applications(core, _actor(core, token), query)


def stream_applications(
    core: Core, token: str | None, query: ApplicationQuery
) -> Iterator[ApplicationSummary]:
    return applications.stream_applications(core, _actor(core, token), query)


def application_rows(core: Core, token: str | None, query: ApplicationQuery) -> list[dict[str, Any]]:
    with core.one_read():  # the session check and the page in one transaction
        return applications.application_rows(core, _actor(core, token), query)


def stream_application_rows(
    core: Core, token: str | None, query: ApplicationQuery
) -> Iterator[list[dict[str, Any]]]:
    return applications.stream_application_rows(core, _actor(core, token), query)


@_audited
def show_application(core: Core, token: str | None, ref: str) -> ApplicationView:
    return applications.show(core, _actor(core, token), ref)


@_audited
def pay_application(
    core: Core, token: str | None, ref: str, method: str, reference: str | None
) -> PaymentView:
    return applications.pay(core, _actor(core, token), ref, method, reference)


@_audited
def confirm_payment(core: Core, token: str | None, ref: str, method: str, reference: str) -> PaymentView:
    """Staff: a payment received outside shomei (transfer, counter); issues the certificate."""
    return applications.confirm_payment(core, _actor(core, token), ref, method, reference)


@_audited
def print_certificate(core: Core, token: str | None, ref: str) -> DocumentFile:
    return applications.print_certificate(core, _actor(core, token), ref)


@_audited
def print_certificates(core: Core, token: str | None, refs: Sequence[str]) -> list[DocumentFile]:
    return applications.print_certificates(core, _actor(core, token), refs)


@_audited
def receipt(core: Core, token: str | None, ref: str) -> DocumentFile:
    return applications.receipt(core, _actor(core, token), ref)


@_audited
def receipts(core: Core, token: str | None, refs: Sequence[str]) -> list[DocumentFile]:
    return applications.receipts(core, _actor(core, token), refs)


def verify(core: Core, number: str, code: str) -> Verification:
    """Anyone, without a session."""
    return applications.verify(core, number, code)


def fees(core: Core, token: str | None) -> list[FeeRow]:
    return applications.fees(core, _actor(core, token))


def set_fee(
    core: Core,
    token: str | None,
    kind: str,
    member: bool,
    per_application: int,
    per_copy: int,
    tax_rate: int | None = None,
) -> list[FeeRow]:
    return applications.set_fee(core, _actor(core, token), kind, member, per_application, per_copy, tax_rate)


@_audited
def topup(core: Core, token: str | None, registration: str, amount: int) -> int:
    return applications.topup(core, _actor(core, token), registration, amount)


def balance(core: Core, token: str | None) -> int:
    return applications.balance(core, _actor(core, token))


def chamber_settings(core: Core, token: str | None, verification_url: str | None) -> str | None:
    return applications.settings(core, _actor(core, token), verification_url)


def chamber_profile(core: Core, token: str | None) -> ChamberProfile:
    """The chamber's identity on paper (staff)."""
    return identity.profile(core, _actor(core, token))


def set_chamber_profile(
    core: Core,
    token: str | None,
    address: str | None,
    address_en: str | None,
    place: str | None,
    invoice_registration_number: str | None,
) -> ChamberProfile:
    """Change the chamber's address, place of issue or invoice registration number (staff)."""
    return identity.set_profile(
        core,
        _actor(core, token),
        address=address,
        address_en=address_en,
        place=place,
        invoice_registration_number=invoice_registration_number,
    )


def set_chamber_seal(core: Core, token: str | None, image: bytes) -> ChamberProfile:
    """A new version of the chamber's seal (staff)."""
    return identity.set_seal(core, _actor(core, token), image)


def set_chamber_officer(
    core: Core, token: str | None, name: str, title: str, signature: bytes
) -> ChamberProfile:
    """A new version of the authorized officer (staff)."""
    return identity.set_officer(core, _actor(core, token), name, title, signature)


def verify_document(core: Core, pdf: bytes) -> DocumentVerification:
    """Anyone, without a session: a signed PDF checked against the chamber's kit, with its status here."""
    return verification.verify_document(core, pdf)


def verification_kit(core: Core, chamber: str | None = None) -> VerificationKit:
    """Anyone, without a session: the roots to check the chamber's signed documents offline."""
    return chamber_keys.verification_kit(core, chamber)


def signing_keys(core: Core, token: str | None) -> list[SigningKeyVersion]:
    """The versions of the chamber's signing key (staff)."""
    return chamber_keys.signing_keys(core, _actor(core, token))


def rotate_signing_key(core: Core, token: str | None) -> list[SigningKeyVersion]:
    return chamber_keys.rotate(core, _actor(core, token))


def import_signing_key(
    core: Core, token: str | None, pkcs12: bytes, password: str | None
) -> list[SigningKeyVersion]:
    return chamber_keys.import_pkcs12(core, _actor(core, token), pkcs12, password)


def timestamp_authority(
    core: Core, token: str | None, url: str | None = None, root_pem: str | None = None, clear: bool = False
) -> TimestampAuthority:
    """Read, set or clear the chamber's timestamp authority (staff)."""
    return chamber_keys.timestamp_authority(core, _actor(core, token), url, root_pem, clear)


def payment_provider(core: Core, token: str | None) -> PaymentProviderSettings:
    """The card payment provider's settings (staff); the secret is never shown."""
    return payments.provider(core, _actor(core, token))


def set_payment_provider(
    core: Core, token: str | None, checkout_url: str | None, secret: str | None
) -> PaymentProviderSettings:
    """Set (both) or clear (neither) the provider's checkout page and shared secret (staff)."""
    return payments.set_provider(core, _actor(core, token), checkout_url, secret)


@_audited
def start_card_payment(core: Core, token: str | None, ref: str) -> CardCheckoutView:
    """Start a card payment at the provider's page (the applicant)."""
    return payments.start_checkout(core, _actor(core, token), ref)


def payment_notification(core: Core, body: bytes, signature: str | None) -> NotificationResult:
    """The provider's signed notification (no session)."""
    return payments.notify(core, body, signature)


# Every operation of this module checks its input the same way, whichever way in (in-process or a route).
for _name, _operation in list(globals().items()):
    if inspect.isfunction(_operation) and _operation.__module__ == __name__ and not _name.startswith("_"):
        globals()[_name] = _storable_input(_operation)
