"""audit: the same entries, in the same order, under the same filters, on every way in."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.errors import AuthenticationFailed, FieldError, InvalidInput
from shomei_cli.domain.records import AuditEntry, AuditQuery
from tests.contract.conftest import CHAMBER_CODE, NOW, MakeBackend

JST = ZoneInfo("Asia/Tokyo")
Row = tuple[str, str | None, str | None, str | None, str, dict[str, object], datetime]

# What chamber init, activation (services) and the staff fixture's login (backend) leave behind, newest first.
SETUP: list[Row] = [
    ("auth.login", "S00001", "staff", None, "ok", {"ended_other_sessions": 1, "rehashed": False}, NOW),
    ("auth.password_change", "S00001", "staff", None, "ok", {}, NOW),
    ("auth.login", "S00001", "staff", None, "ok", {"ended_other_sessions": 0, "rehashed": False}, NOW),
    ("chamber.init", None, None, CHAMBER_CODE, "ok", {"first_staff_id": "S00001"}, NOW),
]
STAFF_CREATED: Row = ("staff.create", "S00001", "staff", "S00002", "ok", {}, NOW + timedelta(minutes=10))
LOGIN_FAILED: Row = (
    "auth.login",
    "S00002",
    None,
    None,
    "failed",
    {"reason": "bad_password", "chamber_code": CHAMBER_CODE, "address": "<client>", "known_client": False},
    NOW + timedelta(minutes=20),
)
# the client's address as each way sees it: the process itself, or the server's peer (TestClient's)
ADDRESS = {"local": "local", "remote": "testclient"}


OUT_OF_RANGE = (0, -1, 10_001)


def rows(entries: list[AuditEntry]) -> list[Row]:
    """The entries; a client address (which differs by way, see test_a_failed_login_records_where_from)
    as ``<client>``."""
    return [
        (e.action, e.actor, e.actor_role, e.target, e.outcome, _placeholder(e.details), e.at) for e in entries
    ]


def _placeholder(details: dict[str, object]) -> dict[str, object]:
    return {**details, "address": "<client>"} if "address" in details else details


def test_a_failed_login_records_where_from(history: Backend, way: str) -> None:
    (failed,) = history.audit(AuditQuery(actor="S00002"))
    assert failed.details["address"] == ADDRESS[way.split("-")[0]]


@pytest.fixture
def history(make_backend: MakeBackend, staff: Backend, clock: FixedClock) -> Backend:
    """SETUP, then S00002 created at +10 min, then a failed login of S00002 at +20 min."""
    clock.advance(timedelta(minutes=10))
    staff.add_staff("Suzuki", None)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(AuthenticationFailed):
        make_backend().login(CHAMBER_CODE, "S00002", "wrong-password-123")
    return staff


FILTERS: dict[str, tuple[AuditQuery, list[Row]]] = {
    "none": (AuditQuery(), [LOGIN_FAILED, STAFF_CREATED, *SETUP]),
    "actor": (AuditQuery(actor="S00002"), [LOGIN_FAILED]),
    "actor-first-staff": (AuditQuery(actor="S00001"), [STAFF_CREATED, *SETUP[:3]]),
    "actor-unknown": (AuditQuery(actor="S99999"), []),
    "action": (AuditQuery(action="staff.create"), [STAFF_CREATED]),
    "action-login": (AuditQuery(action="auth.login"), [LOGIN_FAILED, SETUP[0], SETUP[2]]),
    "action-unknown": (AuditQuery(action="no.such.action"), []),
    "since-inclusive": (AuditQuery(since=NOW + timedelta(minutes=10)), [LOGIN_FAILED, STAFF_CREATED]),
    "since-later": (AuditQuery(since=NOW + timedelta(minutes=10, seconds=1)), [LOGIN_FAILED]),
    "since-future": (AuditQuery(since=NOW + timedelta(minutes=21)), []),
    "since-long-ago": (AuditQuery(since=NOW - timedelta(days=1)), [LOGIN_FAILED, STAFF_CREATED, *SETUP]),
    "since-zoneinfo-utc": (
        AuditQuery(since=datetime(2026, 11, 27, 1, 10, tzinfo=ZoneInfo("UTC"))),
        [LOGIN_FAILED, STAFF_CREATED],
    ),
    "limit-1": (AuditQuery(limit=1), [LOGIN_FAILED]),
    "limit-3": (AuditQuery(limit=3), [LOGIN_FAILED, STAFF_CREATED, SETUP[0]]),
    "limit-max": (AuditQuery(limit=10_000), [LOGIN_FAILED, STAFF_CREATED, *SETUP]),
    "actor-action-limit": (AuditQuery(actor="S00001", action="auth.login", limit=1), [SETUP[0]]),
    "actor-since": (AuditQuery(actor="S00001", since=NOW + timedelta(minutes=5)), [STAFF_CREATED]),
}


def test_audit_filters(make_backend: MakeBackend, history: Backend) -> None:
    found = {case: rows(history.audit(query)) for case, (query, _) in FILTERS.items()}
    assert found == {case: expected for case, (_, expected) in FILTERS.items()}
    entries = history.audit(AuditQuery())
    ids = [e.id for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert all(e.at.utcoffset() == timedelta(0) for e in entries)
    # a second backend given the same token sees the very same entries, ids and instants included
    token = history.token  # type: ignore[attr-defined]
    assert make_backend(token).audit(AuditQuery()) == history.audit(AuditQuery())


def test_audit_since_in_another_time_zone_means_the_same_instant(history: Backend) -> None:
    # SQLite keeps naive UTC text, so a `since` with another offset must be made UTC before comparing
    # (HEAD e61c375 did not: services/audit.py:98, found by this suite, since fixed in services/audit.py)
    since = (NOW + timedelta(minutes=10)).astimezone(JST)
    assert since.utcoffset() == timedelta(hours=9)
    assert rows(history.audit(AuditQuery(since=since))) == [LOGIN_FAILED, STAFF_CREATED]


def test_an_out_of_range_limit_is_the_services_invalid_input_on_every_way(staff: Backend) -> None:
    # the server leaves the range to the service (HEAD e61c375 checked it in FastAPI, with pydantic's words)
    found = {}
    for limit in OUT_OF_RANGE:
        with pytest.raises(InvalidInput) as caught:
            staff.audit(AuditQuery(limit=limit))
        assert type(caught.value) is InvalidInput
        found[limit] = (caught.value.code, caught.value.message, caught.value.errors)
    expected = (
        "invalid_input",
        "Invalid input: limit: must be between 1 and 10000",
        [FieldError("limit", "must be between 1 and 10000")],
    )
    assert found == dict.fromkeys(OUT_OF_RANGE, expected)


def test_an_overlong_filter_finds_nothing_on_every_way(staff: Backend) -> None:
    # HEAD e61c375's server capped these at 64 characters and answered InvalidInput instead
    found = {
        "actor": staff.audit(AuditQuery(actor="x" * 65)),
        "action": staff.audit(AuditQuery(action="x" * 65)),
    }
    assert found == {"actor": [], "action": []}
