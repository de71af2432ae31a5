"""Which backend a command uses: --endpoint (or SHOMEI_ENDPOINT) for remote mode; a store named with
--database-url (or SHOMEI_DATABASE_URL) for local mode even when the profile holds an endpoint (the server's
own host, restoring a backup); else the profile."""

from __future__ import annotations

import pytest

from shomei_cli import config
from shomei_cli.cli.state import State

PROFILE_ENDPOINT = "https://shomei.example-cci.or.jp"


@pytest.fixture(autouse=True)
def profile_with_an_endpoint() -> None:
    config.save_setting(config.DEFAULT_PROFILE, "endpoint", PROFILE_ENDPOINT)


@pytest.mark.parametrize(
    ("endpoint", "database_url", "expected"),
    [
        (None, None, PROFILE_ENDPOINT),
        (None, "sqlite:///restored.db", None),
        ("https://other.example/", None, "https://other.example"),
        ("https://other.example", "sqlite:///restored.db", "https://other.example"),
    ],
)
def test_an_explicit_store_means_local_mode_and_an_explicit_endpoint_remote(
    endpoint: str | None, database_url: str | None, expected: str | None
) -> None:
    state = State(None, endpoint, database_url)
    assert state.endpoint == expected
    assert state.remote is (expected is not None)
