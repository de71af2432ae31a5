"""Load on a real ``shomei serve`` over PostgreSQL, next to the same operations through LocalBackend.

    python benchmarks/load.py [--postgres-url URL] [--clients 20] [--requests N] [--operation NAME ...]

Makes a fresh schema in the PostgreSQL database at --postgres-url (``CREATE SCHEMA``; dropped at the end),
sets up chamber 1301 with one activated staff ID per client through the services, starts ``shomei serve`` on
127.0.0.1 (login limits raised out of the way), and sends a fixed number of requests per operation from
--clients threads, each with its own keep-alive ``httpx.Client`` and its own staff ID (a login ends the
previous session of the same ID, so clients must not share one). Then the same operations go through
LocalBackend in-process, one per thread, over one shared Core (one connection pool, as in the server).
Prints requests per second and p50/p95/p99 latency per operation and transport, and every error (any non-2xx
answer or exception).

Everything stays on this machine and the script stops by itself. Clients and server share the CPUs, so the
HTTP figures include the clients' own cost. Nothing here asserts; it only measures.

To add an operation, write its HTTP and in-process calls and append an ``Operation`` to ``OPERATIONS``.
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shomei_cli.backends.local import LocalBackend
from shomei_cli.domain.errors import ShomeiError
from shomei_cli.services import auth, chambers
from shomei_cli.services.audit import Actor
from shomei_cli.services.core import Core
from shomei_cli.store.engine import safe_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHAMBER_CODE = "1301"
PASSWORD = "kumo-no-ue-de-odoru-77"  # passes the password policy
API = "/api/v1"
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
SERVER_START_TIMEOUT = 60.0
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
MAX_ERROR_LINES = 10

C = TypeVar("C")


class RequestFailed(Exception):
    """One request did not succeed; the message says how (status and problem code, or exception)."""


# -- the two kinds of client ---------------------------------------------------------------------------------


@dataclass
class HttpClient:
    """One simulated user of the server: a keep-alive connection, a staff ID and its current token."""

    login_id: str
    client: httpx.Client
    token: str | None = None

    def check(self, response: httpx.Response) -> httpx.Response:
        if not response.is_success:
            try:
                code = response.json().get("code", "?")
            except ValueError:
                code = response.text[:60]
            raise RequestFailed(f"HTTP {response.status_code} {code}")
        return response

    def login(self) -> None:
        body = {"chamber_code": CHAMBER_CODE, "login_id": self.login_id, "password": PASSWORD}
        self.token = self.check(self.client.post(f"{API}/sessions", json=body)).json()["token"]

    def whoami(self) -> None:
        self.check(self.client.get(f"{API}/me", headers={"Authorization": f"Bearer {self.token}"}))


@dataclass
class LocalClient:
    """The same user through LocalBackend in-process."""

    login_id: str
    backend: LocalBackend

    def login(self) -> None:
        self.backend.login(CHAMBER_CODE, self.login_id, PASSWORD)

    def whoami(self) -> None:
        self.backend.whoami()


# -- the operations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """A named operation, measured over HTTP and in-process. Every phase starts with each client logged in
    afresh (not measured), so an operation may rely on a live session and may end or replace it."""

    name: str
    default_requests: int
    over_http: Callable[[HttpClient], None]
    in_process: Callable[[LocalClient], None]


OPERATIONS: list[Operation] = [
    Operation("whoami", 2000, HttpClient.whoami, LocalClient.whoami),
    # each client logs in as its own ID: a login ends the previous session of that ID only
    Operation("login", 400, HttpClient.login, LocalClient.login),
]


# -- measuring -----------------------------------------------------------------------------------------------


@dataclass
class Result:
    operation: str
    via: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else math.nan

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of all latencies (failed requests included), in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] * 1000


def shares(total: int, parts: int) -> list[int]:
    """``total`` split as evenly as possible into ``parts``."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@dataclass
