"""The FastAPI application. Routes mirror the Backend methods and stay thin: parse, call ``services.api``,
return. Route functions are plain ``def``, so FastAPI runs them in worker threads: password hashing never
blocks the event loop."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Body, Depends, FastAPI, File, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from shomei_cli import __version__
from shomei_cli.domain.errors import AuthenticationError, InvalidInput, RateLimited, ShomeiError, Unavailable
from shomei_cli.domain.payments import SIGNATURE_HEADER
from shomei_cli.domain.records import (
    AccountSummary,
    ApplicationQuery,
    ApplicationSummary,
    ApplicationView,
    AuditEntry,
    AuditQuery,
    CardCheckoutView,
    ChamberProfile,
    DocumentFile,
    DocumentVerification,
    FeeRow,
    FieldChange,
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
    ReviewEntry,
    SignerImport,
    SignerView,
    SigningKeyVersion,
    SubIdView,
    TimestampAuthority,
    Verification,
    VerificationKit,
    to_dict,
)
from shomei_cli.i18n import _
from shomei_cli.server.guards import (
    AddressLimiter,
    BodySizeLimit,
    RequestLanguage,
    StorageCounters,
    client_address,
    limits_storage,
    trusted_networks,
)
from shomei_cli.server.pages import document_verification_page, verification_page
from shomei_cli.server.paths import SegmentedPaths, SegmentRoute
from shomei_cli.server.problems import (
    ERROR_RESPONSES,
    Problem,
    domain_error_handler,
    http_error_handler,
    unexpected_error_handler,
    validation_error_handler,
)
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services import api
from shomei_cli.services.cards import purge_spent
from shomei_cli.services.core import Core
from shomei_cli.services.throttle import LoginClient

API = "/api/v1"
log = logging.getLogger("shomei.server")
_bearer = HTTPBearer(auto_error=False, description="The session token from POST /api/v1/sessions.")


def _token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    return credentials.credentials if credentials else None


Token = Annotated[str | None, Depends(_token)]


# Request bodies only carry values: their rules (lengths, formats) are the services', so that local and
# remote refuse the same input with the same words. The body size limit bounds everything.


class LoginRequest(BaseModel):
    chamber_code: str
    login_id: str
    password: str
    device_token: str | None = Field(
        default=None, description="From an earlier successful login of this ID on this client, if any"
    )


class StaffStatus(BaseModel):
    enabled: bool


class Unlock(BaseModel):
    role: str = Field(description="staff, admin, signer or sub")
    ref: str = Field(description="The login ID (an administrator ID also by its registration number)")


class PasswordChange(BaseModel):
    current_password: str
    new_password: str


class StaffCreate(BaseModel):
    name: str
    email: str | None = None


class Fields(BaseModel):
    fields: dict[str, str]


class CardNumbers(BaseModel):
    numbers: list[str | None]
    pending: bool = Field(
        default=False, description="Count each print as the first only once POST /cards/written confirms it"
    )


class WrittenCards(BaseModel):
    kind: str = Field(description="registration_card or signer_card")
    refs: list[str] = Field(description="Registration numbers, or signer references or user IDs")


class Reason(BaseModel):
    reason: str | None = None


class Decision(BaseModel):
    decision: str = Field(description="approve, return or reject")
    reason: str | None = None


class CardPrintBody(BaseModel):
    """A printed card; ``pdf`` is the PDF in base64. ``password`` only when the first-day rule allows."""

    login_id: str
    registration_number: str
    password: str | None
    password_notice: str | None
    first_printed_at: datetime
    print_count: int
    pdf: str


class SignerCreate(BaseModel):
    fields: dict[str, str | None]
    signature: str = Field(description="The PNG or JPEG image, base64")
    reason: str | None = None


class SignerUpdate(BaseModel):
    fields: dict[str, str | None] = {}
    signature: str | None = Field(default=None, description="A new PNG or JPEG image, base64")


class SignerBatch(BaseModel):
    csv: str = Field(description="The CSV file, base64")
    signatures: dict[str, str] = Field(description="File name → image, base64")


class SignerRefs(BaseModel):
    refs: list[str]
    pending: bool = Field(
        default=False, description="Count each print as the first only once POST /cards/written confirms it"
    )


class ApplicationRefs(BaseModel):
    refs: list[str] = Field(description="References, reception or certificate numbers (at most 100)")


class VerificationRequest(BaseModel):
    """What the paper shows: the certificate number and its access code (in the body: never in a URL, where
    access logs and proxies would keep it)."""

    number: str
    code: str


class DocumentBody(BaseModel):
    """A rendered document; ``pdf`` is the PDF in base64. ``name`` is its certificate or receipt number."""

    name: str
    print_count: int
    pdf: str


class DossierFileBody(BaseModel):
    """A file a review decision rests on; ``content`` is its bytes in base64."""

    name: str
    media_type: str
    size: int
    sha256: str
    description: str
    content: str


class ReviewDossierBody(BaseModel):
    entry: ReviewEntry
    particulars: dict[str, Any]
    files: list[DossierFileBody]
    returned_reason: str | None
    returned_at: datetime | None
    changes: list[FieldChange]


class ProviderChange(BaseModel):
    checkout_url: str | None = Field(description="the provider's hosted checkout page (https); null clears")
    secret: str | None = Field(description="the secret shared with the provider (HMAC-SHA256); never shown")


async def _raw_body(request: Request) -> bytes:
    """The body's bytes exactly as sent (a signature covers them), read before the route runs in a thread."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


