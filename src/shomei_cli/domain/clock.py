"""Time. Nothing calls ``datetime.now()`` on its own: a clock is injected, and tests move it.

Instants are timezone-aware UTC datetimes everywhere; a calendar day is always a day in the chamber's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Asia/Tokyo"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and for reproducible demos."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def as_utc(instant: datetime) -> datetime:
    """Stored datetimes come back naive from SQLite; they were written in UTC."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def calendar_day(instant: datetime, zone: str = DEFAULT_TIME_ZONE) -> date:
    """The calendar day that ``instant`` falls on in ``zone`` (the chamber's zone, not the machine's)."""
    return as_utc(instant).astimezone(ZoneInfo(zone)).date()
