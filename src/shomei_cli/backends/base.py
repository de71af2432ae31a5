"""The Backend protocol: every operation the CLI can ask of shomei, local or remote alike.

A backend carries the caller's session token (if any). Implementations: ``LocalBackend`` runs the services
in-process on a database URL; ``RemoteBackend`` sends the same calls to a ``shomei serve`` server.
"""

from __future__ import annotations

from typing import Protocol

from shomei_cli.domain.records import (
    AccountSummary,
    AuditEntry,
    AuditQuery,
    Identity,
    LoginResult,
    NewAccount,
)


class Backend(Protocol):
    def login(self, chamber_code: str, login_id: str, password: str) -> LoginResult:
        """Start a session; the result carries the token, which the caller keeps."""
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

    def audit(self, query: AuditQuery) -> list[AuditEntry]:
        """The audit trail within the caller's reach, newest first."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
