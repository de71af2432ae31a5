"""`shomei serve --workers 2`: two processes answer on one port, and `/metrics` adds up what both counted
(prometheus-client's multiprocess mode), whichever of them answers."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.e2e.conftest import (
    API,
    CHAMBER_CODE,
    FIRST_STAFF_ID,
    GENEROUS_LOGIN_LIMITS,
    Server,
    child_environment,
    init_chamber,
)

LOGINS = 12


def sample(page: str, name: str, **labels: str) -> float:
    """The value of one sample of the metrics page (0 when it is not there)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in page.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match[1] or "").split(","))) == wanted:
            return float(match[2])
    return 0.0


def test_two_workers_share_one_port_and_one_metrics_page(tmp_path: Path, host_env: dict[str, str]) -> None:
    database_url = f"sqlite:///{tmp_path / 'shomei.db'}"
    created = init_chamber(database_url, tmp_path / "host", host_env)
    server = Server(
        database_url,
        tmp_path / "server.log",
        child_environment(tmp_path / "server-home", {**host_env, **GENEROUS_LOGIN_LIMITS}),
    )
    server.extra_args = ["--workers", "2"]
    server.start()
    try:
        password = created["staff"]["initial_password"]
        with httpx.Client(base_url=server.endpoint, timeout=30) as client:
            for _ in range(LOGINS):  # new connections: the kernel spreads them over both workers
                body = {"chamber_code": CHAMBER_CODE, "login_id": FIRST_STAFF_ID, "password": password}
                assert (
                    httpx.post(f"{server.endpoint}{API}/sessions", json=body, timeout=30).status_code == 200
                )
            wrong = {"chamber_code": CHAMBER_CODE, "login_id": FIRST_STAFF_ID, "password": "not-the-password"}
            assert client.post(f"{API}/sessions", json=wrong).status_code == 401
            assert client.get(f"{API}/applications/AP0000001").status_code == 401
            pages = [httpx.get(f"{server.endpoint}/metrics", timeout=30) for _ in range(6)]
        for page in pages:
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/plain")
            text = page.text
            assert sample(text, "shomei_logins_total", outcome="success") == LOGINS
            assert sample(text, "shomei_logins_total", outcome="failure") == 1
            route = {"method": "POST", "route": f"{API}/sessions"}
            assert sample(text, "shomei_request_duration_seconds_count", **route, status="200") == LOGINS
            assert sample(text, "shomei_request_duration_seconds_count", **route, status="401") == 1
            template = {"method": "GET", "route": f"{API}/applications/{{ref}}", "status": "401"}
            assert sample(text, "shomei_request_duration_seconds_count", **template) == 1
            assert (
                sample(text, "shomei_request_duration_seconds_bucket", **route, status="200", le="+Inf")
                == LOGINS
            )
        # two processes served: uvicorn names each worker it started
        assert len(set(re.findall(r"Started server process \[(\d+)\]", server.log_text()))) == 2
        assert server.server_errors() == []
    finally:
        server.stop()
