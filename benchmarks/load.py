"""Load on a real ``shomei serve`` over PostgreSQL, next to the same operations through LocalBackend.

    python benchmarks/load.py [--postgres-url URL] [--servers 1 3] [--clients 5 20] [--requests N]
                              [--operation NAME ...] [--history 300]

Makes a fresh schema in the PostgreSQL database at --postgres-url (``CREATE SCHEMA``; dropped at the end),
sets up chamber 1301 with one activated staff ID per client through the services, then for each number of
--servers starts ``shomei serve --workers N`` on 127.0.0.1 (N server processes on one port and one
PostgreSQL; login and verification limits raised out of the way), and for each number of --clients sends a
fixed number of requests per operation from that many threads, each with its own keep-alive
``httpx.Client`` and its own ID (a login ends the previous session of the same ID, so clients must not share
one). With the first server configuration, the same operations also go through LocalBackend in-process, one
per thread, over one shared Core (one connection pool, as in the server). Prints requests per second and
p50/p95/p99 latency per operation, transport, servers and clients, and every error (any non-2xx answer or
exception); then whether the goal (p95 <= 50 ms at 5 clients, over HTTP) is met.

The certificate operations (``cert-*``) are sent by signers: company 1301000001 gets one approved signer per
client (user IDs U000001…), plus one more that, with a staff ID of its own, seeds data outside the timing.
Before they run, the company is given a history of --history applications (all submitted; two in three
approved, one in two paid and so issued). ``cert-list`` is what ``shomei cert list`` sends by default (the
newest 100 of the company's applications); ``cert-apply`` creates and submits a certificate of origin
(docs/examples/shipment.toml); ``cert-pay`` pays an approved application from the prepaid balance, each
request its own application, from a pool approved and topped up just before its phase (not timed);
``cert-verify`` is what anyone's ``shomei cert verify NUMBER --code CODE`` sends (no session), for
certificates issued just before its phase.

Everything stays on this machine and the script stops by itself. Clients and server share the CPUs, so the
HTTP figures include the clients' own cost. Nothing here asserts; it only measures.

To add an operation, write its HTTP and in-process calls and append an ``Operation`` to ``OPERATIONS``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shomei_cli.backends.local import LocalBackend
from shomei_cli.domain.errors import ShomeiError
from shomei_cli.domain.records import ApplicationQuery
from shomei_cli.services import api, auth, chambers
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
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
COMPANY = "1301000001"  # 日商テスト商事株式会社 (docs/examples/registrations.csv), a member
DEFAULT_HISTORY = 300
LIST_LIMIT = 100  # what `shomei cert list` asks for without --limit
CO_FEE = 1360  # a member's certificate of origin with one extra copy (the default fee table)

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
    to_pay: list[str] = field(default_factory=list)  # approved applications this client pays (cert-pay)
    to_verify: list[tuple[str, str]] = field(default_factory=list)  # certificates and codes (cert-verify)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

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
        self.check(self.client.get(f"{API}/me", headers=self.auth))

    def cert_list(self) -> None:
        params = {"limit": LIST_LIMIT}
        self.check(self.client.get(f"{API}/applications", params=params, headers=self.auth))

    def cert_apply(self) -> None:
        body = {"type": "co", "content": shipment(), "draft": False, "attachment": None}
        self.check(self.client.post(f"{API}/applications", json=body, headers=self.auth))

    def cert_pay(self) -> None:
        ref = self.to_pay.pop()
        body = {"method": "prepaid", "reference": None}
        self.check(self.client.post(f"{API}/applications/{ref}/payment", json=body, headers=self.auth))

    def cert_verify(self) -> None:
        number, code = self.to_verify[0]
        self.to_verify.append(self.to_verify.pop(0))
        self.check(self.client.get(f"{API}/verify", params={"number": number, "code": code}))


@dataclass
class LocalClient:
    """The same user through LocalBackend in-process."""

    login_id: str
    backend: LocalBackend
    to_pay: list[str] = field(default_factory=list)
    to_verify: list[tuple[str, str]] = field(default_factory=list)

    def login(self) -> None:
        self.backend.login(CHAMBER_CODE, self.login_id, PASSWORD)

    def whoami(self) -> None:
        self.backend.whoami()

    def cert_list(self) -> None:
        self.backend.list_applications(ApplicationQuery(limit=LIST_LIMIT))

    def cert_apply(self) -> None:
        self.backend.apply("co", shipment(), None, False)

    def cert_pay(self) -> None:
        self.backend.pay_application(self.to_pay.pop(), "prepaid", None)

    def cert_verify(self) -> None:
        number, code = self.to_verify[0]
        self.to_verify.append(self.to_verify.pop(0))
        if self.backend.verify(number, code).status != "genuine":
            raise RequestFailed("not genuine")


# -- the operations ------------------------------------------------------------------------------------------


Client = HttpClient | LocalClient


@dataclass(frozen=True)
class Operation:
    """A named operation, measured over HTTP and in-process. Every phase starts with each client logged in
    afresh (not measured), so an operation may rely on a live session and may end or replace it.

    ``by`` says whose IDs send it (``staff``, or ``signer`` of company 1301000001); ``seed``, if any, runs
    before each phase (not measured) with the phase's clients and its number of requests."""

    name: str
    default_requests: int
    over_http: Callable[[HttpClient], None]
    in_process: Callable[[LocalClient], None]
    by: str = "staff"
    seed: Callable[[Seeder, Sequence[Client], int], None] | None = None


