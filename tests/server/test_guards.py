"""The server's own protections: body size, CORS, and errors that reveal nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shomei_cli.domain.records import NewChamber
from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services.core import Core


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """These protections do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'guards.db'}"


@pytest.fixture
def client(core: Core, database_url: str) -> Iterator[TestClient]:
    app = create_app(ServerSettings(database_url, max_body_bytes=1000), core=core)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_declared_body_over_the_limit_is_refused_with_413(client: TestClient) -> None:
    response = client.post(
        "/api/v1/sessions", content=b"{" + b" " * 2000 + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "body_too_large"
    assert response.json()["detail"] == "The request body is larger than 1000 bytes."


def test_a_streamed_body_over_the_limit_is_refused_with_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 100

    response = client.post("/api/v1/sessions", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_configured_origins(core: Core, database_url: str) -> None:
    settings = ServerSettings(database_url, cors_origins=("https://portal.example.jp",))
    with TestClient(create_app(settings, core=core)) as client:
        allowed = client.get("/api/v1/health", headers={"Origin": "https://portal.example.jp"})
        other = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example.jp"
    assert "access-control-allow-origin" not in other.headers


def test_an_unexpected_failure_is_a_500_problem_that_reveals_nothing(
    client: TestClient, chamber: NewChamber, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shomei_cli.services import api

    def explode(*_args: object) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(api, "whoami", explode)
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer x"})
    assert response.status_code == 500
    assert response.json() == {
        "type": "urn:shomei:problem:internal",
        "title": "internal",
        "status": 500,
        "detail": "An unexpected error occurred on the server.",
        "code": "internal",
    }
    assert "hunter2" not in response.text


def test_health_reports_the_version(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok", "version": "0.1.0"}


def test_a_login_answers_with_a_token_and_never_echoes_the_password(
    client: TestClient, chamber: NewChamber
) -> None:
    from tests.helpers import TEST_PASSWORD

    response = client.post(
        "/api/v1/sessions", json={"chamber_code": "1301", "login_id": "S00001", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert set(response.json()) == {"token", "identity", "device_token"}
    assert TEST_PASSWORD not in response.text


def test_every_route_runs_in_a_worker_thread_never_on_the_event_loop(client: TestClient) -> None:
    """Password hashing happens inside the routes: a coroutine route would hash on the event loop."""
    import inspect

    from fastapi.routing import APIRoute

    routes = [r for r in client.app.routes if isinstance(r, APIRoute)]  # type: ignore[attr-defined]
    assert len(routes) >= 8
    assert [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)] == []


def test_the_server_widens_the_worker_thread_pool(client: TestClient) -> None:
    from anyio import to_thread

    assert client.portal is not None
    total = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
    assert total == 100


def test_the_access_log_keeps_no_access_code_from_the_verify_pages_url(client: TestClient) -> None:
    import logging

    from shomei_cli.server.app import RedactedQueries

    access = logging.getLogger("uvicorn.access")
    assert [type(f) for f in access.filters].count(RedactedQueries) == 1  # installed once, by create_app

    def logged(path: str) -> str:
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
            ("203.0.113.9:5000", "GET", path, "1.1", 200), None,
        )  # fmt: skip
        assert all(f.filter(record) for f in access.filters)
        return record.getMessage()

    assert logged("/verify?n=1301-2026-0000001&c=K7QX2M9P") == (
        '203.0.113.9:5000 - "GET /verify?[redacted] HTTP/1.1" 200'
    )
    assert logged("/verify") == '203.0.113.9:5000 - "GET /verify HTTP/1.1" 200'
    assert logged("/api/v1/applications?before=AP0000003") == (
        '203.0.113.9:5000 - "GET /api/v1/applications?before=AP0000003 HTTP/1.1" 200'
    )
