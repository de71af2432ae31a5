"""Run the real `shomei` command in-process, the way a user would type it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shomei_cli.cli.main import app
from tests.helpers import TEST_PASSWORD


@dataclass
class Result:
    exit_code: int
    stdout: str  # as click's runner gives it: CRLF read as LF
    stderr: str
    stdout_bytes: bytes = b""

    def json(self) -> Any:
        return json.loads(self.stdout)


Shomei = Callable[..., Result]


@pytest.fixture
def shomei(tmp_path: Path) -> Shomei:
    runner = CliRunner()
    database = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str, input: str | None = None, database_url: str | None = database) -> Result:
        prefix = ["--database-url", database_url] if database_url else []
        outcome = runner.invoke(app, [*prefix, *args], input=input, catch_exceptions=False)
        return Result(outcome.exit_code, outcome.stdout, outcome.stderr, outcome.stdout_bytes)

    return invoke


@pytest.fixture
def staff_session(shomei: Shomei) -> str:
    """Chamber 1301 initialised, S00001 logged in with its password changed; returns its initial password."""
    created = shomei("chamber", "init", "--code", "1301", "--name", "東京商工会議所", "--json").json()
    initial = created["staff"]["initial_password"]
    assert (
        shomei(
            "login", "--chamber", "1301", "--id", "S00001", "--password-stdin", input=initial + "\n"
        ).exit_code
        == 0
    )
    assert shomei("passwd", "--stdin", input=f"{initial}\n{TEST_PASSWORD}\n").exit_code == 0
    return str(initial)
