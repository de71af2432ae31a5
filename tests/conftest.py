"""Test isolation (after hatch's): every test gets its own SHOMEI_HOME, no colour, a fixed width, and no
ambient SHOMEI_* settings, so outputs can be asserted exactly."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shomei_cli import i18n
from shomei_cli.domain.clock import FixedClock
from shomei_cli.domain.records import NewChamber
from shomei_cli.services.core import Core
from tests.helpers import TEST_PASSWORD, StoreFactory, activate

JST = ZoneInfo("Asia/Tokyo")

# Help texts are translated when the command modules are imported, which test collection does before any
# fixture runs: English from the start, whatever the machine's locale (a developer's may be ja_JP).
os.environ["SHOMEI_LANG"] = "en"
i18n.forget_environment()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for name in (
        "SHOMEI_TOKEN",
        "SHOMEI_ENDPOINT",
        "SHOMEI_DATABASE_URL",
        "SHOMEI_PROFILE",
        "SHOMEI_DEBUG",
        "SHOMEI_LANG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOMEI_HOME", str(home))
    # English unless a test says otherwise, whatever the machine's locale (a developer's may be ja_JP)
    monkeypatch.setenv("SHOMEI_LANG", "en")
    i18n.forget_environment()
    monkeypatch.setenv("SHOMEI_INSECURE_STORAGE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TERM", "dumb")
    return home


@pytest.fixture
def clock() -> FixedClock:
    """10:00 in Tokyo on 2026-11-27."""
    return FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=JST))


POSTGRES_ENV = "SHOMEI_TEST_POSTGRES_URL"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh, empty schema of the test PostgreSQL (dropped afterwards).

    Skips with a reason when SHOMEI_TEST_POSTGRES_URL is unset (a laptop without PostgreSQL); when it is set
    (CI), an unreachable server fails the test instead of skipping it.
    """
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL to test against")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store-backed test runs on an SQLite file and on PostgreSQL."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def core(database_url: str, clock: FixedClock) -> Iterator[Core]:
    opened = Core.open(database_url, clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def chamber(core: Core) -> NewChamber:
    """Chamber 1301 with its first staff ID, whose password is already changed to TEST_PASSWORD."""
    from shomei_cli.services import chambers

    created = chambers.init_chamber(core, "1301", "東京商工会議所", "Tokyo Chamber of Commerce and Industry")
    activate(core, "1301", created.staff.login_id, created.staff.initial_password)
    return created


@pytest.fixture
def stores(core: Core) -> StoreFactory:
    return StoreFactory(core)


__all__ = ["TEST_PASSWORD"]
