"""Time: instants are UTC, a calendar day is a day in Asia/Tokyo, and the test clock moves only when told."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shomei_cli.domain.clock import DEFAULT_TIME_ZONE, FixedClock, SystemClock, as_utc, calendar_day

JST = ZoneInfo("Asia/Tokyo")


def test_the_chambers_zone_is_tokyo_by_default() -> None:
    assert DEFAULT_TIME_ZONE == "Asia/Tokyo"


def test_23_59_in_tokyo_is_still_that_day() -> None:
    # 2026-11-27 23:59:59.999999 JST is 14:59:59.999999 UTC the same date.
    assert calendar_day(datetime(2026, 11, 27, 14, 59, tzinfo=UTC)) == date(2026, 11, 27)
    assert calendar_day(datetime(2026, 11, 27, 14, 59, 59, 999999, tzinfo=UTC)) == date(2026, 11, 27)


def test_00_00_in_tokyo_is_the_next_day_although_utc_is_still_on_the_previous_one() -> None:
    # 2026-11-28 00:00 JST is 2026-11-27 15:00 UTC.
    assert calendar_day(datetime(2026, 11, 27, 15, 0, tzinfo=UTC)) == date(2026, 11, 28)


def test_calendar_day_does_not_depend_on_the_zone_the_instant_is_written_in() -> None:
    instant = datetime(2026, 11, 28, 0, 30, tzinfo=JST)
    same_in_new_york = instant.astimezone(ZoneInfo("America/New_York"))
    assert same_in_new_york.date() == date(2026, 11, 27)
    assert calendar_day(same_in_new_york) == date(2026, 11, 28)


def test_calendar_day_in_another_zone() -> None:
    assert calendar_day(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), "UTC") == date(2026, 11, 27)


def test_calendar_day_of_a_naive_datetime_reads_it_as_utc() -> None:
    assert calendar_day(datetime(2026, 11, 27, 14, 59)) == date(2026, 11, 27)
    assert calendar_day(datetime(2026, 11, 27, 15, 0)) == date(2026, 11, 28)


def test_as_utc_treats_a_naive_datetime_as_utc() -> None:
    result = as_utc(datetime(2026, 11, 27, 15, 0))
    assert result == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert result.tzinfo is UTC


def test_as_utc_converts_an_aware_datetime() -> None:
    result = as_utc(datetime(2026, 11, 27, 10, 0, tzinfo=JST))
    assert result.tzinfo is UTC
    assert (result.year, result.month, result.day, result.hour, result.minute) == (2026, 11, 27, 1, 0)


def test_fixed_clock_reports_its_start_in_utc() -> None:
    clock = FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=JST))
    now = clock.now()
    assert now.tzinfo is UTC
    assert (now.date(), now.hour, now.minute) == (date(2026, 11, 27), 1, 0)


def test_fixed_clock_stands_still_until_moved() -> None:
    clock = FixedClock(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def test_fixed_clock_set_moves_to_the_instant_in_utc() -> None:
    clock = FixedClock(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
    clock.set(datetime(2026, 11, 28, 0, 0, tzinfo=JST))
    assert clock.now() == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_fixed_clock_advance_moves_it_forward_by_the_delta() -> None:
    clock = FixedClock(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
    clock.advance(timedelta(hours=13, minutes=59))
    assert clock.now() == datetime(2026, 11, 27, 14, 59, tzinfo=UTC)
    clock.advance(timedelta(minutes=1))
    assert calendar_day(clock.now()) == date(2026, 11, 28)


def test_fixed_clock_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match=r"^FixedClock needs a timezone-aware datetime$"):
        FixedClock(datetime(2026, 11, 27, 10, 0))


def test_fixed_clock_refuses_to_be_set_to_a_naive_datetime_and_keeps_its_time() -> None:
    clock = FixedClock(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match=r"^FixedClock needs a timezone-aware datetime$"):
        clock.set(datetime(2026, 11, 28, 0, 0))
    assert clock.now() == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def test_system_clock_is_aware_and_in_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    after = datetime.now(UTC)
    assert now.tzinfo is UTC
    assert before <= now <= after
