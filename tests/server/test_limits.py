"""Who the client is (X-Forwarded-For only from configured proxies) and where limits are counted (memory, or
one Redis shared by several servers)."""

from __future__ import annotations

import ipaddress
import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from shomei_cli.domain.records import NewChamber
from shomei_cli.server.app import create_app
from shomei_cli.server.guards import client_address, trusted_networks
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services.core import Core
from shomei_cli.store.tables import AuditEvent

REDIS = "redis://127.0.0.1:6379"
PROXY = "10.0.0.5"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Who the client is does not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'limits.db'}"


def proxies(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return trusted_networks(text)


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "client"),
    [
        # no proxy configured: the peer is the client, whatever the header says
        ("203.0.113.7", "198.51.100.1", "", "203.0.113.7"),
        ("127.0.0.1", "198.51.100.1", "", "127.0.0.1"),
        # a header from a peer that is not a configured proxy is ignored
        ("203.0.113.7", "198.51.100.1", PROXY, "203.0.113.7"),
        # from the proxy: the last hop it appended
        (PROXY, "198.51.100.1", PROXY, "198.51.100.1"),
        # a client that wrote its own header: the proxy appends the real address last, and that counts
        (PROXY, "1.2.3.4, 5.6.7.8, 198.51.100.1", PROXY, "198.51.100.1"),
        # two proxies in a row (both trusted): the last hop that is not one of them
        (PROXY, "198.51.100.1, 10.0.0.6", "10.0.0.0/24", "198.51.100.1"),
        # nothing but proxies: the first of them
        (PROXY, "10.0.0.7, 10.0.0.6", "10.0.0.0/24", "10.0.0.7"),
        # the proxy sent no header: the proxy itself
        (PROXY, None, PROXY, PROXY),
        ("::1", "2001:db8::1", "::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_last_untrusted_hop_and_only_behind_a_configured_proxy(
    peer: str, header: str | None, trusted: str, client: str
) -> None:
    assert client_address(peer, header, proxies(trusted)) == client


def test_a_bad_proxy_setting_is_refused_naming_the_variable() -> None:
    with pytest.raises(ValueError, match=re.escape("SHOMEI_TRUSTED_PROXIES: 'proxy.example' is not an IP")):
        trusted_networks("10.0.0.5, proxy.example")


def verify_statuses(client: TestClient, forwarded: list[str]) -> list[int]:
    return [
        client.post(
            "/api/v1/verifications", json={"number": "X", "code": "Y"}, headers={"X-Forwarded-For": address}
        ).status_code
        for address in forwarded
    ]


def test_without_a_configured_proxy_a_forwarded_address_does_not_escape_the_limit(
    core: Core, database_url: str
) -> None:
    settings = ServerSettings(database_url, verify_limit_per_address="3/minute")
    client = TestClient(create_app(settings, core=core))
    statuses = verify_statuses(client, [f"198.51.100.{n}" for n in range(5)])
    assert statuses[3:] == [429, 429]


def test_behind_a_configured_proxy_each_forwarded_client_has_its_own_limit(
    core: Core, database_url: str
) -> None:
    # TestClient's peer is "testclient", not an address; a proxy on every address stands for it here
    settings = ServerSettings(database_url, verify_limit_per_address="3/minute", trusted_proxies="0.0.0.0/0")
    client = TestClient(create_app(settings, core=core), client=("10.0.0.5", 50000))
    assert 429 not in verify_statuses(client, [f"198.51.100.{n}" for n in range(5)])
    assert verify_statuses(client, ["198.51.100.9"] * 4)[3] == 429


def test_failed_logins_are_audited_with_the_forwarded_client(
    core: Core, database_url: str, chamber: NewChamber
) -> None:
    settings = ServerSettings(database_url, trusted_proxies=PROXY)
    client = TestClient(create_app(settings, core=core), client=(PROXY, 50000))
    body = {"chamber_code": "1301", "login_id": "S00001", "password": "wrong-password-123"}
    assert client.post("/api/v1/sessions", json=body, headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.4"})
    with core.read() as session:
        failed = session.exec(select(AuditEvent).where(AuditEvent.outcome == "failed")).one()
    assert failed.details["address"] == "198.51.100.4"


# -- shared limits (SHOMEI_RATE_LIMIT_STORAGE) ---------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS).ping()
    except Exception:
        pytest.skip("no Redis at 127.0.0.1:6379")
    # tests in parallel share it: each names an address and an ID of its own, so that no counter is shared
    return REDIS


def test_two_servers_on_one_redis_count_one_verification_limit(
    core: Core, database_url: str, redis_url: str
) -> None:
    settings = ServerSettings(
        database_url,
        verify_limit_per_address="4/minute",
        trusted_proxies="0.0.0.0/0",
        rate_limit_storage=redis_url,
    )
    first = TestClient(create_app(settings, core=core), client=(PROXY, 50000))
    second = TestClient(create_app(settings, core=core), client=(PROXY, 50001))
    address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    statuses = verify_statuses(first, [address] * 2) + verify_statuses(second, [address] * 3)
    assert statuses == [200, 200, 200, 200, 429]


def test_two_servers_on_one_redis_share_login_counters(
    core: Core, database_url: str, redis_url: str, chamber: NewChamber
) -> None:
    settings = ServerSettings(database_url, trusted_proxies="0.0.0.0/0", rate_limit_storage=redis_url)
    servers = [TestClient(create_app(settings, core=core), client=(PROXY, 50000 + n)) for n in range(2)]
    address = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    # an unknown ID unique to this run, so that earlier runs' counters in Redis do not count
    body = {
        "chamber_code": "1301",
        "login_id": f"U{uuid.uuid4().int % 10**9:09d}",
        "password": "wrong-pw-1234",
    }
    statuses = [
        servers[n % 2].post("/api/v1/sessions", json=body, headers={"X-Forwarded-For": address}).status_code
        for n in range(6)
    ]
    # five failures, alternating between the servers, then the ID's delay holds on both
    assert statuses == [401, 401, 401, 401, 401, 429]