def pool_to_pay(seeder: Seeder, clients: Sequence[Client], total: int) -> None:
    """``total`` approved applications and the balance to pay them all, shared out among ``clients``."""
    refs = seeder.approved(total)
    seeder.topup(total * CO_FEE)
    for client, count in zip(clients, shares(total, len(clients)), strict=True):
        client.to_pay = [refs.pop() for _ in range(count)]


def pool_to_verify(seeder: Seeder, clients: Sequence[Client], total: int) -> None:
    """A few certificates issued for this phase; every client verifies them in turn."""
    issued = seeder.issued(max(len(clients), 10))
    for index, client in enumerate(clients):
        client.to_verify = issued[index:] + issued[:index]


OPERATIONS: list[Operation] = [
    Operation("whoami", 2000, HttpClient.whoami, LocalClient.whoami),
    # each client logs in as its own ID: a login ends the previous session of that ID only
    Operation("login", 400, HttpClient.login, LocalClient.login),
    Operation("cert-list", 1000, HttpClient.cert_list, LocalClient.cert_list, by="signer"),
    Operation("cert-apply", 400, HttpClient.cert_apply, LocalClient.cert_apply, by="signer"),
    Operation("cert-pay", 400, HttpClient.cert_pay, LocalClient.cert_pay, by="signer", seed=pool_to_pay),
    Operation(
        "cert-verify", 1000, HttpClient.cert_verify, LocalClient.cert_verify, by="signer", seed=pool_to_verify
    ),
]
DEFAULT_OPERATIONS = ("cert-list", "cert-apply", "cert-pay", "cert-verify")
GOAL_P95_MS, GOAL_CLIENTS = 50.0, 5


# -- measuring -----------------------------------------------------------------------------------------------


@dataclass
class Result:
    operation: str
    via: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: Counter[str] = field(default_factory=Counter)
    servers: int = 0
    clients: int = 0

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


@functools.cache
def _shipment_json() -> str:
    content = tomllib.loads((EXAMPLES / "shipment.toml").read_text(encoding="utf-8"))
    return json.dumps(content, default=str)  # TOML dates as ISO strings, as `cert apply` sends them


def shipment() -> dict[str, Any]:
    """docs/examples/shipment.toml, a fresh copy each time."""
    content: dict[str, Any] = json.loads(_shipment_json())
    return content


@contextmanager
def stub_cards() -> Iterator[None]:
    """Cards drawn as stubs while setting up: drawing one subsets the Japanese font (about 0.4 s of CPU),
    and only their passwords are needed here."""
    from unittest.mock import patch

    with (
        patch(
            "shomei_cli.documents.cards.render_registration_cards",
            lambda cards: [b"%PDF-stub" for _ in cards],
        ),
        patch("shomei_cli.documents.cards.render_signer_cards", lambda cards: [b"%PDF-stub" for _ in cards]),
    ):
        yield


