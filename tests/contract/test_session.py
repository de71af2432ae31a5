"""login, logout, whoami and change_password: the same values and the same failures on every way in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import (
    AccountLocked,
    AuthenticationFailed,
    FieldError,
    InvalidInput,
    NotLoggedIn,
    PasswordChangeRequired,
    RateLimited,
    SessionEnded,
    ShomeiError,
)
from shomei_cli.domain.records import AuditQuery, Identity, NewChamber
from shomei_cli.services import chambers
from shomei_cli.services.core import Core
from tests.contract.conftest import (
    CHAMBER_CODE,
    CHAMBER_NAME,
    FIRST_STAFF,
    IDLE,
    NOW,
    MakeBackend,
    add_active_staff,
)
from tests.helpers import TEST_PASSWORD, lock_out

UNSTORABLE = "must not contain NUL or unpaired surrogate characters"
LOGIN_FAILED = "Login failed: the chamber code, ID or password is wrong."
NOT_LOGGED_IN = "Not logged in: run `shomei login --chamber CODE --id ID` first."
UNKNOWN_SESSION = "The saved session is not known to this store or server: log in again."
LOGGED_OUT = "This session was logged out. Log in again with `shomei login`."
SUPERSEDED = (
    "This session was ended because the same ID logged in elsewhere "
    "(an ID is personal: one live session per ID). Log in again with `shomei login`."
)
IDLE_TIMEOUT = "This session timed out after a period without use. Log in again."
ABSOLUTE_TIMEOUT = "This session reached its maximum lifetime. Log in again."
TEMPORARY = "Your password is temporary: change it with `shomei passwd` before doing anything else."
NEW_PASSWORD = "sora-wo-tobu-kujira-42"

# Every method that needs a session, called with harmless arguments.
SESSION_CALLS: dict[str, Callable[[Backend], object]] = {
    "logout": lambda b: b.logout(),
    "whoami": lambda b: b.whoami(),
    "change_password": lambda b: b.change_password(TEST_PASSWORD, NEW_PASSWORD),
    "add_staff": lambda b: b.add_staff("Suzuki", None),
    "list_staff": lambda b: b.list_staff(),
    "audit": lambda b: b.audit(AuditQuery()),
}


def identity(
    *, must_change_password: bool = False, started: datetime = NOW, expires: datetime = NOW + IDLE
) -> Identity:
    return Identity(
        chamber_code=CHAMBER_CODE,
        chamber_name=CHAMBER_NAME,
        login_id="S00001",
        role="staff",
        name=FIRST_STAFF,
        registration_number=None,
        must_change_password=must_change_password,
        session_started_at=started,
        session_expires_at=expires,
    )


def assert_error(
    caught: pytest.ExceptionInfo[ShomeiError], cls: type[ShomeiError], code: str, message: str
) -> None:
    """The exact class (not a subclass or a parent), the stable code and the message people read."""
    assert type(caught.value) is cls
    assert caught.value.code == code
    assert caught.value.message == message
    assert str(caught.value) == message


# -- login ---------------------------------------------------------------------------------------


def test_login_returns_a_token_and_the_identity_with_utc_datetimes(
    make_backend: MakeBackend, chamber: NewChamber
) -> None:
    backend = make_backend()
    result = backend.login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    assert result.identity == identity()
    assert result.identity.session_started_at.utcoffset() == timedelta(0)
    assert result.identity.session_expires_at.utcoffset() == timedelta(0)
    assert len(result.token) >= 43  # 32 random bytes, URL-safe base64
    assert backend.token == result.token  # type: ignore[attr-defined]
    assert backend.whoami() == result.identity
    # the token alone is the session: another backend given it is the same ID
    assert make_backend(result.token).whoami() == identity()
    # the chamber code and the ID are trimmed
    trimmed = make_backend().login(f" {CHAMBER_CODE} ", " S00001 ", TEST_PASSWORD)
    assert trimmed.identity == identity()
    assert trimmed.token != result.token


LOGIN_FAILURES = {
    "wrong-password": (CHAMBER_CODE, "S00001", "wrong-password-123"),
    "empty-password": (CHAMBER_CODE, "S00001", ""),
    "unknown-id": (CHAMBER_CODE, "S99999", TEST_PASSWORD),
    "unknown-chamber": ("9999", "S00001", TEST_PASSWORD),
    "other-chamber": ("2701", "S00001", TEST_PASSWORD),  # S00001 there has another password
    "all-empty": ("", "", ""),
}


def test_login_failures_are_one_error_with_one_message(
    make_backend: MakeBackend, core: Core, chamber: NewChamber
) -> None:
    chambers.init_chamber(core, "2701", "大阪商工会議所", "Osaka CCI")
    for case, (chamber_code, login_id, password) in LOGIN_FAILURES.items():
        backend = make_backend()
        with pytest.raises(AuthenticationFailed) as caught:
            backend.login(chamber_code, login_id, password)
        assert_error(caught, AuthenticationFailed, "authentication_failed", LOGIN_FAILED)
        assert backend.token is None, case  # type: ignore[attr-defined]


def test_ten_failures_from_one_client_pause_it_for_known_and_unknown_ids_alike(
    make_backend: MakeBackend, core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    suzuki = add_active_staff(core, "Suzuki")
    told: dict[str, list[tuple[str, str]]] = {}
    for login_id in (suzuki, "S09999"):
        backend = make_backend()
        told[login_id] = []
        for _ in range(11):
            clock.advance(timedelta(seconds=60))  # past the ID's delay
            with pytest.raises((AuthenticationFailed, RateLimited)) as caught:
                backend.login(CHAMBER_CODE, login_id, "wrong-password-123")
            told[login_id].append((caught.value.code, caught.value.message))
    remaining = [
        f"{LOGIN_FAILED} {left} more failed attempts for this ID from this client pause its logins here "
        "for a while."
        for left in (5, 4, 3, 2, 1)
    ]
    assert (
        told[suzuki]
        == told["S09999"]
        == [
            *[("authentication_failed", LOGIN_FAILED)] * 4,
            *[("authentication_failed", message) for message in remaining],
            ("authentication_failed", LOGIN_FAILED),
            ("rate_limited", "Too many failed logins; try again in 300 seconds."),
        ]
    )


def test_a_locked_id_tells_only_its_holder_and_not_a_client_that_logged_in_before(
    make_backend: MakeBackend, core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    suzuki = add_active_staff(core, "Suzuki")
    staff = make_backend()
    staff.login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    known = make_backend()
    device_token = known.login(CHAMBER_CODE, suzuki, TEST_PASSWORD).device_token
    assert device_token is not None
    lock_out(core, suzuki)
    backend = make_backend()
    with pytest.raises(AuthenticationFailed) as failed:
        backend.login(CHAMBER_CODE, suzuki, "wrong-password-123")
    assert_error(failed, AuthenticationFailed, "authentication_failed", LOGIN_FAILED)
    with pytest.raises(AccountLocked) as caught:
        backend.login(CHAMBER_CODE, suzuki, TEST_PASSWORD)
    locked = (
        "This ID is locked after repeated failed logins until 2026-11-27 10:15 JST. "
        "To unlock it sooner, ask another staff ID of the chamber to run "
        f"`shomei chamber staff unlock {suzuki}`."
    )
    assert_error(caught, AccountLocked, "account_locked", locked)
    assert [(s.login_id, s.locked) for s in staff.list_staff()] == [("S00001", False), (suzuki, True)]
    # the client that logged in before gets in, and the lock stays for everyone else
    assert known.login(CHAMBER_CODE, suzuki, TEST_PASSWORD, device_token).identity.login_id == suzuki
    assert [(s.login_id, s.locked) for s in staff.list_staff()] == [("S00001", False), (suzuki, True)]

    clock.advance(timedelta(minutes=15))
    assert backend.login(CHAMBER_CODE, suzuki, TEST_PASSWORD).identity.login_id == suzuki
    assert [(s.login_id, s.locked) for s in staff.list_staff()] == [("S00001", False), (suzuki, False)]
    trail = staff.audit(AuditQuery(actor=suzuki, action="auth.login"))
    assert [(e.outcome, e.details.get("reason"), e.details.get("known_client")) for e in trail] == [
        ("ok", None, None),
        ("ok", None, None),
        ("failed", "locked", False),
        ("failed", "locked", False),
        ("ok", None, None),
        ("ok", None, None),  # activation, through the services
    ]


def test_an_id_typed_in_any_case_width_or_padding_logs_in(
    make_backend: MakeBackend, chamber: NewChamber
) -> None:
    for typed in ("s00001", " S00001 ", "Ｓ０００01"):
        assert make_backend().login(" １３０１", typed, TEST_PASSWORD).identity.login_id == "S00001"


def test_a_second_login_ends_the_first_session(make_backend: MakeBackend, chamber: NewChamber) -> None:
    first, second = make_backend(), make_backend()
    first.login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    second.login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    for call in SESSION_CALLS.values():
        with pytest.raises(SessionEnded) as caught:
            call(first)
        assert_error(caught, SessionEnded, "session_ended", SUPERSEDED)
        assert caught.value.reason == "superseded"
    assert second.whoami() == identity()
    latest = second.audit(AuditQuery(action="auth.login", limit=1))
    assert [(e.actor, e.outcome, e.details) for e in latest] == [
        ("S00001", "ok", {"ended_other_sessions": 1, "rehashed": False})
    ]


# -- no session ----------------------------------------------------------------------------------


def test_without_a_known_token_every_method_says_not_logged_in(
    make_backend: MakeBackend, chamber: NewChamber
) -> None:
    for token, message in (
        (None, NOT_LOGGED_IN),
        ("", NOT_LOGGED_IN),
        ("not-a-token-we-issued", UNKNOWN_SESSION),
    ):
        for call in SESSION_CALLS.values():
            with pytest.raises(NotLoggedIn) as caught:
                call(make_backend(token))
            assert_error(caught, NotLoggedIn, "not_logged_in", message)


# -- logout --------------------------------------------------------------------------------------


def test_logout_ends_the_session_for_every_method_and_is_audited(
    make_backend: MakeBackend, staff: Backend
) -> None:
    assert staff.logout() is None
    for call in SESSION_CALLS.values():
        with pytest.raises(SessionEnded) as caught:
            call(staff)
        assert_error(caught, SessionEnded, "session_ended", LOGGED_OUT)
        assert caught.value.reason == "logout"
    again = make_backend()
    assert again.login(CHAMBER_CODE, "S00001", TEST_PASSWORD).identity == identity()
    trail = again.audit(AuditQuery(limit=2))
    assert [(e.action, e.actor, e.actor_role, e.outcome, e.details) for e in trail] == [
        ("auth.login", "S00001", "staff", "ok", {"ended_other_sessions": 0, "rehashed": False}),
        ("auth.logout", "S00001", "staff", "ok", {}),
    ]


# -- whoami and the session's lifetime -----------------------------------------------------------


def test_use_refreshes_the_idle_timer_and_sixty_idle_minutes_end_the_session(
    staff: Backend, clock: FixedClock
) -> None:
    clock.advance(timedelta(minutes=59))
    assert staff.whoami() == identity(expires=NOW + timedelta(minutes=59) + IDLE)
    clock.advance(timedelta(minutes=59))
    assert staff.list_staff()[0].login_id == "S00001"  # any use counts
    assert staff.whoami() == identity(expires=NOW + timedelta(minutes=118) + IDLE)
    clock.advance(IDLE)
    for call in (*SESSION_CALLS.values(), SESSION_CALLS["whoami"]):  # the second whoami reads the stored end
        with pytest.raises(SessionEnded) as caught:
            call(staff)
        assert_error(caught, SessionEnded, "session_ended", IDLE_TIMEOUT)
        assert caught.value.reason == "idle_timeout"


def test_a_session_in_use_still_ends_after_twelve_hours(staff: Backend, clock: FixedClock) -> None:
    for _ in range(12):
        clock.advance(timedelta(minutes=59))
        staff.whoami()
    # the idle limit would reach past the absolute one: the earlier wins
    assert staff.whoami() == identity(expires=NOW + timedelta(hours=12))
    assert staff.whoami().session_expires_at.astimezone(UTC) == NOW + timedelta(hours=12)
    clock.advance(timedelta(minutes=12))
    with pytest.raises(SessionEnded) as caught:
        staff.whoami()
    assert_error(caught, SessionEnded, "session_ended", ABSOLUTE_TIMEOUT)
    assert caught.value.reason == "absolute_timeout"


# -- the temporary password ----------------------------------------------------------------------


def test_a_temporary_password_allows_only_whoami_change_password_and_logout(
    make_backend: MakeBackend, new_chamber: NewChamber
) -> None:
    initial = new_chamber.staff.initial_password
    leaving = make_backend()
    assert leaving.login(CHAMBER_CODE, "S00001", initial).identity == identity(must_change_password=True)
    assert leaving.logout() is None
    with pytest.raises(SessionEnded) as ended:
        leaving.whoami()
    assert ended.value.reason == "logout"

    backend = make_backend()
    result = backend.login(CHAMBER_CODE, "S00001", initial)
    assert result.identity == identity(must_change_password=True)
    assert backend.whoami() == identity(must_change_password=True)
    for method in ("add_staff", "list_staff", "audit"):
        with pytest.raises(PasswordChangeRequired) as caught:
            SESSION_CALLS[method](backend)
        assert_error(caught, PasswordChangeRequired, "password_change_required", TEMPORARY)
    assert backend.change_password(initial, TEST_PASSWORD) is None
    assert backend.whoami() == identity()
    assert [s.login_id for s in backend.list_staff()] == ["S00001"]


# -- change_password -----------------------------------------------------------------------------


def test_change_password_keeps_the_session_and_replaces_the_password(
    make_backend: MakeBackend, staff: Backend
) -> None:
    assert staff.change_password(TEST_PASSWORD, NEW_PASSWORD) is None
    assert staff.whoami() == identity()
    with pytest.raises(AuthenticationFailed):
        make_backend().login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    again = make_backend()
    assert again.login(CHAMBER_CODE, "S00001", NEW_PASSWORD).identity == identity()
    trail = again.audit(AuditQuery(actor="S00001", limit=4))
    assert [(e.action, e.outcome, e.details.get("reason")) for e in trail] == [
        ("auth.login", "ok", None),
        ("auth.login", "failed", "bad_password"),
        ("auth.password_change", "ok", None),
        ("auth.login", "ok", None),
    ]


def test_a_wrong_current_password_is_invalid_input_and_audited(staff: Backend) -> None:
    with pytest.raises(InvalidInput) as caught:
        staff.change_password("not-the-password-1", NEW_PASSWORD)
    assert_error(
        caught, InvalidInput, "invalid_input", "Invalid input: current_password: is not the current password"
    )
    assert caught.value.errors == [FieldError("current_password", "is not the current password")]
    (entry,) = staff.audit(AuditQuery(action="auth.password_change", limit=1))
    assert (entry.actor, entry.outcome, entry.details) == (
        "S00001",
        "failed",
        {"reason": "wrong_current_password"},
    )


POLICY_CASES = {
    "short": ["must be at least 12 characters (it has 5)"],
    "password": ["must be at least 12 characters (it has 8)", "is one of the most common passwords"],
    "x" * 129: ["must be at most 128 characters (it has 129)"],
    "abcdefgh\x07ijklmn": ["must not contain control characters"],
    "s00001-1301-kumo-no-ue": ["must not contain the ID", "must not contain the chamber code"],
    "my-tokyo cci-password": ["must not contain the company or chamber name"],
    "東京商工会議所のひみつのことば": ["must not contain the company or chamber name"],
    TEST_PASSWORD: ["must differ from the current password"],
}


def test_a_new_password_against_the_policy_names_every_reason(
    make_backend: MakeBackend, staff: Backend
) -> None:
    for new, reasons in POLICY_CASES.items():
        with pytest.raises(InvalidInput) as caught:
            staff.change_password(TEST_PASSWORD, new)
        message = "Invalid input: " + "; ".join(f"new_password: {reason}" for reason in reasons)
        assert_error(caught, InvalidInput, "invalid_input", message)
        assert caught.value.errors == [FieldError("new_password", reason) for reason in reasons]
    # nothing was changed, and the session lives on
    assert staff.whoami() == identity()
    assert make_backend().login(CHAMBER_CODE, "S00001", TEST_PASSWORD).identity == identity()


def test_text_no_column_can_hold_is_invalid_input_before_login_or_verification(
    make_backend: MakeBackend, chamber: NewChamber
) -> None:
    backend = make_backend()
    refused = {
        "login_id": lambda: backend.login(CHAMBER_CODE, "S0\x0001", TEST_PASSWORD),
        "number": lambda: backend.verify("1301-2026-\x000001", "M9LAGETEFV"),
    }
    for field, attempt in refused.items():
        with pytest.raises(InvalidInput) as caught:
            attempt()
        assert caught.value.errors == [FieldError(field, UNSTORABLE)]
    assert backend.token is None  # type: ignore[attr-defined]