class PasswordChoice(BaseModel):
    password: str | None = Field(default=None, description="None: generate one, shown by the next card")


class SubCreate(BaseModel):
    name: str
    email: str | None = None


class SubUpdate(BaseModel):
    name: str | None = None
    email: str | None = None


def _decode(value: str, field: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.single(field, _("is not valid base64")) from None


class ApplicationCreate(BaseModel):
    type: str = Field(description="co, invoice or signature")
    content: dict[str, Any]
    attachment: str | None = Field(default=None, description="The invoice PDF (invoice type), base64")
    draft: bool = False


class ApplicationContent(BaseModel):
    content: dict[str, Any]
    attachment: str | None = None


class PaymentRequest(BaseModel):
    method: str = Field(default="prepaid", description="prepaid (card needs a payment provider)")
    reference: str | None = Field(default=None, description="Unused by prepaid")


class PaymentConfirmation(BaseModel):
    method: str = Field(description="transfer or counter")
    reference: str = Field(description="The bank's or the till's reference of the payment received")


class FeeChange(BaseModel):
    type: str
    member: bool
    per_application: int
    per_copy: int
    tax_rate: int | None = Field(
        default=None, description="per cent (10 or 8), 0 = not taxable; omitted: as it was"
    )


class ProfileChange(BaseModel):
    """Each field omitted or null stays as it is; an empty string clears it."""

    address: str | None = None
    address_en: str | None = None
    place: str | None = None
    invoice_registration_number: str | None = Field(default=None, description="T and 13 digits")


class SealUpload(BaseModel):
    image: str = Field(description="the seal image (PNG or JPEG), base64")


class SuspensionBody(BaseModel):
    reason: str | None = Field(default=None, description="why, for the company's records")


class KeyImport(BaseModel):
    pkcs12: str = Field(description="the PKCS#12 file (key and certificate chain), base64")
    password: str | None = Field(default=None, description="opens the file; never stored")


class TimestampAuthorityChange(BaseModel):
    url: str | None = Field(description="the RFC 3161 authority's address; null clears it")
    root_pem: str | None = Field(default=None, description="the root certificate its tokens chain to (PEM)")


class OfficerChange(BaseModel):
    name: str
    title: str
    signature: str = Field(description="the officer's signature image (PNG or JPEG), base64")


class Amount(BaseModel):
    amount: int


class Balance(BaseModel):
    balance: int


class Settings(BaseModel):
    verification_url: str | None = None


def _pdf(document: DocumentFile) -> Response:
    return Response(
        document.pdf,
        media_type="application/pdf",
        headers={"Shomei-Document": document.name, "Shomei-Print-Count": str(document.print_count)},
    )


PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The PDF"}
}


class Health(BaseModel):
    status: str
    version: str


SWEEP_SECONDS = 300


async def _sweep_card_secrets(core: Core) -> None:
    """Destroy card passwords whose day is over, every few minutes, even if nobody prints again."""
    while True:
        try:
            await to_thread.run_sync(purge_spent, core)
        except ShomeiError:
            log.warning("card secrets could not be swept this time (the database did not answer)")
        await asyncio.sleep(SWEEP_SECONDS)


