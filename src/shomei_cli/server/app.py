"""The FastAPI application. Routes mirror the Backend methods and stay thin: parse, call ``services.api``,
return. Route functions are plain ``def``, so FastAPI runs them in worker threads: password hashing never
blocks the event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import text

from shomei_cli import __version__
from shomei_cli.domain.errors import ShomeiError, Unavailable
from shomei_cli.domain.records import (
    AccountSummary,
    AuditEntry,
    AuditQuery,
    Identity,
    LoginResult,
    NewAccount,
)
from shomei_cli.server.guards import BodySizeLimit, LoginLimiter
from shomei_cli.server.problems import (
    ERROR_RESPONSES,
    domain_error_handler,
    unexpected_error_handler,
    validation_error_handler,
)
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services import api
from shomei_cli.services.audit import MAX_AUDIT_LIMIT
from shomei_cli.services.core import Core

API = "/api/v1"
_bearer = HTTPBearer(auto_error=False, description="The session token from POST /api/v1/sessions.")


def _token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    return credentials.credentials if credentials else None


Token = Annotated[str | None, Depends(_token)]


class LoginRequest(BaseModel):
    chamber_code: str = Field(max_length=16)
    login_id: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class StaffCreate(BaseModel):
    name: str = Field(max_length=1000)
    email: str | None = Field(default=None, max_length=1000)


class Health(BaseModel):
    status: str
    version: str


def create_app(settings: ServerSettings, core: Core | None = None) -> FastAPI:
    """The server over ``core`` (or the store at ``settings.database_url``)."""
    core = core or Core.open(settings.database_url)
    limiter = LoginLimiter(settings.login_limit_per_id, settings.login_limit_per_address)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Routes run in worker threads (argon2 releases the GIL there); enough of them that fifty logins
        # hashing at once still leave threads for every other request.
        to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        yield

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
    app.state.core = core
    app.state.settings = settings
    app.add_exception_handler(ShomeiError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.get(f"{API}/health", tags=["server"])
    def health() -> Health:
        """The server is up and its database answers."""
        try:
            with core.read() as session:
                session.execute(text("SELECT 1"))
        except ShomeiError:
            raise
        except Exception:
            raise Unavailable("The database cannot be reached.") from None
        return Health(status="ok", version=__version__)

    @app.post(f"{API}/sessions", tags=["session"])
    def login(body: LoginRequest, request: Request) -> LoginResult:
        """Log in: chamber code, ID and password. Ends any other session of the same ID."""
        address = request.client.host if request.client else "unknown"
        limiter.hit(body.chamber_code, body.login_id, address)
        return api.login(core, body.chamber_code, body.login_id, body.password)

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

    @app.get(f"{API}/audit", tags=["chamber"])
    def audit(
        token: Token,
        actor: Annotated[str | None, Query(max_length=64)] = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
        since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_LIMIT)] = 100,
    ) -> list[AuditEntry]:
        """The audit trail within your reach, newest first."""
        return api.list_audit(core, token, AuditQuery(actor, action, since, limit))

    return app
