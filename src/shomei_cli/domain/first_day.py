"""The first-day-only password display (署名登録証, 貿易登録証), as one function of stored time and now.

The password printed on a card is shown on the calendar day (in the chamber's zone) on which the card was
first printed, on every print that day, and never from the next day on. An initial password whose card was
never printed within INITIAL_PASSWORD_DAYS expires: the level above must reset it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shomei_cli.domain.clock import as_utc, calendar_day

INITIAL_PASSWORD_DAYS = 30


def password_visible(first_shown_at: datetime | None, now: datetime, zone: str) -> bool:
    """May a print at ``now`` show the password? Yes for the first print, and on the same day as it."""
    if first_shown_at is None:
        return True
    return calendar_day(first_shown_at, zone) == calendar_day(now, zone)


def secret_spent(issued_at: datetime, first_shown_at: datetime | None, now: datetime, zone: str) -> bool:
    """Is the stored plaintext no longer needed, so that it must be destroyed?

    After its first-print day has ended; or, never printed, after INITIAL_PASSWORD_DAYS.
    """
    if first_shown_at is not None:
        return not password_visible(first_shown_at, now, zone)
    return now - as_utc(issued_at) >= timedelta(days=INITIAL_PASSWORD_DAYS)
