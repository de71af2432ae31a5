"""Lockout cannot be aimed: an anonymous client guessing through the sequential IDs is throttled, the rightful
holders still log in from the clients they used before, and staff see the attack in the audit trail.
Through real `shomei serve` processes on PostgreSQL; limits shared by two servers through one Redis."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shomei_cli.backends.base import Backend
from shomei_cli.domain.records import AuditQuery
from tests.e2e.conftest import (
    API,
    CHAMBER_CODE,
    FIRST_STAFF_ID,
    Cli,
    HttpLog,
    Server,
    StartServer,
    init_chamber,
)
from tests.helpers import TEST_PASSWORD

HOLDERS = 20
GUESSES = 200
REDIS = "redis://127.0.0.1:6379"
# the attacker reaches the server through the proxy on 127.0.0.1, which says where each request came from
PROXY_ENV = {"SHOMEI_TRUSTED_PROXIES": "127.0.0.1"}


def attack(endpoint: str, ids: list[str], addresses: list[str]) -> Counter[int]:
    """GUESSES wrong passwords for each ID in turn, the addresses taking turns; the statuses answered."""
    statuses: Counter[int] = Counter()
    with httpx.Client(base_url=endpoint, timeout=30.0) as client:
        for login_id in ids:
            for guess in range(GUESSES):
                body = {
                    "chamber_code": CHAMBER_CODE,
                    "login_id": login_id,
                    "password": f"guess-{guess:06d}-xx",
                }
                address = addresses[guess % len(addresses)]
                response = client.post(f"{API}/sessions", json=body, headers={"X-Forwarded-For": address})
                statuses[response.status_code] += 1
    return statuses


@pytest.fixture
def attacked(
    postgres_url: str, start_server: StartServer, tmp_path: Any, host_env: dict[str, str], http_log: HttpLog
) -> tuple[Server, Backend, dict[str, str]]:
    """A server behind a proxy; staff S00001 and twenty staff IDs S00002…S00021, each of which logged in once
    from its own client (its device token, by login ID)."""
    server = start_server(postgres_url, env=PROXY_ENV)
    created = init_chamber(server.database_url, tmp_path / "host", host_env)
    first = http_log.backend(server.endpoint)
    first.login(CHAMBER_CODE, FIRST_STAFF_ID, created["staff"]["initial_password"])
    first.change_password(created["staff"]["initial_password"], TEST_PASSWORD)
    staff = http_log.backend(server.endpoint)
    staff.login(CHAMBER_CODE, FIRST_STAFF_ID, TEST_PASSWORD)
    devices = {}
    for n in range(HOLDERS):
        new = staff.add_staff(f"Holder {n}", None)
        holder = http_log.backend(server.endpoint)
        result = holder.login(CHAMBER_CODE, new.login_id, new.initial_password)
        holder.change_password(new.initial_password, TEST_PASSWORD)
        assert result.device_token is not None
        devices[new.login_id] = result.device_token
    assert sorted(devices) == [f"S{n:05d}" for n in range(2, HOLDERS + 2)]
    return server, staff, devices


def holders_log_in(server: Server, http_log: HttpLog, devices: dict[str, str]) -> list[str]:
    """Each holder logs in from its known client (no X-Forwarded-For: the proxy's own address, the
    attacker's); the IDs that got in."""
    return [
        http_log.backend(server.endpoint)
        .login(CHAMBER_CODE, login_id, TEST_PASSWORD, device)
        .identity.login_id
        for login_id, device in devices.items()
    ]


@pytest.mark.slow
def test_guessing_through_the_sequential_ids_is_throttled_and_locks_no_holder_out(
    attacked: tuple[Server, Backend, dict[str, str]], http_log: HttpLog, new_cli: Callable[[str | None], Cli]
) -> None:
    server, staff, devices = attacked
    ids = list(devices)

    # from one address: a hundred failures at most are even checked; everything else is refused at once
    one = attack(server.endpoint, ids, ["203.0.113.66"])
    assert set(one) == {401, 429}
    assert one[401] <= 100
    assert one[429] >= HOLDERS * GUESSES - 100
    assert holders_log_in(server, http_log, devices) == ids

    # from five addresses: slowed per ID, and seen by staff, ID by ID and address by address
    five = [f"198.51.100.{n}" for n in range(1, 6)]
    spread = attack(server.endpoint, ids, five)
    assert set(spread) == {401, 429}
    assert spread[401] <= 5 * 100
    assert holders_log_in(server, http_log, devices) == ids

    trail = staff.audit(AuditQuery(action="auth.throttled", limit=10_000))
    assert {e.details["address"] for e in trail} == {"203.0.113.66", *five}
    assert {e.actor for e in trail} == set(ids)
    assert all(e.outcome == "refused" for e in trail)
    # no holder was locked: the hard lock is out of reach of this attack
    assert [(s.login_id, s.locked) for s in staff.list_staff()] == [
        (login_id, False) for login_id in [FIRST_STAFF_ID, *ids]
    ]

    # the real command keeps the device token beside the session token, and so gets in during an attack too
    cli = new_cli(server.endpoint)
    assert cli.login("S00002", TEST_PASSWORD).returncode == 0
    attack(server.endpoint, ["S00002"], five)
    assert cli.login("s00002", TEST_PASSWORD).returncode == 0
    assert server.server_errors() == []
    assert http_log.server_errors() == []


@pytest.mark.slow
def test_two_servers_on_one_redis_hold_one_limit(
    postgres_url: str, start_server: StartServer, tmp_path: Any, host_env: dict[str, str]
) -> None:
    pytest.importorskip("redis")
    env = {**PROXY_ENV, "SHOMEI_RATE_LIMIT_STORAGE": REDIS}
    servers = start_server.many(postgres_url, 2, env=env)
    init_chamber(servers[0].database_url, tmp_path / "host", host_env)
    # an ID and an address of this run only: Redis outlives the test
    login_id = f"U{uuid.uuid4().int % 10**9:09d}"
    address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    statuses = []
    for n in range(6):
        body = {"chamber_code": CHAMBER_CODE, "login_id": login_id, "password": "wrong-password-123"}
        response = httpx.post(
            f"{servers[n % 2].endpoint}{API}/sessions", json=body, headers={"X-Forwarded-For": address}
        )
        statuses.append(response.status_code)
    # five failures alternating between the two, then the ID's delay holds on both
    assert statuses == [401, 401, 401, 401, 401, 429]
    assert [s.server_errors() for s in servers] == [[], []]
