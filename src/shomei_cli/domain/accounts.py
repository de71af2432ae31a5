"""Rules about IDs themselves: the login-ID key, throttling and lockout after failed logins, session
lifetimes, ID formats."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shomei_cli.domain.clock import as_utc
from shomei_cli.i18n import N_, _

# -- the one login-ID key -------------------------------------------------------------------------------
# Every ID the system makes is a capital letter and digits (S00001, A1301000001, U000001, B000001); what a
# person types is compared by its key: trimmed, NFKC (full-width 'Ｕ０００００１' from an IME is 'U000001'),
# and case-folded to the stored capitals. The key, never the typed text, is what the account lookup, every
# limit, the lockout counter and the audit record use.
LOGIN_ID_MAX_LENGTH = 32
CHAMBER_CODE_LENGTH = 4


def login_key(typed: str) -> str:
    """The key of a typed login ID: the one value that names it for lookups, limits, counters and audit."""
    return unicodedata.normalize("NFKC", typed).strip().upper()


def chamber_key(typed: str) -> str:
    """The key of a typed chamber code (full-width digits and padding do not make another chamber)."""
    return unicodedata.normalize("NFKC", typed).strip()


def could_be_login_id(key: str) -> bool:
    """Whether ``key`` has the shape of an ID the system makes; anything else names no account."""
    return 0 < len(key) <= LOGIN_ID_MAX_LENGTH and key.isascii() and key.isalnum()


def could_be_chamber_code(key: str) -> bool:
    return len(key) == CHAMBER_CODE_LENGTH and key.isascii() and key.isdigit()


# -- throttling (NIST SP 800-63B 5.2.2) ------------------------------------------------------------------
# Failed logins are counted by login-ID key, known and unknown IDs alike (so that no answer tells them
# apart), and by client: a client without a device token is its address; a client that logged in to this ID
# successfully before (its device token) is counted on its own and is not slowed or locked by failures that
# come from elsewhere.
FAILURE_WINDOW = timedelta(minutes=15)
# failures of one ID from one client within the window; then that client waits for the window to end
FAILURES_PER_CLIENT = 10
# failures from one address within the window, over all IDs (one address guessing through many IDs)
FAILURES_PER_ADDRESS = 100
# failures of one ID from anywhere (except its known clients) before each next attempt waits, doubling
FREE_FAILURES_PER_ID = 5
MAX_DELAY_SECONDS = 60
ID_FAILURE_WINDOW = timedelta(hours=1)
# the hard lock, last line: reached only by failures from clients without this ID's device token; with
# FAILURES_PER_CLIENT per window and the doubling delay, one address needs over an hour to get there
MAX_FAILED_LOGINS = 50
LOCKOUT = timedelta(minutes=15)


def delay_after(failures: int) -> int:
    """Seconds the next attempt for an ID must wait after its ``failures``-th failure from anywhere."""
    if failures < FREE_FAILURES_PER_ID:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES_PER_ID), MAX_DELAY_SECONDS))


def attempts_remaining(failures: int) -> int | None:
    """After half the failures a client may make, how many it has left before it is paused; else None.

    Counted per (ID key, client), the same for IDs that exist and IDs that do not: it tells nothing.
    """
    left = FAILURES_PER_CLIENT - failures
    return left if failures >= FAILURES_PER_CLIENT // 2 and left > 0 else None


DEFAULT_IDLE_MINUTES = 60
DEFAULT_ABSOLUTE_MINUTES = 12 * 60

# ID prefixes by role; the number after it comes from a per-chamber counter in the store.
STAFF_ID_PREFIX = "S"


def staff_login_id(sequence: int) -> str:
    """Staff IDs read S00001, S00002, … within a chamber."""
    return f"{STAFF_ID_PREFIX}{sequence:05d}"


# Who may lift a lock on each role's ID, and the command they run (the permission table's unlock rows).
UNLOCKED_BY = {
    "staff": (N_("another staff ID of the chamber"), "shomei chamber staff unlock {login_id}"),
    "admin": (N_("the chamber's staff"), "shomei admin unlock {registration_number}"),
    "signer": (N_("your company's administrator ID"), "shomei signer unlock {login_id}"),
    "sub": (N_("your signer's user ID"), "shomei subid unlock {login_id}"),
}


def locked_message(
    role: str, login_id: str, registration_number: str | None, locked_until: datetime, zone: str
) -> str:
    """What the holder of a locked ID is told (only once the password proved it is the holder): until when,
    in the chamber's time, and who can unlock it sooner with which command."""
    who, command = UNLOCKED_BY[role]
    until = as_utc(locked_until).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")
    return _(
        "This ID is locked after repeated failed logins until {until}. "
        "To unlock it sooner, ask {who} to run `{command}`."
    ).format(
        until=until,
        who=_(who),
        command=command.format(login_id=login_id, registration_number=registration_number or "REGISTRATION"),
    )


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
