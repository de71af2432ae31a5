"""Rules about IDs: lockout after ten failed logins, session idle and absolute limits, staff ID format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shomei_cli.domain.accounts import (
    DEFAULT_ABSOLUTE_MINUTES,
    DEFAULT_IDLE_MINUTES,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    SESSION_END_MESSAGES,
    SessionLimits,
    is_locked,
    lock_after_failure,
    session_end_reason,
    staff_login_id,
)

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
LIMITS = SessionLimits(idle=timedelta(minutes=60), absolute=timedelta(hours=12))


# -- lockout ---------------------------------------------------------------------------------------


def test_ten_failures_lock_for_fifteen_minutes() -> None:
    assert MAX_FAILED_LOGINS == 10
    assert timedelta(minutes=15) == LOCKOUT


@pytest.mark.parametrize("failures", range(1, 10))
def test_nine_failures_or_fewer_do_not_lock(failures: int) -> None:
    assert lock_after_failure(failures, NOW) is None


def test_the_tenth_failure_locks_for_exactly_fifteen_minutes() -> None:
    assert lock_after_failure(10, NOW) == datetime(2026, 11, 27, 1, 15, tzinfo=UTC)


def test_failures_after_the_tenth_lock_again_from_now() -> None:
    later = NOW + timedelta(minutes=20)
    assert lock_after_failure(11, later) == datetime(2026, 11, 27, 1, 35, tzinfo=UTC)


def test_an_id_never_locked_is_not_locked() -> None:
    assert is_locked(None, NOW) is False


def test_an_id_is_locked_until_the_instant_the_lock_lifts() -> None:
    locked_until = lock_after_failure(10, NOW)
    assert locked_until is not None
    assert is_locked(locked_until, NOW) is True
    assert is_locked(locked_until, locked_until - timedelta(microseconds=1)) is True
    assert is_locked(locked_until, locked_until) is False
    assert is_locked(locked_until, locked_until + timedelta(seconds=1)) is False


def test_a_lock_read_back_naive_from_the_store_is_read_as_utc() -> None:
    stored = datetime(2026, 11, 27, 1, 15)  # as SQLite returns it
    assert is_locked(stored, datetime(2026, 11, 27, 1, 14, 59, tzinfo=UTC)) is True
    assert is_locked(stored, datetime(2026, 11, 27, 1, 15, tzinfo=UTC)) is False


# -- session lifetimes -----------------------------------------------------------------------------


def test_default_limits_are_an_hour_idle_and_twelve_hours_in_all() -> None:
    assert (DEFAULT_IDLE_MINUTES, DEFAULT_ABSOLUTE_MINUTES) == (60, 720)


def test_a_session_idle_for_59_minutes_59_seconds_lives() -> None:
    assert session_end_reason(NOW, NOW, NOW + timedelta(minutes=59, seconds=59), LIMITS) is None


def test_a_session_idle_for_exactly_60_minutes_has_timed_out() -> None:
    assert session_end_reason(NOW, NOW, NOW + timedelta(minutes=60), LIMITS) == "idle_timeout"


def test_idle_time_counts_from_the_last_use_not_from_login() -> None:
    last_seen = NOW + timedelta(hours=5)
    assert session_end_reason(NOW, last_seen, last_seen + timedelta(minutes=59), LIMITS) is None
    assert session_end_reason(NOW, last_seen, last_seen + timedelta(minutes=60), LIMITS) == "idle_timeout"


def test_a_session_in_use_lives_until_just_before_twelve_hours() -> None:
    end = NOW + timedelta(hours=12)
    almost = end - timedelta(seconds=1)
    assert session_end_reason(NOW, almost, almost, LIMITS) is None


def test_a_session_in_use_ends_at_exactly_twelve_hours() -> None:
    end = NOW + timedelta(hours=12)
    assert session_end_reason(NOW, end - timedelta(minutes=1), end, LIMITS) == "absolute_timeout"


def test_the_absolute_limit_is_reported_when_both_are_reached() -> None:
    end = NOW + timedelta(hours=13)
    assert session_end_reason(NOW, NOW, end, LIMITS) == "absolute_timeout"


def test_session_times_read_back_naive_from_the_store_are_read_as_utc() -> None:
    created = datetime(2026, 11, 27, 1, 0)
    assert session_end_reason(created, created, NOW + timedelta(minutes=59), LIMITS) is None
    assert session_end_reason(created, created, NOW + timedelta(minutes=60), LIMITS) == "idle_timeout"


def test_every_end_reason_has_a_message() -> None:
    assert {"idle_timeout", "absolute_timeout", "superseded", "logout"} <= set(SESSION_END_MESSAGES)
    assert SESSION_END_MESSAGES["superseded"] == (
        "This session was ended because the same ID logged in elsewhere "
        "(an ID is personal: one live session per ID). Log in again with `shomei login`."
    )


# -- ID formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sequence", "login_id"), [(1, "S00001"), (42, "S00042"), (99999, "S99999")])
def test_staff_ids_read_s_and_five_digits(sequence: int, login_id: str) -> None:
    assert staff_login_id(sequence) == login_id
