"""Rules about IDs: the login-ID key, throttling and the hard lock, session lifetimes, staff ID format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shomei_cli.domain.accounts import (
    DEFAULT_ABSOLUTE_MINUTES,
    DEFAULT_IDLE_MINUTES,
    FAILURE_WINDOW,
    FAILURES_PER_CLIENT,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    SESSION_END_MESSAGES,
    SessionLimits,
    attempts_remaining,
    chamber_key,
    could_be_chamber_code,
    could_be_login_id,
    delay_after,
    is_locked,
    lock_after_failure,
    locked_message,
    login_key,
    session_end_reason,
    staff_login_id,
)

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
LIMITS = SessionLimits(idle=timedelta(minutes=60), absolute=timedelta(hours=12))


# -- the one login-ID key --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "U000001",
        " U000001",
        "U000001 ",
        "\tU000001\n",
        "u000001",
        "Ｕ０００００１",
        "ｕ000001",
        "\u3000U000001\u3000",
    ],
)
def test_every_spelling_of_an_id_has_the_key_of_the_id(typed: str) -> None:
    assert login_key(typed) == "U000001"


@given(
    sequence=st.integers(min_value=1, max_value=999_999),
    prefix=st.sampled_from(["S", "A", "U", "SB"]),
    pad_left=st.text(alphabet=" \t\u3000", max_size=3),
    pad_right=st.text(alphabet=" \t\u3000\n", max_size=3),
    lower=st.booleans(),
    full_width=st.booleans(),
)
def test_padding_case_and_width_never_change_the_key(
    sequence: int, prefix: str, pad_left: str, pad_right: str, lower: bool, full_width: bool
) -> None:
    stored = f"{prefix}{sequence:06d}"
    typed = stored.lower() if lower else stored
    if full_width:  # what an IME in full-width mode types: U+FF01..U+FF5E for ASCII
        typed = "".join(chr(ord(c) + 0xFEE0) for c in typed)
    assert login_key(pad_left + typed + pad_right) == stored


def test_a_full_width_chamber_code_is_the_chamber_code() -> None:
    assert chamber_key(" １３０１ ") == "1301"
    assert could_be_chamber_code("1301") is True
    assert could_be_chamber_code("130") is False


@pytest.mark.parametrize("key", ["", "U\x00001", "U 000001", "Ü000001", "U" * 33, "U000001;--"])
def test_a_key_no_id_could_have_names_no_account(key: str) -> None:
    assert could_be_login_id(key) is False


def test_an_id_the_system_makes_could_be_an_id() -> None:
    assert could_be_login_id("A1301000001") is True


# -- throttling and the hard lock -------------------------------------------------------------------


def test_the_hard_lock_takes_fifty_failures_and_lasts_fifteen_minutes() -> None:
    assert MAX_FAILED_LOGINS == 50
    assert timedelta(minutes=15) == LOCKOUT


@pytest.mark.parametrize("failures", [0, 1, 5, 49])
def test_fewer_than_fifty_failures_do_not_lock(failures: int) -> None:
    assert lock_after_failure(failures, NOW) is None


def test_the_fiftieth_failure_locks_for_exactly_fifteen_minutes() -> None:
    assert lock_after_failure(50, NOW) == datetime(2026, 11, 27, 1, 15, tzinfo=UTC)


def test_failures_after_the_fiftieth_lock_again_from_now() -> None:
    later = NOW + timedelta(minutes=20)
    assert lock_after_failure(51, later) == datetime(2026, 11, 27, 1, 35, tzinfo=UTC)


def test_one_address_needs_over_an_hour_to_reach_the_hard_lock() -> None:
    """Ten failures per ID and client per fifteen minutes: fifty take five windows from one address."""
    windows = -(-MAX_FAILED_LOGINS // FAILURES_PER_CLIENT)
    assert (windows - 1) * FAILURE_WINDOW >= timedelta(hours=1)


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (40, 60)],
)
def test_the_delay_before_the_next_attempt_doubles_after_five_failures_up_to_a_minute(
    failures: int, delay: int
) -> None:
    assert delay_after(failures) == delay


@pytest.mark.parametrize(("failures", "left"), [(0, None), (4, None), (5, 5), (8, 2), (9, 1), (10, None)])
def test_attempts_left_are_told_after_half_the_allowed_failures(failures: int, left: int | None) -> None:
    assert attempts_remaining(failures) == left


@pytest.mark.parametrize(
    ("role", "login_id", "number", "command", "who"),
    [
        ("staff", "S00002", None, "shomei chamber staff unlock S00002", "another staff ID of the chamber"),
        ("admin", "A1301000001", "1301000001", "shomei admin unlock 1301000001", "the chamber's staff"),
        (
            "signer",
            "U000001",
            "1301000001",
            "shomei signer unlock U000001",
            "your company's administrator ID",
        ),
        ("sub", "SB000001", "1301000001", "shomei subid unlock SB000001", "your signer's user ID"),
    ],
)
def test_the_lock_message_names_the_unlock_command_and_who_runs_it_in_the_chambers_time(
    role: str, login_id: str, number: str | None, command: str, who: str
) -> None:
    until = datetime(2026, 11, 27, 1, 15, tzinfo=UTC)
    assert locked_message(role, login_id, number, until, "Asia/Tokyo") == (
        "This ID is locked after repeated failed logins until 2026-11-27 10:15 JST. "
        f"To unlock it sooner, ask {who} to run `{command}`."
    )


def test_an_id_never_locked_is_not_locked() -> None:
    assert is_locked(None, NOW) is False


def test_an_id_is_locked_until_the_instant_the_lock_lifts() -> None:
    locked_until = lock_after_failure(50, NOW)
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
