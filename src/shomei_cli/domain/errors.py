"""The one error hierarchy. Every failure a user can meet is one of these, with a stable machine code.

The CLI maps codes to exit codes (``cli/errors.py``), the server to HTTP statuses; the remote backend turns
problem documents back into these classes, so local and remote fail identically. Messages never carry secrets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shomei_cli.i18n import _


@dataclass(frozen=True)
class FieldError:
    """One bad field (or CSV cell): where it is and what is wrong with it."""

    field: str
    reason: str
    row: int | None = None

    def __str__(self) -> str:
        if self.row is not None:
            return _("row {row}, {field}: {reason}").format(
                row=self.row, field=self.field, reason=self.reason
            )
        return _("{field}: {reason}").format(field=self.field, reason=self.reason)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "reason": self.reason}
        if self.row is not None:
            data["row"] = self.row
        return data


@dataclass(eq=False)
class ShomeiError(Exception):
    """Base of every expected failure. ``code`` is stable and documented; ``message`` is for people."""

    message: str
    code: str = field(default="error", init=False)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def details(self) -> dict[str, object]:
        """Extra machine-readable facts (never secrets) carried alongside the code."""
        return {}


# -- authentication (exit 3) -------------------------------------------------------------------


@dataclass(eq=False)
class AuthenticationError(ShomeiError):
    """Base of the failures that mean: who you are could not be established (exit 3)."""

    code: str = field(default="authentication_error", init=False)


@dataclass(eq=False)
class AuthenticationFailed(AuthenticationError):
    """Wrong chamber code, unknown ID or wrong password: one message for all three, on purpose."""

    # default messages are made when the error is, so that they speak the language of that moment
    message: str = field(
        default_factory=lambda: _("Login failed: the chamber code, ID or password is wrong.")
    )
    code: str = field(default="authentication_failed", init=False)


@dataclass(eq=False)
class AccountLocked(AuthenticationError):
    code: str = field(default="account_locked", init=False)


@dataclass(eq=False)
class InitialPasswordExpired(AuthenticationError):
    message: str = field(
        default_factory=lambda: _(
            "This initial password has expired: its card was not printed within 30 days. "
            "Ask the chamber (administrator IDs) or your administrator (user IDs) to reset it."
        )
    )
    code: str = field(default="initial_password_expired", init=False)


@dataclass(eq=False)
class NotLoggedIn(AuthenticationError):
    message: str = field(
        default_factory=lambda: _("Not logged in: run `shomei login --chamber CODE --id ID` first.")
    )
    code: str = field(default="not_logged_in", init=False)


@dataclass(eq=False)
class SessionEnded(AuthenticationError):
    """The session is over: logged out, superseded by a login elsewhere, timed out, or revoked."""

    reason: str = "ended"
    code: str = field(default="session_ended", init=False)

    def details(self) -> dict[str, object]:
        return {"reason": self.reason}


@dataclass(eq=False)
class PasswordChangeRequired(AuthenticationError):
    message: str = field(
        default_factory=lambda: _(
            "Your password is temporary: change it with `shomei passwd` before doing anything else."
        )
    )
    code: str = field(default="password_change_required", init=False)


@dataclass(eq=False)
class CredentialStoreUnavailable(AuthenticationError):
    code: str = field(default="credential_store_unavailable", init=False)


# -- permission (exit 4) -------------------------------------------------------------------------


@dataclass(eq=False)
class PermissionDenied(ShomeiError):
    code: str = field(default="permission_denied", init=False)


# -- not found (exit 5) ----------------------------------------------------------------------------


@dataclass(eq=False)
class NotFound(ShomeiError):
    code: str = field(default="not_found", init=False)


# -- conflict / wrong state (exit 6) ---------------------------------------------------------------


@dataclass(eq=False)
class Conflict(ShomeiError):
    code: str = field(default="conflict", init=False)


@dataclass(eq=False)
class WrongState(Conflict):
    code: str = field(default="wrong_state", init=False)


@dataclass(eq=False)
class Expired(Conflict):
    code: str = field(default="expired", init=False)


# -- invalid input (exit 7) ------------------------------------------------------------------------

MESSAGE_LIMIT = 50


@dataclass(eq=False)
class InvalidInput(ShomeiError):
    """Validation failed. ``errors`` names every bad field or row, not just the first."""

    errors: list[FieldError] = field(default_factory=list)
    code: str = field(default="invalid_input", init=False)

    @classmethod
    def of(cls, errors: list[FieldError]) -> InvalidInput:
        """The message names every error, up to MESSAGE_LIMIT of them; ``errors`` always holds all."""
        lines = "; ".join(str(e) for e in errors[:MESSAGE_LIMIT])
        if len(errors) > MESSAGE_LIMIT:
            lines += _("; and {count} more (see --json for all)").format(count=len(errors) - MESSAGE_LIMIT)
        return cls(_("Invalid input: {errors}").format(errors=lines), errors)

    @classmethod
    def single(cls, field_name: str, reason: str) -> InvalidInput:
        return cls.of([FieldError(field_name, reason)])

    def details(self) -> dict[str, object]:
        return {"errors": [e.to_dict() for e in self.errors]}


# -- the store or endpoint (exit 8) ------------------------------------------------------------------


@dataclass(eq=False)
class Unavailable(ShomeiError):
    """The database or the endpoint cannot be reached."""

    code: str = field(default="unavailable", init=False)


@dataclass(eq=False)
class StoreIncompatible(Unavailable):
    """The store exists but is not a shomei database, or is from a newer or older schema."""

    code: str = field(default="store_incompatible", init=False)


@dataclass(eq=False)
class RateLimited(ShomeiError):
    """Too many attempts from one place; ``retry_after`` seconds until the next may succeed."""

    retry_after: int = 60
    code: str = field(default="rate_limited", init=False)

    def details(self) -> dict[str, object]:
        return {"retry_after": self.retry_after}


def all_error_classes() -> list[type[ShomeiError]]:
    """Every error class of this module (not subclasses made elsewhere for internal use), parents first."""
    seen: list[type[ShomeiError]] = []
    queue: list[type[ShomeiError]] = [ShomeiError]
    while queue:
        cls = queue.pop(0)
        if cls.__module__ == __name__:
            seen.append(cls)
        queue.extend(cls.__subclasses__())
    return seen


def error_from_code(code: str, message: str, details: dict[str, object]) -> ShomeiError:
    """Rebuild the error a problem document describes (the remote backend's half of the round trip)."""
    by_code = {cls.code: cls for cls in all_error_classes()}
    cls = by_code.get(code, ShomeiError)
    if cls is InvalidInput:
        raw = details.get("errors")
        items = raw if isinstance(raw, list) else []
        return InvalidInput(
            message,
            [
                FieldError(str(i.get("field", "")), str(i.get("reason", "")), _as_int(i.get("row")))
                for i in items
                if isinstance(i, dict)
            ],
        )
    if cls is SessionEnded:
        return SessionEnded(message, str(details.get("reason", "ended")))
    if cls is RateLimited:
        return RateLimited(message, _as_int(details.get("retry_after")) or 60)
    error = cls(message)
    if cls is ShomeiError:
        error.code = code
    return error


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
