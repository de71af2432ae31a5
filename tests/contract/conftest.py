"""One suite, four ways in: every Backend method on LocalBackend and RemoteBackend, on SQLite and PostgreSQL.

``way`` picks the backend and the store; ``database_url`` (overriding the root one) follows it, so the root
``core`` fixture opens the right store with the FixedClock. Data is set up through the services directly; only
the calls under test go through the backend. The remote backend talks to the FastAPI app in-process over the
very same Core, so the clock the tests move is the server's clock too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from shomei_cli.backends.base import Backend
from shomei_cli.backends.local import LocalBackend
from shomei_cli.backends.remote import RemoteBackend
from shomei_cli.domain.records import NewChamber
from shomei_cli.server.app import create_app
from shomei_cli.server.settings import ServerSettings
from shomei_cli.services import chambers
from shomei_cli.services.core import Core
from shomei_cli.store.tables import Account, Chamber
from tests.helpers import TEST_PASSWORD, activate, actor_for

# The root conftest's clock: 10:00 in Tokyo on 2026-11-27.
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
IDLE = timedelta(minutes=60)

CHAMBER_CODE = "1301"
CHAMBER_NAME = "東京商工会議所"
CHAMBER_NAME_EN = "Tokyo CCI"
FIRST_STAFF = "First staff"

WAYS = [
    pytest.param("local-sqlite", id="local-sqlite"),
    pytest.param("remote-sqlite", id="remote-sqlite"),
    pytest.param("local-postgres", id="local-postgres", marks=pytest.mark.postgres),
    pytest.param("remote-postgres", id="remote-postgres", marks=pytest.mark.postgres),
]


class MakeBackend(Protocol):
    def __call__(self, token: str | None = None) -> Backend: ...


@pytest.fixture(params=WAYS)
def way(request: pytest.FixtureRequest) -> str:
    """local-sqlite, remote-sqlite, local-postgres or remote-postgres."""
    return str(request.param)


@pytest.fixture
def database_url(way: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Overrides the root fixture: the store follows ``way`` (postgres_url skips without the env var and
    fails, rather than skips, when it is set but PostgreSQL cannot be reached)."""
    if way.endswith("-postgres"):
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'contract.db'}"


@pytest.fixture
def make_backend(way: str, database_url: str, core: Core) -> Iterator[MakeBackend]:
    """A factory of backends of this way, all on the same store (and, when remote, the same server)."""
    created: list[LocalBackend | RemoteBackend] = []
    client: TestClient | None = None
    if way.startswith("remote-"):
        client = TestClient(create_app(ServerSettings(database_url), core=core))

    def make(token: str | None = None) -> Backend:
        backend: LocalBackend | RemoteBackend
        if client is None:
            backend = LocalBackend(database_url, token, core=core)
        else:
            backend = RemoteBackend("http://testserver", token, client=client, retry_pause=0)
        created.append(backend)
        return backend

    yield make
    for backend in created:
        backend.close()
    if client is not None:
        client.close()


@pytest.fixture
def new_chamber(core: Core) -> NewChamber:
    """Chamber 1301 with its first staff ID S00001, whose password is still the initial (temporary) one."""
    return chambers.init_chamber(core, CHAMBER_CODE, CHAMBER_NAME, CHAMBER_NAME_EN)


@pytest.fixture
def chamber(core: Core, new_chamber: NewChamber) -> NewChamber:
    """Chamber 1301 with S00001's password changed to TEST_PASSWORD (audit: init, login, password change)."""
    activate(core, CHAMBER_CODE, new_chamber.staff.login_id, new_chamber.staff.initial_password)
    return new_chamber


@pytest.fixture
def staff(make_backend: MakeBackend, chamber: NewChamber) -> Backend:
    """A backend logged in as S00001 (this login supersedes the session ``activate`` left behind)."""
    backend = make_backend()
    backend.login(CHAMBER_CODE, "S00001", TEST_PASSWORD)
    return backend


def add_active_staff(core: Core, name: str) -> str:
    """Another staff ID created and activated through the services (not the backend); its login ID.

    Call it before the backend under test logs in as S00001: it logs S00001 in itself.
    """
    created = chambers.add_staff(core, actor_for(core, CHAMBER_CODE, "S00001"), name)
    activate(core, CHAMBER_CODE, created.login_id, created.initial_password)
    return created.login_id


def insert_admin(core: Core, login_id: str = "A00001", name: str = "Admin Taro") -> str:
    """An administrator ID written straight into the store, password TEST_PASSWORD, already changed.

    Written as a row so that this suite's PermissionDenied case depends on nothing but the accounts table:
    the service-level way (issue a trade registration, print its card for the initial password, activate)
    arrived with fa34d8f and drags the whole registration feature into a transport contract.
    """
    password_hash = core.hashing.hash(TEST_PASSWORD)
    now = core.clock.now()
    with core.write() as session:
        chamber = session.exec(select(Chamber).where(Chamber.code == CHAMBER_CODE)).one()
        session.add(
            Account(
                chamber_id=chamber.id,
                login_id=login_id,
                role="admin",
                name=name,
                password_hash=password_hash,
                must_change_password=False,
                password_changed_at=now,
                created_at=now,
            )
        )
    return login_id
