"""PostgreSQL stopped and started under a running `shomei serve` (a private cluster, never the shared one):
while it is down every command exits 8 with one clean line and the server answers 503 problem+json, never 500;
once it is back the same commands work again, and nothing committed before is lost."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from shomei_cli.backends.remote import RemoteBackend
from shomei_cli.domain.errors import Unavailable
from shomei_cli.domain.records import AuditQuery
from tests.e2e.conftest import (
    API,
    FIRST_STAFF_ID,
    Cli,
    HttpLog,
    PrivatePostgres,
    Server,
    StartServer,
    describe,
    init_chamber,
)
from tests.helpers import TEST_PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROBLEM = "application/problem+json"
LOOP_WAIT = 20.0  # seconds to wait for the loops to make progress


def unreachable(cluster: PrivatePostgres) -> str:
    """What the server tells clients when its database is down: never where the database lives."""
    del cluster
    return "The server's database cannot be reached; try again later."


def assert_clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    """Exit 8 and one line on stderr, "Error: …": no traceback, no "unexpected"."""
    assert result.returncode == 8, describe(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), describe(result)


def assert_problem_503(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "urn:shomei:problem:unavailable",
        "title": "unavailable",
        "status": 503,
        "detail": detail,
        "code": "unavailable",
    }


@dataclass
class Staffed:
    """A server on the private cluster with chamber 1301: S00001 active in ``cli``; S00002 active in
    ``second`` (a RemoteBackend whose responses ``http`` records), with its raw ``token``."""

    server: Server
    cli: Cli
    second: RemoteBackend
    token: str


@pytest.fixture
def staffed(
    private_postgres: PrivatePostgres,
    start_server: StartServer,
    new_cli: Callable[[str | None], Cli],
    http_log: HttpLog,
    tmp_path: Path,
    host_env: dict[str, str],
) -> Staffed:
    created = init_chamber(private_postgres.url, tmp_path / "host", host_env)
    server = start_server(private_postgres.url)
    cli = new_cli(server.endpoint)
    cli.activate(FIRST_STAFF_ID, created["staff"]["initial_password"])
    suzuki = cli.json("chamber", "staff", "add", "--name", "鈴木", "--json")
    assert suzuki["login_id"] == "S00002"
    second = http_log.backend(server.endpoint, retry_pause=0.1)
    token = second.login("1301", "S00002", suzuki["initial_password"]).token
    second.change_password(suzuki["initial_password"], TEST_PASSWORD)
    return Staffed(server, cli, second, token)


def test_while_postgres_is_down_commands_exit_8_and_the_server_answers_503_then_all_recovers(
    private_postgres: PrivatePostgres, staffed: Staffed, new_cli: Callable[[str | None], Cli]
) -> None:
    server, cli = staffed.server, staffed.cli
    before = cli.json("chamber", "staff", "list", "--json")
    private_postgres.stop("fast")

    message = unreachable(private_postgres)
    whoami = cli.run("whoami")
    assert (whoami.returncode, whoami.stdout, whoami.stderr) == (8, "", f"Error: {message}\n")
    add = cli.run("chamber", "staff", "add", "--name", "佐藤")
    assert (add.returncode, add.stdout, add.stderr) == (8, "", f"Error: {message}\n")
    add_json = cli.run("chamber", "staff", "add", "--name", "佐藤", "--json")
    assert_clean_failure(add_json)
    assert json.loads(add_json.stdout) == {"error": {"code": "unavailable", "message": message}}
    assert_clean_failure(cli.run("chamber", "staff", "list"))
    assert_clean_failure(new_cli(server.endpoint).login("S00002", TEST_PASSWORD))

    # the server itself: 503 problem documents, whatever the route
    bearer = {"Authorization": f"Bearer {staffed.token}"}
    with httpx.Client(base_url=server.endpoint + API, timeout=30) as http:
        assert_problem_503(http.get("/health"), message)
        assert_problem_503(http.get("/me", headers=bearer), message)
        assert_problem_503(http.get("/staff", headers=bearer), message)
        assert_problem_503(http.post("/staff", headers=bearer, json={"name": "佐藤"}), message)
        assert_problem_503(http.get("/audit", headers=bearer), message)
        login = {"chamber_code": "1301", "login_id": "S00002", "password": TEST_PASSWORD}
        assert_problem_503(http.post("/sessions", json=login), message)
    assert server.alive()

    private_postgres.start()
    me = cli.json("whoami", "--json")
    assert (me["login_id"], me["must_change_password"]) == (FIRST_STAFF_ID, False)
    sato = cli.json("chamber", "staff", "add", "--name", "佐藤", "--json")
    assert sato["login_id"] == "S00003"  # the refused adds burnt no number
    after = cli.json("chamber", "staff", "list", "--json")
    assert after[:2] == before
    assert [(a["login_id"], a["name"]) for a in after] == [
        (FIRST_STAFF_ID, "First staff"),
        ("S00002", "鈴木"),
        ("S00003", "佐藤"),
    ]
    events = cli.json("chamber", "audit", "--json")
    assert [(e["actor"], e["action"], e["target"], e["outcome"]) for e in reversed(events)] == [
        (None, "chamber.init", "1301", "ok"),
        (FIRST_STAFF_ID, "auth.login", None, "ok"),
        (FIRST_STAFF_ID, "auth.password_change", None, "ok"),
        (FIRST_STAFF_ID, "staff.create", "S00002", "ok"),
        ("S00002", "auth.login", None, "ok"),
        ("S00002", "auth.password_change", None, "ok"),
        (FIRST_STAFF_ID, "staff.create", "S00003", "ok"),
    ]
    assert staffed.second.whoami().login_id == "S00002"
    assert server.alive()
    assert server.server_errors(allowed=(503,)) == []


@dataclass
class Loop:
    """A thread repeating calls until stopped, keeping every outcome."""

    name: str
    step: Callable[[int], str]  # returns "ok" or "unavailable"; raises on anything else
    outcomes: list[tuple[float, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            try:
                self.outcomes.append((time.monotonic(), self.step(n)))
            except Exception as exc:
                self.failures.append(f"{self.name} call {n}: {type(exc).__name__}: {exc}")
            n += 1

    def count(self, outcome: str, since: float = 0.0) -> int:
        return sum(1 for at, o in self.outcomes if at > since and o == outcome)


def wait_for(loops: list[Loop], outcome: str, since: float, cluster: PrivatePostgres, times: int = 1) -> None:
    """Bounded wait until every loop has had ``outcome`` at least ``times`` times after ``since``."""
    deadline = time.monotonic() + LOOP_WAIT
    while time.monotonic() < deadline:
        if all(loop.count(outcome, since) >= times for loop in loops):
            return
        if any(loop.failures for loop in loops):
            break
        time.sleep(0.05)
    seen = {loop.name: (loop.count("ok", since), loop.count("unavailable", since)) for loop in loops}
    failures = [f for loop in loops for f in loop.failures]
    pytest.fail(
        f"waited in vain for {outcome!r} from every loop; (ok, unavailable) since then: {seen}; "
        f"failures: {failures}\n--- postgres log (end)\n{cluster.log_text()[-2000:]}"
    )


def test_requests_in_flight_across_restarts_get_success_or_503_never_500(
    private_postgres: PrivatePostgres, staffed: Staffed, http_log: HttpLog
) -> None:
    server, cli, backend = staffed.server, staffed.cli, staffed.second
    added: list[str] = []

    def remote_step(n: int) -> str:
        try:
            if n % 2:
                added.append(backend.add_staff(f"in flight {n}", None).login_id)
            else:
                assert backend.whoami().login_id == "S00002"
        except Unavailable:
            return "unavailable"
        return "ok"

    def cli_step(n: int) -> str:
        result = cli.run("whoami") if n % 2 else cli.run("chamber", "staff", "add", "--name", f"cli {n}")
        if result.returncode == 8:
            assert_clean_failure(result)
            return "unavailable"
        assert result.returncode == 0, describe(result)
        return "ok"

    loops = [Loop("remote", remote_step), Loop("cli", cli_step)]
    threads = [threading.Thread(target=loop.run, name=loop.name, daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    try:
        wait_for(loops, "ok", 0.0, private_postgres, times=2)
        # an operator's restart, at once: requests in flight meet terminated connections
        private_postgres.restart("fast")
        wait_for(loops, "ok", time.monotonic(), private_postgres, times=2)
        # PostgreSQL down until every loop has met the outage, then up again
        private_postgres.stop("fast")
        wait_for(loops, "unavailable", time.monotonic(), private_postgres)
        private_postgres.start()
        wait_for(loops, "ok", time.monotonic(), private_postgres, times=2)
    finally:
        for loop in loops:
            loop.stop.set()
        for thread in threads:
            thread.join(60)

    assert [f for loop in loops for f in loop.failures] == []
    assert http_log.server_errors(allowed=(503,)) == []
    assert http_log.statuses() <= {200, 201, 204, 503}
    assert server.alive()
    assert server.server_errors(allowed=(503,)) == []

    # IDs are still numbered without a gap, and every add that succeeded is there
    listed = [a.login_id for a in backend.list_staff()]
    assert listed == [f"S{n:05d}" for n in range(1, len(listed) + 1)]
    assert set(added) <= set(listed)
    creations = backend.audit(AuditQuery(action="staff.create", limit=1000))
    assert sorted(e.target for e in creations if e.target) == listed[1:]