def _register_problem_schema(app: FastAPI) -> None:
    """Error responses refer to the Problem schema; make sure the document defines it."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class RedactedQueries(logging.Filter):
    """The access log keeps no query string of the public /verify page: the QR code's URL carries the
    certificate's access code there (``/verify?n=…&c=…``), and a log is no place for it. (The API takes the
    code in a request body.) uvicorn's access record's arguments: (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, _mark, query = args[2].partition("?")
            if query and path.rstrip("/") == "/verify":
                record.args = (args[0], args[1], path + "?[redacted]", args[3], args[4])
        return True


def redact_access_log() -> None:
    """Install RedactedQueries on uvicorn's access logger, once."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactedQueries) for f in access.filters):
        access.addFilter(RedactedQueries())


def create_app(settings: ServerSettings, core: Core | None = None) -> FastAPI:
    """The server over ``core`` (or the store at ``settings.database_url``)."""
    redact_access_log()
    core = core or Core.open(settings.database_url, secret_key=settings.secret_key)
    if settings.public_url and core.public_url is None:
        core.public_url = settings.public_url
    storage = limits_storage(settings.rate_limit_storage)
    if settings.rate_limit_storage:
        core.counters = StorageCounters(
            storage
        )  # login counters shared with every server naming the same storage
    verify_limiter = AddressLimiter(settings.verify_limit_per_address, storage)
    proxies = trusted_networks(settings.trusted_proxies)

    def client(request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"), proxies)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Routes run in worker threads (argon2 releases the GIL there); enough of them that fifty logins
        # hashing at once still leave threads for every other request.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        sweeper = asyncio.create_task(_sweep_card_secrets(core))
        try:
            yield
        finally:
            sweeper.cancel()

    app = FastAPI(
        lifespan=lifespan,
        title="shomei",
        version=__version__,
        summary="Online issuance of trade certificates for a chamber of commerce.",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    app.router.route_class = SegmentRoute  # before any route: references keep their '/' (server/paths.py)
    _register_problem_schema(app)
    app.state.core = core
    app.state.settings = settings
    app.add_exception_handler(ShomeiError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
    from shomei_cli.server import metrics

    app.add_middleware(metrics.RequestTimer)  # innermost: it sees the route the router matched
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        larger={
            f"{API}/registrations/batch": settings.max_upload_bytes,
            f"{API}/signers": settings.max_upload_bytes,  # signature images, onboarding batches
            f"{API}/applications": settings.max_upload_bytes,  # invoices attached as PDFs
            f"{API}/verifications/document": settings.max_upload_bytes,  # signed PDFs to check
            "/verify/document": settings.max_upload_bytes,
        },
    )
    app.add_middleware(SegmentedPaths)
    app.add_middleware(RequestLanguage)  # outermost: even a refused body is answered in the client's language
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.get("/metrics", include_in_schema=False)
    def metrics_page() -> Response:
        """The metrics in the Prometheus text format (server/metrics.py)."""
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.get(f"{API}/health", tags=["server"])
    def health() -> Health:
        """The server is up and its database answers."""
        try:
            with core.read() as session:
                session.execute(text("SELECT 1"))
        except ShomeiError:
            raise
        except Exception:
            raise Unavailable(_("The database cannot be reached.")) from None
        return Health(status="ok", version=__version__)

    @app.post(f"{API}/sessions", tags=["session"])
    def login(body: LoginRequest, request: Request) -> LoginResult:
        """Log in: chamber code, ID and password. Ends any other session of the same ID."""
        login_client = LoginClient(client(request), body.device_token)
        try:
            result = api.login(core, body.chamber_code, body.login_id, body.password, login_client)
        except AuthenticationError:
            metrics.LOGINS.labels("failure").inc()
            raise
        metrics.LOGINS.labels("success").inc()
        return result

    @app.delete(f"{API}/sessions/current", status_code=204, tags=["session"])
    def logout(token: Token) -> Response:
        """End this session."""
        api.logout(core, token)
        return Response(status_code=204)

    @app.get(f"{API}/me", tags=["session"])
    def whoami(token: Token) -> Identity:
        """Who this session belongs to."""
        return api.whoami(core, token)

    @app.put(f"{API}/me/password", status_code=204, tags=["session"])
    def change_password(body: PasswordChange, token: Token) -> Response:
        """Change your own password."""
        api.change_password(core, token, body.current_password, body.new_password)
        return Response(status_code=204)

    @app.get(f"{API}/staff", tags=["chamber"])
    def list_staff(token: Token) -> list[AccountSummary]:
        """The staff IDs of your chamber."""
        return api.list_staff(core, token)

    @app.post(f"{API}/staff", status_code=201, tags=["chamber"])
    def add_staff(body: StaffCreate, token: Token) -> NewAccount:
        """Create a staff ID; its initial password is in this response only."""
        return api.add_staff(core, token, body.name, body.email)

    @app.post(f"{API}/staff/{{login_id}}/password-reset", tags=["chamber"])
    def reset_staff_password(login_id: str, body: PasswordChoice, token: Token) -> NewAccount:
        """A temporary password for another staff ID; a generated one is in this response only."""
        return api.reset_staff_password(core, token, login_id, body.password)

    @app.put(f"{API}/staff/{{login_id}}/status", tags=["chamber"])
    def set_staff_enabled(login_id: str, body: StaffStatus, token: Token) -> AccountSummary:
        """Disable a staff ID (its sessions end; never the last enabled one) or enable it again."""
        return api.set_staff_enabled(core, token, login_id, body.enabled)

    @app.post(f"{API}/unlocks", tags=["session"])
    def unlock(body: Unlock, token: Token) -> AccountSummary:
        """Lift the lock on an ID: staff unlock staff and administrator IDs, administrators their user IDs,
        signers their sub IDs."""
        return api.unlock(core, token, body.role, body.ref)

    @app.get(f"{API}/audit", tags=["chamber"])
    def audit(
        token: Token,
        actor: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """The audit trail within your reach, newest first."""
        return api.list_audit(core, token, AuditQuery(actor, action, since, limit))

    @app.get(f"{API}/reviews", tags=["review"])
    def list_reviews(
        token: Token,
        kind: str | None = None,
        status: str | None = None,
        company: str | None = None,
        older_than_hours: int | None = None,
    ) -> list[ReviewEntry]:
        """The review queue: pending items by default; one company's (its registration number); only items
        waiting at least ``older_than_hours``."""
        return api.list_reviews(core, token, kind, status, company, older_than_hours)

    @app.get(f"{API}/reviews/{{reference}}", tags=["review"])
    def show_review(reference: str, token: Token) -> ReviewDossierBody:
        """Everything the decision rests on: particulars, files (base64: a signature as printed, the form,
        attachments, a SPECIMEN preview), and after a return, its reason and what changed since."""
        return ReviewDossierBody(**to_dict(api.show_review(core, token, reference)))

    @app.post(f"{API}/reviews/{{reference}}/decision", tags=["review"])
    def decide_review(reference: str, body: Decision, token: Token) -> ReviewEntry:
        """Approve, return (with a reason) or reject (with a reason) one item."""
        return api.decide_review(core, token, reference, body.decision, body.reason)

    @app.post(f"{API}/registrations/batch", tags=["registrations"])
    def issue_registrations(
        data: Annotated[bytes, Body(media_type="text/csv", description="The CSV file, UTF-8 or Shift_JIS.")],
        token: Token,
    ) -> list[IssuedRegistration]:
        """Create registrations from a CSV file: every row or none."""
        return api.issue_registrations(core, token, data)

    @app.post(f"{API}/registrations", status_code=201, tags=["registrations"])
    def issue_registration(body: Fields, token: Token) -> IssuedRegistration:
        """Create one registration and its administrator ID."""
        return api.issue_registration(core, token, body.fields)

    @app.get(f"{API}/registrations", tags=["registrations"])
    def list_registrations(
        token: Token,
        status: str | None = None,
        expiring_within: int | None = None,
        limit: int = 1000,
    ) -> list[RegistrationSummary]:
        """The chamber's registrations."""
        return api.list_registrations(core, token, RegistrationQuery(status, expiring_within, limit))

    @app.get(f"{API}/registration", tags=["registrations"])
    def own_registration(token: Token) -> RegistrationView:
        """Your own company's registration (administrators and signers)."""
        return api.show_registration(core, token, None)

    @app.get(f"{API}/registrations/{{number}}", tags=["registrations"])
    def show_registration(number: str, token: Token) -> RegistrationView:
        """One registration."""
        return api.show_registration(core, token, number)

    @app.post(f"{API}/registrations/cards", tags=["registrations"])
    def print_cards(body: CardNumbers, token: Token) -> list[CardPrintBody]:
        """Print 貿易登録証 cards (each print is recorded; first-day password rule)."""
        printed = api.print_registration_cards(core, token, body.numbers, body.pending)
        return [CardPrintBody(**to_dict(c)) for c in printed]

    @app.post(f"{API}/cards/written", status_code=204, tags=["registrations"])
    def confirm_card_prints(body: WrittenCards, token: Token) -> Response:
        """The files of pending card prints are durably written: each now counts as printed."""
        api.confirm_card_prints(core, token, body.kind, body.refs)
        return Response(status_code=204)

    @app.get(
        f"{API}/registrations/{{number}}/card",
        tags=["registrations"],
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}, "description": "The card as a PDF"}},
    )
    def card_pdf(number: str, token: Token) -> Response:
        """Print one 貿易登録証 as application/pdf (recorded like any print)."""
        (card,) = api.print_registration_cards(core, token, [number])
        return Response(card.pdf, media_type="application/pdf")

    @app.post(f"{API}/registrations/{{number}}/password-reset", tags=["registrations"])
    def reset_admin_password(number: str, token: Token) -> RegistrationView:
        """A new initial password for the administrator ID; print the new card afterwards."""
        return api.reset_admin_password(core, token, number)

    @app.put(f"{API}/registrations/{{number}}/suspension", tags=["registrations"])
    def suspend(number: str, body: Reason, token: Token) -> RegistrationView:
        """Suspend a registration (a reason is required)."""
        return api.set_registration_suspended(core, token, number, True, body.reason)

    @app.delete(f"{API}/registrations/{{number}}/suspension", tags=["registrations"])
    def reinstate(number: str, token: Token) -> RegistrationView:
        """Reinstate a suspended registration."""
        return api.set_registration_suspended(core, token, number, False, None)

    @app.patch(f"{API}/registration/contact", tags=["registrations"])
    def change_contact(body: Fields, token: Token) -> RegistrationView:
        """Change contact details at once: contact_person, department, phone, email."""
        return api.change_contact(core, token, body.fields)

    @app.post(f"{API}/registration/change-requests", status_code=201, tags=["registrations"])
    def request_change(body: Fields, token: Token) -> ReviewEntry:
        """Request a change of registered particulars (reviewed by the chamber)."""
        return api.request_change(core, token, body.fields)

    @app.post(f"{API}/registration/renewal-requests", status_code=201, tags=["registrations"])
    def request_renewal(token: Token) -> ReviewEntry:
        """Request a renewal (from 30 days before validity ends)."""
        return api.request_renewal(core, token)

    @app.post(f"{API}/signers", status_code=201, tags=["signers"])
    def add_signer(body: SignerCreate, token: Token) -> SignerView:
        """Register a signer, pending the chamber's review."""
        image = _decode(body.signature, "signature")
        return api.add_signer(core, token, body.fields, image, body.reason)

    @app.post(f"{API}/signers/batch", tags=["signers"])
    def import_signers(body: SignerBatch, token: Token) -> list[SignerImport]:
        """Register many signers from a CSV file and their images: every row or none."""
        images = {name: _decode(data, f"signatures.{name}") for name, data in body.signatures.items()}
        return api.import_signers(core, token, _decode(body.csv, "csv"), images)

    @app.get(f"{API}/signers", tags=["signers"])
    def list_signers(token: Token, registration: str | None = None) -> list[SignerView]:
        """The company's signers (staff: name the registration)."""
        return api.list_signers(core, token, registration)

    @app.post(f"{API}/signers/cards", tags=["signers"])
    def print_signer_cards(body: SignerRefs, token: Token) -> list[CardPrintBody]:
        """Print 署名登録証 cards; the first print issues the user ID (first-day password rule)."""
        printed = api.print_signer_cards(core, token, body.refs, body.pending)
        return [CardPrintBody(**to_dict(c)) for c in printed]

    @app.get(f"{API}/signers/{{ref}}", tags=["signers"])
    def show_signer(ref: str, token: Token) -> SignerView:
        """One signer, by reference or user ID."""
        return api.show_signer(core, token, ref)

    @app.patch(f"{API}/signers/{{ref}}", tags=["signers"])
    def update_signer(ref: str, body: SignerUpdate, token: Token) -> SignerView:
        """Change particulars (at once) or the signature (reviewed again)."""
        image = _decode(body.signature, "signature") if body.signature is not None else None
        return api.update_signer(core, token, ref, body.fields, image)

    @app.post(f"{API}/signers/{{ref}}/suspension", tags=["signers"])
    def suspend_signer(ref: str, body: SuspensionBody, token: Token) -> SignerView:
        """Suspend a signer: its user ID and sub IDs stop working until resumed; history is kept."""
        return api.suspend_signer(core, token, ref, body.reason)

    @app.delete(f"{API}/signers/{{ref}}/suspension", tags=["signers"])
    def resume_signer(ref: str, token: Token) -> SignerView:
        """Resume a suspended signer: the IDs stopped with it work again."""
        return api.resume_signer(core, token, ref)

    @app.delete(f"{API}/signers/{{ref}}", tags=["signers"])
    def remove_signer(ref: str, token: Token) -> SignerView:
        """Remove a signer: its user ID and sub IDs are disabled, their history kept."""
        return api.remove_signer(core, token, ref)

    @app.post(f"{API}/signers/{{ref}}/password-reset", tags=["signers"])
    def reset_signer_password(ref: str, body: PasswordChoice, token: Token) -> SignerView:
        """A temporary password for the signer's user ID."""
        return api.reset_signer_password(core, token, ref, body.password)

    @app.post(f"{API}/subids", status_code=201, tags=["sub IDs"])
    def add_sub(body: SubCreate, token: Token) -> NewAccount:
        """A sub ID for one of your staff; its initial password is in this response only."""
        return api.add_sub(core, token, body.name, body.email)

    @app.get(f"{API}/subids", tags=["sub IDs"])
    def list_subs(token: Token) -> list[SubIdView]:
        """Your sub IDs."""
        return api.list_subs(core, token)

    @app.get(f"{API}/subids/{{login_id}}", tags=["sub IDs"])
    def show_sub(login_id: str, token: Token) -> SubIdView:
        return api.show_sub(core, token, login_id)

    @app.patch(f"{API}/subids/{{login_id}}", tags=["sub IDs"])
    def update_sub(login_id: str, body: SubUpdate, token: Token) -> SubIdView:
        return api.update_sub(core, token, login_id, body.name, body.email)

    @app.delete(f"{API}/subids/{{login_id}}", tags=["sub IDs"])
    def remove_sub(login_id: str, token: Token) -> SubIdView:
        return api.remove_sub(core, token, login_id)

    @app.post(f"{API}/subids/{{login_id}}/password-reset", tags=["sub IDs"])
    def reset_sub_password(login_id: str, token: Token) -> NewAccount:
        """A new temporary password, in this response only."""
        return api.reset_sub_password(core, token, login_id)

    @app.post(f"{API}/applications", status_code=201, tags=["applications"])
    def apply(body: ApplicationCreate, token: Token) -> ApplicationView:
        """Create (and unless draft, submit) an application. Administrator IDs never apply."""
        attachment = _decode(body.attachment, "attachment") if body.attachment is not None else None
        return api.apply(core, token, body.type, body.content, attachment, body.draft)

    @app.get(f"{API}/applications", tags=["applications"], response_model=list[ApplicationSummary])
    def list_applications(
        token: Token,
        status: str | None = None,
        type: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 100,
        before: str | None = None,
    ) -> Response:
        """History within your reach, newest first; page with `before` (the last reference seen)."""
        import orjson

        query = ApplicationQuery(status, type, since, until, limit, before)
        # the rows as the cursor gives them, encoded at once: no model validated per row
        rows = api.application_rows(core, token, query)
        return Response(orjson.dumps(rows), media_type="application/json")

    @app.get(f"{API}/applications/{{ref}}", tags=["applications"])
    def show_application(ref: str, token: Token) -> ApplicationView:
        return api.show_application(core, token, ref)

    @app.put(f"{API}/applications/{{ref}}/content", tags=["applications"])
    def amend(ref: str, body: ApplicationContent, token: Token) -> ApplicationView:
        """Replace the content of a draft or returned application."""
        attachment = _decode(body.attachment, "attachment") if body.attachment is not None else None
        return api.amend_application(core, token, ref, body.content, attachment)

    @app.post(f"{API}/applications/{{ref}}/submission", tags=["applications"])
    def submit(ref: str, token: Token) -> ApplicationView:
        return api.submit_application(core, token, ref)

    @app.post(f"{API}/applications/{{ref}}/cancellation", tags=["applications"])
    def cancel(ref: str, token: Token) -> ApplicationView:
        return api.cancel_application(core, token, ref)

    @app.post(f"{API}/applications/{{ref}}/certificate-cancellation", tags=["applications"])
    def cancel_certificate(ref: str, body: Reason, token: Token) -> ApplicationView:
        """Staff: revoke an issued certificate (a reason is required); verification answers "cancelled"."""
        return api.cancel_certificate(core, token, ref, body.reason or "")

    @app.post(f"{API}/applications/{{ref}}/payment", tags=["applications"])
    def pay(ref: str, body: PaymentRequest, token: Token) -> PaymentView:
        """Pay an approved application from the prepaid balance; issues it."""
        paid = api.pay_application(core, token, ref, body.method, body.reference)
        metrics.PAYMENTS.labels(paid.method).inc()
        metrics.ISSUED.inc()
        return paid

    @app.post(f"{API}/applications/{{ref}}/payment-confirmation", tags=["applications"])
    def confirm_payment(ref: str, body: PaymentConfirmation, token: Token) -> PaymentView:
        """Staff: record a payment received outside (transfer or counter); issues the certificate."""
        paid = api.confirm_payment(core, token, ref, body.method, body.reference)
        metrics.PAYMENTS.labels(paid.method).inc()
        metrics.ISSUED.inc()
        return paid

    @app.post(
        f"{API}/applications/{{ref}}/certificate-prints",
        tags=["applications"],
        response_class=Response,
        responses=PDF_RESPONSE,
    )
    def print_certificate(ref: str, token: Token) -> Response:
        """The certificate PDF (ORIGINAL and COPY pages); recorded; for 14 days after issuance."""
        return _pdf(api.print_certificate(core, token, ref))

    @app.get(
        f"{API}/applications/{{ref}}/receipt",
        tags=["applications"],
        response_class=Response,
        responses=PDF_RESPONSE,
    )
    def receipt(ref: str, token: Token) -> Response:
        """The receipt (領収書) PDF."""
        return _pdf(api.receipt(core, token, ref))

    @app.post(f"{API}/certificates/prints", tags=["applications"])
    def print_certificates(body: ApplicationRefs, token: Token) -> list[DocumentBody]:
        """Several certificate PDFs at once, in order (each print recorded); all or nothing."""
        return [DocumentBody(**to_dict(d)) for d in api.print_certificates(core, token, body.refs)]

    @app.post(f"{API}/receipts", tags=["applications"])
    def receipts(body: ApplicationRefs, token: Token) -> list[DocumentBody]:
        """Several receipt PDFs at once, in order."""
        return [DocumentBody(**to_dict(d)) for d in api.receipts(core, token, body.refs)]

    @app.post(f"{API}/verifications", tags=["verification"])
    def verify(body: VerificationRequest, request: Request) -> Verification:
        """Is this certificate genuine? No session needed; limited per client address."""
        verify_limiter.hit(client(request))
        return api.verify(core, body.number, body.code)

    @app.get("/verify", tags=["verification"], response_class=HTMLResponse, include_in_schema=False)
    def verify_page(request: Request, n: str = "", c: str = "") -> HTMLResponse:
        """The public page the QR code opens (Japanese and English)."""
        if not n or not c:
            return HTMLResponse(verification_page(None, n), status_code=200)
        try:
            verify_limiter.hit(client(request))
        except RateLimited as limited:
            return HTMLResponse(
                verification_page(None, n, limited=limited.retry_after),
                status_code=429,
                headers={"Retry-After": str(limited.retry_after)},
            )
        return HTMLResponse(verification_page(api.verify(core, n, c), n))

    @app.post(f"{API}/verifications/document", tags=["verification"])
    def verify_document(
        pdf: Annotated[bytes, Body(media_type="application/pdf", description="The signed PDF itself.")],
        request: Request,
    ) -> DocumentVerification:
        """Is this signed PDF genuine and unchanged, and is its certificate still valid here? No session
        needed; limited per client address."""
        verify_limiter.hit(client(request))
        return api.verify_document(core, pdf)

    @app.post("/verify/document", response_class=HTMLResponse, include_in_schema=False)
    def verify_document_page(request: Request, pdf: Annotated[UploadFile, File()]) -> HTMLResponse:
        """The /verify page's upload form: the same answer as the API, as a page."""
        try:
            verify_limiter.hit(client(request))
        except RateLimited as limited:
            return HTMLResponse(
                verification_page(None, "", limited=limited.retry_after),
                status_code=429,
                headers={"Retry-After": str(limited.retry_after)},
            )
        data = pdf.file.read()
        try:
            result = api.verify_document(core, data)
        except InvalidInput as refused:
            return HTMLResponse(document_verification_page(None, refused.message), status_code=422)
        return HTMLResponse(document_verification_page(result, None))

    @app.get(f"{API}/verification-kit", tags=["verification"])
    def verification_kit(chamber: str | None = None) -> VerificationKit:
        """The chamber's verification kit: the roots its signed documents chain to (every key version) and
        its timestamp authority's. For checks without the server: `shomei cert verify --pdf --trust`."""
        return api.verification_kit(core, chamber)

    @app.get(
        "/verification-kit/root.pem",
        tags=["verification"],
        response_class=Response,
        responses={200: {"content": {"application/x-pem-file": {}}, "description": "The roots (PEM)"}},
    )
    def verification_roots(chamber: str | None = None) -> Response:
        """The chamber's root certificates as one PEM file, to add to a PDF reader's trusted certificates."""
        kit = api.verification_kit(core, chamber)
        return Response("".join(r.pem for r in kit.roots), media_type="application/x-pem-file")

    @app.get(f"{API}/chamber/keys", tags=["chamber"])
    def signing_keys(token: Token) -> list[SigningKeyVersion]:
        """The versions of the chamber's signing key; the last is in force."""
        return api.signing_keys(core, token)

    @app.post(f"{API}/chamber/keys/rotation", tags=["chamber"])
    def rotate_signing_key(token: Token) -> list[SigningKeyVersion]:
        """A new signing key and certificate; documents signed before stay valid."""
        return api.rotate_signing_key(core, token)

    @app.post(f"{API}/chamber/keys/import", tags=["chamber"])
    def import_signing_key(body: KeyImport, token: Token) -> list[SigningKeyVersion]:
        """Sign from now on with a key and chain from a PKCS#12 file (e.g. a public CA's)."""
        return api.import_signing_key(core, token, _decode(body.pkcs12, "pkcs12"), body.password)

    @app.get(f"{API}/chamber/timestamp-authority", tags=["chamber"])
    def get_timestamp_authority(token: Token) -> TimestampAuthority:
        return api.timestamp_authority(core, token)

    @app.put(f"{API}/chamber/timestamp-authority", tags=["chamber"])
    def put_timestamp_authority(body: TimestampAuthorityChange, token: Token) -> TimestampAuthority:
        """Set (with its root) or clear (url null) the RFC 3161 authority that timestamps signatures."""
        if body.url is None:
            return api.timestamp_authority(core, token, clear=True)
        return api.timestamp_authority(core, token, body.url, body.root_pem or "")

    @app.get(f"{API}/chamber/payment-provider", tags=["chamber"])
    def payment_provider(token: Token) -> PaymentProviderSettings:
        """The card payment provider's checkout page, and whether the shared secret is set."""
        return api.payment_provider(core, token)

    @app.put(f"{API}/chamber/payment-provider", tags=["chamber"])
    def set_payment_provider(body: ProviderChange, token: Token) -> PaymentProviderSettings:
        """Set both (card payments on) or clear both (off)."""
        return api.set_payment_provider(core, token, body.checkout_url, body.secret)

    @app.post(f"{API}/applications/{{ref}}/card-checkout", tags=["applications"])
    def start_card_payment(ref: str, token: Token) -> CardCheckoutView:
        """Start a card payment: the address of the provider's payment page for the fee. The application
        waits as awaiting_payment until the provider's notification issues the certificate."""
        return api.start_card_payment(core, token, ref)

    @app.post(
        f"{API}/payments/notify",
        tags=["applications"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "parameters": [
                {
                    "name": SIGNATURE_HEADER,
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "t=UNIX_SECONDS,v1=HMAC-SHA256 of t.body under the shared secret",
                }
            ],
        },
    )
    def payment_notification(body: RawBody, request: Request) -> NotificationResult:
        """The card payment provider's notification. Believed only with a valid signature of the raw body
        under the chamber's secret, made within 5 minutes, with an event ID never seen before, for the fee
        in JPY; then the certificate is issued, once. No session."""
        result = api.payment_notification(core, body, request.headers.get(SIGNATURE_HEADER))
        if result.outcome == "issued":
            metrics.PAYMENTS.labels("card").inc()
            metrics.ISSUED.inc()
        return result

    @app.get(f"{API}/fees", tags=["chamber"])
    def fees(token: Token) -> list[FeeRow]:
        """The fee table."""
        return api.fees(core, token)

    @app.put(f"{API}/fees", tags=["chamber"])
    def set_fee(body: FeeChange, token: Token) -> list[FeeRow]:
        return api.set_fee(
            core, token, body.type, body.member, body.per_application, body.per_copy, body.tax_rate
        )

    @app.post(f"{API}/registrations/{{number}}/topups", tags=["chamber"])
    def topup(number: str, body: Amount, token: Token) -> Balance:
        """Credit a company's prepaid balance."""
        return Balance(balance=api.topup(core, token, number, body.amount))

    @app.get(f"{API}/registration/balance", tags=["registrations"])
    def balance(token: Token) -> Balance:
        return Balance(balance=api.balance(core, token))

    @app.get(f"{API}/chamber/profile", tags=["chamber"])
    def chamber_profile(token: Token) -> ChamberProfile:
        """The chamber's identity on paper: address, place, invoice registration number, seal, officer."""
        return api.chamber_profile(core, token)

    @app.patch(f"{API}/chamber/profile", tags=["chamber"])
    def set_chamber_profile(body: ProfileChange, token: Token) -> ChamberProfile:
        return api.set_chamber_profile(
            core, token, body.address, body.address_en, body.place, body.invoice_registration_number
        )

    @app.put(f"{API}/chamber/seal", tags=["chamber"])
    def set_chamber_seal(body: SealUpload, token: Token) -> ChamberProfile:
        """A new version of the chamber's seal (印影); certificates already issued keep theirs."""
        return api.set_chamber_seal(core, token, _decode(body.image, "seal"))

    @app.put(f"{API}/chamber/officer", tags=["chamber"])
    def set_chamber_officer(body: OfficerChange, token: Token) -> ChamberProfile:
        """A new version of the authorized officer; certificates already issued keep theirs."""
        return api.set_chamber_officer(
            core, token, body.name, body.title, _decode(body.signature, "signature")
        )

    @app.get(f"{API}/chamber/settings", tags=["chamber"])
    def get_settings(token: Token) -> Settings:
        return Settings(verification_url=api.chamber_settings(core, token, None))

    @app.put(f"{API}/chamber/settings", tags=["chamber"])
    def put_settings(body: Settings, token: Token) -> Settings:
        return Settings(verification_url=api.chamber_settings(core, token, body.verification_url))

    return app
