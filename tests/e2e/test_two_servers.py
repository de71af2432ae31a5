"""Two `shomei serve` processes on one PostgreSQL schema, twenty clients at once: no 5xx, staff IDs without a
gap or a repeat, and one live session per ID across both servers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text

from shomei_cli.backends.remote import RemoteBackend
from shomei_cli.domain.errors import SessionEnded
from shomei_cli.domain.records import AuditQuery
from tests.e2e.conftest import (
    CHAMBER_CODE,
    FIRST_STAFF_ID,
    GENEROUS_LOGIN_LIMITS,
    HttpLog,
    Server,
    StartServer,
    init_chamber,
)
from tests.helpers import TEST_PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLIENTS = 20
ADDS_PER_CLIENT = 3
SAME_ID_LOGINS = 10
BARRIER_TIMEOUT = 60.0

T = TypeVar("T")


def staff_id(n: int) -> str:
    return f"S{n:05d}"


def run_all(tasks: list[Callable[[], T]]) -> list[T]:
    """Run every task in its own thread at the same moment; any exception in any of them fails the test."""
    barrier = threading.Barrier(len(tasks), timeout=BARRIER_TIMEOUT)

    def started(task: Callable[[], T]) -> T:
        barrier.wait()
        return task()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(started, task) for task in tasks]
        errors = [f"task {i}: {type(e).__name__}: {e}" for i, f in enumerate(futures) if (e := f.exception())]
        if errors:
            pytest.fail("unexpected failures:\n" + "\n".join(errors))
        return [future.result() for future in futures]


def live_sessions(database_url: str) -> dict[str, int]:
    """login_id -> number of sessions with ended_at IS NULL, straight from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.login_id, count(s.id) FROM accounts a "
                    "LEFT JOIN sessions s ON s.account_id = a.id AND s.ended_at IS NULL "
                    "GROUP BY a.login_id"
                )
            ).all()
    finally:
        engine.dispose()
    return {str(login_id): int(count) for login_id, count in rows}


def refused_as_superseded(backend: RemoteBackend) -> None:
    with pytest.raises(SessionEnded) as ended:
        backend.whoami()
    assert ended.value.reason == "superseded"
    assert "logged in elsewhere" in ended.value.message


def activate_first_staff(http: HttpLog, server: Server, initial: str) -> RemoteBackend:
    backend = http.backend(server.endpoint)
    backend.login(CHAMBER_CODE, FIRST_STAFF_ID, initial)
    backend.change_password(initial, TEST_PASSWORD)
    return backend


def same_id_on_both_servers_at_once(postgres_url: str, servers: list[Server], http_log: HttpLog) -> None:
    """SAME_ID_LOGINS logins of S00001 at once, alternating servers: exactly one stays live."""

    def login(i: int) -> Callable[[], tuple[int, str]]:
        def run() -> tuple[int, str]:
            backend = http_log.backend(servers[i % 2].endpoint)
            return i, backend.login(CHAMBER_CODE, FIRST_STAFF_ID, TEST_PASSWORD).token

        return run

    tokens = run_all([login(i) for i in range(SAME_ID_LOGINS)])

    alive = []
    for i, token in tokens:
        answers = []
        for server in servers:
            backend = http_log.backend(server.endpoint, token)
            try:
                answers.append(backend.whoami().login_id)
            except SessionEnded as ended:
                answers.append(ended.reason)
        assert answers[0] == answers[1], f"servers disagree on login {i}: {answers}"
        assert answers[0] in (FIRST_STAFF_ID, "superseded"), f"login {i}: {answers}"
        if answers[0] == FIRST_STAFF_ID:
            alive.append(i)
    assert len(alive) == 1, f"live tokens: {alive}"
    assert live_sessions(postgres_url)[FIRST_STAFF_ID] == 1

    # each login ended exactly one other session: the one before it (the first, the set-up's)
    logins = http_log.backend(servers[0].endpoint, tokens[alive[0]][1]).audit(
        AuditQuery(actor=FIRST_STAFF_ID, action="auth.login", limit=SAME_ID_LOGINS)
    )
    assert [(e.outcome, e.details["ended_other_sessions"]) for e in logins] == [("ok", 1)] * SAME_ID_LOGINS
    assert http_log.server_errors() == []
    for server in servers:
        assert server.server_errors() == []