class Phase(Generic[C]):
    """Run one operation from every client at once, each client in its own thread."""

    operation: str
    via: str
    clients: Sequence[C]
    prepare: Callable[[C], None]
    call: Callable[[C], None]

    def run(self, total: int) -> Result:
        n = len(self.clients)
        latencies: list[list[float]] = [[] for _ in range(n)]
        errors: list[Counter[str]] = [Counter() for _ in range(n)]
        start = threading.Barrier(n + 1)

        def worker(index: int, count: int) -> None:
            client = self.clients[index]
            try:
                self.prepare(client)
            except Exception as exc:  # counted, and this client sends nothing
                errors[index][f"prepare: {describe(exc)}"] += 1
                count = 0
            start.wait()
            for _ in range(count):
                began = time.perf_counter()
                try:
                    self.call(client)
                except Exception as exc:
                    errors[index][describe(exc)] += 1
                latencies[index].append(time.perf_counter() - began)

        threads = [
            threading.Thread(target=worker, args=(i, count), name=f"{self.via}-{i}")
            for i, count in enumerate(shares(total, n))
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        merged: Counter[str] = Counter()
        for counter in errors:
            merged.update(counter)
        flat = [x for per_client in latencies for x in per_client]
        return Result(self.operation, self.via, len(flat), seconds, flat, merged)


def describe(exc: Exception) -> str:
    if isinstance(exc, RequestFailed):
        return str(exc)
    if isinstance(exc, ShomeiError):
        return f"{type(exc).__name__} ({exc.code})"
    return f"{type(exc).__name__}: {exc}"[:120]


# -- the store and the server --------------------------------------------------------------------------------


def check_local(url: str) -> None:
    host = make_url(url).host
    if host is not None and host not in LOOPBACK and not host.startswith("127."):
        sys.exit(f"--postgres-url must point at this machine (got host {host!r})")


@contextmanager
def fresh_schema(base_url: str) -> Iterator[str]:
    """A new, empty schema in the database at ``base_url``: the URL to it (the schema is dropped after)."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        try:
            yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def activate(core: Core, login_id: str, initial_password: str) -> Actor:
    """Log in with the initial password and change it to PASSWORD; the live session as an actor."""
    token = auth.login(core, CHAMBER_CODE, login_id, initial_password).token
    temporary = auth.authenticate(core, token, allow_temporary_password=True)
    auth.change_password(core, temporary, initial_password, PASSWORD)
    return auth.authenticate(core, token)


def set_up_chamber(core: Core, clients: int) -> list[str]:
    """Chamber 1301 with ``clients`` activated staff IDs; their login IDs."""
    created = chambers.init_chamber(core, CHAMBER_CODE, "東京商工会議所", None)
    first = activate(core, created.staff.login_id, created.staff.initial_password)
    ids = [created.staff.login_id]
    for number in range(2, clients + 1):
        account = chambers.add_staff(core, first, f"Load client {number}")
        activate(core, account.login_id, account.initial_password)
        ids.append(account.login_id)
    return ids


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(database_url: str, workdir: Path) -> Iterator[str]:
    """``shomei serve`` on a free local port over ``database_url``; its base URL. Stopped afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    env.update(
        SHOMEI_HOME=str(workdir / "home"),
        SHOMEI_LOGIN_LIMIT_PER_ADDRESS="1000000/minute",
        SHOMEI_LOGIN_LIMIT_PER_ID="1000000/minute",
        NO_COLOR="1",
    )
    log_path = workdir / "server.log"
    argv = [sys.executable, "-m", "shomei_cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*argv, "--database-url", database_url],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base, log_path)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_up(server: subprocess.Popen[bytes], base: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"shomei serve exited {server.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}{API}/health", timeout=2.0).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"shomei serve did not answer within {SERVER_START_TIMEOUT:.0f} s")


# -- the report ----------------------------------------------------------------------------------------------


def load_average() -> str:
    """The machine's 1/5/15-minute load averages: other work on it skews every figure."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(results: list[Result]) -> None:
    header = (
        f"{'operation':<10} {'via':<6} {'requests':>8} {'errors':>6} {'seconds':>7} {'req/s':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.operation:<10} {r.via:<6} {r.requests:>8} {r.error_count:>6} {r.seconds:>7.2f} "
            f"{r.per_second:>8.1f} {r.percentile_ms(50):>7.1f} {r.percentile_ms(95):>7.1f} "
            f"{r.percentile_ms(99):>7.1f}"
        )
    failed = [r for r in results if r.errors]
    print()
    if not failed:
        print("Errors: none")
        return
    print("Errors:")
    for r in failed:
        for description, count in r.errors.most_common(MAX_ERROR_LINES):
            print(f"  {r.operation} via {r.via}: {count} x {description}")
        if len(r.errors) > MAX_ERROR_LINES:
            print(f"  {r.operation} via {r.via}: ... {len(r.errors) - MAX_ERROR_LINES} more kinds")


def main(argv: list[str] | None = None) -> None:
    names = [op.name for op in OPERATIONS]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="default: %(default)s")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default: 20)")
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="requests per operation and transport (default: "
        + ", ".join(f"{op.name} {op.default_requests}" for op in OPERATIONS)
        + ")",
    )
    parser.add_argument(
        "--operation", action="append", choices=names, help="only these (repeatable; default: all)"
    )
    args = parser.parse_args(argv)
    if args.clients < 1:
        parser.error("--clients must be at least 1")
    if args.requests is not None and args.requests < 1:
        parser.error("--requests must be at least 1")
    check_local(args.postgres_url)
    chosen = [op for op in OPERATIONS if not args.operation or op.name in args.operation]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="shomei-load-") as tmp, fresh_schema(args.postgres_url) as url:
        core = Core.open(url)
        try:
            login_ids = set_up_chamber(core, args.clients)
            with running_server(url, Path(tmp)) as base:
                print(
                    f"shomei load: {args.clients} clients, server {base}, store {safe_url(url)}, "
                    f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load_average()}"
                )
                http_clients = [
                    HttpClient(login_id, httpx.Client(base_url=base, timeout=HTTP_TIMEOUT))
                    for login_id in login_ids
                ]
                local_clients = [
                    LocalClient(login_id, LocalBackend(url, core=core)) for login_id in login_ids
                ]
                try:
                    for op in chosen:
                        total = args.requests or op.default_requests
                        http = Phase(op.name, "http", http_clients, HttpClient.login, op.over_http)
                        results.append(http.run(total))
                        local = Phase(op.name, "local", local_clients, LocalClient.login, op.in_process)
                        results.append(local.run(total))
                finally:
                    for client in http_clients:
                        client.client.close()
        finally:
            core.close()
    print()
    report(results)
    print()
    print(f"Load average at the end: {load_average()} (clients, server and PostgreSQL share these CPUs)")


if __name__ == "__main__":
    main()
