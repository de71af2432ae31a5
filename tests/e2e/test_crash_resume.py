"""A batch killed outright and run again (issue: nothing printed that was not written): `shomei admin issue
--csv … --out cards` is killed with SIGKILL (no cleanup, no rollback, no flush) while hashing the initial
passwords, while rendering the cards, after a card is written but before it is renamed, and after a card is
renamed but before the batch is confirmed; run again, it leaves every card on disk (a PDF each), no temporary
file, each registration once, and the first-day passwords still shown. On SQLite and on PostgreSQL.

The kill comes from the fault hook ``SHOMEI_TEST_KILL_AT=POINT:N`` (src/shomei_cli/faults.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import CHAMBER_CODE, FIRST_STAFF_ID, Cli, describe
from tests.helpers import TEST_PASSWORD

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CARDS = ["1301000001.pdf", "1301000002.pdf"]  # the two rows of docs/examples/registrations.csv
KILLED = -9


def staff_cli(database_url: str, home: Path, host_env: dict[str, str]) -> Cli:
    """S00001 logged in on the store's host, its password changed to TEST_PASSWORD."""
    cli = Cli(None, home, database_url=database_url, env=dict(host_env))
    created = cli.json("chamber", "init", "--code", CHAMBER_CODE, "--name", "東京商工会議所", "--json")
    initial = created["staff"]["initial_password"]
    cli.ok(
        "login", "--chamber", CHAMBER_CODE, "--id", FIRST_STAFF_ID, "--password-stdin", input=initial + "\n"
    )
    cli.ok("passwd", "--stdin", input=f"{initial}\n{TEST_PASSWORD}\n")
    return cli


def kill_and_resume(database_url: str, tmp_path: Path, host_env: dict[str, str], point: str) -> None:
    cli = staff_cli(database_url, tmp_path / "home", host_env)
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EXAMPLES / "registrations.csv", work / "registrations.csv")
    batch = ["admin", "issue", "--csv", str(work / "registrations.csv"), "--out", str(work / "cards")]
    doomed = Cli(None, cli.home, database_url=database_url, env={**host_env, "SHOMEI_TEST_KILL_AT": point})
    killed = doomed.run(*batch)
    assert killed.returncode == KILLED, describe(killed)

    resumed = cli.run(*batch, "--json")
    assert resumed.returncode == 0, describe(resumed)
    rows = json.loads(resumed.stdout)
    assert [row["card"] for row in rows] == [str(work / "cards" / name) for name in CARDS]
    assert all(len(row["password"]) == 16 for row in rows), rows  # still the first day: shown again
    on_disk = sorted(p.name for p in (work / "cards").iterdir())
    assert on_disk == CARDS, on_disk  # no temporary file left beside them
    assert all((work / "cards" / name).read_bytes().startswith(b"%PDF-") for name in CARDS)
    listed = cli.json("admin", "list", "--json")
    assert sorted(r["registration_number"] for r in listed) == ["1301000001", "1301000002"]

    again = cli.run(*batch, "--json")  # a third run changes nothing
    assert again.returncode == 0, describe(again)
    assert sorted(p.name for p in (work / "cards").iterdir()) == CARDS
    assert len(cli.json("admin", "list", "--json")) == 2


POINTS = ["hashing:2", "rendering:1", "written:2", "renamed:1"]


@pytest.mark.parametrize("point", POINTS)
def test_a_batch_killed_on_sqlite_and_run_again_leaves_every_card(
    point: str, tmp_path: Path, host_env: dict[str, str]
) -> None:
    kill_and_resume(f"sqlite:///{tmp_path / 'store.db'}", tmp_path, host_env, point)


@pytest.mark.postgres
@pytest.mark.parametrize("point", ["hashing:2", "written:2"])
def test_a_batch_killed_on_postgresql_and_run_again_leaves_every_card(
    point: str, postgres_url: str, tmp_path: Path, host_env: dict[str, str]
) -> None:
    kill_and_resume(postgres_url, tmp_path, host_env, point)
