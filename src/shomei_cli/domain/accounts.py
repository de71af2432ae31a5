"""Rules about IDs themselves: lockout after failed logins, session lifetimes, ID formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shomei_cli.domain.clock import as_utc
from shomei_cli.i18n import N_, _

MAX_FAILED_LOGINS = 10
LOCKOUT = timedelta(minutes=15)
DEFAULT_IDLE_MINUTES = 60
DEFAULT_ABSOLUTE_MINUTES = 12 * 60

# ID prefixes by role; the number after it comes from a per-chamber counter in the store.
STAFF_ID_PREFIX = "S"


def staff_login_id(sequence: int) -> str:
    """Staff IDs read S00001, S00002, … within a chamber."""
    return f"{STAFF_ID_PREFIX}{sequence:05d}"


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and as_utc(locked_until) > now


def lock_after_failure(failed_logins: int, now: datetime) -> datetime | None:
    """After the ``failed_logins``-th consecutive failure: the instant the lock lifts, or None."""
    if failed_logins >= MAX_FAILED_LOGINS:
        return now + LOCKOUT
    return None


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


def session_end_reason(
    created_at: datetime, last_seen_at: datetime, now: datetime, limits: SessionLimits
) -> str | None:
    """Why a live session is over at ``now`` ("idle_timeout", "absolute_timeout"), or None if it lives."""
    if now - as_utc(created_at) >= limits.absolute:
        return "absolute_timeout"
    if now - as_utc(last_seen_at) >= limits.idle:
        return "idle_timeout"
    return None


# Why a session ended, for people; marked here and translated where shown: session_end_message().
SESSION_END_MESSAGES = {
    "logout": N_("This session was logged out. Log in again with `shomei login`."),
    "superseded": N_(
        "This session was ended because the same ID logged in elsewhere "
        "(an ID is personal: one live session per ID). Log in again with `shomei login`."
    ),
    "idle_timeout": N_("This session timed out after a period without use. Log in again."),
    "absolute_timeout": N_("This session reached its maximum lifetime. Log in again."),
    "password_reset": N_("This session was ended because the password was reset. Log in again."),
    "disabled": N_("This session was ended because the ID was disabled."),
}
SESSION_ENDED = N_("This session has ended. Log in again.")


def session_end_message(reason: str) -> str:
    """Why the session ended (its ``end_reason``), in the language in force; a general word for others."""
    return _(SESSION_END_MESSAGES.get(reason, SESSION_ENDED))
