"""Logging in, sessions, lockout and password changes, on the services directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import (
    AccountLocked,
    AuthenticationFailed,
    InvalidInput,
    NotLoggedIn,
    PasswordChangeRequired,
    SessionEnded,
)
from shomei_cli.domain.records import AuditQuery, NewChamber
from shomei_cli.services import audit, auth, chambers
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import HashParameters, PasswordHashing
from shomei_cli.services.throttle import LoginClient
from shomei_cli.store.tables import Account, AuditEvent, LoginSession
from tests.helpers import TEST_PASSWORD, actor_for

SAME_MESSAGE = "Login failed: the chamber code, ID or password is wrong."


def test_login_returns_a_token_of_at_least_128_bits_and_stores_only_its_hash(
    core: Core, chamber: NewChamber
) -> None:
    result = auth.login(core, "1301", "S00001", TEST_PASSWORD)
    assert len(result.token) >= 43  # 32 random bytes, URL-safe base64
    with core.read() as session:
        stored = session.exec(select(LoginSession).order_by(LoginSession.id.desc())).first()  # type: ignore[union-attr]
    assert stored is not None
    assert stored.token_hash == auth.token_hash(result.token)
    assert result.token not in stored.token_hash
    assert result.identity.login_id == "S00001"
    assert result.identity.role == "staff"
    assert result.identity.chamber_name == "東京商工会議所"


@pytest.mark.parametrize(
    ("chamber_code", "login_id", "password"),
    [
        ("1301", "S00001", "wrong-password-123"),
        ("1301", "S99999", TEST_PASSWORD),
        ("9999", "S00001", TEST_PASSWORD),
    ],
    ids=["wrong password", "unknown ID", "wrong chamber code"],
)
def test_wrong_password_unknown_id_and_wrong_chamber_fail_with_one_message(
    core: Core, chamber: NewChamber, chamber_code: str, login_id: str, password: str
) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        auth.login(core, chamber_code, login_id, password)
    assert caught.value.message == SAME_MESSAGE
    assert caught.value.code == "authentication_failed"


def test_initial_password_forces_a_change_before_anything_else(core: Core, clock: FixedClock) -> None:
    created = chambers.init_chamber(core, "1301", "東京商工会議所", None)
    token = auth.login(core, "1301", "S00001", created.staff.initial_password).token
    with pytest.raises(PasswordChangeRequired):
        auth.authenticate(core, token)
    actor = auth.authenticate(core, token, allow_temporary_password=True)
    assert actor.must_change_password is True
    auth.change_password(core, actor, created.staff.initial_password, TEST_PASSWORD)
    assert auth.authenticate(core, token).must_change_password is False


def test_a_new_login_ends_the_previous_session_and_says_why(core: Core, chamber: NewChamber) -> None:
    first = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    auth.login(core, "1301", "S00001", TEST_PASSWORD)
    with pytest.raises(SessionEnded) as caught:
        auth.authenticate(core, first)
    assert caught.value.reason == "superseded"
    assert "logged in elsewhere" in caught.value.message


def test_fifty_failed_logins_from_elsewhere_lock_the_id_for_fifteen_minutes(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    for attempt in range(49):
        clock.advance(timedelta(seconds=61))  # past each attempt's delay; five per address stays unpaused
        with pytest.raises(AuthenticationFailed):
            auth.login(core, "1301", "S00001", "wrong-password-123", LoginClient(f"192.0.2.{attempt // 5}"))
    clock.advance(timedelta(seconds=61))
    auth.login(
        core, "1301", "S00001", TEST_PASSWORD, LoginClient("198.51.100.1")
    )  # a success resets the count
    for attempt in range(50):
        clock.advance(timedelta(seconds=61))
        with pytest.raises(AuthenticationFailed):
            auth.login(core, "1301", "S00001", "wrong-password-123", LoginClient(f"192.0.2.{attempt // 5}"))
    clock.advance(timedelta(seconds=61))
    with pytest.raises(AccountLocked):
        auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("198.51.100.2"))
    clock.advance(timedelta(minutes=13, seconds=58))  # 14:59 after the fiftieth failure
    with pytest.raises(AccountLocked):
        auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("198.51.100.3"))
    clock.advance(timedelta(seconds=1))
    login = auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("198.51.100.4"))
    assert login.identity.login_id == "S00001"


def test_sessions_time_out_after_60_idle_minutes(core: Core, chamber: NewChamber, clock: FixedClock) -> None:
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    clock.advance(timedelta(minutes=59))
    auth.authenticate(core, token)  # use refreshes the idle timer
    clock.advance(timedelta(minutes=59))
    auth.authenticate(core, token)
    clock.advance(timedelta(minutes=60))
    with pytest.raises(SessionEnded) as caught:
        auth.authenticate(core, token)
    assert caught.value.reason == "idle_timeout"


def test_sessions_end_after_12_hours_however_busy(core: Core, chamber: NewChamber, clock: FixedClock) -> None:
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    for _ in range(23):
        clock.advance(timedelta(minutes=30))
        auth.authenticate(core, token)
    clock.advance(timedelta(minutes=30))
    with pytest.raises(SessionEnded) as caught:
        auth.authenticate(core, token)
    assert caught.value.reason == "absolute_timeout"


def test_logout_ends_the_session(core: Core, chamber: NewChamber) -> None:
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    auth.logout(core, auth.authenticate(core, token))
    with pytest.raises(SessionEnded) as caught:
        auth.authenticate(core, token)
    assert caught.value.reason == "logout"


def test_unknown_or_missing_token_is_not_logged_in(core: Core, chamber: NewChamber) -> None:
    with pytest.raises(NotLoggedIn):
        auth.authenticate(core, None)
    with pytest.raises(NotLoggedIn):
        auth.authenticate(core, "not-a-token")


def test_password_change_needs_the_current_password(core: Core, chamber: NewChamber) -> None:
    actor = actor_for(core, "1301", "S00001")
    with pytest.raises(InvalidInput) as caught:
        auth.change_password(core, actor, "not-the-current-pw", "another-long-passphrase-1")
    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("current_password", "is not the current password")
    ]


def test_password_change_enforces_the_policy_with_the_chamber_name(core: Core, chamber: NewChamber) -> None:
    actor = actor_for(core, "1301", "S00001")
    with pytest.raises(InvalidInput) as caught:
        auth.change_password(core, actor, TEST_PASSWORD, "東京商工会議所のパスワード")
    assert [(e.field, e.reason) for e in caught.value.errors] == [
        ("new_password", "must not contain the company or chamber name")
    ]


def test_login_rehashes_when_the_parameters_change(database_url: str, clock: FixedClock) -> None:
    weak = Core.open(database_url, clock=clock, hashing=PasswordHashing(HashParameters(8192, 1, 1)))
    created = chambers.init_chamber(weak, "1301", "東京商工会議所", None)
    with weak.read() as session:
        before = session.exec(select(Account)).one().password_hash
    assert "m=8192,t=1,p=1" in before
    strong = Core.open(database_url, clock=clock)
    auth.login(strong, "1301", "S00001", created.staff.initial_password)
    with strong.read() as session:
        after = session.exec(select(Account)).one().password_hash
    assert "m=19456,t=2,p=1" in after
    assert strong.hashing.verify(after, created.staff.initial_password)


def test_audit_records_logins_failures_logouts_and_changes_without_secrets(
    core: Core, chamber: NewChamber
) -> None:
    with pytest.raises(AuthenticationFailed):
        auth.login(core, "1301", "S00001", "wrong-password-123")
    actor = actor_for(core, "1301", "S00001")
    auth.logout(core, actor)
    with core.read() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert [(e.action, e.outcome, e.actor_login_id) for e in events] == [
        ("chamber.init", "ok", None),
        ("auth.login", "ok", "S00001"),
        ("auth.password_change", "ok", "S00001"),
        ("auth.login", "failed", "S00001"),
        ("auth.login", "ok", "S00001"),
        ("auth.logout", "ok", "S00001"),
    ]
    assert events[3].details == {
        "reason": "bad_password",
        "chamber_code": "1301",
        "address": "local",
        "known_client": False,
    }
    dump = repr([e.model_dump() for e in events])
    assert TEST_PASSWORD not in dump
    assert chamber.staff.initial_password not in dump
    assert "wrong-password-123" not in dump


def test_audit_refuses_secret_keys(core: Core, chamber: NewChamber) -> None:
    with pytest.raises(ValueError, match="must not carry secrets"), core.write() as session:
        audit.record(session, core, action="x", details={"password": "x"})


def test_audit_view_filters_by_actor_action_and_since(
    core: Core, chamber: NewChamber, clock: FixedClock, stores: object
) -> None:
    actor = actor_for(core, "1301", "S00001")
    clock.advance(timedelta(hours=1))
    chambers.add_staff(core, actor, "Suzuki")
    events = audit.list_events(core, actor, AuditQuery(action="staff.create"))
    assert [(e.actor, e.action, e.target) for e in events] == [("S00001", "staff.create", "S00002")]
    since = audit.list_events(core, actor, AuditQuery(since=clock.now()))
    assert [e.action for e in since] == ["staff.create"]
    by_nobody = audit.list_events(core, actor, AuditQuery(actor="S00002"))
    assert by_nobody == []


def last_seen(core: Core, token: str) -> object:
    with core.read() as session:
        stored = session.exec(
            select(LoginSession).where(LoginSession.token_hash == auth.token_hash(token))
        ).one()
        return stored.last_seen_at.replace(tzinfo=None)


def test_the_idle_timer_is_refreshed_at_most_once_a_minute(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    logged_in = last_seen(core, token)
    clock.advance(timedelta(seconds=59))
    assert auth.authenticate(core, token).login_id == "S00001"
    assert last_seen(core, token) == logged_in  # decided by a read: nothing written
    clock.advance(timedelta(seconds=1))
    auth.authenticate(core, token)
    assert last_seen(core, token) == logged_in + timedelta(seconds=60)


def test_within_the_minute_the_idle_hour_counts_from_the_last_refresh(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    clock.advance(timedelta(seconds=30))
    auth.authenticate(core, token)  # not written down: the hour still counts from the login
    clock.advance(timedelta(minutes=59, seconds=30))
    with pytest.raises(SessionEnded) as caught:
        auth.authenticate(core, token)
    assert caught.value.reason == "idle_timeout"


def test_within_the_minute_a_superseded_or_disabled_session_is_still_refused(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    auth.authenticate(core, token)
    auth.login(core, "1301", "S00001", TEST_PASSWORD)  # elsewhere, within the same minute
    with pytest.raises(SessionEnded) as caught:
        auth.authenticate(core, token)
    assert caught.value.reason == "superseded"
    again = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    with core.write() as session:
        account = session.exec(select(Account).where(Account.login_id == "S00001")).one()
        account.status = "disabled"
        session.add(account)
    with pytest.raises(SessionEnded) as caught:
        auth.authenticate(core, again)
    assert caught.value.reason == "disabled"
