"""RemoteBackend: the same calls, sent to a `shomei serve` server over HTTP (httpx).

Problem documents come back as the very domain errors the local backend raises, so the CLI cannot tell the two
apart. Only idempotent reads are retried; an endpoint that cannot be reached is ``Unavailable`` (exit 8).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from shomei_cli import i18n
from shomei_cli.domain.errors import ShomeiError, Unavailable, error_from_code
from shomei_cli.domain.payments import SIGNATURE_HEADER
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
    from_dict,
)
from shomei_cli.i18n import _

T = TypeVar("T")
API = "/api/v1"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
READ_RETRIES = 2
STREAM_PAGE = 1000  # rows per request when a whole history is streamed
RETRY_STATUSES = frozenset({502, 503, 504})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_insecure_endpoint(endpoint: str) -> bool:
    """Plain http to anything but this machine: passwords and tokens would cross the network in clear."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    return parts.scheme == "http" and not (host in LOOPBACK_HOSTS or host.startswith("127."))


class RemoteBackend:
    """Sends each Backend call to the server at ``endpoint``."""

    def __init__(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        client: httpx.Client | None = None,
        retry_pause: float = 0.5,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self._client = client or httpx.Client(base_url=self.endpoint, timeout=TIMEOUT)
        self._owns_client = client is None
        self._retry_pause = retry_pause

    # -- transport -----------------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {
            "Accept": "application/json, application/problem+json",
            # the server words its messages in the language this client speaks
            "Accept-Language": i18n.current(),
            **(headers or {}),
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        # only reads are repeated: a write that may have reached the server is never sent twice
        attempts = 1 + (READ_RETRIES if method == "GET" else 0)
        for attempt in range(attempts):
            last_try = attempt == attempts - 1
            try:
                response = self._client.request(method, f"{API}{path}", headers=headers, **kwargs)
            except httpx.TransportError as exc:
                if last_try:
                    raise self._unreachable(exc) from None
            else:
                if response.status_code not in RETRY_STATUSES or last_try:
                    return self._checked(response)
            time.sleep(self._retry_pause * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _unreachable(self, exc: httpx.TransportError) -> Unavailable:
        if isinstance(exc, httpx.TimeoutException):
            text = _("The endpoint {endpoint} timed out ({error}).")
        else:
            text = _("The endpoint {endpoint} cannot be reached ({error}).")
        return Unavailable(text.format(endpoint=self.endpoint, error=type(exc).__name__))

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            known = {"type", "title", "status", "detail", "code"}
            details = {k: v for k, v in body.items() if k not in known}
            raise error_from_code(body["code"], str(body.get("detail", "")), details)
        if response.status_code >= 500:
            raise Unavailable(
                _("The endpoint {endpoint} answered {status} without an explanation.").format(
                    endpoint=self.endpoint, status=response.status_code
                )
            )
        raise ShomeiError(
            _("The endpoint {endpoint} answered {status} unexpectedly.").format(
                endpoint=self.endpoint, status=response.status_code
            )
        )

    def _record(self, record: type[T], method: str, path: str, **kwargs: Any) -> T:
        return from_dict(record, self._request(method, path, **kwargs).json())

    def _get(self, record: type[T], path: str, **params: Any) -> T:
        return from_dict(record, self._request("GET", path, params=_clean(params)).json())

    def _get_list(self, record: type[T], path: str, **params: Any) -> list[T]:
        return [from_dict(record, item) for item in self._request("GET", path, params=_clean(params)).json()]

    # -- session ---------------------------------------------------------------------------------

    def login(
        self, chamber_code: str, login_id: str, password: str, device_token: str | None = None
    ) -> LoginResult:
        body = {
            "chamber_code": chamber_code,
            "login_id": login_id,
            "password": password,
            "device_token": device_token,
        }
        result = from_dict(LoginResult, self._request("POST", "/sessions", json=body).json())
        self.token = result.token
        return result

    def logout(self) -> None:
        self._request("DELETE", "/sessions/current")

    def whoami(self) -> Identity:
        return self._get(Identity, "/me")

    def change_password(self, current: str, new: str) -> None:
        self._request("PUT", "/me/password", json={"current_password": current, "new_password": new})

    # -- the chamber -------------------------------------------------------------------------------

    def add_staff(self, name: str, email: str | None) -> NewAccount:
        response = self._request("POST", "/staff", json={"name": name, "email": email})
        return from_dict(NewAccount, response.json())

    def list_staff(self) -> list[AccountSummary]:
        return self._get_list(AccountSummary, "/staff")

    def reset_staff_password(self, login_id: str, password: str | None) -> NewAccount:
        path = f"/staff/{_segment(login_id)}/password-reset"
        return from_dict(NewAccount, self._request("POST", path, json={"password": password}).json())

    def set_staff_enabled(self, login_id: str, enabled: bool) -> AccountSummary:
        path = f"/staff/{_segment(login_id)}/status"
        response = self._request("PUT", path, json={"enabled": enabled})
        return from_dict(AccountSummary, response.json())

    def unlock(self, role: str, ref: str) -> AccountSummary:
        response = self._request("POST", "/unlocks", json={"role": role, "ref": ref})
        return from_dict(AccountSummary, response.json())

    def audit(self, query: AuditQuery) -> list[AuditEntry]:
        return self._get_list(
            AuditEntry,
            "/audit",
            actor=query.actor,
            action=query.action,
            since=query.since.isoformat() if query.since else None,
            limit=query.limit,
        )

    def list_reviews(
        self,
        kind: str | None,
        status: str | None,
        company: str | None = None,
        older_than_hours: int | None = None,
    ) -> list[ReviewEntry]:
        return self._get_list(
            ReviewEntry,
            "/reviews",
            kind=kind,
            status=status,
            company=company,
            older_than_hours=older_than_hours,
        )

    def show_review(self, reference: str) -> ReviewDossier:
        return self._get(ReviewDossier, f"/reviews/{_segment(reference)}")

    def decide_review(self, reference: str, decision: str, reason: str | None) -> ReviewEntry:
        body = {"decision": decision, "reason": reason}
        return self._record(ReviewEntry, "POST", f"/reviews/{_segment(reference)}/decision", json=body)

    # -- registrations ---------------------------------------------------------------------------------

    def issue_registrations(self, csv: bytes) -> list[IssuedRegistration]:
        response = self._request(
            "POST", "/registrations/batch", content=csv, headers={"Content-Type": "text/csv"}
        )
        return [from_dict(IssuedRegistration, item) for item in response.json()]

    def issue_registration(self, fields: dict[str, str]) -> IssuedRegistration:
        return self._record(IssuedRegistration, "POST", "/registrations", json={"fields": fields})

    def list_registrations(self, query: RegistrationQuery) -> list[RegistrationSummary]:
        return self._get_list(
            RegistrationSummary,
            "/registrations",
            status=query.status,
            expiring_within=query.expiring_within,
            limit=query.limit,
        )

    def show_registration(self, number: str | None) -> RegistrationView:
        path = f"/registrations/{_segment(number)}" if number else "/registration"
        return self._get(RegistrationView, path)

    def print_registration_cards(
        self, numbers: Sequence[str | None], pending: bool = False
    ) -> list[CardPrint]:
        body = {"numbers": list(numbers), "pending": pending}
        response = self._request("POST", "/registrations/cards", json=body)
        return [from_dict(CardPrint, item) for item in response.json()]

    def reset_admin_password(self, number: str) -> RegistrationView:
        return self._record(RegistrationView, "POST", f"/registrations/{_segment(number)}/password-reset")

    def set_registration_suspended(
        self, number: str, suspended: bool, reason: str | None
    ) -> RegistrationView:
        path = f"/registrations/{_segment(number)}/suspension"
        if suspended:
            return self._record(RegistrationView, "PUT", path, json={"reason": reason})
        return self._record(RegistrationView, "DELETE", path)

    def change_contact(self, fields: dict[str, str]) -> RegistrationView:
        return self._record(RegistrationView, "PATCH", "/registration/contact", json={"fields": fields})

    def request_change(self, fields: dict[str, str]) -> ReviewEntry:
        return self._record(ReviewEntry, "POST", "/registration/change-requests", json={"fields": fields})

    def request_renewal(self) -> ReviewEntry:
        return self._record(ReviewEntry, "POST", "/registration/renewal-requests")

    # -- signers and sub IDs -----------------------------------------------------------------------------

    def add_signer(self, fields: dict[str, str | None], signature: bytes, reason: str | None) -> SignerView:
        body = {"fields": fields, "signature": _b64(signature), "reason": reason}
        return self._record(SignerView, "POST", "/signers", json=body)

    def import_signers(self, csv: bytes, signatures: dict[str, bytes]) -> list[SignerImport]:
        body = {"csv": _b64(csv), "signatures": {k: _b64(v) for k, v in signatures.items()}}
        response = self._request("POST", "/signers/batch", json=body)
        return [from_dict(SignerImport, item) for item in response.json()]

    def list_signers(self, registration: str | None) -> list[SignerView]:
        return self._get_list(SignerView, "/signers", registration=registration)

    def show_signer(self, ref: str) -> SignerView:
        return self._get(SignerView, f"/signers/{_segment(ref)}")

    def update_signer(self, ref: str, fields: dict[str, str | None], signature: bytes | None) -> SignerView:
        body = {"fields": fields, "signature": _b64(signature) if signature is not None else None}
        return self._record(SignerView, "PATCH", f"/signers/{_segment(ref)}", json=body)

    def suspend_signer(self, ref: str, reason: str | None) -> SignerView:
        return self._record(
            SignerView, "POST", f"/signers/{_segment(ref)}/suspension", json={"reason": reason}
        )

    def resume_signer(self, ref: str) -> SignerView:
        return self._record(SignerView, "DELETE", f"/signers/{_segment(ref)}/suspension")

    def remove_signer(self, ref: str) -> SignerView:
        return self._record(SignerView, "DELETE", f"/signers/{_segment(ref)}")

    def print_signer_cards(self, refs: Sequence[str], pending: bool = False) -> list[CardPrint]:
        response = self._request("POST", "/signers/cards", json={"refs": list(refs), "pending": pending})
        return [from_dict(CardPrint, item) for item in response.json()]

    def confirm_card_prints(self, kind: str, refs: Sequence[str]) -> None:
        self._request("POST", "/cards/written", json={"kind": kind, "refs": list(refs)})

    def reset_signer_password(self, user_id: str, password: str | None) -> SignerView:
        return self._record(
            SignerView, "POST", f"/signers/{_segment(user_id)}/password-reset", json={"password": password}
        )

    def add_sub(self, name: str, email: str | None) -> NewAccount:
        return self._record(NewAccount, "POST", "/subids", json={"name": name, "email": email})

    def list_subs(self) -> list[SubIdView]:
        return self._get_list(SubIdView, "/subids")

    def show_sub(self, login_id: str) -> SubIdView:
        return self._get(SubIdView, f"/subids/{_segment(login_id)}")

    def update_sub(self, login_id: str, name: str | None, email: str | None) -> SubIdView:
        body = {"name": name, "email": email}
        return self._record(SubIdView, "PATCH", f"/subids/{_segment(login_id)}", json=body)

    def remove_sub(self, login_id: str) -> SubIdView:
        return self._record(SubIdView, "DELETE", f"/subids/{_segment(login_id)}")

    def reset_sub_password(self, login_id: str) -> NewAccount:
        return self._record(NewAccount, "POST", f"/subids/{_segment(login_id)}/password-reset")

    # -- applications and certificates ---------------------------------------------------------------

    def apply(
        self, kind: str, content: dict[str, Any], attachment: bytes | None, draft: bool
    ) -> ApplicationView:
        body = {
            "type": kind,
            "content": content,
            "draft": draft,
            "attachment": _b64(attachment) if attachment is not None else None,
        }
        return self._record(ApplicationView, "POST", "/applications", **_json_body(body))

    def application_content(self, ref: str) -> tuple[str, dict[str, Any]]:
        view = self.show_application(ref)
        return view.summary.type, view.content

    def amend_application(
        self, ref: str, content: dict[str, Any], attachment: bytes | None
    ) -> ApplicationView:
        body = {"content": content, "attachment": _b64(attachment) if attachment is not None else None}
        path = f"/applications/{_segment(ref)}/content"
        return self._record(ApplicationView, "PUT", path, **_json_body(body))

    def submit_application(self, ref: str) -> ApplicationView:
        return self._record(ApplicationView, "POST", f"/applications/{_segment(ref)}/submission")

    def cancel_application(self, ref: str) -> ApplicationView:
        return self._record(ApplicationView, "POST", f"/applications/{_segment(ref)}/cancellation")

    def cancel_certificate(self, ref: str, reason: str) -> ApplicationView:
        path = f"/applications/{_segment(ref)}/certificate-cancellation"
        return self._record(ApplicationView, "POST", path, json={"reason": reason})

    def list_applications(self, query: ApplicationQuery) -> list[ApplicationSummary]:
        return self._get_list(
            ApplicationSummary, "/applications", **self._list_params(query, query.limit, query.before)
        )

    @staticmethod
    def _list_params(query: ApplicationQuery, limit: int, before: str | None) -> dict[str, Any]:
        return {
            "status": query.status,
            "type": query.type,
            "since": query.since.isoformat() if query.since else None,
            "until": query.until.isoformat() if query.until else None,
            "limit": limit,
            "before": before,
        }

    def stream_applications(self, query: ApplicationQuery) -> Iterator[ApplicationSummary]:
        for page in self.stream_application_rows(query):
            yield from (from_dict(ApplicationSummary, row) for row in page)

    def stream_application_rows(self, query: ApplicationQuery) -> Iterator[list[dict[str, Any]]]:
        # page by page, each after the last one's reference: a history of any length
        remaining = query.limit or None
        before = query.before
        while remaining is None or remaining > 0:
            size = min(STREAM_PAGE, remaining) if remaining is not None else STREAM_PAGE
            page: list[dict[str, Any]] = self._request(
                "GET", "/applications", params=_clean(self._list_params(query, size, before))
            ).json()
            yield page
            if remaining is not None:
                remaining -= len(page)
            if len(page) < size:
                return
            before = page[-1]["reference"]

    def show_application(self, ref: str) -> ApplicationView:
        return self._get(ApplicationView, f"/applications/{_segment(ref)}")

    def pay_application(self, ref: str, method: str, reference: str | None) -> PaymentView:
        body = {"method": method, "reference": reference}
        return self._record(PaymentView, "POST", f"/applications/{_segment(ref)}/payment", json=body)

    def confirm_payment(self, ref: str, method: str, reference: str) -> PaymentView:
        body = {"method": method, "reference": reference}
        return self._record(
            PaymentView, "POST", f"/applications/{_segment(ref)}/payment-confirmation", json=body
        )

    def print_certificate(self, ref: str) -> DocumentFile:
        response = self._request(
            "POST", f"/applications/{_segment(ref)}/certificate-prints", headers={"Accept": "application/pdf"}
        )
        return DocumentFile(
            response.headers.get("Shomei-Document", ""),
            int(response.headers.get("Shomei-Print-Count", "1")),
            response.content,
        )

    def receipt(self, ref: str) -> DocumentFile:
        response = self._request(
            "GET", f"/applications/{_segment(ref)}/receipt", headers={"Accept": "application/pdf"}
        )
        return DocumentFile(response.headers.get("Shomei-Document", ""), 1, response.content)

    def print_certificates(self, refs: Sequence[str]) -> list[DocumentFile]:
        response = self._request("POST", "/certificates/prints", json={"refs": list(refs)})
        return [from_dict(DocumentFile, item) for item in response.json()]

    def receipts(self, refs: Sequence[str]) -> list[DocumentFile]:
        response = self._request("POST", "/receipts", json={"refs": list(refs)})
        return [from_dict(DocumentFile, item) for item in response.json()]

    def verify(self, number: str, code: str) -> Verification:
        # the access code goes in the body: a URL is kept by access logs and proxies
        response = self._request("POST", "/verifications", json={"number": number, "code": code})
        return from_dict(Verification, response.json())

    def fees(self) -> list[FeeRow]:
        return self._get_list(FeeRow, "/fees")

    def set_fee(
        self, kind: str, member: bool, per_application: int, per_copy: int, tax_rate: int | None = None
    ) -> list[FeeRow]:
        body = {
            "type": kind,
            "member": member,
            "per_application": per_application,
            "per_copy": per_copy,
            "tax_rate": tax_rate,
        }
        response = self._request("PUT", "/fees", json=body)
        return [from_dict(FeeRow, item) for item in response.json()]

    def topup(self, registration: str, amount: int) -> int:
        response = self._request(
            "POST", f"/registrations/{_segment(registration)}/topups", json={"amount": amount}
        )
        return int(response.json()["balance"])

    def balance(self) -> int:
        return int(self._request("GET", "/registration/balance").json()["balance"])

    def chamber_profile(self) -> ChamberProfile:
        return self._record(ChamberProfile, "GET", "/chamber/profile")

    def set_chamber_profile(
        self,
        address: str | None,
        address_en: str | None,
        place: str | None,
        invoice_registration_number: str | None,
    ) -> ChamberProfile:
        body = {
            "address": address,
            "address_en": address_en,
            "place": place,
            "invoice_registration_number": invoice_registration_number,
        }
        return self._record(ChamberProfile, "PATCH", "/chamber/profile", json=body)

    def set_chamber_seal(self, image: bytes) -> ChamberProfile:
        return self._record(ChamberProfile, "PUT", "/chamber/seal", json={"image": _b64(image)})

    def set_chamber_officer(self, name: str, title: str, signature: bytes) -> ChamberProfile:
        body = {"name": name, "title": title, "signature": _b64(signature)}
        return self._record(ChamberProfile, "PUT", "/chamber/officer", json=body)

    def payment_provider(self) -> PaymentProviderSettings:
        return self._get(PaymentProviderSettings, "/chamber/payment-provider")

    def set_payment_provider(self, checkout_url: str | None, secret: str | None) -> PaymentProviderSettings:
        body = {"checkout_url": checkout_url, "secret": secret}
        return self._record(PaymentProviderSettings, "PUT", "/chamber/payment-provider", json=body)

    def start_card_payment(self, ref: str) -> CardCheckoutView:
        return self._record(CardCheckoutView, "POST", f"/applications/{_segment(ref)}/card-checkout")

    def payment_notification(self, body: bytes, signature: str | None) -> NotificationResult:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        return self._record(NotificationResult, "POST", "/payments/notify", content=body, headers=headers)

    def verify_document(self, pdf: bytes) -> DocumentVerification:
        response = self._request(
            "POST", "/verifications/document", content=pdf, headers={"Content-Type": "application/pdf"}
        )
        return from_dict(DocumentVerification, response.json())

    def verification_kit(self, chamber: str | None = None) -> VerificationKit:
        return self._get(VerificationKit, "/verification-kit", chamber=chamber)

    def signing_keys(self) -> list[SigningKeyVersion]:
        return self._get_list(SigningKeyVersion, "/chamber/keys")

    def rotate_signing_key(self) -> list[SigningKeyVersion]:
        return [
            from_dict(SigningKeyVersion, k) for k in self._request("POST", "/chamber/keys/rotation").json()
        ]

    def import_signing_key(self, pkcs12: bytes, password: str | None) -> list[SigningKeyVersion]:
        body = {"pkcs12": _b64(pkcs12), "password": password}
        return [
            from_dict(SigningKeyVersion, k)
            for k in self._request("POST", "/chamber/keys/import", json=body).json()
        ]

    def timestamp_authority(
        self, url: str | None = None, root_pem: str | None = None, clear: bool = False
    ) -> TimestampAuthority:
        if url is None and not clear:
            return self._get(TimestampAuthority, "/chamber/timestamp-authority")
        body = {"url": None if clear else url, "root_pem": None if clear else root_pem}
        return self._record(TimestampAuthority, "PUT", "/chamber/timestamp-authority", json=body)

    def chamber_settings(self, verification_url: str | None) -> str | None:
        if verification_url is None:
            value = self._request("GET", "/chamber/settings").json()["verification_url"]
        else:
            value = self._request(
                "PUT", "/chamber/settings", json={"verification_url": verification_url}
            ).json()["verification_url"]
        return None if value is None else str(value)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _segment(value: str) -> str:
    """A user-given reference as one URL path segment, whatever it holds: '/' as %2F (the server routes on
    segments: server/paths.py), dots-only as %2E (never a dot segment the URL would resolve), and a blank one
    as %20, which the services read as the empty reference it is."""
    value = value.strip()
    if not value:
        return "%20"
    if set(value) == {"."}:
        return "%2E" * len(value)
    return quote(value, safe="")


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _json_body(body: dict[str, Any]) -> dict[str, Any]:
    """An application form as the request's JSON: orjson writes the dates and times a TOML file gives
    (invoice.date = 2026-11-20) in ISO 8601, as the server's forms read them; httpx's json= cannot."""
    import orjson

    return {"content": orjson.dumps(body), "headers": {"Content-Type": "application/json"}}
