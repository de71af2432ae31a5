"""The end-to-end harness: real `shomei serve` processes, the real `shomei` command in subprocesses, and a
private PostgreSQL cluster that a test may stop and start at will.

Everything listens on 127.0.0.1 only. The pieces, meant to be reused as features arrive:

- ``Cli(endpoint, home)``: the `shomei` command with its own SHOMEI_HOME; ``run(*args, input=None)``.
- ``start_server(database_url, env=...)`` (``.many(url, n)`` for several): `shomei serve` subprocesses on
  free ports, healthy before they are returned, stopped (terminate, then kill) at teardown; ``server`` is one
  on the test's own schema.
- ``chamber``: chamber 1301 initialised on the server's host (``shomei --database-url … chamber init``).
- ``HttpLog``: RemoteBackends whose every HTTP response is recorded, to assert that no 5xx ever happened.
- ``private_postgres``: a throw-away PostgreSQL cluster (initdb, pg_ctl) on a free port.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from shomei_cli.backends.remote import RemoteBackend
from tests.helpers import TEST_PASSWORD

CHAMBER_CODE = "1301"
CHAMBER_NAME = "東京商工会議所"
FIRST_STAFF_ID = "S00001"
FIRST_STAFF_NAME = "First staff"
HOST = "127.0.0.1"
API = "/api/v1"
POSTGRES_ENV = "SHOMEI_TEST_POSTGRES_URL"  # as in tests/conftest.py

CLI_TIMEOUT = 60.0  # seconds for one `shomei` command
STARTUP_TIMEOUT = 30.0  # seconds for `shomei serve` to answer GET /api/v1/health with 200
STOP_TIMEOUT = 10.0  # seconds between terminate and kill
POSTGRES_TIMEOUT = 30  # seconds for pg_ctl start/stop and pg_isready
PORT_ATTEMPTS = 3  # a free port can be taken by someone else before the server binds it

# Limits high enough that many clients from one address can log in at once (the defaults are per minute
# 120 per address and 20 per ID, sized for real users, not for a test driving twenty clients).
GENEROUS_LOGIN_LIMITS = {
    "SHOMEI_LOGIN_LIMIT_PER_ADDRESS": "10000/minute",
    "SHOMEI_LOGIN_LIMIT_PER_ID": "1000/minute",
}

_AMBIENT = ("SHOMEI_TOKEN", "SHOMEI_ENDPOINT", "SHOMEI_DATABASE_URL", "SHOMEI_PROFILE", "SHOMEI_DEBUG")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def shomei_command() -> list[str]:
    """The installed `shomei` console script next to this Python, else ``python -m shomei_cli``."""
    script = Path(sys.executable).with_name("shomei")
    return [str(script)] if script.exists() else [sys.executable, "-m", "shomei_cli"]


def child_environment(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child process: no ambient SHOMEI_* settings, its own home, plain UTF-8 output."""
    env = {k: v for k, v in os.environ.items() if k not in _AMBIENT}
    env.update(
        {
            "SHOMEI_HOME": str(home),
            "SHOMEI_INSECURE_STORAGE": "1",
            "NO_COLOR": "1",
            "COLUMNS": "120",
            "TERM": "dumb",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def describe(result: subprocess.CompletedProcess[str]) -> str:
    """A failed command, for assertion messages."""
    command = " ".join(str(a) for a in result.args)
    return f"$ {command}\nexit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


# -- the command -----------------------------------------------------------------------------------------


@dataclass
class Cli:
    """The `shomei` command for one user: its own SHOMEI_HOME (config, saved token), one endpoint.

    With ``endpoint=None`` and a ``database_url`` it works on the store directly (the server's host).
    """

    endpoint: str | None
    home: Path
    database_url: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    @property
    def token_file(self) -> Path:
        return self.home / "state" / "tokens.json"

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """``shomei [--endpoint E | --database-url U] ARGS``; never raises for a non-zero exit."""
        prefix = ["--endpoint", self.endpoint] if self.endpoint else []
        if self.database_url and not self.endpoint:
            prefix = ["--database-url", self.database_url]
        return subprocess.run(
            [*shomei_command(), *prefix, *args],
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=child_environment(self.home, self.env),
            timeout=CLI_TIMEOUT,
            check=False,
        )

    def ok(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """``run`` that must exit 0."""
        result = self.run(*args, input=input)
        assert result.returncode == 0, describe(result)
        return result

    def json(self, *args: str, input: str | None = None) -> Any:
        """``ok`` whose stdout is one JSON document (pass --json among ``args``)."""
        result = self.ok(*args, input=input)
        try:
            return json.loads(result.stdout)
        except ValueError:
            pytest.fail(f"stdout is not one JSON document\n{describe(result)}")

    def login(
        self, login_id: str, password: str, chamber: str = CHAMBER_CODE
    ) -> subprocess.CompletedProcess[str]:
        return self.run(
            "login", "--chamber", chamber, "--id", login_id, "--password-stdin", input=password + "\n"
        )

    def passwd(self, current: str, new: str = TEST_PASSWORD) -> subprocess.CompletedProcess[str]:
        return self.run("passwd", "--stdin", input=f"{current}\n{new}\n")

    def activate(self, login_id: str, initial_password: str, new: str = TEST_PASSWORD) -> None:
        """Log in with the initial password and change it: the ID is then ready for any command."""
        for result in (self.login(login_id, initial_password), self.passwd(initial_password, new)):
            assert result.returncode == 0, describe(result)


def init_chamber(database_url: str, home: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Chamber 1301 made on the server's host, as an operator would; returns what it prints:
    ``shomei --database-url URL chamber init --code 1301 --name 東京商工会議所 --json``."""
    host = Cli(None, home, database_url=database_url, env=dict(env or {}))
    created: dict[str, Any] = host.json(
        "chamber", "init", "--code", CHAMBER_CODE, "--name", CHAMBER_NAME, "--json"
    )
    return created


# -- the server ------------------------------------------------------------------------------------------


class Server:
    """One `shomei serve` subprocess on 127.0.0.1; its stdout and stderr go to ``log_path``."""

    def __init__(self, database_url: str, log_path: Path, env: dict[str, str]) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.env = env
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.extra_args: list[str] = []  # more `shomei serve` options (--workers 2 …)

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def spawn(self) -> None:
        """Start the process on a fresh free port (without waiting for it)."""
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "shomei_cli",
            "serve",
            "--database-url",
            self.database_url,
            "--host",
            HOST,
            "--port",
            str(self.port),
            *self.extra_args,
        ]
        with self.log_path.open("ab") as log:
            log.write(f"$ {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env)

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT) -> bool:
        """Wait until GET /api/v1/health answers 200; False if the process exited first (e.g. port taken)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                response = httpx.get(f"{self.endpoint}{API}/health", timeout=2.0)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return True
                last = f"{response.status_code} {response.text}"
            time.sleep(0.1)
        self.stop()
        pytest.fail(
            f"shomei serve did not answer GET {API}/health with 200 within {timeout:.0f} s "
            f"(last: {last}).\n--- server log\n{self.log_text()}"
        )

    def start(self) -> Server:
        """Spawn and wait; on a port someone else took meanwhile, try again on another."""
        self.spawn()
        self.finish_start()
        return self

    def finish_start(self) -> None:
        """Wait for the spawned process to be healthy, re-spawning it if its port was taken meanwhile."""
        for attempt in range(PORT_ATTEMPTS):
            if self.wait_healthy():
                return
            if "address already in use" not in self.log_text().lower() or attempt == PORT_ATTEMPTS - 1:
                break
            self.spawn()
        code = self.process.returncode if self.process else None
        pytest.fail(
            f"shomei serve exited with {code} before it was healthy.\n--- server log\n{self.log_text()}"
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Terminate, then kill if it has not ended within STOP_TIMEOUT."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def access_log(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request in uvicorn's access log."""
        pattern = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3})')
        return [(m[1], m[2], int(m[3])) for m in pattern.finditer(self.log_text())]

    def server_errors(self, allowed: Sequence[int] = ()) -> list[str]:
        """Every 5xx in the access log (but the ``allowed`` ones), and every unexpected error it logged."""
        errors = [f"{m} {p} -> {s}" for m, p, s in self.access_log() if s >= 500 and s not in allowed]
        return errors + [line for line in self.log_text().splitlines() if "unexpected error" in line]


class StartServer:
    """Starts `shomei serve` processes for one test and stops them all at its end.

    ``start_server(url, env={...})`` is one server; ``start_server.many(url, 2)`` several, spawned together so
    that their start-ups overlap. Each gets ``host_env`` (so they share one secret key), then ``env``.
    """

    def __init__(self, directory: Path, host_env: dict[str, str]) -> None:
        self.directory = directory
        self.host_env = host_env
        self.started: list[Server] = []

    def __call__(self, database_url: str, *, env: dict[str, str] | None = None) -> Server:
        return self.many(database_url, 1, env=env)[0]

    def many(self, database_url: str, count: int, *, env: dict[str, str] | None = None) -> list[Server]:
        servers = []
        for _ in range(count):
            index = len(self.started)
            server = Server(
                database_url,
                self.directory / f"server-{index}.log",
                child_environment(self.directory / f"server-{index}-home", {**self.host_env, **(env or {})}),
            )
            self.started.append(server)
            servers.append(server)
        for server in servers:
            server.spawn()
        for server in servers:
            server.finish_start()  # healthy, or the test fails with the server's log
        return servers

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


@pytest.fixture
def host_env(tmp_path: Path) -> dict[str, str]:
    """What every process on the server's host shares: the key protecting secrets at rest (servers sharing
    one database must share it; harmless where unused)."""
    return {"SHOMEI_SECRET_KEY_FILE": str(tmp_path / "host-secrets" / "card-secret.key")}


@pytest.fixture
def start_server(tmp_path: Path, host_env: dict[str, str]) -> Iterator[StartServer]:
    """A StartServer for this test: every server it started is stopped (terminate, then kill) afterwards."""
    starter = StartServer(tmp_path, host_env)
    try:
        yield starter
    finally:
        starter.stop_all()


@pytest.fixture
def server(postgres_url: str, start_server: StartServer) -> Server:
    """`shomei serve` on the test's own fresh PostgreSQL schema."""
    return start_server(postgres_url)


@pytest.fixture
def chamber(server: Server, tmp_path: Path, host_env: dict[str, str]) -> dict[str, Any]:
    """Chamber 1301 with its first staff ID, made on the server's host; the `chamber init --json` document."""
    return init_chamber(server.database_url, tmp_path / "host", host_env)


@pytest.fixture
def new_cli(tmp_path: Path) -> Callable[[str | None], Cli]:
    """A factory of `shomei` users, each with its own SHOMEI_HOME: ``new_cli(server.endpoint)``."""
    count = 0

    def make(endpoint: str | None) -> Cli:
        nonlocal count
        count += 1
        return Cli(endpoint, tmp_path / f"cli-{count}")

    return make


@pytest.fixture
def cli(server: Server, new_cli: Callable[[str | None], Cli]) -> Cli:
    """The `shomei` command pointed at ``server``."""
    return new_cli(server.endpoint)


# -- recorded HTTP ---------------------------------------------------------------------------------------


class Response(NamedTuple):
    endpoint: str
    method: str
    path: str
    status: int


class HttpLog:
    """Makes RemoteBackends whose every HTTP response (retries included) is recorded here.

    The backends of one endpoint share one HTTP client (thread-safe, and cheaper than one each).
    """

    def __init__(self) -> None:
        self.responses: list[Response] = []
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def _client(self, endpoint: str) -> httpx.Client:
        def record(response: httpx.Response) -> None:
            item = Response(
                endpoint, response.request.method, response.request.url.path, response.status_code
            )
            with self._lock:
                self.responses.append(item)

        with self._lock:
            if endpoint not in self._clients:
                self._clients[endpoint] = httpx.Client(
                    base_url=endpoint,
                    timeout=httpx.Timeout(30.0, connect=5.0),
                    limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
                    event_hooks={"response": [record]},
                )
            return self._clients[endpoint]

    def backend(self, endpoint: str, token: str | None = None, *, retry_pause: float = 0.5) -> RemoteBackend:
        return RemoteBackend(endpoint, token, client=self._client(endpoint), retry_pause=retry_pause)

    def statuses(self) -> set[int]:
        with self._lock:
            return {r.status for r in self.responses}

    def server_errors(self, allowed: Sequence[int] = ()) -> list[Response]:
        with self._lock:
            return [r for r in self.responses if r.status >= 500 and r.status not in allowed]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


@pytest.fixture
def http_log() -> Iterator[HttpLog]:
    log = HttpLog()
    try:
        yield log
    finally:
        log.close()


# -- a private PostgreSQL ----------------------------------------------------------------------------------


def postgres_bindir() -> Path:
    """Where initdb and pg_ctl live: $SHOMEI_TEST_PG_BINDIR, the newest /usr/lib/postgresql/*/bin, or PATH."""
    configured = os.environ.get("SHOMEI_TEST_PG_BINDIR")
    if configured:
        candidates = [Path(configured)]
    else:
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).parent)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    pytest.fail(
        f"{POSTGRES_ENV} is set but initdb/pg_ctl were not found (looked in $SHOMEI_TEST_PG_BINDIR, "
        "/usr/lib/postgresql/*/bin and PATH): install the PostgreSQL server binaries"
    )


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1:``port``, its data and socket under ``base``.

    As root, its programs run as the user postgres (``runuser``), since PostgreSQL refuses to run as root.
    """

    def __init__(self, bindir: Path, base: Path) -> None:
        self.bindir = bindir
        self.base = base
        self.data = base / "data"
        self.log_path = base / "postgres.log"
        self.port = free_port()
        self.running = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/postgres"

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                pytest.fail(
                    f"{POSTGRES_ENV} is set and we are root, but runuser is missing: cannot run {program}"
                )
            return [runuser, "-u", "postgres", "--", *command]
        return command

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            self._command(program, *args),
            capture_output=True,
            text=True,
            cwd=self.base,
            timeout=POSTGRES_TIMEOUT + 10,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"{describe(result)}--- postgres log\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses={HOST} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", str(POSTGRES_TIMEOUT),
            "-o", options, "start",
        )  # fmt: skip
        self.running = True
        self.wait_ready()

    def wait_ready(self) -> None:
        """Bounded wait until pg_isready says the server accepts connections."""
        deadline = time.monotonic() + POSTGRES_TIMEOUT
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [
                    str(self.bindir / "pg_isready"),
                    "-h",
                    HOST,
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "-t",
                    "2",
                ],
                capture_output=True,
                timeout=10,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        pytest.fail(f"PostgreSQL on port {self.port} is not ready.\n--- postgres log\n{self.log_text()}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(POSTGRES_TIMEOUT), "stop")
        self.running = False

    def restart(self, mode: str = "fast") -> None:
        """Stop and start again on the same port (what an operator's restart does)."""
        self.stop(mode)
        self.start()

    def close(self) -> None:
        try:
            # whatever this object believes: a half-started or half-stopped cluster still has its pid file
            if (self.data / "postmaster.pid").exists():
                subprocess.run(
                    self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"),
                    capture_output=True,
                    cwd=self.base,
                    timeout=POSTGRES_TIMEOUT + 10,
                    check=False,
                )
                self.running = False
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL cluster, started; stopped and deleted afterwards whatever happens.

    Skips when SHOMEI_TEST_POSTGRES_URL is unset (no PostgreSQL wanted here); when it is set, missing
    binaries (initdb, pg_ctl, runuser as root) or a cluster that does not start fail the test.
    """
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL to test against")
    bindir = postgres_bindir()
    # not under tmp_path: pytest's directories are private to root, and the cluster runs as postgres
    base = Path(tempfile.mkdtemp(prefix="shomei-e2e-pg-"))
    cluster = PrivatePostgres(bindir, base)
    try:
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail(f"{POSTGRES_ENV} is set and we are root, but there is no user postgres")
            os.chown(base, owner.pw_uid, owner.pw_gid)
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.close()
