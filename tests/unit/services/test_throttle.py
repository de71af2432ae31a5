"""Throttling that protects the holder, no account oracle, one key per ID: on the services directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import AccountLocked, AuthenticationFailed, RateLimited, SessionEnded
from shomei_cli.domain.records import NewChamber
from shomei_cli.services import auth
from shomei_cli.services.core import Core
from shomei_cli.services.hashing import HashParameters, PasswordHashing
from shomei_cli.services.throttle import LoginClient
from shomei_cli.store.tables import AuditEvent
from tests.helpers import TEST_PASSWORD

WRONG = "wrong-password-123"
FAILED = "Login failed: the chamber code, ID or password is wrong."


def failed_with(left: int) -> str:
    pause = "pause its logins here for a while."
    return f"{FAILED} {left} more failed attempts for this ID from this client {pause}"


def answers(core: Core, clock: FixedClock, login_id: str, attempts: int, client: LoginClient) -> list[str]:
    """What each of ``attempts`` wrong passwords for ``login_id`` is told (a minute apart: past the ID's
    delay, within the client's window): the error's code and message."""
    told = []
    for _ in range(attempts):
        clock.advance(timedelta(seconds=60))
        try:
            auth.login(core, "1301", login_id, WRONG, client)
        except (AuthenticationFailed, RateLimited, AccountLocked) as error:
            told.append(f"{error.code}: {error.message}")
    return told


def test_a_known_and_an_unknown_id_get_the_same_answers_to_the_same_attempts(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    client = LoginClient("192.0.2.1")
    known = answers(core, clock, "S00001", 11, client)
    unknown = answers(core, clock, "S09999", 11, client)
    assert known == unknown
    assert known == [
        *[f"authentication_failed: {FAILED}"] * 4,
        *[f"authentication_failed: {failed_with(left)}" for left in (5, 4, 3, 2, 1)],
        f"authentication_failed: {FAILED}",
        "rate_limited: Too many failed logins; try again in 300 seconds.",
    ]


def test_a_locked_id_answers_a_wrong_password_like_any_other_id(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    lock(core, clock, "S00001")
    fresh = LoginClient("203.0.113.9")
    with pytest.raises(AuthenticationFailed) as caught:
        auth.login(core, "1301", "S00001", WRONG, fresh)
    assert caught.value.message == FAILED
    # only the right password learns that the ID is locked, until when (the chamber's time) and who unlocks
    clock.advance(timedelta(seconds=60))
    with pytest.raises(AccountLocked) as locked:
        auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("203.0.113.10"))
    assert locked.value.message == (
        "This ID is locked after repeated failed logins until 2026-11-27 11:05 JST. "
        "To unlock it sooner, ask another staff ID of the chamber to run "
        "`shomei chamber staff unlock S00001`."
    )


def lock(core: Core, clock: FixedClock, login_id: str) -> None:
    """Fifty failures from ten addresses, each attempt after the ID's delay: the hard lock."""
    for attempt in range(50):
        clock.advance(timedelta(seconds=60))
        with pytest.raises(AuthenticationFailed):
            auth.login(core, "1301", login_id, WRONG, LoginClient(f"192.0.2.{attempt // 5}"))
    clock.advance(timedelta(seconds=60))


def test_a_client_that_logged_in_before_is_not_locked_out_by_failures_from_elsewhere(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    device = auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.200")).device_token
    assert device is not None
    lock(core, clock, "S00001")
    # the attack's own address, but the holder's device token: in, and told nothing of the attack
    result = auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.0", device))
    assert result.identity.login_id == "S00001"
    assert result.device_token == device
    # the lock still holds for everyone else
    with pytest.raises(AccountLocked):
        auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("198.51.100.7"))


def test_a_device_token_of_another_id_or_a_forged_one_counts_for_nothing(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    device = auth.login(core, "1301", "S00001", TEST_PASSWORD).device_token
    assert device is not None
    nonce, _mac = device.split(".")
    lock(core, clock, "S00001")
    for forged in (f"{nonce}.{'0' * 64}", "not-a-token", device + "x"):
        with pytest.raises(AccountLocked):
            auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.0", forged))


def test_a_known_clients_own_failures_pause_only_itself(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    device = auth.login(core, "1301", "S00001", TEST_PASSWORD).device_token
    known = LoginClient("192.0.2.1", device)
    told = answers(core, clock, "S00001", 11, known)
    assert told[-1] == "rate_limited: Too many failed logins; try again in 300 seconds."
    # another client at the same address is not paused by the known client's mistakes
    assert auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.1")).token


def test_after_five_failures_each_next_attempt_for_the_id_waits_twice_as_long(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    for address in range(5):
        with pytest.raises(AuthenticationFailed):
            auth.login(core, "1301", "S00001", WRONG, LoginClient(f"192.0.2.{address}"))
    # from a sixth address, with the right password: the ID waits a second (known and unknown IDs alike)
    with pytest.raises(RateLimited) as caught:
        auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.50"))
    assert caught.value.retry_after == 1
    clock.advance(timedelta(seconds=1))
    with pytest.raises(AuthenticationFailed):
        auth.login(core, "1301", "S00001", WRONG, LoginClient("192.0.2.51"))
    with pytest.raises(RateLimited) as caught:
        auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.52"))
    assert caught.value.retry_after == 2
    clock.advance(timedelta(seconds=2))
    assert auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.53")).token


def test_one_address_guessing_through_many_ids_is_paused_at_a_hundred_failures(
    core: Core, chamber: NewChamber
) -> None:
    client = LoginClient("192.0.2.1")
    for number in range(100):
        with pytest.raises(AuthenticationFailed):
            auth.login(core, "1301", f"U{number:06d}", WRONG, client)
    with pytest.raises(RateLimited) as caught:
        auth.login(core, "1301", "S00001", TEST_PASSWORD, client)
    assert caught.value.retry_after == 900
    # the holder, from anywhere else, is not
    assert auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.2")).token


def test_staff_see_a_throttled_id_once_per_window_and_address(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    for address in ("192.0.2.1", "192.0.2.2"):
        answers(core, clock, "S00001", 13, LoginClient(address))
    with core.read() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.throttled")).all()
    assert [(e.actor_login_id, e.outcome, e.chamber_id, e.details) for e in events] == [
        (
            "S00001",
            "refused",
            chamber_id(core),
            {"chamber_code": "1301", "limit": "client", "address": address, "retry_after": 300},
        )
        for address in ("192.0.2.1", "192.0.2.2")
    ]


def chamber_id(core: Core) -> int:
    from shomei_cli.store.tables import Chamber

    with core.read() as session:
        found = session.exec(select(Chamber)).one().id
    assert found is not None
    return found


def test_a_failed_login_for_an_unknown_id_keeps_only_a_keyed_hash_of_what_was_typed(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    typed = "My-Secret-Password-42"  # a password typed into the ID field
    for _ in range(12):
        clock.advance(timedelta(seconds=60))
        with pytest.raises((AuthenticationFailed, RateLimited)):
            auth.login(core, "1301", typed, WRONG)
    with core.read() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.outcome != "ok")).all()
    assert len(events) == 11  # ten failures and the throttling
    hashes = {e.details["id_hash"] for e in events}
    assert len(hashes) == 1 and len(next(iter(hashes))) == 32
    dump = repr([e.model_dump() for e in events]) + repr(core.counters.__dict__)
    assert typed not in dump
    assert typed.upper() not in dump
    assert all(e.actor_login_id is None for e in events)
    assert events[0].details == {
        "id_hash": next(iter(hashes)),
        "chamber_code": "1301",
        "reason": "unknown_id",
        "address": "local",
        "known_client": False,
    }


def test_a_failed_login_never_ends_the_ids_live_session(
    core: Core, chamber: NewChamber, clock: FixedClock
) -> None:
    token = auth.login(core, "1301", "S00001", TEST_PASSWORD).token
    answers(core, clock, "S00001", 11, LoginClient("192.0.2.1"))
    assert auth.authenticate(core, token).login_id == "S00001"
    auth.login(core, "1301", "S00001", TEST_PASSWORD)
    with pytest.raises(SessionEnded):
        auth.authenticate(core, token)


@pytest.mark.parametrize("typed", ["s00001", " S00001", "Ｓ００００１", "S00001\u3000"])
def test_an_id_typed_in_another_case_width_or_padding_logs_in(
    core: Core, chamber: NewChamber, typed: str
) -> None:
    assert auth.login(core, " １３０１", typed, TEST_PASSWORD).identity.login_id == "S00001"


@pytest.mark.parametrize("typed", ["S\x0000001", "S00001" * 10, "S00001'--"])
def test_what_no_id_could_be_is_an_unknown_id(core: Core, chamber: NewChamber, typed: str) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        auth.login(core, "1301", typed, TEST_PASSWORD)
    assert caught.value.message == FAILED


SPELLING = st.tuples(
    st.text(alphabet=" \t\u3000", max_size=2),
    st.booleans(),
    st.booleans(),
    st.text(alphabet=" \t\u3000", max_size=2),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spellings=st.lists(SPELLING, min_size=10, max_size=10))
def test_every_spelling_of_an_id_counts_against_one_limit_and_one_counter(
    database_url: str, clock: FixedClock, spellings: list[tuple[str, bool, bool, str]]
) -> None:
    """Ten failures under any mix of padded, case-changed and full-width spellings pause the eleventh: one
    limit; and they are ten on the ID's one lockout counter."""
    from shomei_cli.services import chambers
    from shomei_cli.store.tables import Account

    core = Core.open(database_url, clock=clock, hashing=PasswordHashing(HashParameters(64, 1, 1)))
    try:
        with core.read() as session:
            has_chamber = session.exec(select(Account)).first() is not None
        if not has_chamber:
            created = chambers.init_chamber(core, "1301", "東京商工会議所", None)
            from tests.helpers import activate

            activate(core, "1301", created.staff.login_id, created.staff.initial_password)
        with core.write() as session:
            account = session.exec(select(Account).where(Account.login_id == "S00001")).one()
            account.failed_logins = 0
            session.add(account)
        for left, lower, wide, right in spellings:
            typed = "s00001" if lower else "S00001"
            if wide:
                typed = "".join(chr(ord(c) + 0xFEE0) for c in typed)
            with pytest.raises(AuthenticationFailed):
                auth.login(core, "1301", left + typed + right, WRONG, LoginClient("192.0.2.1"))
            clock.advance(timedelta(seconds=60))
        with pytest.raises(RateLimited):
            auth.login(core, "1301", "S00001", TEST_PASSWORD, LoginClient("192.0.2.1"))
        with core.read() as session:
            assert session.exec(select(Account).where(Account.login_id == "S00001")).one().failed_logins == 10
    finally:
        core.close()