def test_twenty_clients_on_two_servers(
    postgres_url: str,
    start_server: StartServer,
    http_log: HttpLog,
    tmp_path: Path,
    host_env: dict[str, str],
) -> None:
    """Then, on the same servers (their start-up is the costly part), one ID logging in on both at once."""
    created = init_chamber(postgres_url, tmp_path / "host", host_env)
    servers = start_server.many(postgres_url, 2, env=GENEROUS_LOGIN_LIMITS)
    first = activate_first_staff(http_log, servers[0], created["staff"]["initial_password"])

    # set-up: one staff ID per client, created and activated (login + password change) on alternating servers
    def make_client(i: int) -> Callable[[], str]:
        def setup() -> str:
            new = first.add_staff(f"client {i}", None)
            own = http_log.backend(servers[i % 2].endpoint)
            own.login(CHAMBER_CODE, new.login_id, new.initial_password)
            own.change_password(new.initial_password, TEST_PASSWORD)
            own.close()
            return str(new.login_id)

        return setup

    client_ids = run_all([make_client(i) for i in range(CLIENTS)])
    assert sorted(client_ids) == [staff_id(n) for n in range(2, CLIENTS + 2)]

    # at once: each client logs in on server A, adds three staff IDs, then logs in again on server B
    def work(i: int, login_id: str) -> Callable[[], dict[str, Any]]:
        server_a, server_b = servers[i % 2], servers[(i + 1) % 2]

        def run() -> dict[str, Any]:
            on_a = http_log.backend(server_a.endpoint)
            token_a = on_a.login(CHAMBER_CODE, login_id, TEST_PASSWORD).token
            added = [on_a.add_staff(f"{login_id} #{n}", None).login_id for n in range(ADDS_PER_CLIENT)]
            on_b = http_log.backend(server_b.endpoint)
            token_b = on_b.login(CHAMBER_CODE, login_id, TEST_PASSWORD).token
            return {"id": login_id, "added": added, "token_a": token_a, "token_b": token_b}

        return run

    results = run_all([work(i, login_id) for i, login_id in enumerate(client_ids)])

    # every ID distinct and consecutive: S00001, the clients' own, then the ones made at once
    added = [login_id for r in results for login_id in r["added"]]
    assert len(set(added)) == len(added) == CLIENTS * ADDS_PER_CLIENT
    first_added = CLIENTS + 2
    assert sorted(added) == [staff_id(n) for n in range(first_added, first_added + len(added))]
    # each client's own three were numbered in the order it made them
    for r in results:
        assert r["added"] == sorted(r["added"])
    listed = [a.login_id for a in first.list_staff()]
    assert listed == [staff_id(n) for n in range(1, first_added + len(added))]

    # one live session per ID, whichever server is asked
    for r in results:
        for server in servers:
            refused_as_superseded(http_log.backend(server.endpoint, r["token_a"]))
            assert http_log.backend(server.endpoint, r["token_b"]).whoami().login_id == r["id"]
    live = live_sessions(postgres_url)
    assert max(live.values()) <= 1
    assert {login_id for login_id, count in live.items() if count} == {FIRST_STAFF_ID, *client_ids}

    # the trail has every creation, and no 5xx anywhere: neither seen by a client nor logged by a server
    creations = first.audit(AuditQuery(action="staff.create", limit=1000))
    assert len(creations) == CLIENTS + CLIENTS * ADDS_PER_CLIENT
    assert http_log.server_errors() == []
    assert http_log.statuses() <= {200, 201, 204, 401}
    for server in servers:
        assert server.alive()
        assert server.server_errors() == []

    # the same ID logging in ten times at once on both servers: one session survives
    same_id_on_both_servers_at_once(postgres_url, servers, http_log)
