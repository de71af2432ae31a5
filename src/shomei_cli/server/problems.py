"""Errors as RFC 9457 problem documents carrying the domain's stable codes, and the status of each."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from shomei_cli.domain import errors as e
from shomei_cli.i18n import N_, _

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("shomei.server")

# Checked in order: the first class the error is an instance of decides.
STATUSES: tuple[tuple[type[e.ShomeiError], int], ...] = (
    (e.AuthenticationError, 401),
    (e.PermissionDenied, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.InvalidInput, 422),
    (e.RateLimited, 429),
    (e.Unavailable, 503),
)


# The title of each code's problem documents: the code in words, in the client's language.
TITLES: dict[str, str] = {
    "error": N_("error"),
    "authentication_error": N_("authentication error"),
    "authentication_failed": N_("authentication failed"),
    "account_locked": N_("account locked"),
    "initial_password_expired": N_("initial password expired"),
    "not_logged_in": N_("not logged in"),
    "session_ended": N_("session ended"),
    "password_change_required": N_("password change required"),
    "credential_store_unavailable": N_("credential store unavailable"),
    "permission_denied": N_("permission denied"),
    "not_found": N_("not found"),
    "conflict": N_("conflict"),
    "wrong_state": N_("wrong state"),
    "expired": N_("expired"),
    "invalid_input": N_("invalid input"),
    "unavailable": N_("unavailable"),
    "store_incompatible": N_("store incompatible"),
    "rate_limited": N_("rate limited"),
    "method_not_allowed": N_("method not allowed"),
    "http_error": N_("http error"),
    "internal": N_("internal"),
    "body_too_large": N_("body too large"),
}

# The framework's own words for its refusals (Starlette's default details), translated when unchanged.
FRAMEWORK_DETAILS: dict[int, str] = {
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
}


def title_for(code: str) -> str:
    """The problem title of ``code``: its words from TITLES, translated; an unknown code spelled out."""
    title = TITLES.get(code)
    return _(title) if title is not None else code.replace("_", " ")


class Problem(BaseModel):
    """An RFC 9457 problem document; ``code`` is the stable machine code, extra members carry details."""

    model_config = {"extra": "allow"}

    type: str
    title: str
    status: int
    detail: str
    code: str


def status_for(error: e.ShomeiError) -> int:
    for cls, status in STATUSES:
        if isinstance(error, cls):
            return status
    return 400


def problem_response(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:shomei:problem:{code}",
        "title": title_for(code),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def domain_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.ShomeiError)
    if isinstance(exc, e.Unavailable):
        # where the database lives is the server's business: logged here, not told to clients
        log.warning("database unavailable: %s", exc.message)
        return problem_response(503, exc.code, _("The server's database cannot be reached; try again later."))
    return problem_response(status_for(exc), exc.code, exc.message, **exc.details())


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own request validation, in the same shape as the domain's InvalidInput."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        e.FieldError(
            "body"
            if item.get("type") == "json_invalid"
            else (".".join(str(p) for p in item.get("loc", ())[1:]) or "body"),
            str(item.get("msg", "")),
        )
        for item in exc.errors()
    ]
    error = e.InvalidInput.of(errors)
    return problem_response(422, error.code, error.message, **error.details())


async def http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """The framework's own refusals (an unreadable body, an unknown path or method) as problem documents."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        error = e.InvalidInput.of([e.FieldError("body", _("is not readable JSON text"))])
        return problem_response(422, error.code, error.message, **error.details())
    codes = {404: "not_found", 405: "method_not_allowed"}
    code = codes.get(exc.status_code, "http_error")
    detail = str(exc.detail)
    standard = FRAMEWORK_DETAILS.get(exc.status_code)
    if standard is not None and detail == standard:
        detail = _(standard)
    return problem_response(exc.status_code, code, detail)


async def unexpected_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    # the traceback goes to the server's log (no locals, so no secrets); the client learns nothing of it
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return problem_response(500, "internal", _("An unexpected error occurred on the server."))


# Declared on every route, so that the OpenAPI schema documents what clients may receive.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status, description in (
        (401, "Not logged in, authentication failed, or the session has ended"),
        (403, "The role may not do this"),
        (404, "Not found"),
        (409, "Conflict or wrong state"),
        (413, "The request body is too large"),
        (422, "Invalid input; every bad field is named"),
        (429, "Too many attempts; see Retry-After"),
        (503, "The database cannot be reached"),
    )
}