@dataclass
class Seeder:
    """A staff ID and a signer of company 1301000001 that no client uses: they make data outside the timing
    (their sessions are never ended by a client's login)."""

    core: Core
    staff: str  # tokens
    signer: str

    def submitted(self, count: int) -> list[str]:
        """``count`` certificates of origin applied for and submitted; their reception numbers."""
        return [
            api.apply(self.core, self.signer, "co", shipment(), None, False).summary.reception_number or ""
            for _ in range(count)
        ]

    def approve(self, reception_numbers: Sequence[str]) -> None:
        for number in reception_numbers:
            api.decide_review(self.core, self.staff, number, "approve", None)

    def approved(self, count: int) -> list[str]:
        """``count`` applications submitted and approved; their reception numbers."""
        numbers = self.submitted(count)
        self.approve(numbers)
        return numbers

    def topup(self, amount: int) -> None:
        api.topup(self.core, self.staff, COMPANY, amount)

    def pay(self, reception_numbers: Sequence[str]) -> None:
        for number in reception_numbers:
            api.pay_application(self.core, self.signer, number, "prepaid", None)

    def issued(self, count: int) -> list[tuple[str, str]]:
        """``count`` certificates issued; their numbers and access codes."""
        numbers = self.approved(count)
        self.topup(count * CO_FEE)
        paid = [api.pay_application(self.core, self.signer, n, "prepaid", None) for n in numbers]
        return [(p.certificate_number, p.access_code) for p in paid]

    def history(self, count: int) -> None:
        """``count`` applications: all submitted, two in three approved, one in two paid (so issued)."""
        numbers = self.submitted(count)
        approved = [n for i, n in enumerate(numbers) if i % 3 != 2]
        self.approve(approved)
        paid = approved[: count // 2]
        self.topup(max(1, len(paid) * CO_FEE))
        self.pay(paid)


def set_up_company(core: Core, clients: int) -> tuple[list[str], Seeder]:
    """Company 1301000001 with ``clients`` activated signers (their user IDs) and the seeder's two IDs.

    Called after ``set_up_chamber``: S00001 exists with PASSWORD.
    """
    staff = auth.authenticate(core, auth.login(core, CHAMBER_CODE, "S00001", PASSWORD).token)
    seeding_staff = chambers.add_staff(core, staff, "Load seeder")
    activate(core, seeding_staff.login_id, seeding_staff.initial_password)
    staff_token = auth.login(core, CHAMBER_CODE, seeding_staff.login_id, PASSWORD).token
    with stub_cards():
        api.issue_registrations(core, staff_token, (EXAMPLES / "registrations.csv").read_bytes())
        (card,) = api.print_registration_cards(core, staff_token, [COMPANY])
        activate(core, f"A{COMPANY}", card.password or "")
        admin_token = auth.login(core, CHAMBER_CODE, f"A{COMPANY}", PASSWORD).token
        signature = (EXAMPLES / "signatures" / "osaka.png").read_bytes()
        refs = []
        for n in range(1, clients + 2):  # one more: the seeder's
            fields: dict[str, str | None] = {
                "name": f"署名 {n}",
                "name_en": f"Signer {n}",
                "title": "輸出担当",
                "title_en": "Export Officer",
            }
            # the 16th and later signer needs a written reason
            added = api.add_signer(core, admin_token, fields, signature, "load test")
            api.decide_review(core, staff_token, added.reference, "approve", None)
            refs.append(added.reference)
        cards = api.print_signer_cards(core, admin_token, refs)
    user_ids = []
    for signer_card in cards:
        activate(core, signer_card.login_id, signer_card.password or "")
        user_ids.append(signer_card.login_id)
    seeder_signer = user_ids.pop()
    signer_token = auth.login(core, CHAMBER_CODE, seeder_signer, PASSWORD).token
    return user_ids, Seeder(core, staff_token, signer_token)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(database_url: str, workdir: Path, secret_key: bytes, workers: int = 1) -> Iterator[str]:
    """``shomei serve --workers WORKERS`` on a free local port over ``database_url``; its base URL. Stopped
    afterwards.

    ``secret_key`` protects card passwords at rest: the server's and the set-up's must be the same."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOMEI_")}
    env.update(
        SHOMEI_HOME=str(workdir / "home"),
        SHOMEI_LOGIN_LIMIT_PER_ADDRESS="1000000/minute",
        SHOMEI_LOGIN_LIMIT_PER_ID="1000000/minute",
        SHOMEI_VERIFY_LIMIT_PER_ADDRESS="1000000/minute",
        SHOMEI_SECRET_KEY=secret_key.decode(),
        NO_COLOR="1",
    )
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "server.log"
    argv = [sys.executable, "-m", "shomei_cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(workers)]
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
        f"{'operation':<11} {'via':<6} {'servers':>7} {'clients':>7} {'requests':>8} {'errors':>6} "
        f"{'seconds':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        servers = str(r.servers) if r.via == "http" else "-"
        print(
            f"{r.operation:<11} {r.via:<6} {servers:>7} {r.clients:>7} {r.requests:>8} {r.error_count:>6} "
            f"{r.seconds:>7.2f} {r.per_second:>8.1f} {r.percentile_ms(50):>7.1f} {r.percentile_ms(95):>7.1f} "
            f"{r.percentile_ms(99):>7.1f}"
        )
    goal = [r for r in results if r.via == "http" and r.clients == GOAL_CLIENTS]
    if goal:
        worst = max(goal, key=lambda r: r.percentile_ms(95))
        verdict = "MET" if worst.percentile_ms(95) <= GOAL_P95_MS else "NOT MET"
        print(
            f"\nGoal p95 <= {GOAL_P95_MS:.0f} ms at {GOAL_CLIENTS} clients over HTTP: {verdict} (worst: "
            f"{worst.operation} with {worst.servers} server(s), {worst.percentile_ms(95):.1f} ms)"
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


def run_operations(
    chosen: Sequence[Operation],
    ids: dict[str, list[str]],
    count: int,
    base: str,
    url: str,
    core: Core,
    seeder: Seeder | None,
    args: argparse.Namespace,
    with_local: bool,
) -> list[Result]:
    """Every chosen operation from ``count`` clients over HTTP (and in-process when ``with_local``)."""
    results = []
    http_clients = {
        by: [HttpClient(i, httpx.Client(base_url=base, timeout=HTTP_TIMEOUT)) for i in login_ids[:count]]
        for by, login_ids in ids.items()
    }
    local_clients = {
        by: [LocalClient(i, LocalBackend(url, core=core)) for i in login_ids[:count]]
        for by, login_ids in ids.items()
    }
    try:
        for op in chosen:
            total = args.requests or op.default_requests
            ways: list[tuple[str, Sequence[Client], Callable[[Any], None], Callable[[Any], None]]] = [
                ("http", http_clients[op.by], HttpClient.login, op.over_http)
            ]
            if with_local:
                ways.append(("local", local_clients[op.by], LocalClient.login, op.in_process))
            for via, clients, login, call in ways:
                if op.seed is not None:
                    assert seeder is not None
                    op.seed(seeder, clients, total)
                phase: Phase[Any] = Phase(op.name, via, clients, login, call)
                results.append(phase.run(total))
    finally:
        for group in http_clients.values():
            for client in group:
                client.client.close()
    return results


def main(argv: list[str] | None = None) -> None:
    names = [op.name for op in OPERATIONS]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="default: %(default)s")
    parser.add_argument(
        "--servers", type=int, nargs="+", default=[1, 3], help="server processes, each run (default: 1 3)"
    )
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[5, 20], help="concurrent clients, each run (default: 5 20)"
    )
    parser.add_argument("--no-local", action="store_true", help="skip the in-process comparison")
    parser.add_argument(
        "--requests",
        type=int,
        default=None,
        help="requests per operation and transport (default: "
        + ", ".join(f"{op.name} {op.default_requests}" for op in OPERATIONS)
        + ")",
    )
    parser.add_argument(
        "--operation",
        action="append",
        choices=names,
        help=f"only these (repeatable; default: {' '.join(DEFAULT_OPERATIONS)})",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=DEFAULT_HISTORY,
        help="applications the company has before the cert-* operations run (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if min(args.clients) < 1 or min(args.servers) < 1:
        parser.error("--clients and --servers must be at least 1")
    if args.requests is not None and args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.history < 0:
        parser.error("--history must not be negative")
    check_local(args.postgres_url)
    chosen = [op for op in OPERATIONS if op.name in (args.operation or DEFAULT_OPERATIONS)]
    most = max(args.clients)

    from cryptography.fernet import Fernet

    secret_key = Fernet.generate_key()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="shomei-load-") as tmp, fresh_schema(args.postgres_url) as url:
        core = Core.open(url, secret_key=secret_key)
        try:
            ids: dict[str, list[str]] = {"staff": set_up_chamber(core, most)}
            seeder: Seeder | None = None
            if any(op.by == "signer" for op in chosen):
                began = time.perf_counter()
                ids["signer"], seeder = set_up_company(core, most)
                seeder.history(args.history)
                print(
                    f"(set up company {COMPANY}: {most} signers, {args.history} applications, "
                    f"in {time.perf_counter() - began:.1f} s)"
                )
            for round_no, servers in enumerate(args.servers):
                with running_server(url, Path(tmp) / f"servers-{servers}", secret_key, servers) as base:
                    print(
                        f"shomei load: {servers} server process(es) at {base}, store {safe_url(url)}, Python "
                        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load_average()}"
                    )
                    for count in args.clients:
                        with_local = round_no == 0 and not args.no_local
                        results += run_operations(
                            chosen, ids, count, base, url, core, seeder, args, with_local
                        )
                        for r in results[-len(chosen) * (2 if with_local else 1) :]:
                            r.servers, r.clients = servers, count
        finally:
            core.close()
    print()
    report(results)
    print()
    print(f"Load average at the end: {load_average()} (clients, server and PostgreSQL share these CPUs)")


if __name__ == "__main__":
    main()
