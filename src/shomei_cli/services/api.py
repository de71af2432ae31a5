"""The operations behind the ``Backend`` interface, each from a bearer token to a record.

``LocalBackend`` calls these in-process; the server's routes call the very same functions, so the two ways in
can only differ in transport. Which operations work while the password is still temporary is decided
here, once.
"""

from __future__ import annotations

from shomei_cli.domain.records import (
    AccountSummary,
    AuditEntry,
    AuditQuery,
    Identity,
    LoginResult,
    NewAccount,
)
from shomei_cli.services import audit, auth, chambers
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core


def _actor(core: Core, token: str | None) -> Actor:
    return auth.authenticate(core, token)


def _actor_with_temporary_password(core: Core, token: str | None) -> Actor:
    # only these three work before the first password change: see who you are, change it, or leave
    return auth.authenticate(core, token, allow_temporary_password=True)


def login(core: Core, chamber_code: str, login_id: str, password: str) -> LoginResult:
    """Start a session; ends any other session of the same ID."""
    return auth.login(core, chamber_code, login_id, password)


def logout(core: Core, token: str | None) -> None:
    """End the session behind ``token``."""
    auth.logout(core, _actor_with_temporary_password(core, token))


def whoami(core: Core, token: str | None) -> Identity:
    """Who the session belongs to."""
    return auth.identity(core, _actor_with_temporary_password(core, token))


def change_password(core: Core, token: str | None, current: str, new: str) -> None:
    """Change the session's own password."""
    auth.change_password(core, _actor_with_temporary_password(core, token), current, new)


def add_staff(core: Core, token: str | None, name: str, email: str | None) -> NewAccount:
    """Create a staff ID in the caller's chamber."""
    return chambers.add_staff(core, _actor(core, token), name, email)


def list_staff(core: Core, token: str | None) -> list[AccountSummary]:
    """The staff IDs of the caller's chamber."""
    return chambers.list_staff(core, _actor(core, token))


def list_audit(core: Core, token: str | None, query: AuditQuery) -> list[AuditEntry]:
    """The audit trail within the caller's reach."""
    return audit.list_events(core, _actor(core, token), query)
